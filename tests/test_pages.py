"""The HTML pages (home, field, city, source view, workbench, 404) against the store they
come from: the numbers and links on a page are checked with SPARQL on the same build."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from ccgraph import shipped
from ccgraph.gallery import load_gallery
from ccgraph.settings import Settings
from ccgraph.store import open_build
from ccgraph.web import charts, create_app
from ccgraph.web.pages import EvidenceHighlight, segments

BASE = "https://w3id.org/ccgraph/"
HTML = {"Accept": "text/html"}
P = ("PREFIX ccg: <https://w3id.org/ccgraph/ontology#> PREFIX org: <http://www.w3.org/ns/org#> "
     "PREFIX schema: <http://schema.org/> PREFIX oa: <http://www.w3.org/ns/oa#> ")


@pytest.fixture(scope="module")
def app(seed_build: Path) -> Flask:
    return create_app(Settings.load({"store": seed_build}, environ={}))


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def store(seed_build: Path) -> ox.Store:
    return open_build(seed_build).store


def rows(store: ox.Store, query: str) -> list[Any]:
    return list(store.query(P + query))  # type: ignore[arg-type]


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    resp = client.get(path, headers=HTML)
    assert resp.status_code == status, (path, resp.status_code)
    assert resp.content_type.startswith("text/html")
    return resp.get_data(as_text=True)


class Links(HTMLParser):
    """Every link, with the text inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open.append((dict(attrs).get("href") or "", []))

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, parts = self._open.pop()
            self.links.append((href, "".join(parts).strip()))


