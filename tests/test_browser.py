"""The human way in, driven in a real browser: Debian's chromium through Playwright, against
the real server (werkzeug, loopback port) on a real seed build. Chromium, axe-core and the
screenshots: tests/support/browser.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.browser import DESKTOP, PHONE, axe_violations, shot
from tests.support.builds import make_build
from tests.support.servers import werkzeug_server

pytestmark = pytest.mark.slow  # Chromium

ROOT = Path(__file__).resolve().parents[1]
KITARA = "/doc/facility/jp/sapporo/sapporo-concert-hall-kitara"
SAPPORO = "/doc/city/jp/sapporo"
PROFILE = "/doc/profile/jp/sapporo/media-arts"
SCRIPT_LABEL = "<script>window.__ccgraphPwned = 1</script>Evil Hall"
IMG_DESCRIPTION = '<img src="x" onerror="window.__ccgraphPwned = 2"> a hall with a bad name'


@pytest.fixture(scope="module")
def url(seed_build: Path) -> Iterator[str]:
    with werkzeug_server(seed_build) as root:
        yield root


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.set_default_timeout(15_000)
    pg.errors = errors  # type: ignore[attr-defined]
    return pg


def on_phone(browser: Browser, url: str, path: str, name: str) -> None:
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                              has_touch=True)
    try:
        pg = ctx.new_page()
        pg.goto(url + path)
        # nothing wider than the screen: the page scrolls vertically only
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{path} is {width}px wide on a phone"
        shot(pg, name)
    finally:
        ctx.close()


# ------------------------------------------------------------------ the walk through

def test_home_field_city_source(page: Page, browser: Browser, url: str) -> None:
    page.goto(url + "/")
    expect(page.locator("h1")).to_contain_text("Creative Cities")
    # the chart is an image with a name, and its numbers are also a table
    chart = page.locator("svg.chart[role=img]").first
    expect(chart).to_be_visible()
    assert "per year" in chart.locator(":scope > title").text_content()  # type: ignore[operator]
    assert page.locator("table.numbers tbody tr").count() > 5
    for target in ("/query", "/dumps/", "/.well-known/void", "/ontology"):
        assert page.locator(f"main a[href='{target}']").count() >= 1, target
    expect(page.locator("#cite")).to_be_visible()
    expect(page.locator("main")).to_contain_text("CC BY 4.0")
    shot(page, "home-desktop")
    on_phone(browser, url, "/", "home-phone")

    page.locator("ul.fields a", has_text="Media Arts").click()
    expect(page).to_have_url(re.compile(r"/doc/field/media-arts$"))
    expect(page.locator("h1")).to_have_text("Media Arts")
    shot(page, "field-media-arts")
    page.locator("table a", has_text=re.compile(r"^Sapporo$")).first.click()
    expect(page).to_have_url(re.compile(SAPPORO + "$"))
    expect(page.locator("h1")).to_have_text("Sapporo")

    pledges = page.locator("ol.pledges > li")
    expect(pledges).to_have_count(4)
    for i in range(4):
        item = pledges.nth(i)
        expect(item.locator("a").first).to_have_text(f"Pledge {i + 1}")
        assert item.locator("a.chip").count() >= 1, "every pledge shows its themes"
        expect(item.locator("a.ev")).to_have_count(1)
    expect(pledges.nth(3).locator("a.chip", has_text="tourism")).to_be_visible()

    facilities = page.locator("section[aria-labelledby=h-facilities]")
    kitara = facilities.locator(f"li.thing:has(> p > a[href='{KITARA}'])")
    expect(kitara).to_have_count(1)
    expect(kitara).to_contain_text("Kitara")
    expect(kitara).to_contain_text("2008")  # capacity, from the curated facts
    evidence = kitara.locator(":scope > p a.ev")
    expect(evidence).to_have_count(1)
    href = evidence.get_attribute("href")
    assert href is not None and href.startswith(PROFILE + "#char=")
    shot(page, "city-sapporo-desktop")
    on_phone(browser, url, SAPPORO, "city-sapporo-phone")

    evidence.click()
    expect(page).to_have_url(re.compile(re.escape(PROFILE) + "#char="))
    anchor = href.partition("#")[2]
    marks = page.locator("#source-text mark.ev")
    assert marks.count() >= 10
    target = page.locator(f"[id='{anchor}'] + mark")
    expect(target).to_contain_text("Kitara")
    expect(target).to_be_in_viewport()
    # the highlighted span links back to the facility it supports
    assert target.locator("a").get_attribute("href") == KITARA
    # every span of the table has its highlighted text in the document
    rows = page.locator("table.spans tbody tr")
    assert rows.count() >= 10
    expect(page.locator(f"table.spans a[href='{KITARA}']")).to_have_count(1)
    shot(page, "profile-sapporo", full=False)
    on_phone(browser, url, PROFILE, "profile-sapporo-phone")
    assert not page.errors  # type: ignore[attr-defined]


def test_highlighted_text_is_the_quote(page: Page, url: str) -> None:
    """Put back together, the pieces marked for a span are that span's oa:exact."""
    page.goto(url + PROFILE)
    spans: dict[str, str] = page.evaluate("""() => {
        const out = {};
        for (const row of document.querySelectorAll('table.spans tbody tr')) {
          const a = row.querySelector('th a');
          out[a.getAttribute('href').slice(1)] = row.querySelector('.quote-cell').textContent;
        }
        return out;
    }""")
    assert spans
    text: str = page.locator("#source-text").text_content() or ""
    for anchor, quoted in spans.items():
        start, end = (int(n) for n in anchor.removeprefix("char=").split(","))
        assert "“" + text[start:end] + "”" == quoted, anchor


