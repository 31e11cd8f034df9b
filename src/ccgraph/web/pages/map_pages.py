"""The maps of the pages (home, field, city): what to draw, read from the store.

Coordinates come from graph/links (``geo:lat``/``geo:long``, see links.py); the drawing is
``maps.py``. Each function returns the SVG and the rows of the table that is the map's text
alternative.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .. import maps
from .data import link, value

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"

#: every current membership of a city with coordinates (the home and field maps)
CURRENT = f"""SELECT DISTINCT ?city ?country ?f ?lat ?long WHERE {{
    ?m a ccg:Membership ; org:member ?city ; ccg:field ?f .
    FILTER NOT EXISTS {{ ?m ccg:yearEnded ?e }}
    ?city <{GEO}lat> ?lat ; <{GEO}long> ?long .
    OPTIONAL {{ ?city schema:containedInPlace ?country }} }}"""


#: the coordinates, GeoNames link and population of the city ``<$c>``
CITY_MAP = f"""SELECT ?lat ?long ?gn ?pop WHERE {{ <$c> <{GEO}lat> ?lat ;
    <{GEO}long> ?long .
    OPTIONAL {{ <$c> <{OWL_SAME_AS}> ?gn FILTER(STRSTARTS(STR(?gn),
        "https://sws.geonames.org/")) }}
    OPTIONAL {{ <$c> ccg:population ?pop }} }} LIMIT 1"""


def _number(term: Any) -> float:
    return float(value(term))


def named(rows: list[dict[str, Any]]) -> set[str]:
    """The cities and countries of rows of :data:`CURRENT`, whose labels the maps show."""
    return {r[k].value for r in rows for k in ("city", "country") if k in r}


def _cities(rows: list[dict[str, Any]], fields: list[dict[str, Any]], names: dict[str, str]
            ) -> list[dict[str, Any]]:
    """One entry per city: its link, country, fields (in legend order) and coordinates."""
    index = {f["iri"]: f for f in fields}
    by_city: dict[str, dict[str, Any]] = {}
    city_fields: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        city = r["city"].value
        by_city.setdefault(city, r)
        city_fields[city].add(r["f"].value)
    out = []
    for city, r in by_city.items():
        own = sorted((index[f] for f in city_fields[city] if f in index),
                     key=lambda f: f["index"])
        out.append({**link(city, names),
                    "country": link(r["country"].value, names) if "country" in r else None,
                    "fields": own, "lat": _number(r["lat"]), "long": _number(r["long"])})
    return sorted(out, key=lambda c: (c["country"]["text"] if c["country"] else "", c["text"]))


def _dot(city: dict[str, Any], colour_index: int | None = None,
         note: str | None = None) -> maps.Dot:
    fields = city["fields"]
    if note is None:
        note = ", ".join(f["text"] for f in fields)
    if colour_index is None and fields:
        colour_index = fields[0]["index"]
    return maps.Dot(city["text"], city["href"], city["lat"], city["long"], colour_index, note)


def home_map(rows: list[dict[str, Any]], fields: list[dict[str, Any]], names: dict[str, str]
             ) -> dict[str, Any]:
    """Every current member city, coloured by field (its first field in legend order), from
    the rows of :data:`CURRENT` and the labels of :func:`named`."""
    cities = _cities(rows, fields, names)
    return {
        "svg": maps.world_map(
            "world", "Member cities of the network on a world map",
            f"An equal-area world map (Equal Earth projection) with a dot for each of the "
            f"{len(cities)} member cities that have coordinates, coloured by creative field "
            "(a city in several fields takes the colour of the first in the legend). Each dot "
            "links to the city's page; the table below lists the same cities.",
            [_dot(c) for c in cities]),
        "cities": cities,
    }


def field_map(iri: str, rows: list[dict[str, Any]], fields: list[dict[str, Any]],
              names: dict[str, str]) -> dict[str, Any]:
    """The current member cities of one field, in the field's colour (rows and labels as
    for :func:`home_map`)."""
    mine = [f for f in fields if f["iri"] == iri]
    rows = [r for r in rows if r["f"].value == iri]
    cities = _cities(rows, fields, names)
    colour_index = mine[0]["index"] if mine else None
    title = mine[0]["text"] if mine else "this field"
    return {
        "svg": maps.world_map(
            "field-map", f"Member cities of {title} on a world map",
            f"An equal-area world map (Equal Earth projection) with a dot for each of the "
            f"{len(cities)} current member cities of {title} that have coordinates; each dot "
            "links to the city's page. The table of member cities gives the same cities.",
            [_dot(c, colour_index, c["country"]["text"] if c["country"] else "")
             for c in cities], radius=6),
        "cities": cities,
    }


def city_map(rows: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """A small locator map of one city, with its coordinates and GeoNames link as text,
    from the rows of :data:`CITY_MAP`."""
    if not rows:
        return None
    r = rows[0]
    lat, lon = _number(r["lat"]), _number(r["long"])
    where = (f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, "
             f"{abs(lon):.2f}° {'E' if lon >= 0 else 'W'}")
    return {
        "svg": maps.locator_map(
            "locator", f"Where {name} is", f"A small equal-area world map (Equal Earth "
            f"projection) with a ringed dot at {name}, {where}.",
            maps.Dot(name, value(r.get("gn")) or "#h-place", lat, lon, None,
                     "on GeoNames" if r.get("gn") else "")),
        "where": where, "lat": value(r["lat"]), "long": value(r["long"]),
        "geonames": value(r.get("gn")), "population": value(r.get("pop")),
    }
