"""The data dictionary: /docs/model on a real server (network build), checked against the
shapes read here independently; the committed docs/data-dictionary.md is current."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from ccgraph import shipped
from ccgraph.dictionary import load_dictionary
from ccgraph.dictionary_markdown import to_markdown
from ccgraph.store import open_build
from tests.support.servers import werkzeug_server

CHECKOUT = Path(__file__).resolve().parents[1]  # the project checkout


@pytest.fixture(scope="module")
def url(network_build: Path) -> Iterator[str]:
    with werkzeug_server(network_build) as root:
        yield root


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    for path in sorted(shipped.shapes().glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


class DictionaryPage(HTMLParser):
    """class IRI -> the property IRIs listed in its section; plus links and example hrefs."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, set[str]] = {}
        self.current: str | None = None
        self.depth = 0
        self.links: list[str] = []
        self.queries: dict[str, str] = {}
        self.in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            if self.current is not None:
                self.depth += 1
            elif a.get("data-class"):
                self.current, self.depth = a["data-class"], 1
                self.classes[self.current] = set()
        if tag == "tr" and self.current and a.get("data-property"):
            self.classes[self.current].add(str(a["data-property"]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag == "code" and self.current is not None:
            self.in_code = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.current is not None:
            self.depth -= 1
            if self.depth == 0:
                self.current = None
        if tag == "code":
            self.in_code = False

    def handle_data(self, data: str) -> None:
        if self.in_code and self.current is not None and data.lstrip().startswith("SELECT"):
            self.queries[self.current] = data


def expected(shapes: Graph) -> dict[str, set[str]]:
    """Every class a shape targets, with the paths of the property shapes of those shapes."""
    out: dict[str, set[str]] = {}
    for node_shape, cls in shapes.subject_objects(SH.targetClass):
        paths = out.setdefault(str(cls), set())
        for prop in shapes.objects(node_shape, SH.property):
            paths.update(str(p) for p in shapes.objects(prop, SH.path) if isinstance(p, URIRef))
    return out


@pytest.fixture(scope="module")
def page(url: str) -> DictionaryPage:
    resp = requests.get(url + "/docs/model", timeout=60)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    parsed = DictionaryPage()
    parsed.feed(resp.text)
    return parsed


def test_every_shape_class_is_listed_with_its_properties(page: DictionaryPage,
                                                         shapes: Graph) -> None:
    wanted = expected(shapes)
    assert len(wanted) >= 15
    for cls, paths in wanted.items():
        assert cls in page.classes, f"/docs/model does not list {cls}"
        assert page.classes[cls] == paths, cls


def test_examples_resolve_and_queries_run(page: DictionaryPage, url: str) -> None:
    examples = [h for h in page.links if h.startswith("/doc/")]
    assert len(examples) >= 15
    for href in examples[:40]:
        assert requests.get(url + href, timeout=60).status_code == 200, href
    assert len(page.queries) == len(page.classes)
    for cls, query in page.queries.items():
        resp = requests.get(url + "/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert resp.status_code == 200, (cls, resp.text)
        rows = resp.json()["results"]["bindings"]
        exists = requests.get(url + "/sparql", params={"query": f"ASK {{ ?x a <{cls}> }}"},
                              headers={"Accept": "application/sparql-results+json"},
                              timeout=60).json()["boolean"]
        assert bool(rows) == exists, f"the query for {cls} misses its instances"


def test_home_and_ontology_link_to_it(url: str) -> None:
    for path in ("/", "/ontology"):
        html = requests.get(url + path, headers={"Accept": "text/html"}, timeout=60).text
        assert 'href="/docs/model"' in html, path


def test_every_borrowed_term_is_explained() -> None:
    dictionary = load_dictionary()
    assert dictionary.missing == ()
    curies = {t.curie for t in dictionary.borrowed}
    for term in ("schema:text", "org:member", "oa:hasSource", "skos:inScheme", "rdfs:label"):
        assert term in curies
    assert {s.iri.rsplit("/", 1)[-1] for s in dictionary.schemes} >= {"field", "theme",
                                                                       "industry"}


def test_the_committed_file_is_current(seed_build: Path) -> None:
    build = open_build(seed_build)
    made = to_markdown(load_dictionary(build.store, build.meta.base))
    committed = (CHECKOUT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert made == committed, ("docs/data-dictionary.md is out of date: run "
                               ".venv/bin/python scripts/data_dictionary.py")
