"""Near-duplicates on the whole-network build: the quality report, the graph over the real
server's SPARQL endpoint, the record's own page, and the notes on both city pages (issue 17:
all six pledges of Llíria are word for word those of Leiria)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, expect
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from ccgraph import iris, shipped
from ccgraph.extract import read_corpus
from ccgraph.extract.duplicates import THRESHOLD
from ccgraph.namespaces import CCG, PROV, RDF, XSD
from tests.support.browser import DESKTOP, PHONE, axe_violations, shot
from tests.support.servers import werkzeug_server

pytestmark = pytest.mark.slow  # the whole-network build

LLIRIA = ("es", "Llíria")
LEIRIA = ("pt", "Leiria")
FIELD = "music"


@pytest.fixture(scope="module")
def url(network_build: Path) -> Iterator[str]:
    with werkzeug_server(network_build) as base:
        yield base


@pytest.fixture(scope="module")
def positions(corpus_path: Path) -> list[int]:
    """Llíria's pledge positions, as the source has them (read at run time)."""
    corpus = read_corpus(corpus_path)
    found = [[n.position for n in p.pledges] for p in corpus.profiles
             if p.city == LLIRIA[1] and p.field == FIELD]
    assert len(found) == 1
    return found[0]


def pledge(city: tuple[str, str], n: int) -> str:
    return str(iris.commitment(city[0], city[1], FIELD, n))


def sparql(url: str, query: str) -> list[dict[str, str]]:
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(JSON)
    doc: Any = sw.query().convert()
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def test_the_quality_report_pairs_every_pledge_of_lliria_with_leirias(
        network_build: Path, positions: list[int]) -> None:
    quality = json.loads((network_build / "reports" / "quality.json").read_text("utf-8"))
    pairs = {(p["a_iri"], p["b_iri"]): p for p in quality["near_duplicates"]}
    assert len(positions) == 6  # as the issue says
    for n in positions:
        found = pairs.get((pledge(LLIRIA, n), pledge(LEIRIA, n))) or pairs.get(
            (pledge(LEIRIA, n), pledge(LLIRIA, n)))
        assert found is not None, f"pledge {n} of Llíria not paired with Leiria's"
        assert found["similarity"] == 1.0 and found["kind"] == "pledge"
    assert all(p["similarity"] >= THRESHOLD for p in quality["near_duplicates"])
    detection = quality["near_duplicate_detection"]
    assert detection["threshold"] == THRESHOLD
    assert detection["passages"]["pledge"] >= 1500 and detection["passages"]["description"] >= 300
    assert sum(detection["histogram"].values()) >= len(quality["near_duplicates"])
    text = (network_build / "reports" / "quality.txt").read_text("utf-8")
    assert f"near_duplicates: {len(quality['near_duplicates'])}" in text
    assert "Llíria, Music, pledge 1" in text and "Leiria, Music, pledge 1" in text


def test_sparql_over_the_server_returns_the_pairs(url: str, positions: list[int]) -> None:
    rows = sparql(url, f"""PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
        SELECT ?mine ?other ?similarity WHERE {{
          ?d a ccg:NearDuplicate ; ccg:similarity ?similarity ; ccg:passage ?mine , ?other .
          ?mine ccg:commitmentOf <{iris.city(*LLIRIA)}> .
          ?other ccg:commitmentOf <{iris.city(*LEIRIA)}> }}""")
    assert {(r["mine"], r["other"]) for r in rows} == {
        (pledge(LLIRIA, n), pledge(LEIRIA, n)) for n in positions}
    assert {Decimal(r["similarity"]) for r in rows} == {Decimal(1)}
    shortcut = sparql(url, f"""PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
        SELECT ?other WHERE {{ <{pledge(LEIRIA, positions[0])}> ccg:similarTo ?other }}""")
    assert [r["other"] for r in shortcut] == [pledge(LLIRIA, positions[0])]


