"""A release directory as ``--store`` (release_serving.py): the release that ``ccgraph
publish --to`` loaded, served over the engine it was loaded into and over its own store,
with ETags keyed by the release (not by the build it came from)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from ccgraph import iris
from ccgraph.engines import publish_to
from ccgraph.release import Release, make_release
from tests.support.engines import Engine, oxigraph_server
from tests.support.servers import gunicorn_server, werkzeug_server

SAPPORO_DOC = "/doc/city/jp/sapporo"
TTL = {"Accept": "text/turtle"}
COUNT_MEMBERS = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <" + str(iris.graph("members"))
                 + "> { ?s ?p ?o } }")


@dataclass
class Served:
    release: Release
    build: str  # the build the release was made from
    own: str  # the release over its own store
    backed: str  # the release over the engine it was published to
    engine: Engine


@pytest.fixture(scope="module")
def served(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("release-store") / "build"
    shutil.copytree(seed_build, root, symlinks=True)
    release = make_release(root, "2026.12")
    with oxigraph_server() as engine:
        published = publish_to(release.path, engine.root, "oxigraph")
        assert published.source.kind == "release"
        assert published.verification.ok, published.verification.summary()
        with werkzeug_server(root) as build, werkzeug_server(release.path) as own, \
                werkzeug_server(release.path, backend=engine.url) as backed:
            yield Served(release, build, own, backed, engine)


def turtle(url: str, path: str) -> tuple[Graph, str]:
    resp = requests.get(url + path, headers=TTL, timeout=60)
    assert resp.status_code == 200, resp.text
    return Graph().parse(data=resp.text, format="turtle"), resp.headers["ETag"]


def test_the_release_is_served_over_the_engine_as_over_its_own_store(served: Served) -> None:
    own, own_tag = turtle(served.own, SAPPORO_DOC)
    backed, backed_tag = turtle(served.backed, SAPPORO_DOC)
    assert len(own) > 20
    assert isomorphic(own, backed)
    assert own_tag == backed_tag
    counts = [requests.get(url + "/sparql", params={"query": COUNT_MEMBERS}, timeout=60,
                           headers={"Accept": "application/sparql-results+json"})
              for url in (served.own, served.backed)]
    assert [c.status_code for c in counts] == [200, 200]
    numbers = [int(c.json()["results"]["bindings"][0]["n"]["value"]) for c in counts]
    assert numbers[0] == numbers[1] == served.release.graphs[str(iris.graph("members"))]


@pytest.mark.parametrize(("path", "accept"), [
    (SAPPORO_DOC, "text/turtle"),
    ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json")])
def test_etags_are_keyed_by_the_release(served: Served, path: str, accept: str) -> None:
    tags = [requests.get(url + path, headers={"Accept": accept}, timeout=60).headers["ETag"]
            for url in (served.build, served.backed)]
    assert served.release.version[:20] in tags[1]
    assert tags[0] != tags[1]  # the build's data is the same, its version is not the release's
    again = requests.get(served.backed + path, timeout=60,
                         headers={"Accept": accept, "If-None-Match": tags[1]})
    assert again.status_code == 304


def test_the_dumps_are_the_release_files(served: Served) -> None:
    for name in ("ccgraph.nq.gz", "ccgraph.ttl"):
        resp = requests.get(f"{served.backed}/dumps/{name}", timeout=60)
        assert resp.status_code == 200, name
        assert resp.content == (served.release.path / name).read_bytes()


def test_a_release_is_never_written(served: Served) -> None:
    with pytest.raises(ValueError, match="release never changes"), \
            werkzeug_server(served.release.path, update_token="x" * 32):
        pass


def test_ccgraph_serve_takes_a_release_as_store(served: Served, tmp_path: Path) -> None:
    """gunicorn (``ccgraph serve``) builds nothing when ``--store`` is a release."""
    before = sorted(p.name for p in served.release.path.iterdir())
    with gunicorn_server(served.release.path, tmp_path / "serve.log",
                         backend=served.engine.url, workers="1") as running:
        graph, tag = turtle(running["url"], SAPPORO_DOC)
        assert isomorphic(graph, turtle(served.own, SAPPORO_DOC)[0])
        assert served.release.version[:20] in tag
    assert sorted(p.name for p in served.release.path.iterdir()) == before
