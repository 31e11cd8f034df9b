"""Links to GeoNames and Wikidata on the whole-network build, through the real server:
every member city resolves with its GeoNames link and coordinates (the values of
data/places.csv, themselves checked against GeoNames in test_places.py), countries carry
their codes and links, and the VoID linksets count what SPARQL counts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSON, SPARQLWrapper

from ccgraph import iris, shipped
from ccgraph.links import read_countries
from ccgraph.linksets import TARGETS, count_query, linkset_iri
from ccgraph.namespaces import CCG, GEO, OWL, RDF, SCHEMA, SD, VOID, XSD
from ccgraph.places import read_places
from tests.support.servers import werkzeug_server

pytestmark = pytest.mark.slow  # the whole-network build

DATA = shipped.data()


@pytest.fixture(scope="module")
def url(network_build: Path) -> Iterator[str]:
    with werkzeug_server(network_build) as base:
        yield base


def select(url: str, query: str) -> list[dict[str, Any]]:
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(JSON)
    doc: Any = sw.query().convert()
    return [{k: v["value"] for k, v in row.items()} for row in doc["results"]["bindings"]]


def turtle(url: str, path: str) -> Graph:
    resp = requests.get(url + path, headers={"Accept": "text/turtle"}, timeout=60)
    assert resp.status_code == 200, resp.text[:300]
    return Graph().parse(data=resp.content, format="turtle")


def test_the_build_reports_no_link_problems(network_build: Path) -> None:
    quality = json.loads((network_build / "reports" / "quality.json").read_text("utf-8"))
    assert quality["member_cities"] == 405
    assert quality["link_warnings"] == []


def test_every_member_city_has_one_geonames_link_and_its_coordinates(url: str) -> None:
    rows = select(url, """PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
        SELECT ?city (COUNT(DISTINCT ?gn) AS ?n) (SAMPLE(?lat) AS ?la) (SAMPLE(?long) AS ?lo)
        WHERE { ?city a ccg:CreativeCity
          OPTIONAL { ?city owl:sameAs ?gn FILTER(STRSTARTS(STR(?gn), "https://sws.geonames.org/")) }
          OPTIONAL { ?city geo:lat ?lat ; geo:long ?long } } GROUP BY ?city""")
    places = {str(iris.city(p.country_code, p.city)): p for p in read_places(DATA / "places.csv")}
    assert len(rows) == 405
    for row in rows:
        place = places[row["city"]]
        assert row["n"] == "1", row["city"]
        assert Decimal(row["la"]) == Decimal(f"{place.latitude:.5f}")
        assert Decimal(row["lo"]) == Decimal(f"{place.longitude:.5f}")


def test_a_city_resolves_with_its_links(url: str) -> None:
    place = next(p for p in read_places(DATA / "places.csv") if p.city == "Sapporo")
    city = iris.city("jp", "Sapporo")
    g = turtle(url, "/id/city/jp/sapporo")
    feature = URIRef(f"https://sws.geonames.org/{place.geonames_id}/")
    assert (city, OWL.sameAs, feature) in g
    assert (city, SCHEMA.sameAs, feature) in g
    assert (city, GEO.lat, Literal(Decimal(f"{place.latitude:.5f}"), datatype=XSD.decimal)) in g
    point = g.value(city, SCHEMA.geo)
    assert point is not None and (point, RDF.type, SCHEMA.GeoCoordinates) in g
    assert (city, CCG.population, Literal(place.population, datatype=XSD.integer)) in g
    assert (city, CCG.populationSource, feature) in g
    # no guessed Wikidata id for a city
    assert not [o for o in g.objects(city, OWL.sameAs) if "wikidata" in str(o)]


def test_countries_carry_codes_and_links(url: str) -> None:
    facts = {c.code: c for c in read_countries(DATA / "countries.csv")}
    japan = facts["JP"]
    g = turtle(url, "/id/country/jp")
    country = iris.country("jp")
    assert (country, CCG.isoAlpha3, Literal(japan.alpha3)) in g
    assert (country, CCG.isoNumeric, Literal(japan.numeric)) in g
    assert (country, CCG.continent, Literal(japan.continent, lang="en")) in g
    assert (country, OWL.sameAs, iris.wikidata(japan.wikidata)) in g
    assert (country, OWL.sameAs, iris.geonames(japan.geonames_id)) in g
    rows = select(url, """PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c ccg:isoAlpha3 ?a ; ccg:continent ?k }""")
    assert int(rows[0]["n"]) == len(facts) == 109


def test_the_links_graph_credits_geonames(url: str) -> None:
    name = iris.graph("links")
    rows = select(url, f"""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?d ?src ?lic WHERE {{ GRAPH <{name}> {{ <{name}> dcterms:description ?d ;
          dcterms:source ?src . ?src dcterms:license ?lic }} }}""")
    assert rows and "GeoNames" in rows[0]["d"] and "CC BY 4.0" in rows[0]["d"]
    assert rows[0]["src"] == "https://www.geonames.org/"
    assert rows[0]["lic"] == "https://creativecommons.org/licenses/by/4.0/"


def test_void_linksets_count_what_sparql_counts(url: str) -> None:
    void = turtle(url, "/.well-known/void")
    ds = URIRef(str(iris.dataset()))
    counts = {}
    for target in TARGETS:
        ls = linkset_iri(ds, target)
        assert (ls, RDF.type, VOID.Linkset) in void
        # a subset of graph/links' subset (the dataset's subsets are its named graphs)
        (parent,) = void.subjects(VOID.subset, ls)
        assert void.value(parent, SD.name) == iris.graph("links")
        assert (ds, VOID.subset, parent) in void
        assert (ls, VOID.target, target.dataset) in void
        assert (ls, VOID.objectsTarget, target.dataset) in void
        assert (ls, VOID.linkPredicate, OWL.sameAs) in void
        stated = int(void.value(ls, VOID.triples))  # type: ignore[arg-type]
        assert stated == int(select(url, count_query(target))[0]["n"])
        # the same count written out by hand, as a harvester would
        counted = select(url, "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT (COUNT(*) AS ?n)"
                              " WHERE { SELECT DISTINCT ?s ?o WHERE { ?s owl:sameAs ?o "
                              f'FILTER(STRSTARTS(STR(?o), "{target.uri_space}")) }} }}')
        assert stated == int(counted[0]["n"])
        counts[target.slug] = stated
    # cities and countries to GeoNames; countries to Wikidata (no city id verified yet)
    places = read_places(DATA / "places.csv")
    assert counts["geonames"] == len(places) + 109 >= 50
    assert counts["wikidata"] == 109 + sum(1 for p in places if p.wikidata)


def test_the_home_page_shows_the_link_counts(url: str) -> None:
    void = turtle(url, "/.well-known/void")
    ds = URIRef(str(iris.dataset()))
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ",
                                               requests.get(url + "/", timeout=60).text)))
    for target in TARGETS:
        n = int(void.value(linkset_iri(ds, target), VOID.triples))  # type: ignore[arg-type]
        assert f"{n} links to {target.title}" in text
