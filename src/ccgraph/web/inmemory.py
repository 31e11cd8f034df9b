"""An in-memory copy of a build's store, for answering queries.

A build's store is read-only while it is served, so each worker can query a copy held in
memory instead of the RocksDB files: same quads, same named graphs, same answers, no
block-cache or file reads. Measured on the network build (157,108 quads with the
materialised default graph, pyoxigraph 0.5.13): the 23 gallery queries took ~290 ms in
all on the copy against ~495 ms on the read-only RocksDB store, the slowest one
(near-duplicate passages) 39 ms against 146 ms; the copy takes ~1-3 s and ~65 MB
(~0.4 KB a quad) per worker, so it is made in a background thread while the store on disk
answers.

A second copy holds the default graph alone (the union of the named graphs, materialised
at publish time): queries that read no named graph (no GRAPH pattern, no FROM, no protocol
graph parameters) are answered from it, ~1/3 faster again (the gallery: ~440 ms against
~660 ms on the full copy, measured side by side under load).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from ..store import Build


def worth_copying(build: Build, max_quads: int) -> bool:
    """Whether ``build`` is small enough (``max_quads`` of its named graphs; 0: never)."""
    return 0 < build.meta.quads <= max_quads


def _each(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    """``quads`` one by one through Python, so that the copying thread lets the others run.

    ``Store.bulk_extend`` or ``extend`` fed pyoxigraph's own iterator run in Rust from end
    to end and keep the GIL the whole time: every request thread of the worker (and
    gunicorn's heartbeat) stopped for the whole copy. Measured on the network build
    (160,423 quads; a thread ticking every 2 ms beside it; loaded machine): the longest tick
    gap was the whole copy (8.9-11.8 s, 0.95 CPU-s); with ``extend`` of this generator it
    was 0.01-0.04 s for the same CPU (``bulk_extend`` of it still held the GIL 1.2-3.3 s:
    it loads what it gathered in one go). A loop, not ``yield from``: that one hands each
    item over in C, no bytecode runs between them, and the GIL stays held (0.6-0.8 s)."""
    for quad in quads:  # noqa: UP028 - see above: a loop, on purpose
        yield quad


def copy_store(store: ox.Store) -> ox.Store:
    """Every quad and every named graph (empty ones too) of ``store``, in memory."""
    copy = ox.Store()
    copy.extend(_each(store.quads_for_pattern(None, None, None, None)))
    for graph in store.named_graphs():
        copy.add_graph(graph)
    return copy


def copy_default_graph(store: ox.Store) -> ox.Store:
    """The default graph of ``store`` alone, in memory. From the in-memory copy of a build
    rather than its files: measured on the network build (78,242 triples), 0.26 CPU-s
    against 0.59."""
    copy = ox.Store()
    copy.extend(_each(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    return copy
