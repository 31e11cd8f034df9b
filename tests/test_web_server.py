"""The publishing server over real HTTP: werkzeug's threaded server on a loopback port,
queried with requests and SPARQLWrapper. (test_serve_gunicorn.py runs the gunicorn one.)"""

from __future__ import annotations

import csv
import gzip
import http.server
import io
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, VOID
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper

from ccgraph import iris, shipped
from ccgraph.namespaces import OA, ORG, SD
from ccgraph.store import open_build
from tests.support import jsonld_offline
from tests.support.backends import BACKENDS, Engines, serving

BASE = iris.DEFAULT_BASE
SAPPORO = iris.city("jp", "Sapporo")
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def build_dir(seed_build: Path) -> Path:
    """A real build of the seed profile (tests/conftest.py)."""
    return seed_build


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Every test of this module runs over each backend (tests/support/backends.py)."""
    return str(request.param)


@pytest.fixture(scope="module")
def url(build_dir: Path, backend: str, engines: Engines) -> Iterator[str]:
    # the whole union is read back in one CONSTRUCT: with graph/links it exceeds the default cap
    with serving(backend, build_dir, engines, result_cap=100_000) as root:
        yield root


@pytest.fixture(scope="module")
def store(build_dir: Path) -> ox.Store:
    return open_build(build_dir).store


def get(url: str, path: str, accept: str | None = None, **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if accept:
        headers["Accept"] = accept
    return requests.get(url + path, headers=headers, timeout=30, **kwargs)


def sparql(url: str, query: str, accept: str = "application/sparql-results+json",
           **params: Any) -> requests.Response:
    return requests.get(url + "/sparql", params={"query": query, **params},
                        headers={"Accept": accept}, timeout=30)


def count(url: str, query: str, **params: Any) -> int:
    resp = sparql(url, query, **params)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def vary(resp: requests.Response) -> set[str]:
    return {v.strip().lower() for v in resp.headers.get("Vary", "").split(",") if v.strip()}


def parse(data: bytes | str, fmt: str) -> Graph:
    g = Graph()
    g.parse(data=data, format=fmt)
    return g


def expand_jsonld(data: bytes) -> Graph:
    """JSON-LD -> triples with pyld (an independent processor), no network."""
    return jsonld_offline.to_graph(json.loads(data))


def union_graph(url: str) -> Graph:
    resp = sparql(url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples")
    assert resp.status_code == 200, resp.text
    assert resp.headers.get("X-Result-Truncated") is None
    return parse(resp.content, "nt")


# ------------------------------------------------------------------ SPARQL protocol

def endpoint(url: str, query: str, fmt: str, method: str = "GET") -> Any:
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method != "GET":
        sw.setMethod(POST)
        if method == "POSTDIRECTLY":
            sw.setRequestMethod(POSTDIRECTLY)
    return sw.query()


CITIES = "SELECT ?c WHERE { ?c a <https://w3id.org/ccgraph/ontology#CreativeCity> } ORDER BY ?c"


def expected_cities(store: ox.Store) -> list[str]:
    return [row["c"].value for row in store.query(CITIES)]


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_select_json_with_sparqlwrapper(url: str, store: ox.Store, method: str) -> None:
    doc = endpoint(url, CITIES, JSON, method).convert()
    got = [b["c"]["value"] for b in doc["results"]["bindings"]]
    assert got == expected_cities(store)
    assert str(SAPPORO) in got


def test_select_xml_with_sparqlwrapper(url: str, store: ox.Store) -> None:
    dom = endpoint(url, CITIES, XML, "POST").convert()
    uris = [node.firstChild.data for node in dom.getElementsByTagName("uri")]
    assert uris == expected_cities(store)


def test_select_csv_with_sparqlwrapper(url: str, store: ox.Store) -> None:
    text = endpoint(url, CITIES, CSV).convert().decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "c"
    assert lines[1:] == expected_cities(store)


def test_ask_with_sparqlwrapper(url: str) -> None:
    yes = endpoint(url, f"ASK {{ <{SAPPORO}> ?p ?o }}", JSON).convert()
    no = endpoint(url, "ASK { <urn:x:nothing> ?p ?o }", JSON).convert()
    assert yes["boolean"] is True
    assert no["boolean"] is False


def test_construct_turtle_and_jsonld_with_sparqlwrapper(url: str, store: ox.Store) -> None:
    query = f"CONSTRUCT {{ <{SAPPORO}> ?p ?o }} WHERE {{ <{SAPPORO}> ?p ?o }}"
    ttl = endpoint(url, query, TURTLE).convert()
    as_turtle = parse(ttl, "turtle")
    result = endpoint(url, query, JSONLD, "POSTDIRECTLY")
    raw = result.response.read()
    result.response.close()
    expected = Graph()
    for t in store.query(query):
        expected.parse(data=ox.serialize([t], format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert len(expected) > 5
    assert isomorphic(as_turtle, expected)
    assert isomorphic(expand_jsonld(raw), expected)


@pytest.mark.parametrize("accept,fmt,content_type", [
    ("application/sparql-results+json", None, "application/sparql-results+json"),
    ("application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("text/csv", None, "text/csv"),
    ("text/tab-separated-values", None, "text/tab-separated-values"),
    ("text/html,*/*;q=0.8", "tsv", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_select_formats_by_accept_and_format_param(url: str, accept: str, fmt: str | None,
                                                    content_type: str) -> None:
    params = {"format": fmt} if fmt else {}
    resp = sparql(url, "SELECT ?s WHERE { ?s a ?c } LIMIT 3", accept, **params)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].split(";")[0] == content_type
    if content_type == "text/csv":  # lossy: pyoxigraph does not read it back
        rows = list(csv.reader(io.StringIO(resp.text)))
        assert rows[0] == ["s"] and len(rows) == 4
        return
    parsed = ox.parse_query_results(resp.content, format={
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV}[content_type])
    assert isinstance(parsed, ox.QuerySolutions)
    assert len(list(parsed)) == 3


@pytest.mark.parametrize("accept,rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_construct_formats(url: str, accept: str, rdflib_format: str) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{SAPPORO}> AS ?s) ?s ?p ?o }}"
    resp = sparql(url, query, accept)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(accept)
    reference = parse(sparql(url, query, "application/n-triples").content, "nt")
    assert isomorphic(parse(resp.content, rdflib_format), reference)
    assert (URIRef(SAPPORO), RDFS.label, Literal("Sapporo", lang="en")) in reference


def test_post_forms_carry_the_query(url: str) -> None:
    query = f"SELECT ?l WHERE {{ <{SAPPORO}> <{RDFS.label}> ?l }}"
    form = requests.post(url + "/sparql", data={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    direct = requests.post(url + "/sparql", data=query.encode("utf-8"),
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"}, timeout=30)
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()
    labels = {b["l"]["value"] for b in form.json()["results"]["bindings"]}
    assert "Sapporo" in labels


def test_default_graph_is_the_union_and_protocol_graphs_restrict_it(url: str,
                                                                    store: ox.Store) -> None:
    members = str(iris.graph("members"))
    in_members = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(members)))
    named = [g.value for g in store.named_graphs()]
    quads = sum(1 for q in store if isinstance(q.graph_name, ox.NamedNode))
    distinct = len({q.triple for q in store if isinstance(q.graph_name, ox.NamedNode)})
    assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == quads
    # the default graph is the union of the named graphs, each triple once
    assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == distinct < quads
    assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                      "WHERE { GRAPH ?g { ?s ?p ?o } } }") == distinct
    assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                      "WHERE { ?s ?p ?o } }", **{"default-graph-uri": named}) == distinct
    assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                 **{"default-graph-uri": members}) == in_members
    assert count(url, f"SELECT (COUNT(*) AS ?n) FROM <{members}> WHERE {{ ?s ?p ?o }}") \
        == in_members
    assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                 **{"named-graph-uri": members}) == in_members
    assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                 **{"named-graph-uri": members}) == 0  # no default-graph-uri: empty default


@pytest.mark.parametrize("params,data,content_type,needle", [
    ({"query": "SELEC ?x WHERE {}"}, None, None, "malformed query"),
    ({"query": ["ASK {}", "ASK {}"]}, None, None, "2 queries"),
    ({}, {"default-graph-uri": "x"}, "form", "missing query"),
    ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, None, None, "Update"),
    ({"query": "LOAD <http://127.0.0.1:9/x.ttl>"}, None, None, "Update"),
    # update= and application/sparql-update: 403 with writes off (tests/test_writes_http.py)
    ({"query": "   "}, None, None, "empty query"),
    ({"query": "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }"}, None, None,
     "not a graph of this dataset"),
    ({"query": "SELECT * FROM NAMED <https://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }"},
     None, None, "never loads graphs"),
    ({"query": "ASK {}", "default-graph-uri": "http://example.org/remote"}, None, None,
     "default-graph-uri"),
])
def test_bad_requests_get_400_with_a_reason(url: str, params: dict[str, Any], data: Any,
                                            content_type: str | None, needle: str) -> None:
    if data is None:
        resp = requests.get(url + "/sparql", params=params, timeout=30)
    elif content_type == "form":
        resp = requests.post(url + "/sparql", params=params, data=data, timeout=30)
    else:
        resp = requests.post(url + "/sparql", params=params, data=data,
                             headers={"Content-Type": str(content_type)}, timeout=30)
    assert resp.status_code == 400, resp.text
    assert needle in resp.text


def test_parser_message_is_passed_on(url: str) -> None:
    """The parser's position and what it expected, without its character classes."""
    resp = sparql(url, "SELECT ?s WHERE { ?s ?p }")
    assert resp.status_code == 400
    ours = resp.text
    try:
        ox.Store().query("SELECT ?s WHERE { ?s ?p }")
    except SyntaxError as exc:
        where = re.match(r"error at (\d+):(\d+): expected one of (\w+), (\w+)", str(exc))
        assert where is not None, str(exc)
        line, column, first, second = where.groups()
        assert ours.startswith(f"malformed query at line {line}, column {column}: "
                               f"expected one of {first}, {second}")
    else:
        pytest.fail("pyoxigraph accepted a bad query")


