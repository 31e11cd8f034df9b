"""The build's shortcuts answer as the long way does: the union view pyshacl validates
(validate/union.py) and the frozen union the build validates (validate/frozen.py) against a
Graph filled with every quad, the index the framed cities
are described from (framing/bulk.py's StoreIndex) against the store's own lookups, the
triples the build kept of each graph against the dataset they went into, and work set
aside in a forked process (aside.py) against the same work done here."""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ccgraph import iris, publish
from ccgraph.aside import Aside
from ccgraph.build import Assembled, assemble
from ccgraph.evidence import external_only
from ccgraph.framing import bulk, tree
from ccgraph.model import find_span
from ccgraph.namespaces import RDFS
from ccgraph.records import Span
from ccgraph.settings import Settings
from ccgraph.store import open_build
from ccgraph.validate import load_shapes, report_graph, report_of, union_graph, validate
from ccgraph.validate.frozen import FrozenTriples, frozen_union
from ccgraph.validate.union import UnionView, union_view
from ccgraph.web.describe import describe


@pytest.fixture(scope="module")
def assembled(seed_profile: Path) -> Assembled:
    return assemble([seed_profile], Settings.load(environ={}))


@pytest.fixture(scope="module")
def dataset(assembled: Assembled) -> Dataset:
    return assembled.dataset


def test_kept_triples_are_the_datasets_graphs(assembled: Assembled) -> None:
    kept = assembled.triples
    assert kept is not None
    ds = assembled.dataset
    names = {g.identifier for g in ds.graphs() if len(g)}
    assert set(kept) == names and len(names) > 5
    for name, triples in kept.items():
        assert len(triples) == len(set(triples)) == len(ds.graph(name))
        assert set(triples) == set(ds.graph(name))
    # converted from the kept triples: the same canonical N-Quads as from the dataset
    from_kept = publish.dataset_nquads(ds, converted=publish.convert_graphs(kept))
    assert from_kept == publish.dataset_nquads(ds)
    assert len(from_kept.splitlines()) == sum(len(t) for t in kept.values())
    counted = external_only(t for triples in kept.values() for t in triples)
    assert counted == external_only(ds)
    assert counted["memberships_with_span_evidence"] >= 1 and counted["memberships_external_only"]


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _fails() -> int:
    raise ValueError("data/gold/x.csv:3: no such pledge")


def test_aside_runs_in_another_process_and_returns_its_result() -> None:
    aside = Aside(lambda: _pid_and(21))
    pid, value = aside.result()
    assert value == 42 and pid != os.getpid()
    assert aside.result() == (pid, 42)  # once
    aside.cancel()
    with pytest.raises(ValueError, match=r"gold/x\.csv:3"):
        Aside(_fails).result()
    slow = Aside(lambda: time.sleep(60))
    started = time.monotonic()
    slow.cancel()  # not waited for
    assert time.monotonic() - started < 30


def _frozen(assembled: Assembled) -> Graph:
    return frozen_union(t for triples in assembled.triples.values() for t in triples)


#: the two ways of reading the union of the build's graphs without copying them into a Graph
VIEWS = {"union_view": lambda a: union_view(a.dataset), "frozen_union": _frozen}


@pytest.mark.parametrize("kind", VIEWS)
def test_union_view_holds_every_triple_once(assembled: Assembled, kind: str) -> None:
    dataset = assembled.dataset
    view, copy = VIEWS[kind](assembled), union_graph(dataset)
    assert isinstance(view, UnionView) or isinstance(view.store, FrozenTriples)
    assert len(view) == len(copy) == len(set(view))
    assert set(view) == set(copy)
    # a triple stated in two graphs is one triple of the union
    assert len(copy) < sum(1 for _ in dataset.quads((None, None, None, None)))


def test_frozen_union_keeps_the_order_triples_were_first_given() -> None:
    a, b, c = (URIRef(f"urn:x:{n}") for n in "abc")
    given = [(a, RDFS.label, Literal("1")), (c, RDFS.label, Literal("2")), (b, RDFS.seeAlso, a),
             (a, RDFS.label, Literal("1")), (a, RDFS.seeAlso, c)]
    view = frozen_union(given)
    assert len(view) == 4
    assert list(view) == [given[0], given[4], given[1], given[2]]  # by subject, then predicate
    assert list(view.triples((None, RDFS.label, None))) == [given[0], given[1]]
    assert list(view.triples((None, None, a))) == [given[2]]


@pytest.mark.parametrize("kind", VIEWS)
def test_union_view_answers_every_pattern_as_the_copy(assembled: Assembled, kind: str) -> None:
    view, copy = VIEWS[kind](assembled), union_graph(assembled.dataset)
    triples = sorted(copy)
    for s, p, o in random.Random(15).sample(triples, 200):
        for pattern in ((s, None, None), (None, p, None), (None, None, o), (s, p, None),
                        (None, p, o), (s, None, o), (s, p, o)):
            assert set(view.triples(pattern)) == set(copy.triples(pattern)), pattern
        assert (s, p, o) in view
    predicates = sorted({p for _, p, _ in triples})[:4]
    assert set(view.triples_choices((None, predicates, None))) == \
        set(copy.triples_choices((None, predicates, None)))
    assert (URIRef("urn:x:none"), RDFS.label, Literal("none")) not in view
    query = ("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c . ?s ?p ?o } "
             "GROUP BY ?c ORDER BY ?c")
    assert list(view.query(query)) == list(copy.query(query))
    path = ("SELECT ?s ?o WHERE { ?s <https://w3id.org/ccgraph/ontology#evidence>/"
            "<http://www.w3.org/ns/oa#hasSelector> ?o } ORDER BY ?s ?o")
    assert list(view.query(path)) == list(copy.query(path))