def test_the_gallery_query_lists_the_pairs_over_the_server(url: str) -> None:
    query = (shipped.queries() / "19-near-duplicate-passages.rq").read_text("utf-8")
    rows = sparql(url, query)
    pairs = {frozenset((r["city"], r["otherCity"])) for r in rows}
    assert frozenset(("Llíria", "Leiria")) in pairs
    scores = [Decimal(r["similarity"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and min(scores) >= Decimal(str(THRESHOLD))
    assert sum(1 for r in rows if {r["city"], r["otherCity"]} == {"Llíria", "Leiria"}) == 6


def test_the_pair_is_a_described_resource_with_provenance(url: str) -> None:
    node = iris.near_duplicate("pledge", "es-lliria-music-1", "pt-leiria-music-1")
    resp = requests.get(str(node).replace(iris.DEFAULT_BASE, url + "/"),
                        headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=30)
    assert resp.status_code == 303
    doc = requests.get(url + resp.headers["Location"], headers={"Accept": "text/turtle"},
                       timeout=30)
    assert doc.status_code == 200
    described = Graph().parse(data=doc.text, format="turtle")
    activity = iris.activity("near-duplicate-detection")
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(f"""PREFIX ccg: <{CCG}> PREFIX prov: <{PROV}>
        CONSTRUCT {{ <{node}> a ?t ; ccg:passage ?p ; ccg:similarity ?s ;
                       prov:wasGeneratedBy ?a ; prov:wasDerivedFrom ?d . ?a ccg:threshold ?th }}
        WHERE {{ <{node}> a ?t ; ccg:passage ?p ; ccg:similarity ?s ;
                   prov:wasGeneratedBy ?a ; prov:wasDerivedFrom ?d . ?a ccg:threshold ?th }}""")
    sw.setReturnFormat(TURTLE)
    got = Graph().parse(data=sw.query().convert(), format="turtle")
    expected = Graph()
    expected.add((node, RDF.type, CCG.NearDuplicate))
    expected.add((node, CCG.similarity, Literal(Decimal("1"), datatype=XSD.decimal)))
    expected.add((node, PROV.wasGeneratedBy, activity))
    expected.add((activity, CCG.threshold, Literal(Decimal(str(THRESHOLD)),
                                                   datatype=XSD.decimal)))
    for city in (LLIRIA, LEIRIA):
        expected.add((node, CCG.passage, URIRef(pledge(city, 1))))
        expected.add((node, PROV.wasDerivedFrom, iris.profile(city[0], city[1], FIELD)))
    assert isomorphic(got, expected), got.serialize(format="turtle")
    assert {t for t in got if t[0] == node} <= set(described)  # the record's own page


class Notes(HTMLParser):
    """The near-duplicate note (aside#near-duplicates) and the marks under each pledge
    (p.near-duplicate inside li#pledge-N): their links and text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict[str, str]] = []
        self.aside_links: list[tuple[str, str]] = []
        self.aside_text: list[str] = []
        self.marks: dict[str, list[tuple[str, str]]] = {}
        self._href: str | None = None
        self._text: list[str] = []

    def _inside(self, tag: str, key: str, value: str) -> dict[str, str] | None:
        for el in reversed(self.stack):
            if el["tag"] == tag and value in el.get(key, "").split():
                return el
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "link", "img", "input"):
            return
        self.stack.append({"tag": tag, **{k: v or "" for k, v in attrs}})
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._inside("aside", "id", "near-duplicates") is not None:
            self.aside_text.append(data)
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            link = (self._href, " ".join("".join(self._text).split()))
            if self._inside("aside", "id", "near-duplicates") is not None:
                self.aside_links.append(link)
            mark = self._inside("p", "class", "near-duplicate")
            if mark is not None:
                items = [el for el in self.stack if el["tag"] == "li" and "id" in el]
                if items:
                    self.marks.setdefault(items[-1]["id"], []).append(link)
            self._href = None
        while self.stack:
            el = self.stack.pop()
            if el["tag"] == tag:
                break


def local(iri: str) -> str:
    return "/doc/" + iri.removeprefix(iris.DEFAULT_BASE + "id/")


@pytest.mark.parametrize(("city", "other"), [(LLIRIA, LEIRIA), (LEIRIA, LLIRIA)],
                         ids=["lliria", "leiria"])
def test_both_city_pages_show_the_note(url: str, positions: list[int],
                                       city: tuple[str, str], other: tuple[str, str]) -> None:
    resp = requests.get(url + local(str(iris.city(*city))), headers={"Accept": "text/html"},
                        timeout=30)
    assert resp.status_code == 200
    notes = Notes()
    notes.feed(resp.text)
    assert (local(str(iris.city(*other))), other[1]) in notes.aside_links
    text = " ".join(" ".join(notes.aside_text).split())
    assert "Near-duplicate text" in text and text.count("similarity 1.000") == len(positions)
    for n in positions:
        assert (local(pledge(other, n)), f"{other[1]}, Music, pledge {n}") in notes.aside_links
        assert (local(pledge(other, n)), f"{other[1]}, Music, pledge {n}") in \
            notes.marks[f"pledge-{n}"]
        assert (local(str(iris.city(*other))), other[1]) in notes.marks[f"pledge-{n}"]


def test_a_city_without_copies_has_no_note(url: str) -> None:
    resp = requests.get(url + local(str(iris.city("jp", "Sapporo"))),
                        headers={"Accept": "text/html"}, timeout=30)
    notes = Notes()
    notes.feed(resp.text)
    assert resp.status_code == 200 and notes.aside_links == [] and notes.marks == {}


def test_the_note_is_visible_and_accessible_in_a_browser(browser: Browser, url: str) -> None:
    """Chromium, desktop and phone: the note shows, links to Leiria, and axe finds nothing
    serious on the page."""
    path = local(str(iris.city(*LLIRIA)))
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        ctx = browser.new_context(viewport=viewport, bypass_csp=True)
        try:
            pg = ctx.new_page()
            pg.goto(url + path)
            note = pg.locator("#near-duplicates")
            expect(note).to_be_visible()
            expect(note.get_by_role("link", name=LEIRIA[1], exact=True).first).to_be_visible()
            expect(pg.locator("#pledge-1 .near-duplicate")).to_be_visible()
            shot(pg, f"near-duplicates-lliria-{name}")
            bad = [(v["id"], v["impact"]) for v in axe_violations(pg)
                   if v["impact"] in ("serious", "critical")]
            assert not bad, f"{path} ({name}): {bad}"
        finally:
            ctx.close()
