"""The researcher query gallery (queries/*.rq), each run against the whole-network build.

Each query's header says what it answers and the shape of its answer:
``# expects: columns=a,b; min_rows=N; max_rows=N; contains=text``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ccgraph import shipped
from ccgraph.gallery import Example, load_gallery
from ccgraph.places import read_places
from ccgraph.store import Build, open_build

GALLERY = load_gallery(shipped.queries())


@pytest.fixture(scope="module")
def network(network_build: Path) -> Build:
    return open_build(network_build)


def test_gallery_has_fifteen_documented_queries() -> None:
    assert len(GALLERY) >= 15
    for example in GALLERY:
        assert example.title and example.description, example.path.name
        assert example.expects.get("columns"), example.path.name


@pytest.mark.parametrize("example", GALLERY, ids=[e.path.stem for e in GALLERY])
def test_query_answers_with_the_expected_shape(example: Example, network: Build) -> None:
    result = network.query(example.query)
    columns = [v.value for v in result.variables]
    assert columns == example.expects["columns"].split(",")
    rows = [[(s[c].value if s[c] is not None else "") for c in columns] for s in result]
    assert len(rows) >= int(example.expects.get("min_rows", "1"))
    if "max_rows" in example.expects:
        assert len(rows) <= int(example.expects["max_rows"])
    if "contains" in example.expects:
        needle = example.expects["contains"]
        assert any(needle in cell for row in rows for cell in row), needle


def haversine_km(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    p0, p1 = math.radians(lat0), math.radians(lat1)
    a = (math.sin((p1 - p0) / 2) ** 2
         + math.cos(p0) * math.cos(p1) * math.sin(math.radians(lon1 - lon0) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(a))


def test_nearest_to_sapporo_computes_the_distance_in_sparql(network: Build) -> None:
    """The query's own km agree with a great-circle distance from the places table (1.5 %),
    and they are the ten nearest member cities."""
    example = next(e for e in GALLERY if e.slug == "23-nearest-to-sapporo")
    rows = [(s["city"].value, float(s["km"].value))  # type: ignore[union-attr]
            for s in network.query(example.query)]
    places = read_places(shipped.data() / "places.csv")
    here = next(p for p in places if p.city == "Sapporo")
    truth = sorted((haversine_km(here.latitude, here.longitude, p.latitude, p.longitude),
                    p.city) for p in places if p is not here)
    assert [c for c, _ in rows] == [c for _, c in truth[:10]]
    for (city, km), (true_km, _) in zip(rows, truth[:10], strict=True):
        assert km == pytest.approx(true_km, rel=0.015), city
    assert [km for _, km in rows] == sorted(km for _, km in rows)


def test_the_box_query_returns_exactly_the_cities_in_the_box(network: Build) -> None:
    example = next(e for e in GALLERY if e.slug == "22-cities-in-a-box")
    got = sorted(s["city"].value for s in network.query(example.query))  # type: ignore[union-attr]
    inside = sorted(p.city for p in read_places(shipped.data() / "places.csv")
                    if 30 <= p.latitude <= 46 and 120 <= p.longitude <= 146)
    assert got == inside


def test_population_query_is_ordered_and_sourced(network: Build) -> None:
    example = next(e for e in GALLERY if e.slug == "21-music-cities-by-population")
    rows = [(int(s["population"].value), s["source"].value)  # type: ignore[union-attr]
            for s in network.query(example.query)]
    assert [n for n, _ in rows] == sorted((n for n, _ in rows), reverse=True)
    assert all(src.startswith("https://sws.geonames.org/") for _, src in rows)


def test_continents_add_up_to_the_current_memberships(network: Build) -> None:
    example = next(e for e in GALLERY if e.slug == "20-members-per-continent-and-field")
    total = sum(int(s["cities"].value) for s in network.query(example.query))  # type: ignore[union-attr]
    current = network.query("""PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
        SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ccg:Membership
        FILTER NOT EXISTS { ?m ccg:yearEnded ?e } }""")
    assert total == int(next(iter(current))["n"].value)  # type: ignore[index,union-attr]
