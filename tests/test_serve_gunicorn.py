"""The production server: ``ccgraph.serve.serve`` (gunicorn, gthread workers) on a loopback
port, queried with SPARQLWrapper and requests; a burst with a runaway query in it."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from ccgraph import iris
from ccgraph.serve import gunicorn_options
from ccgraph.settings import Settings
from tests.support.servers import gunicorn_server

pytestmark = pytest.mark.slow  # gunicorn

SAPPORO = str(iris.city("jp", "Sapporo"))
#: a cross product that blocks inside pyoxigraph (an aggregate) for far longer than 1 s
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = f"SELECT ?label WHERE {{ <{SAPPORO}> <{RDFS.label}> ?label }}"


@pytest.fixture(scope="module")
def build_dir(seed_build: Path) -> Path:
    """A real build of the seed profile (tests/conftest.py)."""
    return seed_build


@pytest.fixture(scope="module")
def server(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    with gunicorn_server(build_dir, log, workers="2", query_timeout="1") as running:
        yield running


def test_options_follow_settings() -> None:
    opts = gunicorn_options(Settings.load({"host": "127.0.0.1", "port": 8099, "workers": 3},
                                          environ={}))
    assert opts["bind"] == "127.0.0.1:8099"
    assert opts["workers"] == 3
    assert opts["worker_class"] == "gthread"
    assert opts["threads"] > 1
    assert opts["preload_app"] is False  # each worker opens the store after the fork


def test_gunicorn_answers_sparqlwrapper(server: dict[str, Any]) -> None:
    sw = SPARQLWrapper(server["url"] + "/sparql")
    sw.setQuery(QUICK)
    sw.setReturnFormat(JSON)
    labels = {b["label"]["value"] for b in sw.query().convert()["results"]["bindings"]}
    assert "Sapporo" in labels
    sw.setMethod(POST)
    sw.setQuery(f"CONSTRUCT {{ <{SAPPORO}> ?p ?o }} WHERE {{ <{SAPPORO}> ?p ?o }}")
    sw.setReturnFormat(TURTLE)
    g = Graph()
    g.parse(data=sw.query().convert(), format="turtle")
    assert (URIRef(SAPPORO), RDFS.label, None) in g
    page = requests.get(server["url"] + "/id/city/jp/sapporo", timeout=10,
                        headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Sapporo" in page.text


def test_a_runaway_query_does_not_stop_a_burst(server: dict[str, Any]) -> None:
    url = server["url"]
    slow: dict[str, Any] = {}

    def runaway() -> None:
        slow["resp"] = requests.get(url + "/sparql", params={"query": RUNAWAY}, timeout=60,
                                    headers={"Accept": "application/sparql-results+json"})
        slow["done"] = time.monotonic()

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.1)

    def quick(_: int) -> tuple[int, float]:
        resp = requests.get(url + "/sparql", params={"query": QUICK}, timeout=30,
                            headers={"Accept": "application/sparql-results+json"})
        return resp.status_code, time.monotonic()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(quick, range(40)))
    thread.join()
    assert [status for status, _ in answers] == [200] * 40
    assert slow["resp"].status_code == 503
    assert "query timed out after 1 s" in slow["resp"].text
    assert max(done for _, done in answers) < slow["done"]


def test_a_stuck_worker_is_recycled_and_service_goes_on(server: dict[str, Any]) -> None:
    url = server["url"]
    log: Path = server["log"]
    recycled = log.read_text(errors="replace").count("recycling worker")
    boots = log.read_text(errors="replace").count("Booting worker")
    resp = requests.get(url + "/sparql", params={"query": RUNAWAY + " # again"}, timeout=60)
    assert resp.status_code == 503
    deadline = time.monotonic() + 30
    while log.read_text(errors="replace").count("recycling worker") <= recycled:
        assert time.monotonic() < deadline, "the stuck worker was not recycled"
        time.sleep(0.25)
    # the master replaces it; every request keeps being answered meanwhile
    for _ in range(20):
        assert requests.get(url + "/healthz", timeout=10).json()["ok"] is True
    while log.read_text(errors="replace").count("Booting worker") <= boots:
        assert time.monotonic() < deadline, "no replacement worker was started"
        time.sleep(0.25)


def test_serve_builds_first_when_there_is_no_build(tmp_path: Path, seed_profile: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(seed_profile, sources / seed_profile.name)
    store = tmp_path / "build"
    log = tmp_path / "server.log"
    with gunicorn_server(store, log, sources=str(sources), workers="1") as running:
        assert (store / "build.json").is_file()
        resp = requests.get(running["url"] + "/doc/city/jp/sapporo", timeout=10,
                            headers={"Accept": "text/turtle"})
        assert resp.status_code == 200
        assert (URIRef(SAPPORO), RDFS.label, None) in Graph().parse(data=resp.text,
                                                                    format="turtle")
    text = log.read_text(errors="replace")
    assert "building it first" in text
    assert "SIGSEGV" not in text  # the master never opened the store before forking
