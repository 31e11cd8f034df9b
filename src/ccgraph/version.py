"""Writing one version of a build: canonical N-Quads in, a complete version directory out.

Both ways a version is made go through :func:`write_version`, so that a version looks the
same whichever made it: a build (publish.publish) and a write (the write worker, writes/).
It fills a staging directory (store.new_staging) with the store (the named graphs, the
VoID graph, the default graph as their union), the dumps, the JSON-LD context, the reports
and build.json; installing it (the atomic swap of ``current``) is the caller's
(store.install_build). See store.py for the layout.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph

from . import iris, jsonld
from .aside import Aside
from .framing import bulk
from .namespaces import PREFIXES
from .store import CONTEXT_FILE, DUMPS_DIR, META_FILE, REPORTS_DIR, STORE_DIR, BuildMeta
from .void import Known
from .void_lines import known, triple_lines


class VoidMaker(Protocol):
    """Makes the VoID graph of a dataset (void.describe_dataset): of the store, or (no
    store) of what is ``known`` of the data, taken from its lines (fill_store)."""

    def __call__(self, store: ox.Store | None, meta: BuildMeta, base: str, *,
                 known: Known | None = None) -> Graph: ...


def version_of(nquads: bytes) -> str:
    """The version id of canonical N-Quads: the same data, the same version."""
    return version_from_digest(hashlib.sha256(nquads).hexdigest())


def version_from_digest(sha256_hex: str) -> str:
    """The version id of canonical N-Quads whose SHA-256 (hex) is ``sha256_hex``."""
    return sha256_hex[:16]


def graph_counts(nquads: bytes) -> dict[str, int]:
    """Quads per named graph of canonical N-Quads (every line ends `` <graph> .``)."""
    counts: Counter[bytes] = Counter(
        line[line.rindex(b" <") + 2:-3] for line in nquads.splitlines() if line)
    return {g.decode("utf-8"): n for g, n in counts.items()}


def union_lines(*nquads: bytes) -> set[bytes]:
    """The distinct triples of N-Quads whose every line names a graph, as N-Triples lines."""
    return {line[:line.rindex(b" <")] + b" ." for data in nquads
            for line in data.splitlines() if line}


def union_ntriples(*nquads: bytes) -> tuple[bytes, int]:
    """The distinct triples of N-Quads whose every line names a graph (sorted N-Triples)."""
    triples = union_lines(*nquads)
    return b"\n".join(sorted(triples)) + b"\n", len(triples)


def default_graph_triples(store: ox.Store) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


def write_dumps(store: ox.Store, dumps: Path, base: str, *, union: bytes | None = None,
                named: bytes | None = None,
                meanwhile: Callable[[list[ox.Triple]], object] | None = None) -> list[ox.Triple]:
    """The dump files. ``union`` (the default graph as N-Triples) and ``named`` (every named
    graph as N-Quads) are used as they are when the caller has them already. Returns the
    default graph's triples (in ``union``'s order when given).

    The work is spread over both cores: the JSON-LD dump (Python from the first triple to
    the last) is written by a forked process (aside.py), the two gzipped dumps by threads
    (zlib lets go of the GIL), while this thread writes the Turtle dump and then runs
    ``meanwhile(triples)`` (a build: the framed cities); every file is complete, or its
    error raised, when this returns."""
    dumps.mkdir(parents=True, exist_ok=True)
    if union is None:
        triples = default_graph_triples(store)
        union = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    else:
        triples = [q.triple for q in ox.parse(union, format=ox.RdfFormat.N_TRIPLES)]
    if named is None:
        named = ox.serialize((q for q in store if isinstance(q.graph_name, ox.NamedNode)),
                             format=ox.RdfFormat.N_QUADS)
    # the fork first: no thread of ours is running while it forks
    jsonld_file = Aside(lambda: (dumps / "ccgraph.jsonld").write_bytes(
        jsonld.triples_to_jsonld(triples, base)))
    try:
        with ThreadPoolExecutor(2, thread_name_prefix="ccgraph-gzip") as pool:
            gzipped = [pool.submit(write_gzip, dumps / "ccgraph.nt.gz", union),
                       pool.submit(write_gzip, dumps / "ccgraph.nq.gz", named or b"")]
            turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
            (dumps / "ccgraph.ttl").write_bytes(turtle or b"")
            if meanwhile is not None:
                meanwhile(triples)
            for done in gzipped:
                done.result()
        jsonld_file.result()
    finally:
        jsonld_file.cancel()  # only still running when something here failed
    return triples


def write_gzip(path: Path, data: bytes) -> None:
    """``data`` gzipped into ``path``; mtime=0 keeps the bytes (and so the ETag) the same
    for the same data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as gz:
        gz.write(data)


