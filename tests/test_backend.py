"""``ccgraph serve --backend URL``: the publishing server reading from a remote SPARQL 1.1
engine. The seed build is published into a real Oxigraph server (PyPI ``oxigraph``) and a
real Virtuoso with ``publish_to`` (the session's engines, tests/support/backends.py); the
same checks run against the embedded server and the backed one, and their answers must
agree (graphs compared with rdflib.compare.isomorphic)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, SPARQLWrapper

from ccgraph import iris
from ccgraph.engines.union import union_graph
from ccgraph.remote_store import RemoteStore
from ccgraph.store import open_build
from ccgraph.web.state import named_graphs
from tests.support.backends import STARTERS, Engines
from tests.support.engines import Engine
from tests.support.servers import free_port, gunicorn_server, werkzeug_server

BASE = iris.DEFAULT_BASE
SAPPORO = str(iris.city("jp", "Sapporo"))
SAPPORO_PATH = "/" + SAPPORO[len(BASE):]
SAPPORO_DOC = SAPPORO_PATH.replace("/id/", "/doc/", 1)
TTL = {"Accept": "text/turtle"}
SELECT = """SELECT ?city ?name WHERE { ?city a ccg:CreativeCity ; rdfs:label ?name }
            ORDER BY ?city ?name"""


@dataclass
class Pair:
    embedded: str
    backed: str
    engine: Engine




@pytest.fixture(scope="module", params=sorted(STARTERS))
def pair(request: pytest.FixtureRequest, seed_build: Path, engines: Engines
         ) -> Iterator[Pair]:
    """The session's engine (tests/support/backends.py: started once, the seed build
    published with ``publish_to`` and verified), an embedded and a backed server."""
    engine = engines.engine(request.param, seed_build)
    with werkzeug_server(seed_build) as embedded, \
            werkzeug_server(seed_build, backend=engine.url) as backed:
        yield Pair(embedded, backed, engine)


def graph(url: str, path: str) -> Graph:
    resp = requests.get(url + path, headers=TTL, timeout=60)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=resp.text, format="turtle")


def test_the_backed_server_reads_the_engine_not_the_build(pair: Pair, seed_build: Path
                                                           ) -> None:
    remote = {g.value for g in RemoteStore(pair.engine.url, timeout=60).named_graphs()}
    ours = set(named_graphs(open_build(seed_build).store))
    assert ours
    # Virtuoso has its own too; publish adds the union graph (engines/union.py)
    assert {g for g in remote if g.startswith(BASE)} == ours | {union_graph(BASE)}
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    # straight to the engine: the dataset's graphs but the union graph (a server over
    # a backend asks for exactly those: remote_dataset.py)
    ours_only = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                 f'FILTER(STRSTARTS(STR(?g), "{BASE}") && ?g != <{union_graph(BASE)}>) }}')
    direct = requests.post(pair.engine.url, data={"query": ours_only}, timeout=30,
                           headers={"Accept": "application/sparql-results+json"})
    served = requests.get(pair.backed + "/sparql", params={"query": count}, timeout=30,
                          headers={"Accept": "application/sparql-results+json"})
    assert direct.status_code == served.status_code == 200
    values = [[row["n"]["value"] for row in r.json()["results"]["bindings"]]
              for r in (direct, served)]
    assert values[0] == values[1] and int(values[0][0]) > 1000


def test_doc_pages_agree(pair: Pair) -> None:
    embedded, backed = graph(pair.embedded, SAPPORO_DOC), graph(pair.backed, SAPPORO_DOC)
    assert len(backed) > 20
    assert isomorphic(embedded, backed)
    html = requests.get(pair.backed + SAPPORO_DOC, headers={"Accept": "text/html"},
                        timeout=60)
    assert html.status_code == 200
    assert html.headers["Content-Type"].startswith("text/html")
    assert "Sapporo" in html.text


def test_id_negotiates_to_the_same_graph(pair: Pair) -> None:
    resp = requests.get(pair.backed + SAPPORO_PATH, headers=TTL, timeout=60,
                        allow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(SAPPORO_DOC) or \
        SAPPORO_DOC in resp.headers["Location"]
    followed = requests.get(pair.backed + SAPPORO_PATH, headers=TTL, timeout=60)
    assert followed.history and followed.history[0].status_code == 303
    assert isomorphic(Graph().parse(data=followed.text, format="turtle"),
                      graph(pair.embedded, SAPPORO_DOC))


def sparqlwrapper_rows(url: str) -> list[dict[str, str]]:
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    answer = client.queryAndConvert()
    assert isinstance(answer, dict)
    return [{k: v["value"] for k, v in row.items()} for row in answer["results"]["bindings"]]


def test_sparql_select_agrees(pair: Pair) -> None:
    embedded = sparqlwrapper_rows(pair.embedded)
    assert embedded
    assert sparqlwrapper_rows(pair.backed) == embedded


def test_construct_agrees(pair: Pair) -> None:
    query = f"CONSTRUCT {{ <{SAPPORO}> ?p ?o }} WHERE {{ <{SAPPORO}> ?p ?o }}"
    answers = [requests.get(url + "/sparql", params={"query": query}, headers=TTL,
                            timeout=60) for url in (pair.embedded, pair.backed)]
    assert [a.status_code for a in answers] == [200, 200]
    graphs = [Graph().parse(data=a.text, format="turtle") for a in answers]
    assert len(graphs[0]) > 5
    assert isomorphic(*graphs)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }",
])
def test_the_guard_refuses_before_sending(pair: Pair, query: str) -> None:
    log_before = pair.engine.log()
    resp = requests.get(pair.backed + "/sparql", params={"query": query}, timeout=30)
    assert resp.status_code == 400
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert "127.0.0.1:9" not in pair.engine.log()[len(log_before):]


def test_a_query_the_engine_refuses_is_a_400(pair: Pair) -> None:
    resp = requests.get(pair.backed + "/sparql", timeout=30,
                        params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert resp.status_code == 400
    assert resp.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("path", [SAPPORO_DOC, "/.well-known/void", "/dumps/ccgraph.ttl"])
def test_etags_are_the_builds_and_304(pair: Pair, path: str) -> None:
    first = requests.get(pair.backed + path, headers=TTL, timeout=60)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    embedded = requests.get(pair.embedded + path, headers=TTL, timeout=60)
    assert embedded.headers["ETag"] == tag  # keyed by the build published, not the engine
    again = requests.get(pair.backed + path, headers={**TTL, "If-None-Match": tag},
                         timeout=60)
    assert again.status_code == 304


def test_writes_cannot_be_turned_on_with_a_backend(seed_build: Path, pair: Pair) -> None:
    with pytest.raises(ValueError, match="read-only"), \
            werkzeug_server(seed_build, backend=pair.engine.url, update_token="x" * 32):
        pass


@pytest.mark.parametrize(("params", "status"), [
    ([("version", "1.1")], 200), ([("version", "1.2")], 400),
    ([("version", "1.1"), ("version", "1.1")], 400)])
def test_the_version_parameter_over_the_engine(pair: Pair, params: list[tuple[str, str]],
                                               status: int) -> None:
    resp = requests.get(pair.backed + "/sparql", params=[("query", SELECT), *params],
                        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert resp.status_code == status, resp.text
    if status == 200:
        assert resp.json()["results"]["bindings"]


def test_ccgraph_serve_with_a_backend(pair: Pair, seed_build: Path, tmp_path: Path) -> None:
    """gunicorn (``ccgraph serve``), the backend given as CCGRAPH_BACKEND."""
    with gunicorn_server(seed_build, tmp_path / "serve.log", backend=pair.engine.url,
                         workers="1") as running:
        assert isomorphic(graph(running["url"], SAPPORO_DOC),
                          graph(pair.embedded, SAPPORO_DOC))


def test_an_engine_that_is_down_is_a_502_in_words(seed_build: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/query"
    with werkzeug_server(seed_build, backend=dead) as url:
        for path, params, accept in (
                (SAPPORO_DOC, {}, TTL),
                ("/sparql", {"query": SELECT}, {"Accept": "application/sparql-results+json"})):
            resp = requests.get(url + path, params=params, headers=accept, timeout=60)
            assert resp.status_code == 502, resp.text
            assert resp.headers["Content-Type"].startswith("text/plain")
            assert dead in resp.text and "Traceback" not in resp.text


def test_a_triple_in_two_graphs_counts_once(pair: Pair, seed_build: Path) -> None:
    """The default graph is a set over every backend, as in the embedded store: publish
    loads the union graph and the server asks the engine for it (engines/union.py)."""
    store = open_build(seed_build).store
    seen: dict[ox.Triple, set[str]] = {}
    for quad in store:
        if isinstance(quad.graph_name, ox.NamedNode) and \
                not isinstance(quad.subject, ox.BlankNode) and \
                not isinstance(quad.object, ox.BlankNode):
            seen.setdefault(quad.triple, set()).add(quad.graph_name.value)
    shared = sorted((t for t, graphs in seen.items() if len(graphs) > 1), key=str)
    assert shared, "the seed build holds no triple in two named graphs"
    triple = shared[0]
    pattern = f"{triple.subject} {triple.predicate} {triple.object}"
    plain = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
    graphs = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ {pattern} }} }}"
    every = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for url in (pair.embedded, pair.backed):
        assert count(url, plain) == 1
        assert count(url, graphs) == len(seen[triple])
    assert count(pair.backed, every) == count(pair.embedded, every) == len(
        {q.triple for q in store if isinstance(q.graph_name, ox.NamedNode)})


def count(url: str, query: str) -> int:
    resp = requests.get(url + "/sparql", params={"query": query}, timeout=60,
                        headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])
