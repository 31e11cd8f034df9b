"""A page over a remote engine costs a few engine queries (issue 14), counted with the
``X-Ccgraph-Backend-Queries`` header (web/engine_queries.py), and answers what the
embedded store answers; the result cap goes to the engine as a LIMIT.

The seed build is published into a real Oxigraph server and a real Virtuoso (the
session's engines, tests/support/backends.py). Each page is
asked of a fresh backed server (nothing remembered from another page), and compared with
the embedded server's answer: RDF as isomorphic graphs, HTML pages as the same text.

The bounds, per kind of answer (describe.py and pages/data.py say why), as measured on
the seed build:

* a description in RDF (Turtle, JSON-LD): one query per level of its walk (the resource,
  its parts, their parts, its owners, their parts), one for its inbound links, one for the
  labels of its neighbours: 4 for a facility, a pledge or a profile, 6 for a field, 7 for
  a city. Each query starts from IRIs written in it (``test_a_description_asks_from_named_iris``):
  the former two, one of which joined hop chains to a UNION of roots, cost Virtuoso 0.3
  to 21 CPU-s depending on its start;
* a generic HTML page (facility, pledge, membership): the description and the places its
  schema.org data block names, in one query (what the description read is not asked again);
* a special page (city, field -- a list page --, profile document, where evidence spans
  live): the description, the page's own queries at once, the labels and evidence of what
  they found at once, the schema.org places;
* the home page: 4 -- its queries at once, their labels, and the schema.org Dataset's two
  lookups.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from ccgraph import iris
from ccgraph.engines.union import union_graph
from ccgraph.remote_dataset import RemoteDataset
from ccgraph.remote_store import RemoteStore, counting
from ccgraph.store import open_build
from ccgraph.web import describe as describe_module
from ccgraph.web.engine_queries import HEADER
from tests.support import jsonld_offline
from tests.support.backends import STARTERS, Engines
from tests.support.engines import Engine
from tests.support.servers import werkzeug_server

BASE = iris.DEFAULT_BASE
CITY = "/doc/city/jp/sapporo"
JSONLD = "application/ld+json"
#: what differs between two stores' pages of the same data: blank node labels (and so the
#: order and numbers of the blank nodes' sections), and the size of the union default graph
#: (Oxigraph server counts a triple once per graph holding it; Virtuoso adds its own graphs)
UNSTABLE = [(re.compile(r"(?<![0-9A-Za-z])(?:b[0-9a-f]{12,}|c14n\d+|bnodeID_\w+)"), "BLANK"),
            (re.compile(r"\bh-s\d+"), "h-s"),
            (re.compile(r'(id="size-triples">)\d+'), r"\1N")]
#: (path, Accept, most engine queries)
PAGES = [
    (CITY, "text/turtle", 7),
    (CITY, JSONLD, 7),
    (CITY, "text/html", 10),
    ("/doc/facility/jp/sapporo/sapporo-art-museum", "text/turtle", 4),
    ("/doc/facility/jp/sapporo/sapporo-art-museum", "text/html", 5),
    ("/doc/commitment/jp/sapporo/media-arts/3", "text/turtle", 4),
    ("/doc/commitment/jp/sapporo/media-arts/3", "text/html", 4),
    ("/doc/membership/jp/sapporo/media-arts", "text/html", 4),
    ("/doc/profile/jp/sapporo/media-arts", "text/turtle", 4),
    ("/doc/profile/jp/sapporo/media-arts", "text/html", 6),
    ("/doc/field/media-arts", "application/n-triples", 6),
    ("/doc/field/media-arts", "text/html", 8),
    ("/", "text/html", 4),
]
RDF_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt"}


@dataclass
class Published:
    engine: Engine
    embedded: str  # the embedded server's URL


@pytest.fixture(scope="module", params=sorted(STARTERS))
def published(request: pytest.FixtureRequest, seed_build: Path, engines: Engines
              ) -> Iterator[Published]:
    """The session's engine with the seed build published (tests/support/backends.py)."""
    engine = engines.engine(request.param, seed_build)
    with werkzeug_server(seed_build) as embedded:
        yield Published(engine, embedded)


def get(url: str, accept: str, **headers: str) -> requests.Response:
    resp = requests.get(url, headers={"Accept": accept, **headers}, timeout=60)
    assert resp.status_code in (200, 304), (url, resp.status_code, resp.text[:500])
    return resp


def stable(text: str) -> str:
    for pattern, replacement in UNSTABLE:
        text = pattern.sub(replacement, text)
    return text


