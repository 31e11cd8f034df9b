"""``ccgraph export``: the graph of a build in one format."""

from __future__ import annotations

import gzip
from pathlib import Path

from .store import open_build

_DUMPS = {"ttl": "ccgraph.ttl", "nt": "ccgraph.nt.gz", "nq": "ccgraph.nq.gz",
          "jsonld": "ccgraph.jsonld"}


def export(build_dir: Path, fmt: str) -> bytes:
    """The build's dump in ``fmt`` (ttl, nt, nq, jsonld), uncompressed."""
    if fmt not in _DUMPS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(_DUMPS)}")
    build = open_build(build_dir)
    path = build.dumps_dir / _DUMPS[fmt]
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data
