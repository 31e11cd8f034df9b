"""What a build was made from: every input file with its size and SHA-256.

``ccgraph build`` records this list in build.json (``extra.inputs``), so a release made
later from the same build can say what it was derived from even when the files have
changed since. A source whose checksum is in a sources manifest (``data/sources.csv``,
written by ``ccgraph fetch``: name, url, sha256 …) also gets its public address.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

from . import shipped
from .settings import Settings, data_dir

MANIFEST = "sources.csv"
CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return []


def _entry(path: Path, role: str) -> dict[str, Any]:
    return {"name": path.name, "path": str(path), "role": role,
            "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def describe_inputs(sources: list[Path], settings: Settings,
                    members: Path | None = None) -> list[dict[str, Any]]:
    """One entry per file the build reads: the given sources (``role`` "source"), the
    project's own data (``role`` "project"): ontology, vocabularies, curated facts, the
    members table and the curators' tables. Each: name, path, role, bytes, sha256, and
    ``url`` when a sources manifest names the checksum."""
    data = data_dir(settings)
    entries = [_entry(p, "source") for s in sources for p in _files(Path(s))]
    own = [*_files(shipped.ontology()), *_files(data / "vocab"), *_files(data / "curated"),
           members or data / "members.csv", data / "city-aliases.csv",
           data / "source-documents.csv"]
    entries += [_entry(p, "project") for p in own if p.is_file() and p.suffix in (".ttl", ".csv")]
    known = manifest_urls(data / MANIFEST)
    for entry in entries:
        if entry["sha256"] in known:
            entry["url"] = known[entry["sha256"]]
    return entries


def manifest_urls(path: Path) -> dict[str, str]:
    """sha256 -> url from a sources manifest (any CSV with ``sha256`` and ``url`` columns)."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["sha256"].strip().lower(): row["url"].strip()
                for row in csv.DictReader(handle)
                if (row.get("sha256") or "").strip() and (row.get("url") or "").strip()}
