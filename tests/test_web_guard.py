"""The query guard (remote fetches, updates), the query runner (timeouts) and the VoID
generator, tested on their own."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID

from ccgraph import iris, query_guard
from ccgraph.namespaces import SD
from ccgraph.store import BuildMeta, open_build
from ccgraph.void import (
    COUNT_TRIPLES,
    count_statistics,
    dataset_graphs,
    describe_dataset,
    tally,
)
from ccgraph.web.sparql import Busy, QueryRunner, QueryTimeout, execute

GRAPHS = frozenset({"https://w3id.org/ccgraph/graph/members",
                    "https://w3id.org/ccgraph/graph/curated"})


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "PREFIX e: <http://example.org/>\nSELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://x.org/> } }",
    "SELECT * WHERE{?s ?p ?o.SERVICE<http://example.org/>{?s ?p ?o}}",
    "ASK { # a comment\n SeRvIcE <http://example.org/> {} }",
])
def test_service_is_refused(query: str) -> None:
    with pytest.raises(query_guard.GuardError, match="SERVICE is not allowed"):
        query_guard.check(query, GRAPHS)


@pytest.mark.parametrize("query,keyword", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
    ("PREFIX x: <urn:x:>\nDELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("CLEAR ALL", "CLEAR"), ("DROP GRAPH <urn:g>", "DROP"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
])
def test_updates_are_named(query: str, keyword: str) -> None:
    with pytest.raises(query_guard.GuardError, match=f"SPARQL Update request \\({keyword}\\)"):
        query_guard.check(query, GRAPHS)


def test_dataset_clauses_must_name_graphs_of_the_dataset() -> None:
    ok = query_guard.check("PREFIX g: <https://w3id.org/ccgraph/graph/>\n"
                           "SELECT * FROM g:members FROM NAMED <https://w3id.org/ccgraph/graph/"
                           "curated> WHERE { ?s ?p ?o }", GRAPHS)
    assert ok.from_graphs == ["https://w3id.org/ccgraph/graph/members"]
    assert ok.from_named == ["https://w3id.org/ccgraph/graph/curated"]
    assert ok.form == "SELECT" and ok.has_dataset_clause
    with pytest.raises(query_guard.GuardError, match="never loads graphs from the web"):
        query_guard.check("SELECT * FROM <http://example.org/x.ttl> WHERE {}", GRAPHS)
    with pytest.raises(query_guard.GuardError,
                       match=re.escape("<https://w3id.org/ccgraph/graph/elsewhere>")):
        query_guard.check("BASE <https://w3id.org/ccgraph/graph/>\n"
                          "SELECT * FROM <elsewhere> WHERE {}", GRAPHS)


@pytest.mark.parametrize("query,form", [
    ("SELECT ?service WHERE { ?service <urn:p> 'SERVICE <http://x/>' }", "SELECT"),
    ('ASK { ?s <http://example.org/SERVICE> """INSERT\nSERVICE""" }', "ASK"),
    ("CONSTRUCT { ?s ex:service ?o } WHERE { ?s ex:load ?o } # SERVICE <http://x/>", "CONSTRUCT"),
    ("DESCRIBE <https://w3id.org/ccgraph/id/city/jp/sapporo>", "DESCRIBE"),
])
def test_keywords_inside_tokens_are_not_keywords(query: str, form: str) -> None:
    info = query_guard.analyse(query)
    assert info.form == form
    assert not info.services and not info.is_update


_words = st.sampled_from(["SERVICE", "service", "LOAD", "INSERT", "FROM", "DROP", "SELECT"])
_text = st.text(alphabet=st.characters(blacklist_characters="\"\\\n\r"), max_size=20)


@settings(max_examples=200, deadline=None)
@given(word=_words, before=_text, after=_text)
def test_keywords_in_strings_comments_and_iris_never_trip_the_guard(word: str, before: str,
                                                                   after: str) -> None:
    literal = f'"{before}{word}{after}"'
    iri = f"<http://example.org/{word}>"
    query = (f"SELECT ?x WHERE {{ ?x {iri} {literal} . ?x ?{word} ex:{word} }}"
             f" # {before} {word} {after}\n")
    info = query_guard.analyse(query)
    assert info.form == "SELECT"
    assert not info.services and not info.is_update and not info.has_dataset_clause


@settings(max_examples=100, deadline=None)
@given(pad=st.text(alphabet=" \t\n", min_size=1, max_size=5), silent=st.booleans(),
       target=st.sampled_from(["<http://example.org/q>", "?e", "p:q"]))
def test_any_service_keyword_is_found(pad: str, silent: bool, target: str) -> None:
    query = (f"PREFIX p: <http://example.org/>\nSELECT * WHERE {{{pad}SERVICE{pad}"
             f"{'SILENT' + pad if silent else ''}{target}{pad}{{ ?s ?p ?o }} }}")
    assert query_guard.analyse(query).services


# ------------------------------------------------------------------ runner

def test_runner_times_out_and_other_work_goes_on() -> None:
    runner = QueryRunner(timeout=0.3)
    release = threading.Event()
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"timed out after 0\.3 s"):
        runner.run(lambda _deadline: release.wait(10))
    assert time.monotonic() - start < 2
    assert runner.run(lambda _deadline: 42) == 42
    release.set()


def test_runner_refuses_when_busy_and_reports_a_stuck_query() -> None:
    stuck = threading.Event()
    release = threading.Event()
    runner = QueryRunner(timeout=0.1, grace=0.2, on_stuck=stuck.set)
    for _ in range(2):
        with pytest.raises(QueryTimeout):
            runner.run(lambda _deadline: release.wait(10))
    with pytest.raises(Busy):
        runner.run(lambda _deadline: 1)
    assert stuck.wait(5)
    release.set()
    for _ in range(100):
        if runner.abandoned() == 0:
            break
        time.sleep(0.05)
    assert runner.run(lambda _deadline: 2) == 2


def test_a_late_answer_of_an_abandoned_query_does_not_end_the_next_wait() -> None:
    # the request thread waits on its own pipe (runner.Wakeup): the abandoned query's byte
    # arrives while the next query of the same thread runs, which still gets its own answer
    runner = QueryRunner(timeout=0.3)
    release = threading.Event()
    with pytest.raises(QueryTimeout):
        runner.run(lambda _deadline: release.wait(10))

    def second(_deadline: float) -> str:
        release.set()  # the first query ends now and signals its (former) waiter
        time.sleep(0.15)
        return "second"

    start = time.monotonic()
    assert runner.run(second) == "second"
    assert time.monotonic() - start >= 0.15
    for _ in range(100):
        if runner.abandoned() == 0:
            break
        time.sleep(0.05)
    assert runner.abandoned() == 0


def _query_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "ccgraph-query"}


def test_runner_keeps_its_helper_threads_and_spares_a_stuck_one() -> None:
    runner = QueryRunner(timeout=0.2)
    before = _query_threads()
    seen: set[threading.Thread] = set()
    for i in range(50):
        assert runner.run(lambda _deadline, i=i: (seen.add(threading.current_thread()), i)[1]) == i
    assert len(seen) == 1  # one after another: the same helper thread every time
    release = threading.Event()
    with pytest.raises(QueryTimeout):
        runner.run(lambda _deadline: release.wait(10))
    # while the abandoned query holds its thread, the next queries run on another one
    others = {runner.run(lambda _deadline: threading.current_thread()) for _ in range(20)}
    assert len(others) == 1 and others.isdisjoint(seen)
    release.set()
    for _ in range(100):
        if runner.abandoned() == 0:
            break
        time.sleep(0.05)
    assert runner.abandoned() == 0
    # many at once: each gets a thread; afterwards they are all kept, no more made
    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(lambda i: runner.run(lambda _d: (time.sleep(0.05), i)[1]),
                               range(8))) == list(range(8))
    made = _query_threads() - before
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: runner.run(lambda _d: (time.sleep(0.05), i)[1]), range(8)))
    assert _query_threads() - before == made
    assert len(made) <= 9


def test_runner_slots_bound_the_queries_running_at_once() -> None:
    runner = QueryRunner(timeout=5, slots=2)
    lock = threading.Lock()
    running = [0]
    peak = [0]

    def work(i: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return i

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(lambda i: runner.run(lambda _d: work(i)), range(16))) == \
            list(range(16))
    assert peak[0] == 2
    # a query abandoned at its deadline gives its slot back with the 503
    one = QueryRunner(timeout=0.2, slots=1)
    release = threading.Event()
    with pytest.raises(QueryTimeout):
        one.run(lambda _deadline: release.wait(10))
    start = time.monotonic()
    assert one.run(lambda _deadline: 7) == 7
    assert time.monotonic() - start < 0.15
    release.set()


def test_streaming_results_stop_at_the_deadline() -> None:
    store = ox.Store()
    ex = "http://example.org/"
    store.extend(ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(ex + "p"), ox.Literal(str(i)),
                         ox.NamedNode(ex + "g")) for i in range(200))
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    with pytest.raises(QueryTimeout):
        execute(store, query, {"use_default_graph_as_union": True}, 10**9,
                time.monotonic() - 1)
    out = execute(store, query, {"use_default_graph_as_union": True}, 50, time.monotonic() + 60)
    assert len(out.rows) == 50 and out.truncated


# ------------------------------------------------------------------ VoID on a tiny store

def tiny_store() -> ox.Store:
    base = iris.DEFAULT_BASE
    store = ox.Store()
    members = ox.NamedNode(str(iris.graph("members")))
    curated = ox.NamedNode(str(iris.graph("curated")))
    city = ox.NamedNode(str(iris.city("jp", "Sapporo")))
    cls = ox.NamedNode("https://w3id.org/ccgraph/ontology#CreativeCity")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for g in (members, curated):  # the same triples in two graphs count once
        store.add(ox.Quad(city, rdf_type, cls, g))
        store.add(ox.Quad(city, label, ox.Literal("Sapporo", language="en"), g))
    store.add(ox.Quad(city, label, ox.Literal("札幌市", language="ja"), curated))
    store.add(ox.Quad(ox.NamedNode(base + "id/city/jp/kobe"), rdf_type, cls, members))
    store.add(ox.Quad(ox.BlankNode(), label, ox.Literal("x"), curated))
    return store


def _union_with(store: ox.Store, description: Graph) -> ox.Store:
    """A store whose default graph is the union of ``store``'s data graphs and
    ``description``: what the published default graph holds."""
    out = ox.Store()
    for q in store:
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != str(
                iris.graph("void")):
            out.add(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
    out.bulk_load(description.serialize(format="nt", encoding="utf-8"),
                  format=ox.RdfFormat.N_TRIPLES)
    return out


def _n(store: ox.Store, query: str) -> int:
    (row,) = store.query(query)
    return int(row["n"].value)


def test_void_counts_on_a_tiny_store() -> None:
    store = tiny_store()
    meta = BuildMeta(version="v1", created="2025-01-01T00:00:00Z", base=iris.DEFAULT_BASE,
                     quads=len(store))
    g = describe_dataset(store, meta, iris.DEFAULT_BASE)
    ds = URIRef(str(iris.dataset()))
    # 8 quads, 5 distinct data triples, plus the description's own triples (docs/model.md)
    union = _union_with(store, g)
    assert int(g.value(ds, VOID.triples)) == _n(  # type: ignore[arg-type]
        union, COUNT_TRIPLES) == 5 + len(g)
    assert int(g.value(ds, VOID.entities)) == _n(  # type: ignore[arg-type]
        union, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s) && "
               f'STRSTARTS(STR(?s), "{iris.DEFAULT_BASE}id/")) }}')
    assert int(g.value(ds, VOID.distinctObjects)) == _n(  # type: ignore[arg-type]
        union, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    assert int(g.value(ds, VOID.properties)) == _n(  # type: ignore[arg-type]
        union, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")
    parts = {g.value(p, VOID["class"]): g.value(p, VOID.entities)
             for p in g.objects(ds, VOID.classPartition)}
    assert parts[URIRef("https://w3id.org/ccgraph/ontology#CreativeCity")] == Literal(2)
    subsets = list(g.objects(ds, VOID.subset))
    assert len(subsets) == 3  # members, curated and graph/void itself
    assert parts[VOID.Dataset] == Literal(1 + len(subsets))
    assert (ds, VOID.exampleResource, URIRef(str(iris.city("jp", "Sapporo")))) in g
    own = {g.value(s, VOID.triples) for s in g.objects(ds, VOID.subset)
           if g.value(s, SD.name) == URIRef(str(iris.graph("void")))}
    assert own == {Literal(len(g))}

    # a stored graph/void is replaced, not counted twice
    void_iri = ox.NamedNode(str(iris.graph("void")))
    store.bulk_load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=void_iri)
    again = describe_dataset(store, meta, iris.DEFAULT_BASE)
    assert again.value(ds, VOID.triples) == g.value(ds, VOID.triples)
    assert void_iri not in dataset_graphs(store, iris.DEFAULT_BASE)


def test_void_counts_on_the_seed_build(build_dir: Path) -> None:
    build = open_build(build_dir)
    g = describe_dataset(build.store, build.meta, build.meta.base)
    ds = URIRef(str(iris.dataset(build.meta.base)))
    # the published default graph holds the same description: it counts itself
    (row,) = build.store.query(COUNT_TRIPLES)
    assert int(g.value(ds, VOID.triples)) == int(row["n"].value)  # type: ignore[arg-type]
    stored = {q.triple for q in build.store.quads_for_pattern(
        None, None, None, ox.NamedNode(str(iris.graph("void", build.meta.base))))}
    assert stored, "the build stores its VoID description in graph/void"
    # the counts made in Python while drafting are the queries' counts
    default = [q.triple for q in build.store.quads_for_pattern(None, None, None,
                                                               ox.DefaultGraph())]
    space = build.meta.base + "id/"
    assert tally(default, space) == count_statistics(build.store, space)


@pytest.fixture(scope="module")
def build_dir(seed_build: Path) -> Path:
    """A real build of the seed profile (tests/conftest.py)."""
    return seed_build