def same_answer(accept: str, embedded: requests.Response, backed: requests.Response,
                servers: tuple[str, str]) -> None:
    if accept in RDF_FORMATS or accept == JSONLD:
        graphs = [jsonld_offline.to_graph(r.json(), server) if accept == JSONLD
                  else Graph().parse(data=r.text, format=RDF_FORMATS[accept])
                  for r, server in zip((embedded, backed), servers, strict=True)]
        assert len(graphs[0]) > 10
        assert isomorphic(*graphs)
    else:  # the same page, but for the server's own URL (schema.org "url") and the blank
        # nodes' labels, which are the store's (and order the tables of blank nodes)
        texts = [sorted(stable(r.text.replace(server, "SERVER")).splitlines())
                 for r, server in zip((embedded, backed), servers, strict=True)]
        assert texts[0] == texts[1]


@pytest.mark.parametrize(("path", "accept", "bound"), PAGES,
                         ids=[f"{p}-{a.split('/')[1]}" for p, a, _ in PAGES])
def test_a_page_costs_a_few_engine_queries(published: Published, seed_build: Path,
                                           path: str, accept: str, bound: int) -> None:
    embedded = get(published.embedded + path, accept)
    assert HEADER not in embedded.headers  # the embedded store sends no query
    with werkzeug_server(seed_build, backend=published.engine.url) as backed:
        first = get(backed + path, accept)
        cost = int(first.headers[HEADER])
        assert 1 <= cost <= bound, f"{path} ({accept}) cost {cost} engine queries"
        same_answer(accept, embedded, first, (published.embedded, backed))
        again = get(backed + path, accept)  # the worker's cache: no query
        assert again.headers[HEADER] == "0" and again.text == first.text
        unchanged = get(backed + path, accept, **{"If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304 and unchanged.headers[HEADER] == "0"


@pytest.fixture(scope="module")
def capped(published: Published, seed_build: Path) -> Iterator[tuple[str, str]]:
    """An embedded and a backed server with a result cap of 5 and a 20 s timeout."""
    with werkzeug_server(seed_build, result_cap=5, query_timeout=20) as embedded, \
            werkzeug_server(seed_build, result_cap=5, query_timeout=20,
                            backend=published.engine.url) as backed:
        yield embedded, backed


def rows(url: str, query: str) -> requests.Response:
    return requests.get(url + "/sparql", params={"query": query}, timeout=90,
                        headers={"Accept": "application/sparql-results+json"})


@pytest.mark.parametrize("query", [
    "SELECT DISTINCT ?s WHERE { ?s a ccg:CreativeCity } ORDER BY DESC(STR(?s))",
    "SELECT DISTINCT ?s WHERE { ?s a ccg:CreativeCity } ORDER BY STR(?s) OFFSET 3",
    "SELECT DISTINCT ?s WHERE { ?s a ccg:CreativeCity } ORDER BY STR(?s) LIMIT 40",
])
def test_the_cap_goes_to_the_engine_and_still_truncates(capped: tuple[str, str],
                                                        query: str) -> None:
    answers = [rows(url, query) for url in capped]
    assert [a.status_code for a in answers] == [200, 200], answers[1].text
    for answer in answers:
        assert answer.headers["X-Result-Truncated"] == "true"
        assert answer.headers["X-SPARQL-MaxRows"] == "5"
        assert answer.json()["head"]["link"]
    embedded, backed = (a.json()["results"]["bindings"] for a in answers)
    assert len(embedded) == 5
    assert backed == embedded
    assert answers[1].headers[HEADER] == "1"


def test_a_huge_answer_is_cut_by_the_engine(capped: tuple[str, str]) -> None:
    """A cross product of the dataset with itself (hundreds of millions of rows): only the
    LIMIT the engine was given lets it answer at once."""
    query = "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y }"
    started = time.monotonic()
    answer = rows(capped[1], query)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["results"]["bindings"]) == 5
    assert answer.headers["X-Result-Truncated"] == "true"
    assert time.monotonic() - started < 20


def test_a_sorted_answer_above_the_engines_own_limit(published: Published,
                                                     seed_build: Path) -> None:
    """The default cap (10 000) with ORDER BY: Virtuoso refuses a sorted LIMIT above 10 000
    (its MaxSortedTopRows); the query is sent again as given, and the next sorted query
    goes without a LIMIT at once."""
    with werkzeug_server(seed_build, backend=published.engine.url) as backed:
        for n, query in enumerate((
                "SELECT DISTINCT ?s WHERE { ?s rdfs:label ?l } ORDER BY STR(?s)",
                "SELECT DISTINCT ?s WHERE { ?s rdfs:label ?l } ORDER BY DESC(STR(?s))")):
            answers = [rows(url, query) for url in (published.embedded, backed)]
            assert [a.status_code for a in answers] == [200, 200], answers[1].text
            embedded, remote = (a.json()["results"]["bindings"] for a in answers)
            assert len(embedded) > 100
            assert remote == embedded
            assert "X-Result-Truncated" not in answers[1].headers
            assert int(answers[1].headers[HEADER]) <= (2 if n == 0 else 1)


def as_graph(triples: set[ox.Triple]) -> Graph:
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                         format="nt")