@pytest.mark.parametrize("kind", VIEWS)
def test_union_view_is_read_only(assembled: Assembled, kind: str) -> None:
    view = VIEWS[kind](assembled)
    before = len(view)
    triple = (URIRef("urn:x:s"), RDFS.label, Literal("x"))
    for write in (lambda: view.add(triple), lambda: view.remove(triple),
                  lambda: view.addN([(*triple, view)])):
        with pytest.raises(TypeError):
            write()
    assert len(view) == before


def test_validation_over_the_view_reports_as_over_a_copy(dataset: Dataset) -> None:
    shapes = load_shapes()
    broken = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if p != RDFS.label:  # every labelled resource loses its labels: violations
            broken.graph(g).add((s, p, o))
    for data in (dataset, broken):
        over_view = validate(data, shapes, processes=1)
        over_copy = validate(union_graph(data), shapes, processes=1)
        assert over_view.conforms == over_copy.conforms
        assert isomorphic(over_view.graph, over_copy.graph)
    assert not validate(broken, shapes, processes=1).conforms


def test_store_index_describes_every_city_as_the_store(seed_build: Path) -> None:
    build = open_build(seed_build)
    store = build.store
    index = bulk.StoreIndex(store)
    cities = bulk.city_iris(store)
    assert str(iris.city("jp", "sapporo")) in cities
    for city in cities:
        by_store = describe(store, city)
        by_index = describe(store, city, lookups=index)
        assert by_index.triples == by_store.triples
        assert by_index.inbound == by_store.inbound
        assert by_index.subjects == by_store.subjects
        assert tree.frame(by_index.all_triples(), city, build.meta.base) == \
            tree.frame(by_store.all_triples(), city, build.meta.base)
    # the union the dumps parsed gives the same index as the store's default graph
    union = [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    given = bulk.StoreIndex(store, reversed(union))
    sapporo = str(iris.city("jp", "sapporo"))
    assert describe(store, sapporo, lookups=given).all_triples() == \
        describe(store, sapporo).all_triples()


def test_store_index_keeps_the_stores_cap(seed_build: Path) -> None:
    store = open_build(seed_build).store
    index = bulk.StoreIndex(store)
    sapporo = ox.NamedNode(str(iris.city("jp", "sapporo")))
    inbound = index.inbound(sapporo, 10_000)
    assert len(inbound) > 3
    capped = index.inbound(sapporo, 3)  # over the cap: the store's own first three
    assert len(capped) == 3 and set(capped) <= set(inbound)
    first = describe(store, sapporo.value, inbound_cap=3)
    assert describe(store, sapporo.value, inbound_cap=3, lookups=index).inbound == \
        first.inbound



def test_validation_over_the_frozen_union_reports_as_over_the_dataset(
        assembled: Assembled) -> None:
    """What the build validates (the frozen union of its graphs, the sources of each result
    found in the graphs' triples) against the Dataset they make."""
    shapes = load_shapes()
    sapporo = iris.city("jp", "Sapporo")
    graphs = {name: [t for t in triples if not (t[1] == RDFS.label and t[0] != sapporo)]
              for name, triples in assembled.triples.items()}  # unlabelled: violations
    broken = Assembled(graphs, assembled.graph_sources)
    for case in (assembled, broken):
        over_frozen = report_of(report_graph(_frozen(case), shapes, processes=1), None,
                                case.graph_sources, graphs=case.triples)
        over_dataset = validate(case.dataset, shapes, sources=case.graph_sources, processes=1)
        assert over_frozen.conforms == over_dataset.conforms
        assert isomorphic(over_frozen.graph, over_dataset.graph)
        assert sorted(json.dumps(r.to_dict(), sort_keys=True) for r in over_frozen.results) \
            == sorted(json.dumps(r.to_dict(), sort_keys=True) for r in over_dataset.results)
    assert not over_frozen.conforms
    assert any(r.sources == ["data/curated/"] for r in over_frozen.results)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab _-é1\u00b2\u0660.", max_size=30),
       st.text(alphabet="ab _-é1\u00b2\u0660.", min_size=1, max_size=4),
       st.integers(min_value=0, max_value=31))
def test_find_span_finds_what_the_whole_word_pattern_finds(text: str, phrase: str,
                                                           start: int) -> None:
    """model.find_span (str.find and a look at either end) against the regular expression
    it stands for: the phrase, no word character before or after it."""
    match = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)").search(text, start) \
        if phrase.strip() else None
    found = find_span(text, phrase, start)
    if match is None:
        assert found is None
    else:
        assert found == Span(match.start(), match.end(), match.group(0))
