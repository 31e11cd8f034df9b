"""What ``ccgraph publish --to`` loads: a release directory or a validated build.

A release (``build/releases/NAME``) is loaded from its ``ccgraph.nq.gz`` (every named
graph but ``graph/void``), checked against the SHA-256 that ``release.json`` records; a
build from ``dumps/ccgraph.nq.gz`` (every named graph, ``graph/void`` included), and only
when its validation report says it conforms.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import release as releases
from ..inputs import sha256_file
from ..store import DUMPS_DIR, META_FILE, BuildMeta, resolve_build


class SourceRefused(Exception):
    """The directory cannot be published; the message says why and what to do."""


@dataclass(frozen=True)
class Publishable:
    """A dataset ready to load: its N-Quads (gzip), quads per named graph, identity."""

    kind: str  # "release" or "build"
    name: str  # the release's name, or the build's version
    version: str  # changes whenever the data changes
    base: str
    nquads_gz: Path
    graphs: dict[str, int] = field(default_factory=dict)

    @property
    def quads(self) -> int:
        return sum(self.graphs.values())

    def lines(self) -> Iterator[bytes]:
        """The N-Quads lines (without their newline)."""
        with gzip.open(self.nquads_gz, "rb") as stream:
            for line in stream:
                line = line.rstrip(b"\r\n")
                if line:
                    yield line

    def write_nquads(self, target: Path) -> Path:
        """The N-Quads, uncompressed, into ``target``."""
        with gzip.open(self.nquads_gz, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        return target


def open_source(path: Path) -> Publishable:
    """The release or build in ``path``. Raises SourceRefused."""
    path = Path(path)
    if (path / releases.META_FILE).is_file():
        return _release(path)
    build = resolve_build(path)
    if (build / META_FILE).is_file():
        return _build(build, path)
    raise SourceRefused(
        f"{path} holds neither a release (release.json) nor a build (build.json): give a "
        "release directory (build/releases/NAME) or a build directory")


def _release(path: Path) -> Publishable:
    try:
        release = releases.Release.load(path)
    except (OSError, ValueError, TypeError) as exc:
        raise SourceRefused(f"{path / releases.META_FILE} cannot be read ({exc}); the "
                            "release is damaged: publish another one") from None
    entry = release.file(releases.NQ)
    nq = path / releases.NQ
    if entry is None or not nq.is_file():
        raise SourceRefused(f"{nq} is missing: the release is incomplete")
    digest = sha256_file(nq)
    if digest != entry.sha256:
        raise SourceRefused(
            f"{nq} does not match the SHA-256 in {path / releases.META_FILE} (found "
            f"{digest[:16]}…, recorded {entry.sha256[:16]}…): the release was altered; "
            "publish an intact copy")
    return Publishable(kind="release", name=release.name, version=release.version,
                       base=release.base, nquads_gz=nq, graphs=dict(release.graphs))


def _build(build: Path, given: Path) -> Publishable:
    report = build / "reports" / "validation.txt"
    if not releases.validated(build):
        said = (report.read_text(encoding="utf-8").splitlines()[:1] if report.is_file()
                else ["no validation report"])
        raise SourceRefused(
            f"the build in {given} did not validate ({report}: {said[0] if said else 'empty'})"
            "; fix the data and run `ccgraph build` again: only a conforming build is "
            "published")
    try:
        meta = BuildMeta.from_json((build / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise SourceRefused(f"{build / META_FILE} cannot be read ({exc}); run "
                            "`ccgraph build` again") from None
    nq = build / DUMPS_DIR / "ccgraph.nq.gz"
    if not nq.is_file():
        raise SourceRefused(f"{nq} is missing: run `ccgraph build` again")
    return Publishable(kind="build", name=meta.version, version=meta.version, base=meta.base,
                       nquads_gz=nq, graphs=dict(meta.graphs))


def split_graphs(source: Publishable, folder: Path, batch: int = 256) -> dict[str, Path]:
    """One N-Triples file per named graph of ``source``, written into ``folder`` (streamed,
    at most ``batch`` files open at once)."""
    names = sorted(source.graphs)
    files = {g: folder / f"graph-{i:05d}.nt" for i, g in enumerate(names)}
    for start in range(0, len(names), batch):
        chunk = {f"<{g}>".encode(): files[g] for g in names[start:start + batch]}
        handles = {g: path.open("wb") for g, path in chunk.items()}
        try:
            for line in source.lines():
                cut = line.rindex(b" <")
                out = handles.get(line[cut + 1:].rstrip(b" .").rstrip())
                if out is not None:
                    out.write(line[:cut] + b" .\n")
        finally:
            for handle in handles.values():
                handle.close()
    return files
