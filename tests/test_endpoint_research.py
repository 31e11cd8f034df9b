"""The endpoint as a researcher meets it, on the network build and a real server: one count
for the dataset's size, predeclared prefixes, readable errors, ``output=``, a capped answer
that says so in its body, the Content-Type, and roqet (rasqal-utils) as a client."""

from __future__ import annotations

import csv
import gzip
import io
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH, VOID, XSD
from SPARQLWrapper import JSON, SPARQLWrapper

from ccgraph import iris
from ccgraph.namespaces import PREFIXES, SD
from tests.support.backends import BACKENDS, Engines, serving
from tests.support.servers import werkzeug_server

pytestmark = pytest.mark.slow  # the whole-network build

CAP = 40
SRX = "{http://www.w3.org/2005/sparql-results#}"
CITIES = "SELECT ?c WHERE { ?c a ccg:CreativeCity } ORDER BY ?c LIMIT 5"


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, network_build: Path, engines: Engines
        ) -> Iterator[str]:
    """The network build served over each backend (tests/support/backends.py)."""
    with serving(request.param, network_build, engines, result_cap=CAP) as root:
        yield root


def ask(url: str, query: str, accept: str | None = None, **params: Any) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(url + "/sparql", params={"query": query, **params}, headers=headers,
                        timeout=60)


def bindings(resp: requests.Response) -> list[dict[str, str]]:
    assert resp.status_code == 200, resp.text
    return [{k: v["value"] for k, v in row.items()}
            for row in resp.json()["results"]["bindings"]]


class _ById(HTMLParser):
    """The text of the element with a given id."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted, self.depth, self.text = wanted, 0, ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.wanted:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text += data


def text_of(html: str, element_id: str) -> str:
    parser = _ById(element_id)
    parser.feed(html)
    return parser.text.strip()


# ------------------------------------------------------------------ one count

def test_home_page_void_and_count_agree(url: str) -> None:
    """docs/model.md, "Counting": one number for the dataset's size everywhere."""
    home = requests.get(url + "/", timeout=60)
    assert home.status_code == 200
    shown = int(text_of(home.text, "size-triples").replace(",", ""))
    assert "COUNT(*)" in text_of(home.text, "counting")

    void = Graph().parse(data=requests.get(url + "/.well-known/void",
                                           headers={"Accept": "text/turtle"},
                                           timeout=60).text, format="turtle")
    stated = int(void.value(URIRef(str(iris.dataset())), VOID.triples))  # type: ignore[arg-type]

    client = SPARQLWrapper(url + "/sparql")
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    result: Any = client.queryAndConvert()
    counted = int(result["results"]["bindings"][0]["n"]["value"])

    dump = gzip.decompress(requests.get(url + "/dumps/ccgraph.nt.gz", timeout=60).content)
    lines = sum(1 for line in dump.splitlines() if line.strip())
    assert shown == stated == counted == lines
    # the description counts itself: its graph is in the union it counts
    in_void = ask(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <" + str(iris.graph("void"))
                  + "> { ?s ?p ?o } }", "application/sparql-results+json")
    assert int(bindings(in_void)[0]["n"]) > 0
    # the DCAT description says what the size counts
    description = str(void.value(URIRef(str(iris.dataset())), URIRef(
        "http://purl.org/dc/terms/description")))
    assert "union of all named graphs" in description


# ------------------------------------------------------------------ prefixes

def test_dataset_prefixes_need_no_prefix_lines(url: str) -> None:
    bare = bindings(ask(url, CITIES, "application/sparql-results+json"))
    declared = bindings(ask(url, f"PREFIX ccg: <{PREFIXES['ccg']}>\n" + CITIES,
                            "application/sparql-results+json"))
    assert bare == declared and len(bare) == 5
    # a PREFIX line of the query overrides the predeclared one
    other = bindings(ask(url, "PREFIX ccg: <http://example.org/not-ours#>\n" + CITIES,
                         "application/sparql-results+json"))
    assert other == []


