"""Maps (web/maps.py, web/map_pages.py): the projection, the SVG, and the pages in Chromium.

The projection is checked for what makes it the right one (equal area); the SVG for what a
reader and a screen reader get (title, description, one named link per city, the same
cities as the table); the pages on the whole-network build at 1280 and 390 px with axe."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from ccgraph import shipped
from ccgraph.places import read_places
from ccgraph.web.charts import PALETTE
from ccgraph.web.maps import X_MAX, Y_MAX, Dot, Frame, equal_earth, locator_map, world_map
from tests.support.browser import DESKTOP, PHONE, axe_violations, shot
from tests.support.servers import werkzeug_server

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>window.__ccgraphPwned = 1</script><b>Evil</b> & "Town"'


def polygon_area(points: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                   in zip(points, points[1:] + points[:1], strict=True))) / 2


def cell(lon: float, lat: float, size: float = 5, steps: int = 20) -> list[tuple[float, float]]:
    """A lon/lat cell as a projected polygon (edges sampled, since meridians curve)."""
    edge = [i / steps * size for i in range(steps)]
    ring = ([(lon + d, lat) for d in edge] + [(lon + size, lat + d) for d in edge]
            + [(lon + size - d, lat + size) for d in edge] + [(lon, lat + size - d) for d in edge])
    return [equal_earth(x, y) for x, y in ring]


def test_equal_earth_extent_and_centre() -> None:
    assert equal_earth(0, 0) == (0.0, 0.0)
    assert equal_earth(180, 0)[0] == X_MAX == pytest.approx(2.7066, abs=1e-4)
    assert equal_earth(0, 90)[1] == Y_MAX == pytest.approx(1.3173, abs=1e-4)
    # the published aspect ratio of Equal Earth: about 2.05 : 1
    aspect = equal_earth(180, 0)[0] / equal_earth(0, 90)[1]
    assert aspect == pytest.approx(2.05458, abs=1e-3)
    assert equal_earth(-30, -40) == pytest.approx(tuple(-v for v in equal_earth(30, 40)))


@pytest.mark.parametrize(("lon", "lat"), [(0, 0), (100, 40), (-170, 60), (20, -80)])
def test_equal_earth_keeps_areas(lon: float, lat: float) -> None:
    """The area of a cell on the map is proportional to its area on the sphere."""
    def sphere(la: float) -> float:
        return (math.sin(math.radians(la + 5)) - math.sin(math.radians(la))) * math.radians(5)

    ratio = polygon_area(cell(lon, lat)) / sphere(lat)
    reference = polygon_area(cell(0, 0)) / sphere(0)
    assert ratio == pytest.approx(reference, rel=0.01)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_a_world_map_is_titled_described_and_links_each_city() -> None:
    dots = [Dot("Sapporo", "/doc/city/jp/sapporo", 43.06, 141.35, 6, "Media Arts"),
            Dot("Lyon", "/doc/city/fr/lyon", 45.75, 4.85, 5, "Literature"),
            Dot("Nowhere", "/doc/city/xx/nowhere", -89.9, -179.9)]
    root = parse(str(world_map("w", "Cities", "A map of three cities", dots)))
    labelled = root.get("aria-labelledby", "").split()
    texts = {e.get("id"): e.text for e in root.iter() if e.get("id")}
    assert [texts[i] for i in labelled] == ["Cities", "A map of three cities"]
    links = root.findall(f"{SVG}g/{SVG}a")
    assert sorted(a.get("aria-label") for a in links) == [  # type: ignore[type-var]
        "Lyon (Literature)", "Nowhere", "Sapporo (Media Arts)"]
    for a in links:
        assert a.find(f"{SVG}title") is not None and a.get("href", "").startswith("/doc/city/")
        circle = a.find(f"{SVG}circle")
        assert circle is not None
        x, y = float(circle.get("cx", "nan")), float(circle.get("cy", "nan"))
        frame = Frame(1000)
        assert 0 <= x <= frame.width and 0 <= y <= frame.height
    colours = {a.get("aria-label"): a.find(f"{SVG}circle").get("fill")  # type: ignore[union-attr]
               for a in links}
    assert colours["Sapporo (Media Arts)"] == PALETTE[6]
    # north-west is up-left: Lyon is left of Sapporo, both above the middle
    lyon = next(a for a in links if a.get("aria-label", "").startswith("Lyon"))
    sapporo = next(a for a in links if a.get("aria-label", "").startswith("Sapporo"))
    assert float(lyon[1].get("cx", "0")) < float(sapporo[1].get("cx", "0"))
    assert float(lyon[1].get("cy", "0")) < Frame(1000).height / 2


def test_a_label_with_markup_is_text_in_the_svg() -> None:
    svg = str(world_map("w", "A <b>title</b>", "A <desc>", [Dot(HOSTILE, "/x?a=1&b=<2>", 0, 0)]))
    root = parse(svg)  # well-formed: nothing from the data became markup
    assert not root.findall(f".//{SVG}script") and not root.findall(f".//{SVG}b")
    a = root.find(f"{SVG}g/{SVG}a")
    assert a is not None and a.get("aria-label") == HOSTILE and a.get("href") == "/x?a=1&b=<2>"
    assert a.find(f"{SVG}title").text == HOSTILE  # type: ignore[union-attr]
    assert root.find(f"{SVG}title").text == "A <b>title</b>"  # type: ignore[union-attr]


def test_a_label_with_markup_shows_as_text_in_chromium(browser: Browser) -> None:
    svg = str(locator_map("loc", "Where it is", "A <i>small</i> map", Dot(HOSTILE, "#x", 10, 10)))
    ctx = browser.new_context(viewport=PHONE)
    try:
        pg = ctx.new_page()
        pg.set_content(f"<!doctype html><html lang='en'><title>t</title><main>{svg}</main></html>")
        assert pg.evaluate("window.__ccgraphPwned") is None
        assert pg.locator("main script, main b, main i").count() == 0
        assert pg.locator("svg a").get_attribute("aria-label") == HOSTILE
        assert pg.locator("svg a title").text_content() == HOSTILE
        expect(pg.get_by_role("link", name=HOSTILE)).to_have_count(1)
    finally:
        ctx.close()


# ------------------------------------------------------------------ the pages, network build

@pytest.fixture(scope="module")
def url(network_build: Path) -> Iterator[str]:
    with werkzeug_server(network_build) as base:
        yield base


PAGES = {"/": "svg.map-world", "/doc/field/music": "svg.map-field-map",
         "/doc/city/jp/sapporo": "svg.map-locator"}


@pytest.mark.parametrize("path", list(PAGES))
def test_maps_in_chromium_at_desktop_and_phone_sizes(browser: Browser, url: str,
                                                     path: str) -> None:
    placed = len(read_places(shipped.data() / "places.csv"))
    for viewport in (DESKTOP, PHONE):
        ctx = browser.new_context(viewport=viewport, bypass_csp=True)
        try:
            pg = ctx.new_page()
            pg.goto(url + path)
            svg = pg.locator(PAGES[path])
            expect(svg).to_be_visible()
            box = svg.bounding_box()
            assert box is not None and box["width"] <= viewport["width"]
            assert box["height"] > 60
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, f"{path} is {width}px wide"
            assert svg.locator(":scope > title").text_content()
            assert svg.locator(":scope > desc").text_content()
            dots = svg.locator("a")
            names = [dots.nth(i).get_attribute("aria-label") for i in range(dots.count())]
            assert all(names), "a dot without a name"
            if path == "/":
                assert len(names) == placed == 405
                rows = pg.locator("#h-map ~ details table tbody tr")
                assert rows.count() == len(names)
            elif path.startswith("/doc/field/"):
                # the same cities as the members table (current members)
                rows = pg.locator("#h-members ~ div table tbody tr")
                table = [f"{r.locator('th').text_content()} "
                         f"({r.locator('td').first.text_content()})" for r in rows.all()]
                assert sorted(names) == sorted(table)
            else:
                assert names == ["Sapporo (on GeoNames)"]
                expect(pg.locator("#h-place ~ figure figcaption")).to_contain_text("43.")
            bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in axe_violations(pg) if v["impact"] in ("serious", "critical")]
            assert not bad, f"{path} at {viewport['width']}px: {bad}"
            shot(pg, f"map{path.replace('/', '-')}-{viewport['width']}", full=False)
        finally:
            ctx.close()


def test_a_dot_leads_to_its_city(browser: Browser, url: str) -> None:
    ctx = browser.new_context(viewport=DESKTOP)
    try:
        pg = ctx.new_page()
        pg.goto(url + "/")
        pg.locator("svg.map-world a[aria-label^='Sapporo']").click()
        expect(pg.locator("h1")).to_have_text("Sapporo")
    finally:
        ctx.close()
