"""The one request opening (web/negotiate.py) as a client meets it: werkzeug's Accept
matching with our three rules, 406, ETag and 304 on every negotiated or tagged view, the
Link header; the one table of dumps; the typed settings."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT

from ccgraph.settings import TABLE, Settings
from tests.support.backends import BACKENDS, Engines, serving

DOC = "/doc/city/jp/sapporo"
#: graph formats parsed here (JSON-LD names a remote context: tests/test_jsonld*.py read it)
TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, seed_build: Path, engines: Engines) -> Iterator[str]:
    """The seed build served over each backend (tests/support/backends.py)."""
    with serving(request.param, seed_build, engines) as found:
        yield found


def get(url: str, path: str, accept: str | None = None, **headers: str) -> requests.Response:
    sent = dict(headers)
    if accept is not None:
        sent["Accept"] = accept
    return requests.get(url + path, headers=sent, timeout=60)


def media_type(resp: requests.Response) -> str:
    return resp.headers["Content-Type"].split(";")[0].strip()


def graph_of(resp: requests.Response) -> Graph:
    return Graph().parse(data=resp.content, format=TYPES[media_type(resp)],
                         publicID=resp.url)


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/turtle"),  # no Accept: the first offer
    ("text/turtle;charset=utf-8", "text/turtle"),  # parameters are not compared
    ("application/json", "application/ld+json"),  # an alias of JSON-LD
    # the most specific range gives a type its quality: Turtle is the least wanted here
    ("text/turtle;q=0.1, */*;q=0.5", "application/ld+json"),
    ("application/n-triples;q=0.4, application/rdf+xml;q=0.8", "application/rdf+xml"),
    ("text/html, application/xhtml+xml;q=0.9, */*;q=0.8", "text/html"),
])
def test_accept_chooses_the_format(url: str, accept: str | None, expected: str) -> None:
    resp = get(url, "/ontology", accept)
    assert resp.status_code == 200
    assert media_type(resp) == expected
    if expected in TYPES:  # the same graph whatever the format
        assert isomorphic(graph_of(resp), graph_of(get(url, "/ontology.ttl")))


def test_an_alias_means_the_results_format_on_sparql(url: str) -> None:
    resp = get(url, "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "application/json")
    assert media_type(resp) == "application/sparql-results+json"
    assert resp.json()["boolean"] is True


@pytest.mark.parametrize("path", ["/ontology", DOC, "/shapes", "/dumps/", "/releases/",
                                  "/graph-store?default", "/sparql"])
def test_nothing_acceptable_is_406_naming_the_offers(url: str, path: str) -> None:
    resp = get(url, path, "image/png")
    assert resp.status_code == 406
    assert "image/png" in resp.text and "available:" in resp.text
    assert resp.headers["Access-Control-Allow-Origin"] == "*"  # the app's headers too


@pytest.mark.parametrize(("path", "accept"), [
    ("/", "text/html"), ("/ontology", "text/turtle"), ("/ontology.jsonld", None),
    (DOC, "application/ld+json"), (DOC + ".html", None), ("/shapes", "text/turtle"),
    ("/dumps/", "application/json"), ("/releases/", "text/turtle"), ("/docs/model", None),
    ("/sitemap.xml", None), ("/robots.txt", None), ("/context.jsonld", None),
    ("/frames/city.jsonld", None), ("/.well-known/void", "application/n-triples"),
    ("/graph-store?default", "application/n-triples"), ("/sparql", "text/turtle"),
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201",
     "application/sparql-results+json"),
])
def test_every_view_answers_304_for_its_own_tag(url: str, path: str,
                                                accept: str | None) -> None:
    first = get(url, path, accept)
    assert first.status_code == 200, first.text
    tag = first.headers["ETag"]
    again = get(url, path, accept, **{"If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["ETag"] == tag and not again.content
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert ("Accept" in vary(again)) == ("Accept" in vary(first))
    other = get(url, path, accept, **{"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200


def vary(resp: requests.Response) -> set[str]:
    return {v.strip() for v in resp.headers.get("Vary", "").split(",") if v.strip()}


def links(resp: requests.Response) -> dict[str, str]:
    """type -> href of the Link header's rel="alternate" entries."""
    found = re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', resp.headers["Link"])
    return {kind: href for href, kind in found}


@pytest.mark.parametrize("path", [DOC, "/ontology", "/.well-known/void"])
def test_link_names_every_other_format_and_each_answers_it(url: str, path: str) -> None:
    resp = get(url, path, "text/turtle")
    assert resp.headers["Content-Location"] == path + ".ttl"
    alternates = links(resp)
    assert set(alternates) == {"application/ld+json", "application/n-triples",
                               "application/rdf+xml", "text/html"}
    for kind, href in alternates.items():
        other = get(url, href)
        assert other.status_code == 200 and media_type(other) == kind
        assert "Content-Location" not in other.headers  # a suffix is not negotiated
        if kind in TYPES:
            assert isomorphic(graph_of(other), graph_of(resp))


def test_the_dumps_listing_voiD_and_the_files_agree(url: str) -> None:
    listing = get(url, "/dumps/", "application/json").json()["dumps"]
    names = {d["name"] for d in listing}
    assert {"ccgraph.ttl", "ccgraph.nt.gz", "ccgraph.nq.gz", "ccgraph.jsonld"} <= names
    void = graph_of(get(url, "/.well-known/void", "text/turtle"))
    downloads = {str(o) for o in void.objects(None, DCAT.downloadURL)}
    for dump in listing:
        resp = requests.get(url + dump["href"], timeout=60)
        assert resp.status_code == 200
        assert media_type(resp) == dump["mediaType"]
        assert int(resp.headers["Content-Length"]) == dump["bytes"]
        assert any(d.endswith("/dumps/" + dump["name"]) for d in downloads), dump["name"]
    page = get(url, "/", "text/html").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None
    offered = {d["name"] for d in json.loads(block.group(1))["distribution"]}
    assert names <= offered


def test_settings_are_typed_from_the_one_table() -> None:
    hints = typing.get_type_hints(Settings)
    assert list(hints) == [s.name for s in TABLE]
    assert all(hints[s.name] is s.type for s in TABLE)
    loaded = Settings.load({"store": "somewhere"}, environ={
        "CCGRAPH_PORT": "9123", "CCGRAPH_QUERY_TIMEOUT": "2.5", "CCGRAPH_RESULT_CAP": "7"})
    assert loaded.port == 9123 and loaded.query_timeout == 2.5 and loaded.result_cap == 7
    assert loaded.store == Path("somewhere")
    assert loaded.workers == {s.name: s.default for s in TABLE}["workers"]
    changed = loaded.replace(port="8000")
    assert changed.port == 8000 and loaded.port == 9123
    with pytest.raises(ValueError, match="CCGRAPH_WORKERS"):
        Settings.load(environ={"CCGRAPH_WORKERS": "many"})
    with pytest.raises(ValueError, match="unknown settings: colour"):
        Settings.load({"colour": "blue"}, environ={})
    with pytest.raises(ValueError, match="unknown settings: colour"):
        loaded.replace(colour="blue")