# ------------------------------------------------------------------ workbench

def test_workbench_example_table_and_syntax_error(page: Page, browser: Browser,
                                                   url: str) -> None:
    page.goto(url + "/query")
    editor = page.locator("textarea#query")
    # no PREFIX lines: the endpoint declares ccg:, org:, rdfs: … (said beside the editor)
    expect(editor).to_have_value(re.compile(r"\?m a ccg:Membership"))
    assert not re.search(r"^PREFIX ", editor.input_value(), re.MULTILINE)
    expect(page.locator("#prefixes-note")).to_contain_text("ccg:")
    # the highlighter colours the query the editor holds
    expect(page.locator("#highlight .tok-keyword", has_text="SELECT").first).to_be_attached()
    expect(page.locator("#highlight .tok-var").first).to_be_attached()
    shown = page.locator("#highlight").text_content() or ""
    assert shown.rstrip("\n") == editor.input_value().rstrip("\n")

    example = page.locator("a.example", has_text="Designations per field and year")
    example.click()
    table = page.locator("#table-wrap table.results")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_text(["field", "year", "members"])
    assert table.locator("tbody tr").count() >= 20
    expect(page.locator("#status")).to_contain_text("rows")
    assert "ccg:Membership" in editor.input_value()
    shot(page, "workbench-results")

    # IRIs in results link to their pages
    page.locator("a.example[data-example='08-source-sentence-behind-a-fact']").click()
    expect(table.locator("thead th").first).to_have_text("document")
    expect(table.locator(f"tbody a[href='{PROFILE}']")).to_have_count(1)

    # downloads are the same query as CSV and JSON
    csv_href = page.locator("#downloads a.download-csv").get_attribute("href")
    json_href = page.locator("#downloads a.download-json").get_attribute("href")
    assert csv_href and json_href
    csv_resp = page.request.get(url + csv_href)
    assert csv_resp.ok and csv_resp.headers["content-type"].startswith("text/csv")
    json_resp = page.request.get(url + json_href)
    assert json_resp.ok and "results" in json_resp.json()

    # a syntax error shows the parser's message
    bad = "SELECT ?x WHERE { ?x ?y }}"
    editor.fill(bad)
    page.locator("button#run").click()
    alert = page.locator("#error[role=alert]")
    expect(alert).to_be_visible()
    server = requests.get(url + "/sparql", params={"query": bad}, timeout=30)
    assert server.status_code == 400
    expect(alert).to_contain_text("Query error")
    expect(alert.locator("pre")).to_have_text(server.text.strip())
    expect(page.locator("#table-wrap")).to_be_hidden()
    shot(page, "workbench-error")
    on_phone(browser, url, "/query", "workbench-phone")

    # keyboard: Ctrl+Enter in the editor runs the query
    editor.fill("SELECT (1 + 1 AS ?two) WHERE {}")
    editor.press("Control+Enter")
    expect(table.locator("tbody td")).to_have_text("2 xsd:integer")
    assert not page.errors  # type: ignore[attr-defined]


def test_a_capped_answer_shows_a_notice(page: Page, url: str) -> None:
    page.goto(url + "/query")
    editor = page.locator("textarea#query")
    editor.fill("SELECT ?a ?b WHERE { ?a a ccg:CreativeCity . ?b a ccg:CreativeCity }")
    notice = page.locator("#truncated")
    expect(notice).to_be_hidden()
    page.locator("#run").click()
    expect(page.locator("#table-wrap table.results")).to_be_visible(timeout=60_000)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("result cap")
    # a small answer hides it again
    editor.fill("SELECT ?c WHERE { ?c a ccg:CreativeCity } LIMIT 3")
    page.locator("#run").click()
    expect(page.locator("#status")).to_contain_text("3 rows")
    expect(notice).to_be_hidden()


