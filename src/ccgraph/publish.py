"""The publish stage: a validated dataset -> a build directory, written aside then swapped in.

See store.py for the layout. A failed publish leaves the previous build untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from . import iris, jsonld
from .framing import bulk
from .namespaces import PREFIXES
from .store import (
    CONTEXT_FILE,
    DUMPS_DIR,
    META_FILE,
    REPORTS_DIR,
    STORE_DIR,
    BuildMeta,
    install_build,
    new_staging,
)
from .terms import OxTerm, to_ox

DUMP_NAMES = ("ccgraph.ttl", "ccgraph.nt.gz", "ccgraph.nq.gz", "ccgraph.jsonld")

VoidMaker = Callable[[ox.Store, BuildMeta, str], Graph]


#: blank node ids that model.py derives from content (model._bnode): stable across builds
STABLE_BNODE = re.compile(r"b[0-9a-f]{16}")


def dataset_nquads(dataset: Dataset, more: Iterable[bytes] = ()) -> bytes:
    """The dataset's named graphs as canonical N-Quads (lines sorted): the same data gives
    the same bytes, whatever blank node ids the parsers chose.

    Graphs whose blank nodes all carry content-derived ids (model._bnode: evidence
    selectors) are written as they are; the other graphs with blank nodes (parsed Turtle:
    curated facts, vocabularies) are relabelled with RDFC-1.0, together, so that no label
    can clash. When a blank node of the first kind also occurs in a graph of the second,
    every graph is canonicalised (the slow, always-right way)."""
    plain: list[ox.Quad] = []
    parsed: list[ox.Quad] = []
    parsed_bnodes: set[str] = set()
    stable_bnodes: set[str] = set()
    for quads, stable, bnodes in _graph_quads(dataset):
        (plain if stable else parsed).extend(quads)
        (stable_bnodes if stable else parsed_bnodes).update(bnodes)
    if parsed_bnodes & stable_bnodes:  # shared blank nodes: canonicalise everything
        parsed += plain
        plain = []
    data = ox.serialize(plain, format=ox.RdfFormat.N_QUADS) or b""
    data += b"".join(more)  # graph_nquads of graphs kept out of the dataset
    if parsed:
        canonical = ox.Dataset(parsed)
        canonical.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        data += ox.serialize(canonical, format=ox.RdfFormat.N_QUADS) or b""
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return b"\n".join(lines) + b"\n"


def graph_nquads(name: URIRef, graph: Graph) -> bytes | None:
    """One named graph as N-Quads, for :func:`publish`'s ``more_nquads``; None when its
    blank nodes are not all stable (it must then go through the dataset, to be
    canonicalised with the others)."""
    quads, stable, _ = _convert(name, list(graph.triples((None, None, None))), {})
    if not stable:
        return None
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _graph_quads(dataset: Dataset) -> Iterator[tuple[list[ox.Quad], bool, set[str]]]:
    """Per named graph: its quads, whether its blank nodes are all stable, their ids."""
    memo: dict[Node, OxTerm] = {}
    for graph in dataset.graphs():
        triples = list(graph.triples((None, None, None)))
        if triples:
            yield _convert(graph.identifier, triples, memo)


def _convert(name: Node, triples: list[tuple[Node, Node, Node]],
             memo: dict[Node, OxTerm]) -> tuple[list[ox.Quad], bool, set[str]]:
    def term(node: Node) -> OxTerm:
        found = memo.get(node)
        if found is None:
            found = memo[node] = to_ox(node)
        return found

    if not isinstance(name, URIRef) or str(name).startswith("urn:x-rdflib:"):
        s, p, o = triples[0]
        raise ValueError(f"triple outside a named graph: {s} {p} {o}")
    g = ox.NamedNode(str(name))
    quads = []
    bnodes: set[str] = set()
    for s, p, o in triples:
        subject, predicate = term(s), term(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            raise ValueError(f"not a valid RDF triple: {s} {p} {o}")
        if isinstance(s, BNode):
            bnodes.add(str(s))
        if isinstance(o, BNode):
            bnodes.add(str(o))
        quads.append(ox.Quad(subject, predicate, term(o), g))
    return quads, all(STABLE_BNODE.fullmatch(b) for b in bnodes), bnodes


def graph_counts(nquads: bytes) -> dict[str, int]:
    """Quads per named graph of canonical N-Quads (every line ends `` <graph> .``)."""
    counts: Counter[bytes] = Counter(
        line[line.rindex(b" <") + 2:-3] for line in nquads.splitlines() if line)
    return {g.decode("utf-8"): n for g, n in counts.items()}


def union_ntriples(*nquads: bytes) -> tuple[bytes, int]:
    """The distinct triples of N-Quads whose every line names a graph (sorted N-Triples)."""
    triples = {line[:line.rindex(b" <")] + b" ." for data in nquads
               for line in data.splitlines() if line}
    return b"\n".join(sorted(triples)) + b"\n", len(triples)


def version_of(nquads: bytes) -> str:
    return hashlib.sha256(nquads).hexdigest()[:16]


def default_graph_triples(store: ox.Store) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


def write_dumps(store: ox.Store, dumps: Path, base: str, *, union: bytes | None = None,
                named: bytes | None = None) -> None:
    """The dump files. ``union`` (the default graph as N-Triples) and ``named`` (every named
    graph as N-Quads) are used as they are when the caller has them already."""
    dumps.mkdir(parents=True, exist_ok=True)
    if union is None:
        triples = default_graph_triples(store)
        union = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    else:
        triples = [q.triple for q in ox.parse(union, format=ox.RdfFormat.N_TRIPLES)]
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    (dumps / "ccgraph.ttl").write_bytes(turtle or b"")
    _write_gzip(dumps / "ccgraph.nt.gz", union)
    if named is None:
        named = ox.serialize((q for q in store if isinstance(q.graph_name, ox.NamedNode)),
                             format=ox.RdfFormat.N_QUADS)
    _write_gzip(dumps / "ccgraph.nq.gz", named)
    (dumps / "ccgraph.jsonld").write_bytes(jsonld.triples_to_jsonld(triples, base))


def _write_gzip(path: Path, data: bytes | None) -> None:
    # mtime=0 keeps the bytes (and so the ETag) the same for the same data
    with path.open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as gz:
        gz.write(data or b"")


@dataclass
class Filled:
    meta: BuildMeta  # with the graph counts, VoID included
    union: bytes  # the union of the named graphs, N-Triples, each triple once
    void_quads: list[ox.Quad]
    void_nquads: bytes


def fill_store(store: ox.Store, nquads: bytes, meta: BuildMeta, base: str,
               void: VoidMaker | None) -> Filled:
    """Fill an empty store: the named graphs of ``nquads``, the VoID graph made by
    ``void``, and the default graph as the union of all of them (store.py)."""
    # bulk_extend of parsed quads keeps blank node labels; bulk_load renames them on every
    # call, so a blank node of a named graph would not be the same node in the default graph
    store.bulk_extend(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    graphs = dict(meta.graphs)
    void_quads: list[ox.Quad] = []
    if void is not None:
        void_graph = void(store, meta, base)
        void_iri = ox.NamedNode(str(iris.graph("void", base)))
        void_quads = [ox.Quad(q.subject, q.predicate, q.object, void_iri) for q in
                      ox.parse(void_graph.serialize(format="nt", encoding="utf-8"),
                               format=ox.RdfFormat.N_TRIPLES)]
        store.extend(void_quads)
        graphs[void_iri.value] = len({q.triple for q in void_quads})
    void_nquads = ox.serialize(void_quads, format=ox.RdfFormat.N_QUADS) or b""
    meta = BuildMeta(**{**meta.__dict__, "graphs": dict(sorted(graphs.items())),
                        "quads": sum(graphs.values())})
    union, meta.extra["triples"] = union_ntriples(nquads, void_nquads)
    store.bulk_extend(ox.parse(union, format=ox.RdfFormat.N_TRIPLES))
    store.flush()
    store.optimize()
    return Filled(meta, union, void_quads, void_nquads)


def publish(dataset: Dataset, out: Path, base: str,
            reports: Mapping[str, str | bytes] | None = None,
            sources: list[str] | None = None,
            extra: Mapping[str, object] | None = None,
            void: VoidMaker | None = None,
            progress: Callable[[str], None] | None = None,
            more_nquads: Iterable[bytes] = ()) -> BuildMeta:
    """Write the build beside ``out``, then swap it in. Returns the build's metadata.

    ``more_nquads``: named graphs kept out of ``dataset`` (see build.assemble's
    profile_sink), as :func:`graph_nquads` wrote them."""
    say = progress or (lambda _msg: None)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_staging(out)  # a new version, swapped in atomically (store.py: versions)
    try:
        say("publish: canonical N-Quads")
        nquads = dataset_nquads(dataset, more_nquads)
        version = version_of(nquads)
        say("publish: loading the store")
        store = ox.Store(str(tmp / STORE_DIR))
        graphs = graph_counts(nquads)
        meta = BuildMeta(
            version=version,
            created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            base=base,
            quads=sum(graphs.values()),
            graphs=dict(sorted(graphs.items())),
            sources=list(sources or []),
            extra=dict(extra or {}),
        )
        say("publish: VoID and the union default graph")
        filled = fill_store(store, nquads, meta, base, void)
        meta, union, void_nquads = filled.meta, filled.union, filled.void_nquads
        say("publish: dumps")
        write_dumps(store, tmp / DUMPS_DIR, base, union=union, named=nquads + void_nquads)
        say("publish: framed cities (JSON Lines, GeoJSON)")
        bulk.write_dumps(store, tmp / DUMPS_DIR, base)
        del store
        (tmp / CONTEXT_FILE).write_bytes(jsonld.context_document(base))
        reports_dir = tmp / REPORTS_DIR
        reports_dir.mkdir()
        for name, content in (reports or {}).items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (reports_dir / name).write_bytes(data)
        (tmp / META_FILE).write_text(meta.to_json() + "\n", encoding="utf-8")
        install_build(tmp, out, meta.version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta

