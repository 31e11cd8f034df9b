"""Change sets between two datasets that hold blank nodes: labels made from content.

Blank node labels mean nothing outside one file, so two releases cannot be compared line
by line as they are: the same selector may be ``_:b1`` in one and ``_:c14n7`` in the other.
:func:`canonical_nquads` therefore relabels every blank node from what surrounds it:

* the quads of a dataset split into *ground* quads (no blank node) and *blank-node
  components*: the sets of quads linked by a shared blank node (across named graphs too);
* each component is canonicalised on its own (RDFC-1.0; a one-node component needs no
  algorithm), its canonical N-Quads hashed, and its blank nodes named
  ``k{hash}n{i}`` (``i`` from the canonical labels); a second component equal to the
  first gets ``…o1`` and so on;
* the lines are sorted.

Isomorphic datasets give the same bytes, and a component that did not change keeps its
labels from one release to the next. So a change set is plain line arithmetic:
``removed = old - new`` and ``added = new - old``, and ``(old - removed) | added == new``
byte for byte. A component that changed in any way (one selector's quote edited) is
removed whole and added whole: blank-node-bearing subgraphs are the units of change.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

LABEL_HASH = 24  # hex digits of the component hash kept in a label (96 bits)


def _bnodes(quad: ox.Quad) -> list[str]:
    return [t.value for t in (quad.subject, quad.object, quad.graph_name)
            if isinstance(t, ox.BlankNode)]


def _find(parent: dict[str, str], x: str) -> str:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def components(quads: Iterable[ox.Quad]) -> tuple[list[ox.Quad], list[list[ox.Quad]]]:
    """(ground quads, blank-node components)."""
    ground: list[ox.Quad] = []
    linked: list[tuple[ox.Quad, list[str]]] = []
    parent: dict[str, str] = {}
    for quad in quads:
        nodes = _bnodes(quad)
        if not nodes:
            ground.append(quad)
            continue
        linked.append((quad, nodes))
        for node in nodes:
            parent.setdefault(node, node)
        first = _find(parent, nodes[0])
        for node in nodes[1:]:
            other = _find(parent, node)
            if other != first:
                parent[other] = first
    groups: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad, nodes in linked:
        groups[_find(parent, nodes[0])].append(quad)
    return ground, list(groups.values())


def _relabel(term: Any, names: dict[str, str]) -> Any:
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(names[term.value])
    return term


def _with_names(quads: list[ox.Quad], names: dict[str, str]) -> list[ox.Quad]:
    return [ox.Quad(_relabel(q.subject, names), q.predicate, _relabel(q.object, names),
                    _relabel(q.graph_name, names)) for q in quads]


def _lines(quads: Iterable[ox.Quad]) -> list[bytes]:
    data = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS) or b""
    return sorted(line for line in data.splitlines() if line.strip())


def _canonical_component(quads: list[ox.Quad]) -> tuple[str, list[ox.Quad]]:
    """(hash of the component's canonical form, its quads with canonical labels ``n{i}``)."""
    nodes = {b for q in quads for b in _bnodes(q)}
    if len(nodes) == 1:
        canonical = _with_names(quads, {nodes.pop(): "n0"})
    else:
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        found = {b for q in dataset for b in _bnodes(q)}
        canonical = _with_names(list(dataset), {b: "n" + b.removeprefix("c14n") for b in found})
    digest = hashlib.sha256(b"\n".join(_lines(canonical))).hexdigest()[:LABEL_HASH]
    return digest, canonical


def canonical_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """Sorted N-Quads whose blank node labels are made from content (see the module)."""
    ground, groups = components(quads)
    out: list[ox.Quad] = list(ground)
    seen: Counter[str] = Counter()
    for group in groups:
        digest, canonical = _canonical_component(group)
        occurrence = seen[digest]
        seen[digest] += 1
        suffix = f"o{occurrence}" if occurrence else ""
        names = {b: f"k{digest}{b}{suffix}" for q in canonical for b in _bnodes(q)}
        out.extend(_with_names(canonical, names))
    lines = sorted(set(_lines(out)))
    return b"\n".join(lines) + b"\n" if lines else b""


def parse_lines(data: bytes) -> set[bytes]:
    return {line for line in data.splitlines() if line.strip()}


def join_lines(lines: Iterable[bytes]) -> bytes:
    ordered = sorted(lines)
    return b"\n".join(ordered) + b"\n" if ordered else b""


def diff(old: bytes, new: bytes) -> tuple[bytes, bytes]:
    """(added, removed) between two :func:`canonical_nquads` outputs."""
    before, after = parse_lines(old), parse_lines(new)
    return join_lines(after - before), join_lines(before - after)


def apply(old: bytes, added: bytes, removed: bytes) -> bytes:
    """What a harvester does: drop the removed lines, add the added ones."""
    return join_lines((parse_lines(old) - parse_lines(removed)) | parse_lines(added))


def per_graph(nquads: bytes) -> Counter[str]:
    """Quads per named graph of N-Quads whose lines all name an IRI graph."""
    counts: Counter[str] = Counter()
    for line in nquads.splitlines():
        if line.strip():
            counts[line[line.rindex(b" <") + 2:-3].decode("utf-8")] += 1
    return counts