def test_sparql_page_is_the_workbench(page: Page, url: str) -> None:
    page.goto(url + "/sparql")
    expect(page.locator("textarea#query")).to_be_visible()
    page.locator("a.example").first.click()
    expect(page.locator("#table-wrap table.results")).to_be_visible()


def test_example_link_opens_and_runs_it(page: Page, url: str) -> None:
    page.goto(url + "/query?example=12-sapporo-facilities")
    expect(page.locator("#table-wrap table.results")).to_contain_text("Kitara")


# ------------------------------------------------------------------ keyboard, 404

def test_skip_link_and_keyboard(page: Page, url: str) -> None:
    page.goto(url + SAPPORO)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_unknown_resource_is_a_helpful_404(page: Page, url: str) -> None:
    resp = page.goto(url + "/doc/city/jp/saporo")
    assert resp is not None and resp.status == 404
    expect(page.locator("h1")).to_contain_text("404")
    expect(page.locator("main a[href='/doc/city/jp/sapporo']")).to_have_text("Sapporo")
    shot(page, "not-found")


# ------------------------------------------------------------------ accessibility

@pytest.mark.parametrize("path", ["/", SAPPORO, "/query", PROFILE, "/doc/field/media-arts",
                                  KITARA, "/doc/city/jp/saporo", "/docs/model"])
def test_no_serious_accessibility_violations(browser: Browser, url: str, path: str) -> None:
    # axe is injected as an inline script, which the pages' CSP forbids: bypass it here
    for viewport in (DESKTOP, PHONE):
        ctx = browser.new_context(viewport=viewport, bypass_csp=True)
        try:
            pg = ctx.new_page()
            pg.goto(url + path)
            if path == "/query":
                pg.locator("a.example").first.click()
                expect(pg.locator("#table-wrap table")).to_be_visible()
            found = axe_violations(pg)
            bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in found if v["impact"] in ("serious", "critical")]
            assert not bad, f"{path} at {viewport['width']}px: {bad}"
        finally:
            ctx.close()


# ------------------------------------------------------------------ data is text, never code

@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory, seed_profile: Path) -> Path:
    """The seed build, with a curated facility whose label and description hold markup."""
    data = tmp_path_factory.mktemp("hostile-data") / "data"
    shutil.copytree(ROOT / "data", data)
    label = SCRIPT_LABEL.replace("\\", "\\\\").replace('"', '\\"')
    description = IMG_DESCRIPTION.replace("\\", "\\\\").replace('"', '\\"')
    (data / "curated" / "zz-hostile.ttl").write_text(f"""
@base <https://w3id.org/ccgraph/> .
@prefix ccg: <https://w3id.org/ccgraph/ontology#> .
@prefix schema: <http://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<id/facility/jp/sapporo/evil-hall> a ccg:Facility, schema:MusicVenue ;
    rdfs:label "{label}"@en ;
    ccg:locatedIn <id/city/jp/sapporo> ;
    schema:description "{description}"@en .
""", encoding="utf-8")
    return make_build(tmp_path_factory.mktemp("hostile") / "build", [seed_profile],
                      data=str(data))


def test_markup_in_the_data_is_shown_as_text(browser: Browser, hostile_build: Path) -> None:
    with werkzeug_server(hostile_build) as root:
        raw = requests.get(root + SAPPORO, headers={"Accept": "text/html"}, timeout=30).text
        assert "<script>window.__ccgraphPwned" not in raw
        assert "&lt;script&gt;window.__ccgraphPwned" in raw
        # escaping alone must hold: the CSP (a second guard) is switched off here
        ctx = browser.new_context(viewport=DESKTOP, bypass_csp=True)
        try:
            pg = ctx.new_page()
            dialogs: list[str] = []
            pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path in (SAPPORO, "/doc/facility/jp/sapporo/evil-hall",
                         "/doc/facility/jp/sapporo/evil-hal"):
                pg.goto(root + path)
                expect(pg.locator("main")).to_contain_text(SCRIPT_LABEL)
                assert pg.evaluate("window.__ccgraphPwned") is None, path
                assert pg.locator("main script, main img").count() == 0, path
                if not path.endswith("evil-hal"):  # the 404 suggests by label only
                    expect(pg.locator("main")).to_contain_text(IMG_DESCRIPTION)
                if path == SAPPORO:
                    shot(pg, "hostile-label")
            # and in the workbench's result table
            pg.goto(root + "/query")
            pg.locator("textarea#query").fill(
                'SELECT ?l WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l '
                'FILTER(CONTAINS(?l, "Evil")) }')
            pg.locator("button#run").click()
            expect(pg.locator("#table-wrap td")).to_contain_text(SCRIPT_LABEL)
            assert pg.evaluate("window.__ccgraphPwned") is None
            assert pg.locator("#table-wrap script").count() == 0
            assert not dialogs
        finally:
            ctx.close()
