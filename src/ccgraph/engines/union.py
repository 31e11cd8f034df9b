"""The union graph published beside the named graphs: every triple of the dataset once.

ccgraph's own store answers a query without ``GRAPH`` from the union of the named graphs
with set semantics (each triple once, store.py). An engine's union default graph is a
bag: Oxigraph server's ``--union-default-graph`` and Virtuoso's default dataset count a
triple held by two named graphs twice (and Virtuoso's also holds its own system graphs),
so ``SELECT``/``COUNT(*)`` without ``DISTINCT`` would answer differently over a backend.

``ccgraph publish`` therefore loads one more named graph, ``<base>graph/union``
(:func:`union_graph`): the distinct triples of every named graph, blank node labels kept
(an N-Quads document shares them across graphs, so the Oxigraph ``store`` method keeps
them the same nodes). ``ccgraph serve --backend`` asks the engine for the dataset whose
default graph is that graph and whose named graphs are the dataset's own
(remote_dataset.py), so the answers are those of the embedded store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from .. import iris
from .source import Publishable

NAME = "union"


def union_graph(base: str) -> str:
    """The IRI of the union graph of the dataset minted under ``base``."""
    return str(iris.graph(NAME, base))


def union_triples(source: Publishable) -> Iterator[bytes]:
    """The distinct triples of ``source``'s named graphs, N-Triples lines without their
    final `` .`` (in the order of their first occurrence). Memory: one 16-byte digest per
    distinct triple (~100 MB for 1 M triples)."""
    seen: set[bytes] = set()
    for line in source.lines():
        triple = line[:line.rindex(b" <")]
        key = hashlib.blake2b(triple, digest_size=16).digest()
        if key not in seen:
            seen.add(key)
            yield triple


def union_count(source: Publishable) -> int:
    return sum(1 for _ in union_triples(source))


def append_union_quads(source: Publishable, target: Path) -> int:
    """Append the union graph's quads to the N-Quads file ``target``; returns how many."""
    graph = f" <{union_graph(source.base)}> .\n".encode()
    n = 0
    with target.open("ab") as out:
        for triple in union_triples(source):
            out.write(triple + graph)
            n += 1
    return n


def write_union_ntriples(source: Publishable, target: Path) -> Path:
    """The union graph as an N-Triples file ``target`` (for a Graph Store PUT)."""
    with target.open("wb") as out:
        for triple in union_triples(source):
            out.write(triple + b" .\n")
    return target