def test_unsupported_accept_is_406_and_body_type_415(url: str) -> None:
    assert sparql(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png").status_code == 406
    assert sparql(url, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
                  "application/sparql-results+json", format="csv").status_code == 406
    resp = requests.post(url + "/sparql", data=b"ASK {}", timeout=30,
                         headers={"Content-Type": "text/plain"})
    assert resp.status_code == 415


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def remote() -> Iterator[tuple[str, type[_Counter]]]:
    handler = type("Counter", (_Counter,), {"hits": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql", handler
    server.shutdown()
    thread.join()
    server.server_close()


def test_pyoxigraph_would_fetch_service_so_the_endpoint_refuses(
        url: str, remote: tuple[str, type[_Counter]]) -> None:
    target, handler = remote
    query = f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}"
    list(ox.Store().query(query))  # the premise: pyoxigraph itself calls the URL
    assert handler.hits >= 1
    before = handler.hits
    for q in (query, query.replace("SERVICE SILENT", "service"),
              f"PREFIX r: <{target.rsplit('/', 1)[0]}/>\n"
              "SELECT * WHERE { ?x ?y ?z # comment SERVICE\n SERVICE r:sparql { ?s ?p ?o } }"):
        resp = requests.post(url + "/sparql", data={"query": q}, timeout=30)
        assert resp.status_code == 400
        assert "SERVICE is not allowed" in resp.text
    assert handler.hits == before


def test_keywords_in_strings_and_names_are_not_refused(url: str) -> None:
    query = ('SELECT ?service WHERE { BIND("SERVICE <http://example.org/> {}" AS ?service) '
             "FILTER(?service != <http://example.org/#SERVICE>) }  # SERVICE <http://x/>")
    resp = sparql(url, query)
    assert resp.status_code == 200, resp.text


def test_result_cap_truncates_and_says_so(build_dir: Path, backend: str,
                                          engines: Engines) -> None:
    with serving(backend, build_dir, engines, result_cap=7) as root:
        resp = sparql(root, "SELECT * WHERE { ?s ?p ?o }")
        assert resp.status_code == 200
        assert len(resp.json()["results"]["bindings"]) == 7
        assert resp.headers["X-Result-Truncated"] == "true"
        assert resp.headers["X-SPARQL-MaxRows"] == "7"
        graph = sparql(root, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
        assert len(parse(graph.content, "nt")) == 7
        small = sparql(root, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
        assert "X-Result-Truncated" not in small.headers


@pytest.mark.slow
def test_timeout_answers_503_while_other_queries_are_served(build_dir: Path, backend: str,
                                                            engines: Engines) -> None:
    with serving(backend, build_dir, engines, query_timeout=1.0) as root:
        slow: dict[str, Any] = {}

        def run_slow() -> None:
            slow["resp"] = sparql(root, SLOW_COUNT)
            slow["done"] = time.monotonic()

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.2)
        quick_done = []
        for _ in range(5):
            assert count(root, "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }") > 0
            quick_done.append(time.monotonic())
        thread.join()
        assert slow["resp"].status_code == 503
        assert "query timed out after 1 s" in slow["resp"].text
        assert max(quick_done) < slow["done"]


def test_cors_on_reads_and_preflight(url: str) -> None:
    pre = requests.options(url + "/sparql", timeout=30, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code in (200, 204)
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "content-type" in pre.headers["Access-Control-Allow-Headers"].lower()
    for path in ("/sparql?query=ASK%7B%7D", "/doc/city/jp/sapporo", "/dumps/ccgraph.ttl",
                 "/.well-known/void", "/healthz"):
        resp = get(url, path, headers={"Origin": "https://example.org"})
        assert resp.headers["Access-Control-Allow-Origin"] == "*", path
        assert "ETag" in resp.headers.get("Access-Control-Expose-Headers", ""), path


# ------------------------------------------------------------------ service description, page

def test_service_description_for_rdf_clients(url: str) -> None:
    resp = get(url, "/sparql", "text/turtle")
    assert resp.status_code == 200
    g = parse(resp.content, "turtle")
    service = URIRef(url + "/sparql")
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    names = set(g.objects(None, SD.name))
    assert URIRef(str(iris.graph("members"))) in names


def test_query_page_for_browsers(url: str) -> None:
    resp = get(url, "/sparql", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "<main" in resp.text and "<form" in resp.text and "<textarea" in resp.text
    assert "PREFIX ccg: &lt;https://w3id.org/ccgraph/ontology#&gt;" in resp.text


# ------------------------------------------------------------------ dereferenceable URIs

def own_triples(store: ox.Store, iri: str) -> Graph:
    g = Graph()
    data = ox.serialize([q.triple for q in store.quads_for_pattern(ox.NamedNode(iri), None, None)
                         if not isinstance(q.object, ox.BlankNode)],
                        format=ox.RdfFormat.N_TRIPLES)
    g.parse(data=data, format="nt")
    return g


def test_id_redirects_303_to_doc_and_turtle_has_the_triples(url: str, store: ox.Store) -> None:
    resp = get(url, "/id/city/jp/sapporo", "text/turtle", allow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/doc/city/jp/sapporo")
    followed = get(url, "/id/city/jp/sapporo", "text/turtle")
    assert followed.history and followed.history[0].status_code == 303
    assert followed.headers["Content-Type"].startswith("text/turtle")
    g = parse(followed.content, "turtle")
    mine = own_triples(store, str(SAPPORO))
    assert len(mine) > 5
    for triple in mine:
        assert triple in g
    # inbound links (memberships point at the city) and labels of neighbours
    assert any(True for _ in g.subjects(ORG.member, URIRef(SAPPORO)))
    country = URIRef(str(iris.country("jp")))
    assert (country, RDFS.label, Literal("Japan", lang="en")) in g


def test_html_and_jsonld_negotiation(url: str) -> None:
    page = get(url, "/id/city/jp/sapporo", "text/html")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<h1>Sapporo</h1>" in page.text and "<main" in page.text
    turtle = parse(get(url, "/doc/city/jp/sapporo", "text/turtle").content, "turtle")
    data = get(url, "/id/city/jp/sapporo", "application/ld+json")
    assert data.headers["Content-Type"].startswith("application/ld+json")
    assert isomorphic(expand_jsonld(data.content), turtle)


@pytest.mark.parametrize("suffix,fmt", [(".ttl", "turtle"), (".jsonld", None), (".nt", "nt"),
                                        (".rdf", "xml")])
def test_suffixes_pick_a_format(url: str, suffix: str, fmt: str | None) -> None:
    reference = parse(get(url, "/doc/city/jp/sapporo", "text/turtle").content, "turtle")
    resp = get(url, "/doc/city/jp/sapporo" + suffix, "text/html")
    assert resp.status_code == 200
    assert "accept" not in vary(resp)
    g = expand_jsonld(resp.content) if fmt is None else parse(resp.content, fmt)
    assert isomorphic(g, reference)
    html = get(url, "/doc/city/jp/sapporo.html", "text/turtle")
    assert html.headers["Content-Type"].startswith("text/html")


def test_negotiation_headers(url: str) -> None:
    resp = get(url, "/doc/city/jp/sapporo", "application/n-triples")
    assert "accept" in vary(resp)
    assert resp.headers["Content-Location"] == "/doc/city/jp/sapporo.nt"
    links = resp.headers["Link"]
    for suffix in (".ttl", ".jsonld", ".rdf", ".html"):
        assert f"</doc/city/jp/sapporo{suffix}>; rel=\"alternate\"" in links


def test_description_holds_evidence_spans_with_selectors(url: str) -> None:
    doc = iris.profile("jp", "Sapporo", "Media Arts")
    resp = get(url, "/doc/profile/jp/sapporo/media-arts", "text/turtle")
    assert resp.status_code == 200
    g = parse(resp.content, "turtle")
    rows = list(g.query(
        "SELECT ?span ?start ?exact WHERE { ?span oa:hasSource ?doc ; oa:hasSelector ?a, ?b . "
        "?a oa:start ?start . ?b oa:exact ?exact }",
        initNs={"oa": OA}, initBindings={"doc": URIRef(doc)}))
    assert rows
    for span, _start, _exact in rows:
        assert str(span).startswith(str(doc) + "#char=")


def test_unknown_resources_are_404(url: str) -> None:
    page = get(url, "/doc/city/jp/atlantis", "text/html")
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<main" in page.text
    assert get(url, "/doc/city/jp/atlantis", "text/turtle").status_code == 404
    assert get(url, "/id/city/jp/atlantis", "text/turtle",
               allow_redirects=False).status_code == 404


# ------------------------------------------------------------------ caching and compression

def test_etag_304_before_any_query_work(build_dir: Path, backend: str,
                                        engines: Engines) -> None:
    with serving(backend, build_dir, engines, query_timeout=1.0) as root:
        first = sparql(root, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        tag = first.headers["ETag"]
        assert tag.startswith('W/"')
        # a query that would time out answers 304 at once: nothing was evaluated
        start = time.monotonic()
        again = requests.get(root + "/sparql", params={"query": SLOW_COUNT}, timeout=30,
                             headers={"Accept": "application/sparql-results+json",
                                      "If-None-Match": tag})
        assert again.status_code == 304
        assert time.monotonic() - start < 1.0
        assert again.content == b""


@pytest.mark.parametrize("path,accept", [
    ("/doc/city/jp/sapporo", "text/turtle"), ("/doc/city/jp/sapporo", "text/html"),
    ("/.well-known/void", "application/ld+json"), ("/ontology", "text/turtle"),
    ("/sparql", "text/turtle"), ("/dumps/", "application/json"), ("/sitemap.xml", None),
    ("/robots.txt", None), ("/shapes", None)])
def test_reads_carry_etags_and_honour_if_none_match(url: str, path: str,
                                                    accept: str | None) -> None:
    first = get(url, path, accept)
    assert first.status_code == 200
    assert first.headers["Cache-Control"].startswith("public")
    tag = first.headers["ETag"]
    second = get(url, path, accept, headers={"If-None-Match": tag})
    assert second.status_code == 304
    assert second.headers["ETag"] == tag


def test_etag_depends_on_format(url: str) -> None:
    ttl = get(url, "/doc/city/jp/sapporo", "text/turtle").headers["ETag"]
    nt = get(url, "/doc/city/jp/sapporo", "application/n-triples").headers["ETag"]
    assert ttl != nt
    assert get(url, "/doc/city/jp/sapporo", "application/n-triples",
               headers={"If-None-Match": ttl}).status_code == 200


def test_gzip_when_accepted_and_large(url: str) -> None:
    big = get(url, "/doc/city/jp/sapporo", "text/turtle", headers={"Accept-Encoding": "gzip"},
              stream=True)
    raw = big.raw.read()
    big.close()
    assert big.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(big)
    parse(gzip.decompress(raw), "turtle")
    plain = get(url, "/doc/city/jp/sapporo", "text/turtle",
                headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    small = get(url, "/robots.txt", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers
    dump = get(url, "/dumps/ccgraph.nt.gz", headers={"Accept-Encoding": "gzip"})
    assert dump.content[:2] == b"\x1f\x8b"  # the gzip file itself, not re-encoded
    assert "Content-Encoding" not in dump.headers


# ------------------------------------------------------------------ dumps

def test_dump_listing_html_and_json(url: str) -> None:
    listing = get(url, "/dumps/", "application/json").json()
    names = {d["name"] for d in listing["dumps"]}
    assert names == {"ccgraph.ttl", "ccgraph.nt.gz", "ccgraph.nq.gz", "ccgraph.jsonld",
                     "cities.jsonl.gz", "cities.geojson"}
    page = get(url, "/dumps/", "text/html")
    assert page.headers["Content-Type"].startswith("text/html")
    for name in names:
        assert f'href="/dumps/{name}"' in page.text


@pytest.mark.slow
def test_every_dump_is_isomorphic_to_what_the_endpoint_serves(url: str) -> None:
    served = union_graph(url)
    ttl = parse(get(url, "/dumps/ccgraph.ttl").content, "turtle")
    nt = parse(gzip.decompress(get(url, "/dumps/ccgraph.nt.gz").content), "nt")
    ld = expand_jsonld(get(url, "/dumps/ccgraph.jsonld").content)
    for g in (ttl, nt, ld):
        assert isomorphic(g, served)
    by_graph: dict[str, list[ox.Triple]] = {}
    nquads = gzip.decompress(get(url, "/dumps/ccgraph.nq.gz").content)
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        assert isinstance(quad.graph_name, ox.NamedNode)  # no default-graph triples
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    assert str(iris.graph("members")) in by_graph
    for name, triples in by_graph.items():
        resp = sparql(url, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}",
                      "application/n-triples")
        dumped = parse(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), "nt")
        assert isomorphic(dumped, parse(resp.content, "nt")), name


def test_dumps_are_files_with_validators_and_ranges(url: str, build_dir: Path) -> None:
    path = build_dir / "dumps" / "ccgraph.ttl"
    full = get(url, "/dumps/ccgraph.ttl")
    assert full.status_code == 200
    assert int(full.headers["Content-Length"]) == path.stat().st_size
    assert full.headers["Last-Modified"]
    tag = full.headers["ETag"]
    assert get(url, "/dumps/ccgraph.ttl", headers={"If-None-Match": tag}).status_code == 304
    assert get(url, "/dumps/ccgraph.ttl",
               headers={"If-Modified-Since": full.headers["Last-Modified"]}).status_code == 304
    part = get(url, "/dumps/ccgraph.ttl", headers={"Range": "bytes=10-109"})
    assert part.status_code == 206
    assert part.content == path.read_bytes()[10:110]
    assert get(url, "/dumps/nothing.ttl").status_code == 404


# ------------------------------------------------------------------ metadata

def test_void_counts_match_sparql_on_the_same_server(url: str, store: ox.Store) -> None:
    """The counting convention (docs/model.md): every count is over the default graph, the
    union of all named graphs with the description itself, as plain queries see it."""
    resp = get(url, "/.well-known/void", "text/turtle")
    assert resp.status_code == 200
    g = parse(resp.content, "turtle")
    ds = URIRef(str(iris.dataset()))

    def one(p: URIRef) -> int:
        return int(g.value(ds, p))  # type: ignore[arg-type]

    assert one(VOID.triples) == count(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert one(VOID.triples) == count(
        url, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g "
             "{ ?s ?p ?o } } }")
    assert one(VOID.entities) == count(
        url, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s) && "
             f'STRSTARTS(STR(?s), "{BASE}id/")) }}')
    assert one(VOID.properties) == count(
        url, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")
    assert one(VOID.distinctObjects) == count(
        url, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    for part in g.objects(ds, VOID.classPartition):
        cls = g.value(part, VOID["class"])
        assert int(g.value(part, VOID.entities)) == count(  # type: ignore[arg-type]
            url, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}")
    parts = list(g.objects(ds, VOID.propertyPartition))
    assert len(parts) == one(VOID.properties)
    for part in parts[:10]:
        prop = g.value(part, VOID.property)
        assert int(g.value(part, VOID.triples)) == count(  # type: ignore[arg-type]
            url, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{prop}> ?o }}")
    quads = count(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert sum(int(g.value(s, VOID.triples))  # type: ignore[arg-type]
               for s in g.objects(ds, VOID.subset)) == quads
    assert (ds, VOID.exampleResource, URIRef(SAPPORO)) in g
    assert (ds, VOID.uriSpace, Literal(BASE + "id/")) in g
    assert g.value(ds, VOID.sparqlEndpoint) is not None
    assert len(list(g.objects(ds, VOID.dataDump))) == 4
    assert len(list(g.objects(ds, VOID.vocabulary))) >= 5


@pytest.mark.slow
def test_void_is_the_stored_graph_in_every_format(url: str) -> None:
    stored = parse(sparql(url, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iris.graph('void')}> "
                                "{ ?s ?p ?o } }", "application/n-triples").content, "nt")
    assert len(stored) > 20
    assert isomorphic(parse(get(url, "/.well-known/void").content, "turtle"), stored)
    assert isomorphic(expand_jsonld(get(url, "/.well-known/void", "application/ld+json")
                                    .content), stored)
    assert isomorphic(parse(get(url, "/.well-known/void", "application/rdf+xml").content,
                            "xml"), stored)
    page = get(url, "/.well-known/void", "text/html")
    assert page.headers["Content-Type"].startswith("text/html") and "<h1>" in page.text


def test_ontology_shapes_and_context(url: str) -> None:
    onto = get(url, "/ontology", "text/turtle")
    stored = parse(sparql(url, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH "
                               f"<{iris.graph('ontology')}> {{ ?s ?p ?o }} }}",
                          "application/n-triples").content, "nt")
    assert len(stored) > 10
    assert isomorphic(parse(onto.content, "turtle"), stored)
    page = get(url, "/ontology", "text/html")
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'id="CreativeCity"' in page.text

    expected = Graph()
    for path in sorted(shipped.shapes().glob("*.ttl")):
        expected.parse(path, format="turtle")
    shapes = get(url, "/shapes")
    if len(expected):
        assert shapes.headers["Content-Type"].startswith("text/turtle")
        assert isomorphic(parse(shapes.content, "turtle"), expected)
    else:
        assert shapes.status_code == 404

    ctx = get(url, "/context.jsonld")
    assert ctx.headers["Content-Type"].startswith("application/ld+json")
    assert ctx.json()["@context"]["ccg"] == "https://w3id.org/ccgraph/ontology#"


def test_sitemap_robots_healthz(url: str, store: ox.Store, build_dir: Path) -> None:
    tree = ET.parse(io.BytesIO(get(url, "/sitemap.xml").content))
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text or "" for e in tree.getroot().findall("sm:url/sm:loc", ns)]
    assert url + "/doc/city/jp/sapporo" in locs
    assert all(loc.startswith(url + "/doc/") for loc in locs)
    assert len(locs) == count(
        url, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s) && "
             f'STRSTARTS(STR(?s), "{BASE}id/") && !CONTAINS(STR(?s), "#")) }}')
    robots = get(url, "/robots.txt").text
    assert f"Sitemap: {url}/sitemap.xml" in robots
    health = get(url, "/healthz")
    assert health.headers["Cache-Control"] == "no-store"
    body = health.json()
    meta = json.loads((build_dir / "build.json").read_text())
    assert body["ok"] is True
    assert body["version"] == meta["version"]
    assert body["quads"] == meta["quads"] == sum(meta["graphs"].values())
