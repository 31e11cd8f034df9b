"""``ccgraph export``: the graph of a build in one format."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import IO

from .dumpfiles import FRAMED_FILES, RDF_DUMPS
from .store import open_build

_DUMPS = {d.rdf: d.name for d in RDF_DUMPS if d.rdf is not None}
#: framed files, by (format, frame): streamed from the build's dumps
FRAMED = {d.framed: d.name for d in FRAMED_FILES if d.framed is not None}


def export_framed(build_dir: Path, fmt: str, frame: str, out: IO[bytes]) -> None:
    """Copy the build's framed ``fmt`` file of ``frame`` to ``out``, uncompressed, a block at a
    time (``jsonl``: one framed city per line; ``geojson``: a FeatureCollection of cities)."""
    name = FRAMED.get((fmt, frame))
    if name is None:
        raise ValueError(f"no {fmt} export of {frame!r}; one of "
                         + ", ".join(f"--format {f} --frame {n}" for f, n in FRAMED))
    build = open_build(build_dir)
    path = build.dumps_dir / name
    if not path.is_file():
        raise ValueError(f"{path} is missing: this build is older than the framed files; "
                         "run `ccgraph build` again")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as src:
        shutil.copyfileobj(src, out, 1 << 16)


def export(build_dir: Path, fmt: str) -> bytes:
    """The build's dump in ``fmt`` (ttl, nt, nq, jsonld), uncompressed."""
    if fmt not in _DUMPS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(_DUMPS)}")
    build = open_build(build_dir)
    path = build.dumps_dir / _DUMPS[fmt]
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data
