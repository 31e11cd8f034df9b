"""Serving over an engine at any size (issue 14): ``/healthz`` costs at most one engine
query and answers 503 in time when the engine does not answer; the query deadline goes to
the engine, which stops the query (Virtuoso), and an answer the engine cut short at its
deadline is a 503, never passed off as complete (ccgraph.remote_deadline).

Real engines: the session's Oxigraph server and Virtuoso (tests/support/backends.py) with
the seed build published, and private ones for the tests that stop an engine or start it
with a deadline of its own."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ccgraph import iris
from ccgraph.engines import publish_to
from ccgraph.engines.union import union_graph
from ccgraph.namespaces import PREFIXES
from ccgraph.remote_dataset import RemoteDataset
from ccgraph.remote_deadline import VIRTUOSO_MAX_INLINED, inlined_terms
from ccgraph.remote_store import EngineTimeout, RemoteStore
from ccgraph.web.engine_queries import HEADER
from tests.support.backends import BACKENDS, STARTERS, VIRTUOSO_DBA, Engines, serving
from tests.support.engines import Engine, oxigraph_server

ROOT = Path(__file__).resolve().parents[1]
BASE = iris.DEFAULT_BASE
JSON_ROWS = {"Accept": "application/sparql-results+json"}
SIMPLE = "SELECT ?s WHERE { ?s a ccg:CreativeCity } LIMIT 1"
#: a join of the dataset with itself three times (~2 * 10^12 rows), counted: no engine
#: ends it in this session
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: the dataset with itself (~10^8 rows), counted: seconds on every backend
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
#: every pair of triples, filtered down to none: minutes of work that yield no row
NOTHING_IN_PAIRS = ('SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f '
                    'FILTER(STR(?c) = CONCAT(STR(?f), "?")) }')
NEAREST = (ROOT / "queries" / "23-nearest-to-sapporo.rq").read_text(encoding="utf-8")


def build_meta(build: Path) -> dict[str, object]:
    found: dict[str, object] = json.loads((build / "build.json").read_text(encoding="utf-8"))
    return found


def engine_cpu_seconds(engine: Engine) -> float:
    """CPU time the engine's process has used so far (/proc)."""
    fields = Path(f"/proc/{engine.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sparql(url: str, query: str, timeout: float = 60) -> requests.Response:
    return requests.get(url + "/sparql", params={"query": query}, headers=JSON_ROWS,
                        timeout=timeout)


# ------------------------------------------------------------------ /healthz

@pytest.mark.parametrize("backend", BACKENDS)
def test_healthz_costs_one_ask_and_takes_the_quads_from_the_metadata(
        backend: str, seed_build: Path, engines: Engines) -> None:
    meta = build_meta(seed_build)
    with serving(backend, seed_build, engines) as url:
        for _ in range(2):  # never remembered: each check asks the store again
            resp = requests.get(url + "/healthz", timeout=30)
            assert resp.status_code == 200, resp.text
            assert resp.headers["Cache-Control"] == "no-store"
            body = resp.json()
            assert body["ok"] is True and "reason" not in body
            assert body["version"] == meta["version"]
            assert body["quads"] == meta["quads"] and body["quads_from"] == "build.json"
            assert body["store"] == ("embedded" if backend == "embedded" else "backend")
            if backend == "embedded":
                assert HEADER not in resp.headers
            else:
                assert resp.headers[HEADER] == "1"


@pytest.mark.parametrize("name", sorted(STARTERS))
def test_healthz_is_503_in_time_when_the_engine_does_not_answer(
        name: str, seed_build: Path) -> None:
    """A private engine: stopped (SIGSTOP: connections wait, nothing answers), the check
    answers 503 within its deadline; running again, 200; gone, 503 at once."""
    with STARTERS[name]() as engine:
        done = publish_to(seed_build, engine.root, name,
                          credentials=VIRTUOSO_DBA if name == "virtuoso" else None)
        assert done.verification.ok, done.verification.summary()
        with serving(name, seed_build, Engines.of(name, seed_build, engine),
                     health_timeout=1.0) as url:
            assert requests.get(url + "/healthz", timeout=30).status_code == 200
            os.killpg(engine.proc.pid, signal.SIGSTOP)
            try:
                started = time.monotonic()
                stuck = requests.get(url + "/healthz", timeout=30)
                took = time.monotonic() - started
            finally:
                os.killpg(engine.proc.pid, signal.SIGCONT)
            assert stuck.status_code == 503, stuck.text
            assert took < 5
            body = stuck.json()
            assert body["ok"] is False and "within 1 s" in body["reason"]
            assert body["quads"] == build_meta(seed_build)["quads"]
            assert stuck.headers[HEADER] == "1"
            assert requests.get(url + "/healthz", timeout=30).status_code == 200
            engine.proc.kill()
            engine.proc.wait(timeout=30)
            gone = requests.get(url + "/healthz", timeout=30)
            assert gone.status_code == 503
            assert engine.url.rsplit("/", 1)[0] in gone.json()["reason"]


# ------------------------------------------------------------------ the query deadline

@pytest.fixture(scope="module")
def virtuoso_store(seed_build: Path, engines: Engines) -> RemoteStore:
    """The session's Virtuoso asked as a backed server asks it, with a 1 s deadline."""
    engine = engines.engine("virtuoso", seed_build)
    graphs = list(build_meta(seed_build)["graphs"])  # type: ignore[call-overload]
    dataset = RemoteDataset(engine.url, union_graph(BASE), graphs, 60)
    return RemoteStore(engine.url, timeout=60, dataset=dataset, engine_timeout=1.0)


def test_virtuosos_part_of_an_answer_is_never_served_as_the_whole(
        virtuoso_store: RemoteStore, seed_build: Path, engines: Engines) -> None:
    """Virtuoso stops the query at the deadline it was given and answers what it found
    with HTTP 200 and X-SQL-State: the store raises EngineTimeout instead of rows; the
    engine stopped working (its CPU time stays put) and answers at once."""
    engine = engines.engine("virtuoso", seed_build)
    started = time.monotonic()
    with pytest.raises(EngineTimeout, match="S1TAT"):
        list(virtuoso_store.query(ENDLESS))  # type: ignore[arg-type]
    assert time.monotonic() - started < 30
    used = engine_cpu_seconds(engine)
    time.sleep(3)
    assert engine_cpu_seconds(engine) - used < 0.5  # not computing any more
    answered = time.monotonic()
    assert len(list(virtuoso_store.query(SIMPLE, prefixes=PREFIXES))) == 1  # type: ignore[arg-type]
    assert time.monotonic() - answered < 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_query_past_the_deadline_is_a_503_and_the_engine_answers_next(
        backend: str, seed_build: Path, engines: Engines) -> None:
    """A query longer than a 1 s deadline: 503 on every backend; right after, a simple
    query is answered promptly. Over Virtuoso the endless query was stopped at /sparql's
    deadline (not at the 6 s a page's query waits): its CPU time stays put after; the
    others get a query that ends by itself."""
    with serving(backend, seed_build, engines, query_timeout=1.0) as url:
        long_query = ENDLESS if backend == "virtuoso" else SLOW
        started = time.monotonic()
        resp = sparql(url, long_query)
        assert resp.status_code == 503, resp.text
        assert resp.text.startswith("query timed out after 1 s")
        assert time.monotonic() - started < 15
        time.sleep(1.5)  # Virtuoso's answer (its part, refused) came in by now
        if backend == "virtuoso":
            engine = engines.engine("virtuoso", seed_build)
            used = engine_cpu_seconds(engine)
            time.sleep(3)
            assert engine_cpu_seconds(engine) - used < 0.5  # stopped
        answered = time.monotonic()
        simple = sparql(url, SIMPLE)
        assert simple.status_code == 200, simple.text
        assert len(simple.json()["results"]["bindings"]) == 1
        assert time.monotonic() - answered < 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_gallery_query_23_ends_by_the_deadline_on_every_backend(
        backend: str, seed_build: Path, engines: Engines) -> None:
    """Query 23 (nearest to Sapporo: 13 chained BINDs): the embedded store and Oxigraph
    answer it; Virtuoso would compile it for hours (and answer nothing else meanwhile),
    so it is not sent there: a 503 at once saying why, and the engine answers next."""
    assert inlined_terms(NEAREST) > VIRTUOSO_MAX_INLINED
    with serving(backend, seed_build, engines) as url:
        started = time.monotonic()
        resp = sparql(url, NEAREST)
        if backend == "virtuoso":
            assert resp.status_code == 503, resp.text
            assert resp.text.startswith("query not run: not sent: Virtuoso would compile")
            assert "BIND" in resp.text
            assert resp.headers[HEADER] == "0"
            assert time.monotonic() - started < 2
        else:
            assert resp.status_code == 200, resp.text
            assert len(resp.json()["results"]["bindings"]) == 10
        assert sparql(url, SIMPLE, timeout=5).status_code == 200


@pytest.fixture(scope="module")
def oxigraph_with_deadline(seed_build: Path) -> Iterator[Engine]:
    """A private Oxigraph server that cancels queries after 1 s (``--timeout-s 1``)."""
    with oxigraph_server(query_timeout=1) as engine:
        done = publish_to(seed_build, engine.root, "oxigraph")
        assert done.verification.ok, done.verification.summary()
        yield engine


def test_oxigraphs_cancelled_answer_is_never_served_as_the_whole(
        oxigraph_with_deadline: Engine, seed_build: Path) -> None:
    """Oxigraph server cancels a query at its --timeout-s and ends the HTTP 200 body in the
    middle: the store raises EngineTimeout, and a server over it answers 503 (its own
    deadline being longer than the engine's)."""
    engine = oxigraph_with_deadline
    raw = requests.post(engine.url, data={"query": NOTHING_IN_PAIRS}, headers=JSON_ROWS,
                        timeout=60)
    assert raw.status_code == 200 and raw.content.rstrip().endswith(
        b"The SPARQL operation has been cancelled")  # what the engine does, measured
    store = RemoteStore(engine.url, timeout=60)
    with pytest.raises(EngineTimeout, match="cancelled"):
        store.query(NOTHING_IN_PAIRS)
    with serving("oxigraph", seed_build, Engines.of("oxigraph", seed_build, engine),
                 query_timeout=20) as url:
        started = time.monotonic()
        resp = sparql(url, NOTHING_IN_PAIRS)
        assert resp.status_code == 503, resp.text
        assert "cancelled" in resp.text
        assert time.monotonic() - started < 15
