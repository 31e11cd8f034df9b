"""The publish stage: a validated dataset -> a build directory, written aside then swapped in.

See store.py for the layout. A failed publish leaves the previous build untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from . import iris, jsonld
from .namespaces import PREFIXES
from .store import (
    CONTEXT_FILE,
    DUMPS_DIR,
    META_FILE,
    REPORTS_DIR,
    STORE_DIR,
    BuildMeta,
)
from .terms import dataset_quads

DUMP_NAMES = ("ccgraph.ttl", "ccgraph.nt.gz", "ccgraph.nq.gz", "ccgraph.jsonld")

VoidMaker = Callable[[ox.Store, BuildMeta, str], Graph]


def dataset_nquads(dataset: Dataset) -> bytes:
    """The dataset's named graphs as canonical N-Quads (RDFC-1.0 blank node labels, lines
    sorted): the same data gives the same bytes, whatever blank node ids the parsers chose."""
    canonical = ox.Dataset(dataset_quads(dataset))
    canonical.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    data = ox.serialize(canonical, format=ox.RdfFormat.N_QUADS) or b""
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return b"\n".join(lines) + b"\n"


def version_of(nquads: bytes) -> str:
    return hashlib.sha256(nquads).hexdigest()[:16]


def _union_triples(store: ox.Store) -> list[ox.Triple]:
    """The distinct triples of every named graph (the RDF merge), in a stable order."""
    seen: dict[ox.Triple, None] = {}
    for quad in store:
        if isinstance(quad.graph_name, ox.NamedNode):
            seen.setdefault(quad.triple, None)
    return list(seen)


def default_graph_triples(store: ox.Store) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


def fill_default_graph(store: ox.Store) -> int:
    """Make the store's default graph the union of its named graphs, without duplicates.

    Oxigraph's own union-default-graph mode repeats a triple once per graph that holds
    it, which makes COUNT and DISTINCT-less queries wrong; a materialised default graph
    gives SPARQL's set semantics."""
    store.clear_graph(ox.DefaultGraph())
    triples = _union_triples(store)
    store.bulk_load(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                    format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return len(triples)


def write_dumps(store: ox.Store, dumps: Path, base: str) -> None:
    dumps.mkdir(parents=True, exist_ok=True)
    triples = default_graph_triples(store)
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    (dumps / "ccgraph.ttl").write_bytes(turtle or b"")
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    _write_gzip(dumps / "ccgraph.nt.gz", nt)
    named = (q for q in store if isinstance(q.graph_name, ox.NamedNode))
    nq = ox.serialize(named, format=ox.RdfFormat.N_QUADS)
    _write_gzip(dumps / "ccgraph.nq.gz", nq)
    (dumps / "ccgraph.jsonld").write_bytes(jsonld.triples_to_jsonld(triples, base))


def _write_gzip(path: Path, data: bytes | None) -> None:
    # mtime=0 keeps the bytes (and so the ETag) the same for the same data
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(data or b"")


def publish(dataset: Dataset, out: Path, base: str,
            reports: Mapping[str, str | bytes] | None = None,
            sources: list[str] | None = None,
            extra: Mapping[str, object] | None = None,
            void: VoidMaker | None = None,
            progress: Callable[[str], None] | None = None) -> BuildMeta:
    """Write the build beside ``out``, then swap it in. Returns the build's metadata."""
    say = progress or (lambda _msg: None)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.new-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        say("publish: canonical N-Quads")
        nquads = dataset_nquads(dataset)
        version = version_of(nquads)
        say("publish: loading the store")
        store = ox.Store(str(tmp / STORE_DIR))
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        graphs = {str(g.value): 0 for g in store.named_graphs()}
        for quad in store:
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs[quad.graph_name.value] += 1
        meta = BuildMeta(
            version=version,
            created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            base=base,
            quads=sum(graphs.values()),
            graphs=dict(sorted(graphs.items())),
            sources=list(sources or []),
            extra=dict(extra or {}),
        )
        if void is not None:
            say("publish: VoID description")
            void_graph = void(store, meta, base)
            void_iri = ox.NamedNode(str(iris.graph("void", base)))
            store.bulk_load(void_graph.serialize(format="nt", encoding="utf-8"),
                            format=ox.RdfFormat.N_TRIPLES, to_graph=void_iri)
            count = sum(1 for _ in store.quads_for_pattern(None, None, None, void_iri))
            graphs[void_iri.value] = count
            meta = BuildMeta(**{**meta.__dict__, "graphs": dict(sorted(graphs.items())),
                                "quads": sum(graphs.values())})
        meta.extra["triples"] = fill_default_graph(store)
        store.flush()
        store.optimize()
        say("publish: dumps")
        write_dumps(store, tmp / DUMPS_DIR, base)
        del store
        (tmp / CONTEXT_FILE).write_bytes(jsonld.context_document(base))
        reports_dir = tmp / REPORTS_DIR
        reports_dir.mkdir()
        for name, content in (reports or {}).items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (reports_dir / name).write_bytes(data)
        (tmp / META_FILE).write_text(meta.to_json() + "\n", encoding="utf-8")
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


def swap_in(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new``: the old build is moved aside first, removed last."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
