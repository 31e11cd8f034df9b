"""The VoID counts a build takes from its union's N-Triples lines (void_lines.LineTally)
against the reference: void.tally over pyoxigraph triples, the SPARQL queries of void.py
and linksets.py on the published store, on the seed and the whole-network builds."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import VOID

from ccgraph import iris
from ccgraph.linksets import TARGETS, count_query
from ccgraph.store import BuildMeta, open_build
from ccgraph.terms import from_ox, to_ox
from ccgraph.version import fill_store, graph_counts
from ccgraph.void import (
    Statistics,
    count_statistics,
    dataset_graphs,
    describe_dataset,
    tally,
    void_graph,
)
from ccgraph.void_lines import LineTally, split_line, triple_lines


def _data(store: ox.Store, base: str) -> tuple[list[ox.Triple], dict[str, int]]:
    """The distinct triples of the named graphs but graph/void, and each graph's size."""
    seen: dict[ox.Triple, None] = {}
    sizes = {}
    for graph in dataset_graphs(store, base):
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        sizes[graph.value] = len(triples)
        seen.update(dict.fromkeys(triples))
    return list(seen), sizes


def _line_tally(store: ox.Store, base: str) -> tuple[LineTally, list[ox.Triple]]:
    data, sizes = _data(store, base)
    return LineTally(sorted(triple_lines(data)), sizes, base + "id/"), data


@pytest.mark.parametrize("which", ["seed_build", "network_build"])
def test_line_counts_are_the_tally_of_the_triples(which: str,
                                                  request: pytest.FixtureRequest) -> None:
    build = open_build(request.getfixturevalue(which))
    base = build.meta.base
    counted, data = _line_tally(build.store, base)
    space = base + "id/"
    assert counted.statistics(set()) == tally(data, space)
    # with a draft description: the draft's own triples counted in, as describe_dataset
    # does in each round (new subjects, classes, partitions, and triples already there)
    draft = describe_dataset(build.store, build.meta, base)
    extra = {ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
             for s, p, o in draft}
    extra |= set(data[:50])  # triples of the data: no change
    assert counted.statistics(extra) == tally([*data, *extra], space)
    assert counted.statistics(extra) != counted.statistics(set())


@pytest.mark.parametrize("which", ["seed_build", "network_build"])
def test_published_void_states_what_the_queries_count(which: str,
                                                      request: pytest.FixtureRequest) -> None:
    """The description the build stored (counted from lines) states the numbers the
    SPARQL queries answer on the published default graph, and the linksets' counts."""
    build = open_build(request.getfixturevalue(which))
    base = build.meta.base
    store = build.store
    stats: Statistics = count_statistics(store, base + "id/")
    ds = f"<{iris.dataset(base)}>"
    graph = f"<{void_graph(base)}>"

    def stated(prop: str) -> int:
        (row,) = list(store.query(f"SELECT ?n WHERE {{ GRAPH {graph} {{ {ds} <{prop}> ?n }} }}"))
        return int(row["n"].value)

    assert stated(str(VOID.triples)) == stats.triples
    assert stated(str(VOID.entities)) == stats.entities
    assert stated(str(VOID.distinctSubjects)) == stats.subjects
    assert stated(str(VOID.properties)) == stats.properties
    assert stated(str(VOID.classes)) == stats.classes
    parts = {(r["c"].value, int(r["n"].value)) for r in store.query(
        f"SELECT ?c ?n WHERE {{ GRAPH {graph} {{ {ds} <{VOID.classPartition}> ?x . "
        f"?x <{VOID['class']}> ?c ; <{VOID.entities}> ?n }} }}")}
    assert parts == set(stats.class_partitions)
    props = {(r["p"].value, int(r["n"].value)) for r in store.query(
        f"SELECT ?p ?n WHERE {{ GRAPH {graph} {{ {ds} <{VOID.propertyPartition}> ?x . "
        f"?x <{VOID.property}> ?p ; <{VOID.triples}> ?n }} }}")}
    assert props == set(stats.property_partitions)
    graphs = dataset_graphs(store, base)
    counted, _data = _line_tally(store, base)
    links = {}
    for target in TARGETS:
        (row,) = list(store.query(count_query(target), default_graph=graphs, named_graphs=[]))
        links[target.slug] = int(row["n"].value)
        assert counted.links_to(target.slug) == links[target.slug]
        found = list(store.query(
            f"SELECT ?n WHERE {{ GRAPH {graph} {{ <{iris.linkset(target.slug, base)}> "
            f"<{VOID.triples}> ?n }} }}"))
        assert [int(r["n"].value) for r in found] == ([links[target.slug]]
                                                     if links[target.slug] else [])
    if which == "network_build":
        assert all(links.values()), "the network links its cities to GeoNames and Wikidata"