def test_service_description_lists_the_prefixes(url: str) -> None:
    resp = requests.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=60)
    assert resp.status_code == 200
    g = Graph().parse(data=resp.text, format="turtle")
    (service,) = g.subjects(RDF.type, SD.Service)
    declared = {str(g.value(d, SH.prefix)): g.value(d, SH.namespace)
                for d in g.objects(service, SH.declare)}
    assert declared == {p: Literal(ns, datatype=XSD.anyURI) for p, ns in PREFIXES.items()}
    page = requests.get(url + "/sparql", headers={"Accept": "text/html"}, timeout=60).text
    note = text_of(page, "prefixes-note")
    assert all(f"{p}:" in note for p in PREFIXES)


@pytest.mark.parametrize("query,needle", [
    ("SELECT ?n WHERE { ?c shema:name ?n }",
     "prefix shema: is not declared; did you mean schema:?"),
    ("SELECT ?x WHERE { ?x a foo:Thing }", "prefix foo: is not declared"),
    ("PREFIX ex: <http://example.org/>\nSELECT ?x WHERE { ?x ex:p ?y . ?y exx:q ?z }",
     "prefix exx: is not declared; did you mean ex:?"),
])
def test_an_undeclared_prefix_is_named(url: str, query: str, needle: str) -> None:
    resp = ask(url, query)
    assert resp.status_code == 400
    assert resp.text.startswith(needle)
    assert "\\u{" not in resp.text and len(resp.text) < 600


def test_a_syntax_error_says_where_and_what(url: str) -> None:
    resp = ask(url, "SELECT ?x WHERE {\n  ?x a ccg:CreativeCity .\n  FILTER(?x = ) }")
    assert resp.status_code == 400
    first, *rest = resp.text.splitlines()
    assert first.startswith("malformed query at line 3, column ")
    assert "expected" in first
    assert "\\u{" not in resp.text and "..=" not in resp.text
    assert rest[0].strip() == "FILTER(?x = ) }" and rest[1].strip() == "^"
    # the caret sits under the column the message names
    column = int(re.search(r"column (\d+)", first).group(1))  # type: ignore[union-attr]
    assert rest[1].index("^") - 2 == column - 1


# ------------------------------------------------------------------ formats

@pytest.mark.parametrize("name,media_type", [
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
])
def test_output_is_format(url: str, name: str, media_type: str) -> None:
    by_output = ask(url, CITIES, "application/sparql-results+json", output=name)
    by_format = ask(url, CITIES, "application/sparql-results+json", format=name)
    assert by_output.status_code == by_format.status_code == 200
    assert by_output.headers["Content-Type"].split(";")[0] == media_type
    assert by_output.content == by_format.content
    if name == "csv":
        rows = list(csv.DictReader(io.StringIO(by_output.text)))
        assert [r["c"] for r in rows] == [b["c"] for b in bindings(ask(url, CITIES))]


def test_output_for_graphs_and_in_a_posted_form(url: str) -> None:
    query = "CONSTRUCT WHERE { ?c a ccg:CreativeCity } LIMIT 5"
    turtle = ask(url, query, output="ttl")
    assert turtle.headers["Content-Type"] == "text/turtle; charset=utf-8"
    ntriples = requests.post(url + "/sparql", data={"query": query, "output": "nt"},
                             timeout=60)
    assert ntriples.headers["Content-Type"].startswith("application/n-triples")
    assert isomorphic(Graph().parse(data=turtle.text, format="turtle"),
                      Graph().parse(data=ntriples.text, format="nt"))


def test_turtle_says_its_charset_once(url: str) -> None:
    for path in ("/dumps/ccgraph.ttl", "/.well-known/void", "/ontology",
                 "/doc/city/jp/sapporo", "/sparql?query=CONSTRUCT+WHERE+%7B%3Fs+a+%3Fo%7D+LIMIT+3"):
        resp = requests.get(url + path, headers={"Accept": "text/turtle"}, timeout=60)
        assert resp.status_code == 200, path
        assert resp.headers["Content-Type"] == "text/turtle; charset=utf-8", path


