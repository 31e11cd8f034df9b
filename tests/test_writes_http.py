"""SPARQL Update on /sparql over real HTTP: every status code of the write path, SHACL
refusals that leave the data byte-identical, and reads that follow a commit."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from rdflib import Graph, URIRef

from ccgraph.namespaces import SH
from tests.support.servers import werkzeug_server
from tests.support.writehelp import (
    AUTH,
    BAD_EMAIL,
    BASE,
    CURATED,
    RDFS_COMMENT,
    SAPPORO,
    TOKEN,
    VOID,
    check_consistent,
    comment_insert,
    copy_build,
    snapshot,
)

UPDATE_TYPE = {"Content-Type": "application/sparql-update"}
DCAT_DOWNLOAD = URIRef("http://www.w3.org/ns/dcat#downloadURL")
ASK_COMMENT = f'ASK {{ <{SAPPORO}> <{RDFS_COMMENT}> "%s"@en }}'


@pytest.fixture(scope="module")
def build(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_build(seed_build, tmp_path_factory.mktemp("writes") / "build")


@pytest.fixture(scope="module")
def url(build: Path) -> Iterator[str]:
    with werkzeug_server(build, update_token=TOKEN, result_cap=2000) as root:
        yield root


def post_update(url: str, update: str, headers: dict[str, str] | None = None,
                form: bool = False, **kwargs: Any) -> requests.Response:
    if form:
        return requests.post(url + "/sparql", data={"update": update, **kwargs},
                             headers=headers or {}, timeout=120)
    return requests.post(url + "/sparql", data=update.encode("utf-8"), params=kwargs,
                         headers={**UPDATE_TYPE, **(headers or {})}, timeout=120)


def ask(url: str, query: str) -> bool:
    resp = requests.get(url + "/sparql", params={"query": query}, timeout=30,
                        headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.text
    return bool(resp.json()["boolean"])


# ------------------------------------------------------------------ off, 401, 403

def test_writes_are_off_without_a_token(seed_build: Path) -> None:
    with werkzeug_server(seed_build) as off:
        for form in (True, False):
            resp = post_update(off, "CLEAR ALL", AUTH, form=form)
            assert resp.status_code == 403
            assert "Update is turned off" in resp.text
        put = requests.put(off + "/graph-store", params={"graph": CURATED}, data=b"",
                           headers={"Content-Type": "text/turtle", **AUTH}, timeout=30)
        assert put.status_code == 405
        assert put.headers["Allow"].startswith("GET, HEAD")
        assert "read-only" in put.text
        assert requests.get(off + "/graph-store", params={"graph": CURATED},
                            timeout=30).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"},
                                     {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": TOKEN}])
def test_no_token_is_401(url: str, headers: dict[str, str]) -> None:
    resp = post_update(url, comment_insert("x"), headers)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    gsp = requests.delete(url + "/graph-store", params={"graph": CURATED}, headers=headers,
                          timeout=30)
    assert gsp.status_code == 401


@pytest.mark.parametrize("token", [TOKEN[:-1], TOKEN + "x", "x" * len(TOKEN), "é" * 3])
def test_a_wrong_token_is_403(url: str, build: Path, token: str) -> None:
    before = snapshot(build)
    headers = {"Authorization": f"Bearer {token}".encode().decode("latin-1")}
    resp = post_update(url, comment_insert("never"), headers, form=True)
    assert resp.status_code == 403
    assert "token is not valid" in resp.text
    assert snapshot(build) == before


# ------------------------------------------------------------------ a commit

@pytest.mark.slow
def test_a_commit_is_seen_by_reads_with_a_new_etag(url: str, build: Path) -> None:
    query = {"query": f"SELECT ?c WHERE {{ <{SAPPORO}> <{RDFS_COMMENT}> ?c }}"}
    first = requests.get(url + "/sparql", params=query, timeout=30,
                         headers={"Accept": "application/sparql-results+json"})
    doc = requests.get(url + "/doc/city/jp/sapporo.nt", timeout=30)
    void = requests.get(url + "/.well-known/void.nt", timeout=30)
    assert not ask(url, ASK_COMMENT % "first write")

    resp = post_update(url, comment_insert("first write"), AUTH)
    assert resp.status_code == 200, resp.text
    assert "1 quad(s) inserted" in resp.text
    version = resp.headers["X-Ccgraph-Version"]

    assert ask(url, ASK_COMMENT % "first write")
    assert ask(url, f'ASK {{ GRAPH <{CURATED}> {{ <{SAPPORO}> <{RDFS_COMMENT}> '
                    '"first write"@en } }')
    again = requests.get(url + "/sparql", params=query, timeout=30,
                         headers={"Accept": "application/sparql-results+json",
                                  "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    new_doc = requests.get(url + "/doc/city/jp/sapporo.nt", timeout=30)
    assert new_doc.headers["ETag"] != doc.headers["ETag"]
    assert b"first write" in new_doc.content
    assert requests.get(url + "/healthz", timeout=30).json()["version"] == version
    # dumps and VoID are those of the new version
    nq = gzip.decompress(requests.get(url + "/dumps/ccgraph.nq.gz", timeout=30).content)
    assert b'"first write"@en <' + CURATED.encode() in nq
    new_void = requests.get(url + "/.well-known/void.nt", timeout=30)
    assert new_void.content != void.content
    check_consistent(build)


def test_a_commit_keeps_every_dump_the_void_advertises(url: str, build: Path) -> None:
    """A write makes a whole version, as a build does: the same dump files (the framed
    cities too), and every distribution VoID names can be downloaded."""
    def listed() -> set[str]:
        resp = requests.get(url + "/dumps/", headers={"Accept": "application/json"},
                            timeout=30)
        assert resp.status_code == 200, resp.text
        return {d["name"] for d in resp.json()["dumps"]}

    before = listed()
    assert {"cities.jsonl.gz", "cities.geojson"} <= before
    resp = post_update(url, comment_insert("dumps stay whole"), AUTH)
    assert resp.status_code == 200, resp.text
    assert listed() == before
    void = Graph().parse(data=requests.get(url + "/.well-known/void.nt", timeout=30).text,
                         format="nt")
    downloads = {str(o) for o in void.objects(None, DCAT_DOWNLOAD)}
    assert {f"{BASE}dumps/{name}" for name in before} <= downloads
    for name in sorted(before):
        got = requests.get(f"{url}/dumps/{name}", timeout=60)
        assert got.status_code == 200, (name, got.status_code)
    geo = json.loads(requests.get(url + "/dumps/cities.geojson", timeout=60).content)
    assert geo["type"] == "FeatureCollection" and geo["features"]
    check_consistent(build)


def test_an_unchanged_write_commits_nothing(url: str) -> None:
    before = requests.get(url + "/healthz", timeout=30).json()["version"]
    resp = post_update(url, f"DELETE DATA {{ <{SAPPORO}> <{RDFS_COMMENT}> \"absent\"@en }}",
                       AUTH)
    assert resp.status_code == 200 and resp.text.startswith("no change")
    assert requests.get(url + "/healthz", timeout=30).json()["version"] == before


# ------------------------------------------------------------------ 422

@pytest.mark.slow
def test_a_violation_is_422_with_the_report_and_the_data_stays(url: str, build: Path) -> None:
    before = snapshot(build)
    dump = requests.get(url + "/dumps/ccgraph.nq.gz", timeout=30).content
    resp = post_update(url, BAD_EMAIL, AUTH)
    assert resp.status_code == 422
    assert "DOES NOT CONFORM" in resp.text and "email" in resp.text
    turtle = post_update(url, BAD_EMAIL, {**AUTH, "Accept": "text/turtle"}, form=True)
    assert turtle.status_code == 422
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    report = Graph().parse(data=turtle.text, format="turtle")
    assert [c.toPython() for c in report.objects(None, SH.conforms)] == [False]
    # byte-identical: the dump, build.json, the current version
    assert requests.get(url + "/dumps/ccgraph.nq.gz", timeout=30).content == dump
    assert snapshot(build) == before
    assert not ask(url, 'ASK { ?s ?p "not an e-mail" }')


# ------------------------------------------------------------------ 400, 413, 403

@pytest.mark.parametrize("update,needle", [
    ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD is not allowed"),
    ("load <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:g>", "LOAD is not allowed"),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
     "SERVICE is not allowed"),
    ("SELECT * WHERE { ?s ?p ?o }", "not an update"),
    ("INSERT DATA { <urn:a> <urn:b> }", "malformed update"),
    ("INSERT DATA { " + "{" * 100 + " }", "nests brackets"),
    ("INSERT DATA { <urn:a> <urn:b> 'open }", "not closed"),
    ("   ", "empty update"),
])
def test_bad_updates_are_400(url: str, update: str, needle: str) -> None:
    resp = post_update(url, update, AUTH)
    assert resp.status_code == 400, resp.text
    assert needle in resp.text


def test_other_400s(url: str) -> None:
    resp = requests.post(url + "/sparql", data=b"\xff\xfe INSERT", timeout=30,
                         headers={**UPDATE_TYPE, **AUTH})
    assert resp.status_code == 400 and "UTF-8" in resp.text
    two = requests.post(url + "/sparql", data=[("update", comment_insert("a")),
                                               ("update", comment_insert("b"))],
                        headers=AUTH, timeout=30)
    assert two.status_code == 400 and "2 updates" in two.text
    both = requests.post(url + "/sparql", data={"update": comment_insert("a"),
                                                "query": "ASK {}"}, headers=AUTH, timeout=30)
    assert both.status_code == 400
    using = post_update(url, comment_insert("a"), AUTH, form=True,
                        **{"using-graph-uri": CURATED})
    assert using.status_code == 400 and "using-graph-uri" in using.text


def test_limits_are_413(url: str, build: Path, seed_build: Path) -> None:
    long = comment_insert("x" * 100_001)
    resp = post_update(url, long, AUTH)
    assert resp.status_code == 413 and "too long" in resp.text
    many = post_update(url, "DELETE WHERE { ?s ?p ?o }", AUTH)  # result_cap 2000 here
    assert many.status_code == 413 and "at most 2000" in many.text
    with werkzeug_server(seed_build, update_token=TOKEN, max_body_bytes=1000) as small:
        big = post_update(small, comment_insert("y" * 2000), AUTH)
        assert big.status_code == 413


def test_the_void_graph_is_403(url: str) -> None:
    resp = post_update(url, f'INSERT DATA {{ GRAPH <{VOID}> {{ <urn:a> <urn:b> "c" }} }}',
                       AUTH)
    assert resp.status_code == 403 and "generated" in resp.text


@pytest.mark.parametrize("update,needle", [
    ("DROP ALL", "ontology"),
    (f"DROP GRAPH <{BASE}graph/vocab>", "vocab"),
    ("DELETE WHERE { ?city a <https://w3id.org/ccgraph/ontology#CreativeCity> }",
     "every member city"),
])
def test_wiping_the_dataset_is_refused(seed_build: Path, tmp_path: Path, update: str,
                                      needle: str) -> None:
    # a cap large enough for the whole dataset, so that only the wiping guard can refuse
    build = copy_build(seed_build, tmp_path / "b")
    before = snapshot(build)
    with werkzeug_server(build, update_token=TOKEN, result_cap=1_000_000) as root:
        resp = post_update(root, update, AUTH)
    assert resp.status_code == 403 and needle in resp.text, resp.text
    assert snapshot(build) == before


@pytest.mark.slow
def test_a_slow_update_is_503_and_the_next_write_works(seed_build: Path,
                                                      tmp_path: Path) -> None:
    build = copy_build(seed_build, tmp_path / "b")
    slow = ("INSERT { <urn:a> <urn:n> ?n } WHERE { SELECT (COUNT(*) AS ?n) "
            "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } }")
    with werkzeug_server(build, update_token=TOKEN, query_timeout=1) as root:
        resp = post_update(root, slow, AUTH)
        assert resp.status_code == 503 and "timed out after 1 s" in resp.text
        assert resp.headers["Retry-After"]
        ok = post_update(root, comment_insert("after a timeout"), AUTH)
        assert ok.status_code == 200, ok.text
        assert ask(root, ASK_COMMENT % "after a timeout")


@pytest.mark.slow
def test_sparqlwrapper_can_update(url: str) -> None:
    from SPARQLWrapper import POST, SPARQLWrapper

    sw = SPARQLWrapper(url + "/sparql", updateEndpoint=url + "/sparql")
    sw.setMethod(POST)
    sw.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    sw.setQuery(comment_insert("from SPARQLWrapper"))
    result = sw.query()
    assert result.response.status == 200
    assert ask(url, ASK_COMMENT % "from SPARQLWrapper")
