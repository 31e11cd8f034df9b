"""Opening a published build: the embedded Oxigraph store and the build's metadata.

A build directory (``--out``/``--store``, default ``./build``) holds::

    store/                   the Oxigraph on-disk store (all named graphs)
    dumps/ccgraph.ttl        union of all graphs, Turtle
    dumps/ccgraph.nt.gz      union, N-Triples, gzip
    dumps/ccgraph.nq.gz      every named graph, N-Quads, gzip
    dumps/ccgraph.jsonld     union, JSON-LD compacted with context.jsonld
    context.jsonld           the JSON-LD context
    reports/validation.{txt,ttl,json}, reports/quality.{txt,json}
    build.json               metadata (see BuildMeta)

Readers open the store read-only. The store's default graph holds the union of the
named graphs (materialised at publish time, each triple once), so a query without
GRAPH sees the union with SPARQL's set semantics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

STORE_DIR = "store"
DUMPS_DIR = "dumps"
REPORTS_DIR = "reports"
META_FILE = "build.json"
CONTEXT_FILE = "context.jsonld"


@dataclass(frozen=True)
class BuildMeta:
    version: str  # changes whenever the data changes (a hash of the N-Quads dump)
    created: str  # ISO 8601 UTC timestamp of the build
    base: str  # base IRI used when minting
    quads: int
    graphs: dict[str, int] = field(default_factory=dict)  # named graph IRI -> quad count
    sources: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BuildMeta:
        data = json.loads(text)
        return cls(**data)


class NoBuild(FileNotFoundError):
    """The directory holds no complete build."""


def is_build(path: Path) -> bool:
    return (path / META_FILE).is_file() and (path / STORE_DIR).is_dir()


@dataclass
class Build:
    """An opened build: read-only store plus metadata and file locations."""

    path: Path
    store: ox.Store
    meta: BuildMeta

    @property
    def dumps_dir(self) -> Path:
        return self.path / DUMPS_DIR

    @property
    def reports_dir(self) -> Path:
        return self.path / REPORTS_DIR

    @property
    def context_path(self) -> Path:
        return self.path / CONTEXT_FILE

    def query(self, sparql: str, **kwargs: Any) -> Any:
        """Run a query; the default graph is the union of the named graphs."""
        return self.store.query(sparql, **kwargs)


def open_build(path: Path | str) -> Build:
    """Open a build directory read-only. Raises NoBuild when there is none."""
    path = Path(path)
    if not is_build(path):
        raise NoBuild(f"{path} holds no build (run `ccgraph build --out {path}` first)")
    meta = BuildMeta.from_json((path / META_FILE).read_text(encoding="utf-8"))
    store = ox.Store.read_only(str(path / STORE_DIR))
    return Build(path=path, store=store, meta=meta)
