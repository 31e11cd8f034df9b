"""query_limit.limited: the result cap pushed into a SELECT as a LIMIT. Every rewritten
query is run by a real engine (pyoxigraph) beside the original: it must parse, and answer
exactly the first ``n`` solutions of the original (in order, where the query orders them)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ccgraph.query_limit import kind, limited

EX = "http://example.org/"
N = 4


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Twenty things, each with a number, a name and a group (0, 1 or 2)."""
    store = ox.Store()
    for i in range(20):
        thing = ox.NamedNode(f"{EX}t{i:02d}")
        for p, o in (("n", ox.Literal(str(i), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))),
                     ("name", ox.Literal(f"thing LIMIT {i}")), ("group", ox.Literal(str(i % 3)))):
            store.add(ox.Quad(thing, ox.NamedNode(EX + p), o, ox.NamedNode(EX + "g")))
    return store


def solutions(store: ox.Store, query: str) -> list[tuple[object, ...]]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    width = range(len(result.variables))
    return [tuple(row[i] for i in width) for row in result]


P = f"PREFIX ex: <{EX}>\n"
ORDERED = [
    P + "SELECT ?s ?n WHERE { ?s ex:n ?n } ORDER BY DESC(?n)",
    P + "SELECT ?s ?n WHERE { ?s ex:n ?n } ORDER BY ?n OFFSET 3",
    P + "SELECT ?s ?n WHERE { ?s ex:n ?n } ORDER BY ?n LIMIT 10",
    P + "SELECT ?s ?n WHERE { ?s ex:n ?n } ORDER BY ?n LIMIT 2",
    P + "SELECT ?s ?n WHERE { ?s ex:n ?n } ORDER BY ?n LIMIT 10 OFFSET 5",
    P + "SELECT ?s ?n WHERE { ?s ex:n ?n } ORDER BY ?n OFFSET 5 LIMIT 10",
    P + "SELECT ?g (COUNT(?s) AS ?c) WHERE { ?s ex:group ?g } GROUP BY ?g HAVING (COUNT(?s) > 1)"
        " ORDER BY DESC(?g)",
    P + "SELECT ?s ?n WHERE { ?s ex:n ?n } ORDER BY ?n VALUES ?n { 1 2 3 5 8 13 }",
    P + "SELECT ?s ?n WHERE { { SELECT ?s ?n WHERE { ?s ex:n ?n } ORDER BY ?n LIMIT 15 } }"
        " ORDER BY DESC(?n)",
    P + "SELECT ?s ?name WHERE { ?s ex:name ?name FILTER(?name != \"LIMIT 2\") }"
        " ORDER BY ?name # LIMIT 1",
    f"BASE <{EX}>\n" + P + "SELECT ?s ?limit FROM <g> WHERE { ?s <n> ?limit } ORDER BY ?limit",
    P + "select ?s ?n where { ?s ex:n ?n } order by ?n limit\n  # the cap\n  12",
]


@pytest.mark.parametrize("query", ORDERED)
def test_the_first_solutions_in_order(store: ox.Store, query: str) -> None:
    expected = solutions(store, query)
    assert len(expected) > 1
    answered = solutions(store, limited(query, N))
    assert answered == expected[:N]


@pytest.mark.parametrize("query", [
    P + "SELECT * WHERE { ?s ?p ?o }",
    P + "SELECT DISTINCT ?o WHERE { ?s ex:group ?o }",
    P + "SELECT ?s WHERE { ?s ex:n ?n } VALUES ?n { 1 2 3 4 5 6 7 }",
])
def test_unordered_queries_give_some_of_their_solutions(store: ox.Store, query: str) -> None:
    expected = solutions(store, query)
    answered = solutions(store, limited(query, N))
    assert len(answered) == min(N, len(expected))
    assert set(answered) <= set(expected)


def test_a_smaller_limit_of_the_query_is_kept(store: ox.Store) -> None:
    query = P + "SELECT ?s WHERE { ?s ex:n ?n } ORDER BY ?n LIMIT 2"
    assert limited(query, N) == query
    assert len(solutions(store, query)) == 2


def test_a_limit_inside_a_subquery_is_not_the_querys(store: ox.Store) -> None:
    query = P + "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ex:n ?n } LIMIT 2 } ?s ex:n ?m }"
    rewritten = limited(query, 1)
    assert rewritten.rstrip().endswith("LIMIT 1")
    assert len(solutions(store, rewritten)) == 1


@pytest.mark.parametrize(("query", "expected"), [
    (P + "SELECT ?s WHERE { ?s ex:n ?n } ORDER BY ?n", "sorted"),
    (P + "select ?s where { ?s ex:n ?n } order by ?n limit 3", "sorted"),
    (P + "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ex:n ?n } ORDER BY ?n LIMIT 3 } }", "plain"),
    (P + "SELECT ?order WHERE { ?order ex:n \"ORDER BY\" } # ORDER BY", "plain"),
])
def test_the_kind_of_a_query(query: str, expected: str) -> None:
    assert kind(query) == expected
