"""ccgraph's own queries to a remote engine filter the union graph and the engine's other
graphs in the query instead of listing the dataset's named graphs (remote_graphs.py): the
same answers, over a real Oxigraph server and a real Virtuoso each holding a graph that is
not the dataset's, with triples about a city of the dataset."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from ccgraph import iris, query_guard
from ccgraph.engines import oxigraph as oxigraph_engine
from ccgraph.engines import protocol, publish_to
from ccgraph.engines import virtuoso as virtuoso_engine
from ccgraph.engines.union import union_graph
from ccgraph.remote_dataset import RemoteDataset
from ccgraph.remote_graphs import filtered
from ccgraph.remote_store import RemoteStore
from ccgraph.store import open_build
from ccgraph.web.engine_queries import HEADER
from ccgraph.web.state import named_graphs
from tests.support.backends import STARTERS, VIRTUOSO_DBA
from tests.support.engines import Engine
from tests.support.servers import werkzeug_server

BASE = iris.DEFAULT_BASE
SAPPORO = str(iris.city("jp", "Sapporo"))
SAPPORO_DOC = "/" + SAPPORO[len(BASE):].replace("id/", "doc/", 1)
OTHER = "http://example.org/not-the-dataset"
INTRUDER = "http://example.org/intruder"
TTL = {"Accept": "text/turtle"}
QUERY = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class Foreign:
    engine: Engine
    name: str
    embedded: str


@pytest.fixture(scope="module", params=sorted(STARTERS))
def foreign(request: pytest.FixtureRequest, seed_build: Path) -> Iterator[Foreign]:
    """A private engine holding the seed build, published, and a graph of its own that
    labels Sapporo and links to it."""
    name = request.param
    credentials = VIRTUOSO_DBA if name == "virtuoso" else None
    with STARTERS[name]() as engine:
        assert publish_to(seed_build, engine.root, name,
                          credentials=credentials).verification.ok
        other = Graph()
        other.add((URIRef(SAPPORO), RDFS.label, Literal("not a label of the dataset")))
        other.add((URIRef(INTRUDER), RDFS.seeAlso, URIRef(SAPPORO)))
        if name == "virtuoso":
            url = virtuoso_engine._graph_url(engine.root, OTHER)
            body, kind = other.serialize(format="turtle").encode(), "text/turtle"
        else:
            url = oxigraph_engine._graph_url(engine.root, OTHER)
            body, kind = other.serialize(format="nt").encode(), "application/n-triples"
        protocol.request("PUT", url, body=body, headers={"Content-Type": kind},
                         credentials=credentials, timeout=60)
        with werkzeug_server(seed_build) as embedded:
            yield Foreign(engine, name, embedded)


def test_the_engines_other_graphs_are_named_to_be_left_out(foreign: Foreign,
                                                           seed_build: Path) -> None:
    ours = sorted(named_graphs(open_build(seed_build).store))
    found = RemoteDataset(foreign.engine.url, union_graph(BASE), ours, 60).resolve()
    assert found is not None
    if foreign.name == "virtuoso":  # its pragmas exclude them (measured faster there)
        assert found.excluded is None and OTHER in found.foreign
        return
    assert found.excluded is not None
    assert {union_graph(BASE), OTHER} <= set(found.excluded)
    assert not set(ours) & set(found.excluded)
    info = query_guard.analyse(QUERY, None)
    text, fields = found.apply(QUERY, [], info, own=True)
    assert not [f for f in fields if f[0] == "named-graph-uri"]
    assert f"FILTER(?g NOT IN (<{union_graph(BASE)}>, <{OTHER}>))" in text
    text, fields = found.apply(QUERY, [], info)  # a client's query: the graphs listed
    assert sorted(g for name, g in fields if name == "named-graph-uri") == ours


def test_a_page_over_an_engine_with_other_graphs_is_the_embedded_page(
        foreign: Foreign, seed_build: Path) -> None:
    embedded = requests.get(foreign.embedded + SAPPORO_DOC, headers=TTL, timeout=60)
    with werkzeug_server(seed_build, backend=foreign.engine.url) as backed:
        served = requests.get(backed + SAPPORO_DOC, headers=TTL, timeout=120)
    assert embedded.status_code == served.status_code == 200, served.text[:300]
    assert int(served.headers[HEADER]) <= 7  # one query per level of the walk (describe.py)
    graphs = [Graph().parse(data=r.text, format="turtle") for r in (embedded, served)]
    assert len(graphs[0]) > 10
    extra = sorted(str(t) for t in set(graphs[1]) - set(graphs[0]) if not any(
        isinstance(x, BNode) for x in t))
    assert not extra
    assert isomorphic(*graphs)
    assert (URIRef(INTRUDER), None, None) not in graphs[1]
    assert Literal("not a label of the dataset") not in set(graphs[1].objects())


def test_filtered_and_listed_graphs_give_the_same_quads(foreign: Foreign,
                                                        seed_build: Path) -> None:
    """Each subject's quads read with the graphs filtered in the query, and with the
    dataset's named graphs listed (the way of the clients' queries), are the same."""
    build = open_build(seed_build)
    ours = sorted(named_graphs(build.store))
    subjects = sorted({q.subject for q in build.store.quads_for_pattern(None, None, None)
                       if isinstance(q.subject, ox.NamedNode)}, key=lambda s: s.value)[::7]
    assert len(subjects) > 20
    found = {}
    for way in ("filtered", "listed"):
        dataset = RemoteDataset(foreign.engine.url, union_graph(BASE), ours, 60)
        probed = dataset.resolve()
        assert probed is not None
        if way == "listed":
            dataset._dataset = replace(probed, excluded=None)
        store = RemoteStore(foreign.engine.url, timeout=120, graphs=[ox.NamedNode(g)
                                                                     for g in ours],
                            dataset=dataset)
        store.prefetch(subjects)
        found[way] = {s: {(q.predicate, q.object, q.graph_name) for q in
                          store.quads_for_pattern(s, None, None)
                          if not isinstance(q.object, ox.BlankNode)} for s in subjects}
        sapporo = ox.NamedNode(SAPPORO)
        inbound = {(q.subject, q.predicate, q.graph_name)
                   for q in store.quads_for_pattern(None, None, sapporo)}
        assert inbound and all(q[2] != ox.NamedNode(OTHER) for q in inbound)
        found[way + "-inbound"] = inbound
    assert found["filtered"] == found["listed"]
    assert found["filtered-inbound"] == found["listed-inbound"]
    embedded = {s: {(q.predicate, q.object, q.graph_name)
                    for q in build.store.quads_for_pattern(s, None, None)
                    if not isinstance(q.object, ox.BlankNode)
                    and not isinstance(q.graph_name, ox.DefaultGraph)} for s in subjects}
    assert found["filtered"] == embedded


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } ?s ?q ?r GRAPH ex:g { ?s ?p ?o } }",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o ",
])
def test_a_query_of_another_shape_is_sent_with_the_graphs_listed(query: str) -> None:
    assert filtered(query, [union_graph(BASE)]) is None


def test_braces_in_strings_and_iris_do_not_end_a_graph_group() -> None:
    query = ('SELECT * WHERE { GRAPH ?g { ?s ?p "}" . ?s ?q "{ \\" }" } '
             "OPTIONAL { GRAPH ?h { ?s <http://x/y#z> ?o } } }")
    out = filtered(query, [union_graph(BASE)])
    assert out is not None
    solutions = ox.Store().query(out)  # it parses
    assert isinstance(solutions, ox.QuerySolutions)
    assert out.count("NOT IN") == 2
    assert '"{ \\" }" } FILTER(?g NOT IN' in out
    assert "?o } FILTER(?h NOT IN" in out
