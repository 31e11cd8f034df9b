"""schema.org data blocks in the HTML pages, read like a search engine reads them: every
page's ``<script type="application/ld+json">`` parses, expands (pyld) to schema.org terms only,
and says what the page shows; the home page's Dataset has what dataset search needs."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from ccgraph import iris
from ccgraph.namespaces import GEO
from ccgraph.namespaces import SCHEMA as SCHEMA_NS
from tests.support.servers import werkzeug_server

SCHEMA = "http://schema.org/"
BASE = iris.DEFAULT_BASE
BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
OTHER_PAGES = ["/", "/query", "/dumps/", "/releases/", "/ontology", "/.well-known/void",
               "/doc/no/such/thing"]


@pytest.fixture(scope="module")
def url(seed_build: Path) -> Iterator[str]:
    with werkzeug_server(seed_build) as root:
        yield root


def schema_loader(url: str, options: Any = None) -> dict[str, Any]:
    """schema.org's context, offline: every term is a schema.org term (its ``@vocab``)."""
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise jsonld.JsonLdError(f"offline: will not fetch {url}", "loading document failed")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": {"@context": {"@vocab": SCHEMA}}}


def blocks(html: str) -> list[Any]:
    return [json.loads(text) for text in BLOCK.findall(html)]


def schema_graph(data: Any) -> Graph:
    nquads = jsonld.to_rdf(data, {"format": "application/n-quads",
                                  "documentLoader": schema_loader})
    return Graph().parse(data=nquads, format="nt")


def page(url: str, path: str) -> str:
    resp = requests.get(url + path, headers={"Accept": "text/html"}, timeout=60)
    assert resp.headers["Content-Type"].startswith("text/html"), path
    return resp.text


def sitemap(url: str) -> list[str]:
    tree = ET.fromstring(requests.get(url + "/sitemap.xml", timeout=60).content)
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [(e.text or "")[len(url):] for e in tree.findall("sm:url/sm:loc", ns)]


@pytest.mark.slow
def test_every_page_has_one_block_of_schema_org_terms_only(url: str) -> None:
    paths = sitemap(url) + OTHER_PAGES
    assert len(paths) > 300
    for path in paths:
        found = blocks(page(url, path))
        assert len(found) == 1, path
        (data,) = found
        assert data["@context"] == "https://schema.org"
        g = schema_graph(data)
        assert len(g) > 1, path
        for _, p, o in g:
            if p == RDF.type:
                assert str(o).startswith(SCHEMA), f"{path}: {o} is not a schema.org type"
            else:
                assert str(p).startswith(SCHEMA), f"{path}: {p} is not a schema.org term"


def _described(url: str, path: str) -> dict[str, Any]:
    (data,) = blocks(page(url, path))
    value: dict[str, Any] = data
    return value


def test_the_home_page_is_a_dataset_with_what_dataset_search_needs(url: str) -> None:
    data = _described(url, "/")
    assert data["@type"] == "Dataset"
    for key in ("name", "description", "license", "creator", "url", "version", "dateModified",
                "datePublished", "spatialCoverage", "temporalCoverage", "keywords",
                "distribution"):
        assert data.get(key), key
    assert data["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert re.fullmatch(r"\d{4}/\.\.", data["temporalCoverage"])
    listing = requests.get(url + "/dumps/", headers={"Accept": "application/json"},
                           timeout=30).json()["dumps"]
    names = {d["name"] for d in data["distribution"]}
    assert {d["name"] for d in listing} <= names
    for item in data["distribution"]:
        assert item["@type"] == "DataDownload"
        assert item["contentUrl"].startswith(url + "/") and item["encodingFormat"]
        if item["contentUrl"] != url + "/sparql":
            assert requests.head(item["contentUrl"], timeout=30).status_code == 200, item
    sparql = [d for d in data["distribution"] if d["contentUrl"] == url + "/sparql"]
    assert sparql and sparql[0]["encodingFormat"] == "application/sparql-results+json"
    answer = requests.get(sparql[0]["contentUrl"], params={"query": "ASK { ?s ?p ?o }"},
                          headers={"Accept": sparql[0]["encodingFormat"]}, timeout=30)
    assert answer.json()["boolean"] is True


def test_city_facility_and_creator_pages_say_what_they_show(url: str) -> None:
    city = _described(url, "/doc/city/jp/sapporo")
    assert city["@type"] == "City" and city["name"] == "Sapporo"
    turtle = Graph().parse(data=requests.get(url + "/doc/city/jp/sapporo", timeout=30, headers={
        "Accept": "text/turtle"}).text, format="turtle")
    sapporo = URIRef(BASE + "id/city/jp/sapporo")
    lat = float(next(turtle.objects(sapporo, GEO.lat)))
    long = float(next(turtle.objects(sapporo, GEO.long)))
    assert city["geo"] == {"@type": "GeoCoordinates", "latitude": lat, "longitude": long}
    same = {str(o) for o in turtle.objects(sapporo, OWL.sameAs)}
    assert same and set(city["sameAs"]) == same | {
        str(o) for o in turtle.objects(sapporo, SCHEMA_NS.sameAs)}
    assert city["containedInPlace"]["@type"] == "Country"
    assert city["containedInPlace"]["name"] == "Japan"
    hall = _described(url, "/doc/facility/jp/sapporo/sapporo-concert-hall-kitara")
    assert hall["@type"] == "MusicVenue"
    assert hall["containedInPlace"]["name"] == "Sapporo"
    creator = _described(url, "/doc/creator/crypton-future-media")
    assert creator["@type"] == "Organization" and creator["location"]["@type"] == "City"
    field = _described(url, "/doc/field/media-arts")
    assert field["@type"] == "WebPage" and field["about"]["@id"].endswith("/field/media-arts")


def test_events_are_events_with_a_location(url: str) -> None:
    events = [p for p in sitemap(url) if p.startswith("/doc/event/")]
    assert events
    for path in events:
        data = _described(url, path)
        assert data["@type"] == "Event", path
        places = data["location"] if isinstance(data["location"], list) else [data["location"]]
        assert places and all(p["@type"] == "Place" and p.get("name") for p in places), path


def test_the_block_escapes_what_could_end_the_script() -> None:
    from ccgraph.web.schemaorg import script

    hostile = "</script><script>alert(1)</script><!-- & \u2028"
    text = str(script({"name": hostile}))
    inner = text[len('<script type="application/ld+json">'):-len("</script>")]
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert "\u2028" not in inner
    assert json.loads(inner)["name"] == hostile