def links(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


# ------------------------------------------------------------------ home

def test_home_counts_come_from_the_store(client: FlaskClient, store: ox.Store) -> None:
    html = page(client, "/")
    current = "FILTER NOT EXISTS { ?m ccg:yearEnded ?end }"
    cities = int(rows(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE "
                             f"{{ ?m a ccg:Membership ; org:member ?c {current} }}")[0]["n"].value)
    assert f"<strong>{cities}</strong> cities" in html
    ended = int(rows(store, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE "
                            "{ ?m a ccg:Membership ; ccg:yearEnded ?end }")[0]["n"].value)
    assert ended >= 1  # Lyon, Media Arts
    assert f"current memberships ({ended} more ended)" in html
    found = {href: text for href, text in links(html)}
    per_field = rows(store, "SELECT ?f (COUNT(DISTINCT ?m) AS ?n) WHERE "
                            f"{{ ?m a ccg:Membership ; ccg:field ?f {current} }} GROUP BY ?f")
    assert len(per_field) >= 8
    for row in per_field:
        href = "/doc/" + row["f"].value[len(BASE) + 3:]
        assert href in found
        assert re.search(re.escape(found[href]) + r"</a> <span class=\"count\">"
                         + row["n"].value + " current members", html), href
    for target in ("/query", "/dumps/", "/.well-known/void", "/ontology"):
        assert target in found
    assert "creativecommons.org/licenses/by/4.0/" in html and 'id="cite"' in html


def test_home_chart_matches_its_table(client: FlaskClient, store: ox.Store) -> None:
    html = page(client, "/")
    svg = html[html.index('<svg'):html.index("</svg>")]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    year = rows(store, 'SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ccg:Membership ; '
                       'ccg:yearDesignated ?y FILTER(STR(?y) = "2019") }')[0]["n"].value
    assert re.search(r'<th scope="row">2019</th>(<td>\d+</td>)+<td>' + year + "</td>", html)


def test_home_is_cached_and_conditional(client: FlaskClient) -> None:
    first = client.get("/", headers=HTML)
    tag = first.headers["ETag"]
    again = client.get("/", headers={**HTML, "If-None-Match": tag})
    assert again.status_code == 304


# ------------------------------------------------------------------ field and city

def test_field_page_lists_every_member(client: FlaskClient, store: ox.Store) -> None:
    html = page(client, "/doc/field/media-arts")
    assert "<h1>Media Arts</h1>" in html and 'lang="fr"' in html
    members = rows(store, "SELECT DISTINCT ?c WHERE { ?m a ccg:Membership ; org:member ?c ; "
                          f"ccg:field <{BASE}id/field/media-arts> }}")
    hrefs = {href for href, _ in links(html)}
    for row in members:
        assert "/doc/" + row["c"].value[len(BASE) + 3:] in hrefs
    assert client.get("/field/media-arts").headers["Location"].endswith("/doc/field/media-arts")


def test_lyon_is_a_former_member_of_media_arts_and_a_current_one_of_literature(
        client: FlaskClient, store: ox.Store) -> None:
    [row] = rows(store, f"""SELECT ?end ?reason WHERE {{
        <{BASE}id/membership/fr/lyon/media-arts> ccg:yearEnded ?end ; ccg:endReason ?reason }}""")
    city = page(client, "/doc/city/fr/lyon")
    assert f"<strong>ended {row['end'].value}</strong>: {row['reason'].value}" in city
    assert city.count("(current)") == 1
    media = page(client, "/doc/field/media-arts")
    members_table = media[media.index('id="h-members"'):media.index('id="h-former"')]
    assert "/doc/city/fr/lyon" not in members_table
    former = media[media.index('id="h-former"'):]
    assert "/doc/city/fr/lyon" in former[:former.index("</ul>")]
    assert f"membership ended {row['end'].value}" in former
    literature = page(client, "/doc/field/literature")
    assert "/doc/city/fr/lyon" in literature and 'id="h-former"' not in literature


def test_city_page_shows_pledges_in_order_with_evidence(client: FlaskClient,
                                                        store: ox.Store) -> None:
    html = page(client, "/doc/city/jp/sapporo")
    assert "<h1>Sapporo</h1>" in html
    positions = [int(p) for p in re.findall(r'<li value="(\d+)" id="pledge-', html)]
    assert positions == [1, 2, 3, 4]
    # every resource on the page that has evidence links to each of its spans
    found = {href for href, _ in links(html)}
    spans = rows(store, f"""SELECT ?x ?ev WHERE {{ ?x ccg:evidence ?ev
        {{ ?x ccg:commitmentOf <{BASE}id/city/jp/sapporo> }}
        UNION {{ ?x ccg:locatedIn <{BASE}id/city/jp/sapporo> }}
        UNION {{ ?x ccg:originatedIn <{BASE}id/city/jp/sapporo> }}
        UNION {{ <{BASE}id/city/jp/sapporo> ccg:contactPoint ?x }} }}""")
    assert len(spans) >= 8
    for row in spans:
        assert "/doc/" + row["ev"].value[len(BASE) + 3:] in found, row["x"].value
    themes = rows(store, f"SELECT DISTINCT ?t WHERE {{ ?c ccg:commitmentOf "
                         f"<{BASE}id/city/jp/sapporo> ; ccg:theme ?t }}")
    for row in themes:
        assert "/doc/" + row["t"].value[len(BASE) + 3:] in found
    assert "Sapporo Concert Hall Kitara" in html and "creativecity@city.sapporo.jp" in html
    assert "/doc/profile/jp/sapporo/media-arts" in found


def test_city_without_profile_still_has_a_page(client: FlaskClient) -> None:
    html = page(client, "/doc/city/it/bologna")
    assert "<h1>Bologna</h1>" in html and "/doc/field/music" in html
    assert "Pledges" not in html


# ------------------------------------------------------------------ source view

def test_source_view_marks_every_span(client: FlaskClient, store: ox.Store) -> None:
    html = page(client, "/doc/profile/jp/sapporo/media-arts")
    spans = rows(store, f"""SELECT ?ev ?exact WHERE {{
        ?ev oa:hasSource <{BASE}id/profile/jp/sapporo/media-arts> ; oa:hasSelector ?q .
        ?q oa:exact ?exact }}""")
    assert len(spans) >= 10
    for row in spans:
        anchor = row["ev"].value.partition("#")[2]
        assert f'id="{anchor}"' in html
        assert f'data-span="{anchor}"' in html or anchor in html


def test_segments_nest_overlapping_spans() -> None:
    text = "Sapporo, Media Arts city"
    outer = EvidenceHighlight("d#char=0,19", 0, 19, "Sapporo, Media Arts")
    inner = EvidenceHighlight("d#char=0,7", 0, 7, "Sapporo")
    crossing = EvidenceHighlight("d#char=15,24", 15, 24, "Arts city")
    pieces = segments(text, [outer, inner, crossing])
    assert "".join(p["text"] for p in pieces) == text
    assert [(p["text"], p["span"].anchor if p["span"] else None, p["depth"]) for p in pieces] == [
        ("Sapporo", "char=0,7", 2), (", Media ", "char=0,19", 1),
        ("Arts", "char=15,24", 2), (" city", "char=15,24", 1)]
    assert [s.anchor for s in pieces[0]["starts"]] == ["char=0,19", "char=0,7"]


# ------------------------------------------------------------------ generic pages, 404

def test_generic_page_groups_inbound_links(client: FlaskClient) -> None:
    html = page(client, "/doc/theme/tourism")
    inbound = html[html.index('id="h-inbound"'):]
    assert inbound.count("<dt>") >= 1
    assert "/doc/commitment/jp/sapporo/media-arts/4" in inbound
    assert "/doc/theme/tourism.ttl" in html  # other formats
    assert "<span class=\"tag\">@en</span>" in html  # language tags shown


def test_unknown_resource_suggests_close_ones(client: FlaskClient) -> None:
    html = page(client, "/doc/city/jp/saporo", 404)
    assert "Did you mean" in html and 'href="/doc/city/jp/sapporo"' in html
    html = page(client, "/doc/city/fr/sapporo", 404)  # right city, wrong country
    assert 'href="/doc/city/jp/sapporo"' in html
    assert client.get("/doc/city/jp/saporo", headers={"Accept": "text/turtle"}).status_code == 404


# ------------------------------------------------------------------ workbench

def test_workbench_offers_every_example(client: FlaskClient) -> None:
    html = page(client, "/query")
    gallery = load_gallery(shipped.queries())
    assert gallery
    for example in gallery:
        assert f'href="/query?example={example.slug}"' in html
    chosen = page(client, "/query?example=" + gallery[0].slug)
    assert 'aria-current="true"' in chosen
    page(client, "/query?example=no-such-query", 404)
    assert "/static/workbench.js" in html
    with client.get("/static/workbench.js") as script:
        assert script.status_code == 200 and b"textContent" in script.get_data()


def test_html_pages_forbid_inline_scripts(client: FlaskClient) -> None:
    for path in ("/", "/query", "/doc/city/jp/sapporo"):
        csp = client.get(path, headers=HTML).headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
    for path in ("/", "/doc/city/jp/sapporo", "/doc/profile/jp/sapporo/media-arts", "/query"):
        assert "<script>" not in page(client, path)


# ------------------------------------------------------------------ charts

def test_charts_escape_names_and_scale() -> None:
    svg = charts.stacked_columns("t", "Title <b>", "Desc & more", ["2020", "2021"],
                                 [charts.Series("<script>x</script>", [3, 0]),
                                  charts.Series("B", [1, 4])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Title &lt;b&gt;" in svg and "Desc &amp; more" in svg
    assert svg.count("<rect") == 3  # a zero is not drawn
    bars = charts.horizontal_bars("h", "T", "D", [("Italy", 16), ("Japan", 8)])
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="[\d.]+" width="([\d.]+)"', bars)]
    assert widths[0] == pytest.approx(2 * widths[1])
