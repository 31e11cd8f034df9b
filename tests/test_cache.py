"""The per-worker cache of finished answers (web/cache.py) and the streamed SPARQL JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from ccgraph import iris
from ccgraph.settings import Settings
from ccgraph.store import open_build
from ccgraph.web import create_app
from ccgraph.web.cache import ENTRY_OVERHEAD, Cached, ResultCache
from ccgraph.web.resources import describe
from ccgraph.web.sparql import STREAM_ROWS, Outcome, execute, results_json, results_json_chunks

JSON = "application/sparql-results+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SAPPORO = iris.city("jp", "Sapporo")


def entry(size: int) -> Cached:
    return Cached(b"x" * (size - ENTRY_OVERHEAD), "text/plain")


# ------------------------------------------------------------------ the cache itself

def test_lru_keeps_within_its_byte_bound_and_drops_the_least_recent() -> None:
    cache = ResultCache(max_bytes=4000, max_entry=2000)
    for key in "abc":
        assert cache.put("v1", key, entry(1000))
    assert cache.get("v1", "a") is not None  # a is now the most recent
    assert cache.put("v1", "d", entry(1500))  # 4500 > 4000: the least recent (b) goes
    assert cache.get("v1", "b") is None
    assert {k for k in "acd" if cache.get("v1", k) is not None} == set("acd")
    assert cache.size <= 4000
    assert cache.stats.evictions == 1


def test_entries_too_large_are_not_kept_and_size_zero_turns_it_off() -> None:
    cache = ResultCache(max_bytes=10_000, max_entry=2000)
    assert not cache.put("v1", "big", entry(2001))
    assert cache.get("v1", "big") is None
    off = ResultCache(0)
    assert not off.enabled
    assert not off.put("v1", "a", entry(600))
    assert off.get("v1", "a") is None


def test_a_new_version_never_sees_answers_of_the_old_one() -> None:
    cache = ResultCache(max_bytes=100_000)
    cache.put("v1", "q", Cached(b"old answer", "text/plain"))
    assert cache.get("v2", "q") is None
    assert len(cache) == 0 and cache.size == 0  # the old version's entries are dropped
    cache.put("v2", "q", Cached(b"new answer", "text/plain"))
    got = cache.get("v2", "q")
    assert got is not None and got.body == b"new answer"


# ------------------------------------------------------------------ streamed JSON

def _reference_json(outcome: Outcome) -> bytes:
    """The SPARQL JSON document built whole (how results_json worked before streaming)."""
    from ccgraph.web.sparql import term_json

    if outcome.kind == "boolean":
        doc: dict[str, Any] = {"head": {}, "boolean": outcome.boolean}
    else:
        bindings = [{n: term_json(v) for n, v in zip(outcome.variables, row, strict=True)
                     if v is not None} for row in outcome.rows]
        doc = {"head": {"vars": outcome.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@pytest.mark.parametrize("rows", [0, 1, 2, 7, 1001])
@pytest.mark.parametrize("chunk", [1, 3, 500])
def test_json_chunks_join_to_the_whole_document(rows: int, chunk: int) -> None:
    lit = ox.Literal("Sapporo \"札幌\"", language="en")
    outcome = Outcome("solutions", variables=["a", "b"],
                      rows=[(ox.NamedNode(f"http://example.org/{i}"), lit if i % 2 else None)
                            for i in range(rows)])
    assert b"".join(results_json_chunks(outcome, chunk)) == _reference_json(outcome)
    boolean = Outcome("boolean", boolean=True)
    assert results_json(boolean) == _reference_json(boolean)


# ------------------------------------------------------------------ through the app

def _app(build: Path, **overrides: Any) -> Flask:
    return create_app(Settings.load({"store": build, **overrides}, environ={}))


def _ask(client: FlaskClient, query: str) -> Any:
    return client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})


def _count(store: ox.Store) -> int:
    solutions = store.query(COUNT)
    assert isinstance(solutions, ox.QuerySolutions)
    value = next(iter(solutions))["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def test_repeated_queries_are_answered_from_the_cache(seed_build: Path) -> None:
    app = _app(seed_build)
    ext = app.extensions["ccgraph"]
    client = app.test_client()
    first, second = _ask(client, COUNT), _ask(client, COUNT)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Content-Type"] == second.headers["Content-Type"]
    assert ext.results.stats.hits == 1
    # another format is another answer
    csv = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert ext.results.stats.hits == 1


def test_no_cache_when_turned_off(seed_build: Path) -> None:
    app = _app(seed_build, result_cache_mb=0)
    client = app.test_client()
    assert _ask(client, COUNT).data == _ask(client, COUNT).data
    assert app.extensions["ccgraph"].results.stats.hits == 0


def test_new_data_never_gets_a_cached_answer(seed_build: Path, bare_build: Path) -> None:
    """Swap the served build (a new version) under a warm cache: answers follow the data."""
    app = _app(seed_build)
    ext = app.extensions["ccgraph"]
    client = app.test_client()
    doc = "/doc/city/jp/sapporo.nt"
    old_count = json.loads(_ask(client, COUNT).data)["results"]["bindings"][0]["n"]["value"]
    old_doc = client.get(doc)
    assert int(old_count) == _count(ext.store)
    _ask(client, COUNT)
    client.get(doc)
    assert ext.results.stats.hits == 2  # both are warm

    new = open_build(bare_build)
    assert new.meta.version != ext.meta.version
    ext.build = new
    fresh = _ask(client, COUNT)
    assert fresh.headers["ETag"] != old_doc.headers["ETag"]
    assert int(json.loads(fresh.data)["results"]["bindings"][0]["n"]["value"]) == _count(
        new.store) != int(old_count)
    fresh_doc = client.get(doc)
    assert fresh_doc.status_code == 200
    want = describe(new.store, str(SAPPORO)).all_triples()
    got = set(ox.parse(fresh_doc.data, format=ox.RdfFormat.N_TRIPLES))
    assert {q.triple for q in got} == want
    assert fresh_doc.data != old_doc.data


def test_large_results_are_streamed_and_complete(seed_build: Path) -> None:
    app = _app(seed_build)
    client = app.test_client()
    limit = STREAM_ROWS + 500
    query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} ORDER BY ?s ?p ?o LIMIT {limit}"
    resp = _ask(client, query)
    assert resp.status_code == 200
    assert resp.is_streamed
    assert "ETag" in resp.headers
    store = app.extensions["ccgraph"].store
    whole = execute(store, query, {}, 10_000, time.monotonic() + 60)
    assert len(whole.rows) == limit
    assert resp.data == results_json(whole)
    assert app.extensions["ccgraph"].results.get(app.extensions["ccgraph"].meta.version,
                                                 ("sparql", query, "json", (), ())) is None
