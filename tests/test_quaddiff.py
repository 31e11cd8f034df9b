"""Change sets over blank nodes: labels from content, whatever labels the input had."""

from __future__ import annotations

import random

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from ccgraph import quaddiff
from ccgraph.terms import parse_dataset

EX = "http://example.org/"


def _n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def _relabelled(quads: list[ox.Quad], seed: int) -> list[ox.Quad]:
    """The same dataset with fresh blank node labels, in another order."""
    rng = random.Random(seed)
    names: dict[str, ox.BlankNode] = {}

    def term(t: object) -> object:
        if isinstance(t, ox.BlankNode):
            return names.setdefault(t.value, ox.BlankNode(f"x{rng.randrange(10**9)}"))
        return t

    out = [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name)  # type: ignore[arg-type]
           for q in quads]
    rng.shuffle(out)
    return out


def _quads(spec: list[tuple[int, int, int, int]]) -> list[ox.Quad]:
    """Small datasets: subjects and objects among 3 IRIs and 4 blank nodes, 2 graphs."""
    out = []
    for s, p, o, g in spec:
        subject = _n(f"s{s}") if s < 3 else ox.BlankNode(f"b{s}")
        obj = _n(f"s{o}") if o < 3 else ox.BlankNode(f"b{o}") if o < 7 else ox.Literal(str(o))
        out.append(ox.Quad(subject, _n(f"p{p}"), obj, _n(f"g{g}")))
    return out


SPECS = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2), st.integers(0, 8),
                           st.integers(0, 1)), max_size=14)


@settings(max_examples=150, deadline=None)
@given(SPECS, st.integers(0, 1000))
def test_isomorphic_datasets_give_the_same_bytes(spec: list[tuple[int, int, int, int]],
                                                 seed: int) -> None:
    quads = _quads(spec)
    assert quaddiff.canonical_nquads(quads) == quaddiff.canonical_nquads(
        _relabelled(quads, seed))


@settings(max_examples=150, deadline=None)
@given(SPECS, SPECS, st.integers(0, 1000))
def test_applying_the_change_set_gives_the_new_dataset(old_spec: list[tuple[int, int, int, int]],
                                                       new_spec: list[tuple[int, int, int, int]],
                                                       seed: int) -> None:
    old = quaddiff.canonical_nquads(_quads(old_spec))
    new_quads = _relabelled(_quads(new_spec), seed)
    new = quaddiff.canonical_nquads(new_quads)
    added, removed = quaddiff.diff(old, new)
    result = quaddiff.apply(old, added, removed)
    assert result == new
    # and the result means the input (labels aside)
    expected = ox.serialize(new_quads, format=ox.RdfFormat.N_QUADS) or b""
    got, want = (parse_dataset(d, ox.RdfFormat.N_QUADS) for d in (result, expected))
    for name in {g.identifier for g in want.graphs()} | {g.identifier for g in got.graphs()}:
        assert isomorphic(got.graph(name), want.graph(name))


def test_a_changed_blank_node_goes_out_and_in_whole() -> None:
    def selector(end: int) -> list[ox.Quad]:
        b = ox.BlankNode("sel")
        return [ox.Quad(_n("span"), _n("hasSelector"), b, _n("g")),
                ox.Quad(b, _n("start"), ox.Literal("1"), _n("g")),
                ox.Quad(b, _n("end"), ox.Literal(str(end)), _n("g")),
                ox.Quad(_n("span"), _n("label"), ox.Literal("kept"), _n("g"))]

    added, removed = quaddiff.diff(quaddiff.canonical_nquads(selector(5)),
                                   quaddiff.canonical_nquads(selector(6)))
    assert len(removed.splitlines()) == 3 and len(added.splitlines()) == 3
    assert b"kept" not in added + removed


def test_two_equal_blank_nodes_stay_two() -> None:
    quads = [ox.Quad(_n("a"), _n("p"), ox.BlankNode(name), _n("g")) for name in ("x", "y")]
    quads += [ox.Quad(ox.BlankNode(name), _n("q"), ox.Literal("v"), _n("g")) for name in "xy"]
    data = quaddiff.canonical_nquads(quads)
    assert len(data.splitlines()) == 4
    one_less = quaddiff.canonical_nquads(quads[::2])
    added, removed = quaddiff.diff(data, one_less)
    assert not added and len(removed.splitlines()) == 2
