"""The in-memory copy a worker answers queries from (web/inmemory.py): the same answers as
the store on disk for every gallery query, taken up by the app once made, and not made
when ``memory_quads`` says no."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from ccgraph.namespaces import PREFIXES
from ccgraph.settings import Settings
from ccgraph.store import open_build
from ccgraph.web import create_app
from ccgraph.web.inmemory import copy_default_graph, copy_store
from ccgraph.web.state import Ccgraph, named_graphs

QUERIES = sorted((Path(__file__).resolve().parents[1] / "queries").glob("*.rq"))
JSON = "application/sparql-results+json"


def answers(store: ox.Store, query: str) -> Counter[tuple[str, ...]]:
    """The rows of ``query`` as a multiset of N-Triples terms ("" for unbound)."""
    result = store.query(query, prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    width = range(len(result.variables))
    return Counter(tuple("" if row[i] is None else str(row[i]) for i in width)
                   for row in result)


def test_the_copy_holds_every_quad_and_graph_and_answers_the_gallery_alike(
        seed_build: Path) -> None:
    disk = open_build(seed_build).store
    copy = copy_store(disk)
    assert len(copy) == len(disk)
    assert named_graphs(copy) == named_graphs(disk)
    default = ox.DefaultGraph()
    assert set(copy.quads_for_pattern(None, None, None, default)) == \
        set(disk.quads_for_pattern(None, None, None, default))
    alone = copy_default_graph(copy)  # as the app makes it: from the copy in memory
    assert set(alone) == set(disk.quads_for_pattern(None, None, None, default))
    assert not list(alone.named_graphs())
    assert len(QUERIES) > 20
    some_rows = 0
    for path in QUERIES:
        query = path.read_text(encoding="utf-8")
        expected = answers(disk, query)
        assert answers(copy, query) == expected, path.name
        some_rows += bool(expected)
    assert some_rows > 10  # the seed build answers most of the gallery


def _wait_for_copy(ext: Ccgraph, wait: float = 30) -> bool:
    deadline = time.monotonic() + wait
    while not ext.in_memory and time.monotonic() < deadline:
        time.sleep(0.05)
    return ext.in_memory


def test_the_app_answers_from_the_copy_once_made(seed_build: Path) -> None:
    app = create_app(Settings.load({"store": seed_build, "result_cache_mb": 0}, environ={}))
    ext = app.extensions["ccgraph"]
    assert isinstance(ext, Ccgraph)
    disk = open_build(seed_build).store
    query = QUERIES[0].read_text(encoding="utf-8")
    assert _wait_for_copy(ext)
    served = ext.store
    assert len(served) == len(disk)
    client = app.test_client()
    resp = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert resp.status_code == 200
    rows = resp.get_json()["results"]["bindings"]
    assert len(rows) == sum(answers(disk, query).values()) > 0


def test_memory_quads_zero_keeps_the_store_on_disk(seed_build: Path) -> None:
    on = create_app(Settings.load({"store": seed_build}, environ={}))
    off = create_app(Settings.load({"store": seed_build, "memory_quads": 0}, environ={}))
    ext_on, ext_off = on.extensions["ccgraph"], off.extensions["ccgraph"]
    assert isinstance(ext_on, Ccgraph) and isinstance(ext_off, Ccgraph)
    first_off = ext_off.store
    assert _wait_for_copy(ext_on)  # the other app had as long to copy
    assert not ext_off.in_memory and ext_off.store is first_off
    # and the setting bounds the size copied: a build over it stays on disk too
    small = create_app(Settings.load({"store": seed_build,
                                      "memory_quads": ext_on.meta.quads - 1}, environ={}))
    ext_small = small.extensions["ccgraph"]
    assert isinstance(ext_small, Ccgraph)
    first_small = ext_small.store
    assert not _wait_for_copy(ext_small, wait=0.5)
    assert ext_small.store is first_small


@pytest.mark.parametrize("quads", [1, 10**9])
def test_worth_copying_follows_the_bound(seed_build: Path, quads: int) -> None:
    from ccgraph.web.inmemory import worth_copying

    build = open_build(seed_build)
    assert worth_copying(build, quads) == (build.meta.quads <= quads)


def test_after_a_write_the_new_version_answers_at_once_and_is_copied_in_turn(
        seed_build: Path, tmp_path: Path) -> None:
    from tests.support.writehelp import AUTH, SAPPORO, TOKEN, comment_insert, copy_build

    build = copy_build(seed_build, tmp_path / "build")
    app = create_app(Settings.load({"store": build, "update_token": TOKEN,
                                    "result_cache_mb": 0}, environ={}))
    ext = app.extensions["ccgraph"]
    assert isinstance(ext, Ccgraph)
    assert _wait_for_copy(ext)
    client = app.test_client()
    try:
        resp = client.post("/sparql", data=comment_insert("copied after a write"),
                           headers={**AUTH, "Content-Type": "application/sparql-update"})
    finally:
        assert ext.writer is not None
        ext.writer.close()
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)
    ask = (f'ASK {{ <{SAPPORO}> <http://www.w3.org/2000/01/rdf-schema#comment> '
           f'"copied after a write"@en }}')

    def written() -> bool:
        answer = client.get("/sparql", query_string={"query": ask}, headers={"Accept": JSON})
        return bool(answer.get_json()["boolean"])

    assert written()  # the new version, from disk until its copy is made
    assert _wait_for_copy(ext)
    assert written()


def test_graph_patterns_and_dataset_clauses_are_seen() -> None:
    from ccgraph.query_guard import analyse

    assert analyse("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }").uses_graph
    assert analyse("ASK { FILTER EXISTS { graph <urn:x:g> { ?s ?p ?o } } }").uses_graph
    assert not analyse('SELECT ?graph WHERE { ?graph ?p "GRAPH" }').uses_graph
    assert analyse("SELECT * FROM NAMED <urn:x:g> WHERE { ?s ?p ?o }").has_dataset_clause


def test_named_graph_queries_answer_as_on_disk_once_copied(seed_build: Path) -> None:
    app = create_app(Settings.load({"store": seed_build, "result_cache_mb": 0}, environ={}))
    ext = app.extensions["ccgraph"]
    assert isinstance(ext, Ccgraph)
    assert _wait_for_copy(ext) and ext.default_store is not None
    disk = open_build(seed_build).store
    graphs = sorted(named_graphs(disk))
    assert len(graphs) > 1
    client = app.test_client()

    def rows(query: str, **params: str) -> Counter[tuple[str, ...]]:
        resp = client.get("/sparql", query_string={"query": query, **params},
                          headers={"Accept": JSON})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        doc = resp.get_json()
        names = doc["head"]["vars"]
        return Counter(tuple(b[n]["value"] if n in b else "" for n in names)
                       for b in doc["results"]["bindings"])

    def expected(query: str, **options: object) -> Counter[tuple[str, ...]]:
        result = disk.query(query, prefixes=PREFIXES, **options)  # type: ignore[arg-type]
        assert isinstance(result, ox.QuerySolutions)
        width = range(len(result.variables))
        return Counter(tuple("" if r[i] is None else r[i].value for i in width)
                       for r in result)

    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    assert rows(per_graph) == expected(per_graph)
    assert len(rows(per_graph)) == len(graphs)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert rows(count) == expected(count)
    one = graphs[0]
    assert rows(count, **{"default-graph-uri": one}) == \
        expected(count, default_graph=[ox.NamedNode(one)])
    from_one = f"SELECT (COUNT(*) AS ?n) FROM <{one}> WHERE {{ ?s ?p ?o }}"
    assert rows(from_one) == expected(from_one)
    assert rows(from_one) != rows(count)  # a graph alone is not the whole default graph