@dataclass
class Filled:
    meta: BuildMeta  # with the graph counts, VoID included
    union: bytes  # the union of the named graphs, N-Triples, each triple once
    void_quads: list[ox.Quad]
    void_nquads: bytes


def fill_store(store: ox.Store, nquads: bytes, meta: BuildMeta, base: str,
               void: VoidMaker | None) -> Filled:
    """Fill an empty store: the named graphs of ``nquads``, the VoID graph made by
    ``void``, and the default graph as the union of all of them (store.py).

    The union of the data is known before the store is filled (its sorted lines), and so
    is all the description needs (void_lines.known: the counts, the linksets, the example):
    the description is made first, and the named graphs, the VoID graph and the default
    graph go in with one bulk load (one set of files: nothing left to compact)."""
    data_lines = union_lines(nquads)
    lines = sorted(data_lines)
    graphs = dict(meta.graphs)
    void_quads: list[ox.Quad] = []
    if void is not None:
        void_iri = ox.NamedNode(str(iris.graph("void", base)))
        sizes = {g: n for g, n in meta.graphs.items() if g != void_iri.value}
        facts = known(lines, sizes, base)
        void_graph = void(None, meta, base, known=facts)
        void_triples = [q.triple for q in ox.parse(
            void_graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)]
        void_quads = [ox.Quad(t.subject, t.predicate, t.object, void_iri) for t in void_triples]
        graphs[void_iri.value] = len(set(void_triples))
        lines += triple_lines(void_triples) - data_lines
        lines.sort()
    void_nquads = ox.serialize(void_quads, format=ox.RdfFormat.N_QUADS) or b""
    meta = BuildMeta(**{**meta.__dict__, "graphs": dict(sorted(graphs.items())),
                        "quads": sum(graphs.values())})
    meta.extra["triples"] = len(lines)
    union = b"\n".join(lines) + b"\n"
    # bulk_extend of parsed quads keeps blank node labels; bulk_load renames them on every
    # call, so a blank node of a named graph would not be the same node in the default graph
    store.bulk_extend(itertools.chain(ox.parse(nquads, format=ox.RdfFormat.N_QUADS),
                                      void_quads,
                                      ox.parse(union, format=ox.RdfFormat.N_TRIPLES)))
    store.flush()
    store.optimize()
    return Filled(meta, union, void_quads, void_nquads)


@dataclass(frozen=True)
class Written:
    """A version written aside: its metadata (as build.json holds it) and its VoID quads."""

    meta: BuildMeta
    void_quads: list[ox.Quad]


#: the reports of a version, or a function that returns them once the data is written (the
#: build validates meanwhile; when the function raises, the version is not finished)
Reports = Mapping[str, str | bytes] | Callable[[], Mapping[str, str | bytes]]


def write_version(staging: Path, nquads: bytes, base: str, *, void: VoidMaker | None,
                  context: bytes, reports: Reports,
                  sources: Sequence[str] = (), extra: Mapping[str, object] | None = None,
                  progress: Callable[[str], None] | None = None) -> Written:
    """A complete version in the empty directory ``staging``, from the named graphs
    ``nquads`` (canonical N-Quads: sorted lines, so the same data gives the same version):
    the store, the dumps (:func:`write_dumps` and the framed cities), ``context`` as
    context.jsonld, ``reports`` under reports/ (a function is called after the data is
written), and build.json (``sources`` and ``extra``
    recorded there). Nothing is installed."""
    say = progress or (lambda _msg: None)
    graphs = graph_counts(nquads)
    meta = BuildMeta(
        version=version_of(nquads),
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        base=base,
        quads=sum(graphs.values()),
        graphs=dict(sorted(graphs.items())),
        sources=list(sources),
        extra=dict(extra or {}),
    )
    say("publish: VoID and the union default graph")
    store = ox.Store(str(staging / STORE_DIR))
    filled = fill_store(store, nquads, meta, base, void)
    say("publish: dumps and the framed cities (JSON Lines, GeoJSON)")
    framed = partial(bulk.write_dumps, store, staging / DUMPS_DIR, base)
    write_dumps(store, staging / DUMPS_DIR, base, union=filled.union,
                named=nquads + filled.void_nquads, meanwhile=framed)
    del store, framed
    (staging / CONTEXT_FILE).write_bytes(context)
    reports_dir = staging / REPORTS_DIR
    reports_dir.mkdir()
    if callable(reports):
        reports = reports()
    for name, content in reports.items():
        (reports_dir / name).write_bytes(
            content.encode("utf-8") if isinstance(content, str) else content)
    (staging / META_FILE).write_text(filled.meta.to_json() + "\n", encoding="utf-8")
    return Written(filled.meta, filled.void_quads)


__all__ = ["Filled", "Reports", "VoidMaker", "Written", "fill_store", "graph_counts",
           "union_lines", "union_ntriples", "version_from_digest", "version_of", "write_dumps",
           "write_gzip", "write_version"]