#: resources of the seed build described over each engine, and the most engine queries each
#: description may cost (one per level of the walk, the inbound links, the classes of
#: their subjects where a predicate needs them, the labels)
DESCRIBED = [("city/jp/sapporo", 7), ("field/media-arts", 6),
             ("profile/jp/sapporo/media-arts", 4),
             ("facility/jp/sapporo/sapporo-art-museum", 4),
             ("commitment/jp/sapporo/media-arts/3", 4)]


def walk(node: object, parents: tuple[str, ...] = ()
         ) -> Iterator[tuple[CompValue, tuple[str, ...]]]:
    """Every operator of a query's algebra, with the names of the operators above it."""
    if isinstance(node, CompValue):
        yield node, parents
        for value in node.values():
            yield from walk(value, (*parents, node.name))
    elif isinstance(node, list | tuple):
        for value in node:
            yield from walk(value, parents)


def anchored(node: object) -> bool:
    """Whether ``node`` names where to start: a VALUES block, or an IRI as the subject or
    object of one of its triple patterns."""
    for op, _ in walk(node):
        if op.name == "ToMultiSet":
            return True
        if op.name == "BGP" and any(isinstance(s, URIRef) or isinstance(o, URIRef)
                                    for s, _p, o in op.triples):
            return True
    return False


def plan_risks(query: str) -> list[str]:
    """What in ``query`` leaves Virtuoso a choice of plans that went wrong: a UNION joined
    with the patterns after it (its hops then start from a union of roots, not from IRIs
    of the query), or a query or UNION branch with nothing to start from."""
    algebra = prepareQuery(query).algebra
    risks = [f"a UNION under {' > '.join(parents)}" for op, parents in walk(algebra)
             if op.name == "Union" and {"Join", "LeftJoin", "Minus"} & set(parents)]
    risks += [f"a UNION branch starting nowhere: {branch}" for op, _ in walk(algebra)
              if op.name == "Union" for branch in (op.p1, op.p2) if not anchored(branch)]
    return risks + ([] if anchored(algebra) else ["a query starting nowhere"])


def test_the_plan_risks_are_seen() -> None:
    """The shape of the former one-query description (hops from a UNION of roots) is a
    risk; the shape of a level's query (prefetch: IRIs in VALUES, blank node hops) is not."""
    former = ("SELECT * WHERE { { BIND(<urn:a> AS ?x) } UNION { ?x ?q <urn:a> } "
              "GRAPH ?h { ?x ?p ?s } FILTER(isBlank(?s)) GRAPH ?g { ?s ?p2 ?o } }")
    assert plan_risks(former) and not plan_risks(
        "SELECT * WHERE { GRAPH ?g { { VALUES ?x { <urn:a> } ?x ?p ?o } UNION "
        "{ VALUES ?x { <urn:a> } ?x ?q ?s . ?s ?p ?o FILTER(isBlank(?s)) } } }")
    assert plan_risks("SELECT * WHERE { { ?s ?p ?o } UNION { VALUES ?s { <urn:a> } ?s ?p ?o } }")


@pytest.mark.parametrize(("name", "bound"), DESCRIBED, ids=[n for n, _ in DESCRIBED])
def test_a_description_asks_from_named_iris(published: Published, seed_build: Path,
                                            name: str, bound: int) -> None:
    """Every query a description sends starts from IRIs written in it (web/describe.py).
    Virtuoso 7.2 planned the former one-query description afresh on each start, and on
    some starts ran its blank node hops as scans: 0.3 CPU-s on one start, 2.5 to 21 on
    others, for the same query -- a 503 for /doc/city/jp/sapporo past the deadline in CI.
    The description still equals the embedded store's."""
    iri = BASE + "id/" + name
    embedded = describe_module.describe(open_build(seed_build).store, iri)
    # the engine asked as a server asks it (web/state.py): the union graph as the default
    graphs = [g for g in open_build(seed_build).store.named_graphs()
              if isinstance(g, ox.NamedNode)]
    url = published.engine.url
    dataset = RemoteDataset(url, union_graph(BASE), [g.value for g in graphs], 60)
    remote = RemoteStore(url, timeout=60, graphs=graphs, dataset=dataset)
    with counting() as count:
        backed = describe_module.describe(cast(ox.Store, remote), iri)
    assert 3 <= count.n <= bound and len(count.queries) == count.n
    for query in count.queries:
        assert not plan_risks(query), (plan_risks(query), query)
    assert len(embedded.triples) > 10 and embedded.subjects[0] == backed.subjects[0]
    assert isomorphic(as_graph(embedded.all_triples()), as_graph(backed.all_triples()))
