"""The example-query gallery: ``queries/*.rq`` with a header of ``# key: value`` lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Example:
    path: Path
    title: str
    description: str
    query: str
    expects: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.path.stem


def parse_example(path: Path) -> Example:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        header[key.strip()] = value.strip()
    expects: dict[str, str] = {}
    for part in header.get("expects", "").split(";"):
        key, _, value = part.partition("=")
        if key.strip():
            expects[key.strip()] = value.strip()
    return Example(path, header.get("title", path.stem), header.get("description", ""), text,
                   expects)


def load_gallery(directory: Path) -> list[Example]:
    return [parse_example(p) for p in sorted(directory.glob("*.rq"))]