def test_split_line_reads_terms_with_spaces_in_literals() -> None:
    line = (ox.serialize([ox.Triple(ox.NamedNode("https://example.org/a b".replace(" ", "")),
                                    ox.NamedNode("https://example.org/p"),
                                    ox.Literal("two words . and a dot", language="en"))],
                         format=ox.RdfFormat.N_TRIPLES) or b"").strip()
    assert split_line(line) == (b"<https://example.org/ab>", b"<https://example.org/p>",
                                b'"two words . and a dot"@en')


def test_statistics_count_a_new_subject_of_a_known_class_once() -> None:
    base = "https://example.org/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    city = ox.NamedNode(base + "City")
    a, b = ox.NamedNode(base + "id/a"), ox.NamedNode(base + "id/b")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    data = [ox.Triple(a, rdf_type, city), ox.Triple(a, label, ox.Literal("A"))]
    counted = LineTally(sorted(triple_lines(data)), {}, base + "id/")
    extra = {ox.Triple(b, rdf_type, city), ox.Triple(b, label, ox.Literal("A")),
             ox.Triple(a, rdf_type, city)}
    got = counted.statistics(extra)
    assert got == tally([*data, *extra], base + "id/")
    assert (got.triples, got.entities, got.objects, got.class_partitions) == (
        4, 2, 2, ((base + "City", 2),))


def test_a_build_without_links_counts_none(bare_build: Path) -> None:
    build = open_build(bare_build)
    counted, _data = _line_tally(build.store, build.meta.base)
    graphs = dataset_graphs(build.store, build.meta.base)
    for target in TARGETS:
        (row,) = list(build.store.query(count_query(target), default_graph=graphs,
                                        named_graphs=[]))
        assert counted.links_to(target.slug) == int(row["n"].value)


@pytest.mark.parametrize("which", ["seed_build", "network_build"])
def test_the_build_describes_what_the_store_would(which: str,
                                                  request: pytest.FixtureRequest) -> None:
    """The description a build makes before its store exists (from what void_lines.known
    reads off the lines) is the one void.describe_dataset makes from the published store."""
    build = open_build(request.getfixturevalue(which))
    stored = Graph()
    for q in build.store.quads_for_pattern(None, None, None,
                                           ox.NamedNode(str(void_graph(build.meta.base)))):
        stored.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))  # type: ignore[arg-type]
    made = describe_dataset(build.store, build.meta, build.meta.base)
    assert isomorphic(stored, made)
    example = str(iris.city("jp", "Sapporo", base=build.meta.base))
    assert (URIRef(str(iris.dataset(build.meta.base))), VOID.exampleResource,
            URIRef(example)) in stored


def test_first_subject_is_the_least_iri_as_sparql_orders_them() -> None:
    """``<…/a>`` closes after ``<…/a-b>`` as bytes; as IRIs "a" comes first."""
    base = "https://example.org/"
    p = ox.NamedNode(base + "p")
    data = [ox.Triple(ox.NamedNode(base + f"id/city/{name}"), p, ox.Literal("x"))
            for name in ("a-b", "a", "b")]
    counted = LineTally(sorted(triple_lines(data)), {}, base + "id/")
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(base + "g"))
                 for t in data)
    (row,) = list(store.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s LIMIT 1"))
    assert counted.first_subject(base + "id/city/") == row["s"].value == base + "id/city/a"
    assert counted.first_subject(base + "id/town/") is None


@pytest.mark.parametrize("lines", [0, 1])
def test_fill_store_counts_the_default_graph_it_loads(lines: int, tmp_path: Path) -> None:
    """build.json's ``triples`` is the size of the default graph, even with no data (the
    union's lines have no empty line to count)."""
    base = iris.DEFAULT_BASE
    nquads = (f'<{base}id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" '
              f'<{iris.graph("curated", base)}> .\n').encode() * lines
    meta = BuildMeta("v", "2026-01-01T00:00:00Z", base, lines, graph_counts(nquads))
    store = ox.Store(str(tmp_path / "store"))
    filled = fill_store(store, nquads, meta, base, describe_dataset)
    default = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert filled.meta.extra["triples"] == len(default) == filled.union.count(b"\n")
    void = list(store.quads_for_pattern(None, None, None, ox.NamedNode(str(void_graph(base)))))
    assert filled.meta.graphs[str(void_graph(base))] == len(void) > 0