# ------------------------------------------------------------------ the cap, in the body

ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def embedded_url(network_build: Path) -> Iterator[str]:
    """Embedded only for a capped CONSTRUCT: a SELECT's cap goes to the engine as a LIMIT
    (query_limit.py), a CONSTRUCT's cannot (one solution may give any number of triples), so
    over a backend the whole answer (76 k triples) would travel first."""
    with werkzeug_server(network_build, result_cap=CAP) as root:
        yield root


def test_a_capped_select_says_so_in_its_body(url: str) -> None:
    link = url + "/sparql#result-cap"
    js = ask(url, ALL, "application/sparql-results+json")
    assert js.headers["X-Result-Truncated"] == "true"
    assert js.json()["head"]["link"] == [link]
    assert len(js.json()["results"]["bindings"]) == CAP

    xml = ET.fromstring(ask(url, ALL, "application/sparql-results+xml").content)
    head = xml.find(SRX + "head")
    assert head is not None
    assert [e.get("href") for e in head.findall(SRX + "link")] == [link]
    assert [e.get("name") for e in head.findall(SRX + "variable")] == ["s", "p", "o"]

    # below the cap: no link
    small = ask(url, CITIES, "application/sparql-results+json").json()
    assert "link" not in small["head"]


def test_a_capped_construct_says_so_in_its_body(embedded_url: str) -> None:
    url = embedded_url
    link = url + "/sparql#result-cap"
    ttl = ask(url, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle").text
    assert ttl.startswith("# Truncated") and f"<{link}>" in ttl.splitlines()[0]
    assert len(Graph().parse(data=ttl, format="turtle")) == CAP

    # the link leads to a section that explains the cap
    page = requests.get(link.partition("#")[0], headers={"Accept": "text/html"}, timeout=60)
    assert 'id="result-cap"' in page.text
    assert f"An answer holds at most {CAP} rows" in " ".join(page.text.split())


# ------------------------------------------------------------------ roqet

ROW = re.compile(r"^row: \[(.*)\]$")
TERM = re.compile(r'(\w+)=(uri<([^>]*)>|string\("((?:[^"\\]|\\.)*)"\)|'
                  r'string\("((?:[^"\\]|\\.)*)"@([\w-]+)\)|blank ?\w*|[^,\]]+)')


def roqet(url: str, query: str) -> list[str]:
    """roqet (Debian rasqal-utils) against the endpoint: its rows, checked exit code."""
    done = subprocess.run(["roqet", "-p", url + "/sparql", "-e", query], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr
    return [m.group(1) for line in done.stdout.splitlines() if (m := ROW.match(line))]


def uris(row: str) -> dict[str, str]:
    return {m.group(1): m.group(3) for m in TERM.finditer(row) if m.group(3) is not None}


def test_roqet_runs_select(url: str) -> None:
    rows = roqet(url, CITIES)
    assert [uris(r)["c"] for r in rows] == [b["c"] for b in bindings(ask(url, CITIES))]


def test_roqet_runs_construct_and_describe(url: str) -> None:
    query = ("CONSTRUCT { ?c a ccg:CreativeCity ; ccg:countryCode ?cc } WHERE { "
             "?c a ccg:CreativeCity ; ccg:countryCode ?cc } ORDER BY ?c LIMIT 6")
    rows = roqet(url, query)
    assert rows
    got = Graph()
    for row in rows:
        terms = {m.group(1): m for m in TERM.finditer(row)}
        s, p, o = terms["subject"], terms["predicate"], terms["object"]
        obj = URIRef(o.group(3)) if o.group(3) is not None else Literal(o.group(4))
        got.add((URIRef(s.group(3)), URIRef(p.group(3)), obj))
    expected = Graph().parse(data=ask(url, query, "text/turtle").text, format="turtle")
    assert isomorphic(got, expected)

    japan = f"{iris.DEFAULT_BASE}id/country/jp"
    described = roqet(url, f"DESCRIBE <{japan}>")
    graph = Graph().parse(data=ask(url, f"DESCRIBE <{japan}>", "text/turtle").text,
                          format="turtle")
    assert len(described) == len(graph) > 0
    assert {uris(r)["subject"] for r in described} == {japan}
