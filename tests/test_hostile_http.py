"""Hostile input at every HTTP route, the query guard and pyoxigraph's parsers: arbitrary
bytes and Unicode, huge and deeply nested queries, odd Accept headers, malformed IRIs.
Never a 500, never a hang, never a dead process; and an HTML page never runs data as script.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from ccgraph import iris, query_guard
from ccgraph.namespaces import CCG, SCHEMA
from ccgraph.publish import publish
from ccgraph.settings import Settings
from ccgraph.web import create_app
from tests.support.writehelp import AUTH, TOKEN, copy_build

BOUNDED = settings(max_examples=60, deadline=5000, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])
SPARQL_BITS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]",
               "?s", "?p", "?o", "<urn:a>", "<", ">", '"', "'", "'''", '"""', "\\", "#", "\n",
               "PREFIX", "ex:", "a", ";", ".", ",", "FILTER", "!", "-", "^", "SERVICE", "LOAD",
               "INSERT", "DATA", "GRAPH", "OPTIONAL", "UNION", "LIMIT", "1", "@en", "^^",
               "\u0000", "\ud7ff", "\U0001f600", "\u202e", "%", "BIND", "AS", "*"]
queries = st.lists(st.one_of(st.sampled_from(SPARQL_BITS), st.text(max_size=8)),
                   max_size=40).map(" ".join)
accepts = st.one_of(st.text(max_size=60), st.sampled_from([
    "", "*/*", "text/html", "text/turtle;q=0", "application/json;q=abc", ",,,", "*/*;q=-1",
    "application/sparql-results+json, */*;q=0.1", "image/png", "text/*", "a/b;c=d;q=0.5"]))
BRACKETS = ["{", "(", "[", "!", "-", "^"]


@pytest.fixture(scope="module")
def app(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    build = copy_build(seed_build, tmp_path_factory.mktemp("hostile") / "build")
    application = create_app(Settings.load({"store": build, "update_token": TOKEN,
                                            "query_timeout": 2}, environ={}))
    yield application
    writer = application.extensions["ccgraph"].writer
    if writer is not None:
        writer.close()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sane(status: int) -> None:
    assert status < 500 or status == 503, status  # 503: a query timed out (by design)


def safe_header(value: str) -> str:
    return "".join(c for c in value if 32 <= ord(c) < 127)


# ------------------------------------------------------------------ the guard and parsers

@BOUNDED
@given(queries)
def test_the_guard_answers_fast_or_refuses(query: str) -> None:
    # CPU time of this thread, not wall time: other processes on the machine do not count.
    # A backtracking scan would take minutes on these inputs, not a second.
    t0 = time.thread_time()
    with contextlib.suppress(query_guard.GuardError):
        query_guard.check(query, frozenset())
    assert time.thread_time() - t0 < 1.0


@BOUNDED
@given(st.sampled_from(BRACKETS), st.integers(1, 20_000))
def test_deep_nesting_is_refused_before_the_parser(bracket: str, depth: int) -> None:
    inner = {"{": "{" * depth + "}" * depth, "(": "FILTER(" + "(" * depth + "1" + ")" * depth
             + ")", "[": "?s ?p " + "[ ?p " * depth + "]" * depth,
             "!": "FILTER(" + "!" * depth + "true)", "-": "FILTER(" + "-" * depth + "1)",
             "^": "?s " + "^" * depth + "<urn:p> ?o"}[bracket]
    query = "SELECT * WHERE { " + inner + " }"
    try:
        query_guard.check(query, frozenset())
    except query_guard.GuardError:
        return
    # what the guard lets through must parse (or fail to) without killing the process
    with contextlib.suppress(SyntaxError):
        ox.Store().query(query)


def test_the_guard_is_linear_on_unclosed_strings() -> None:
    for query in ("'a\\" * 33_000, '"b\\' * 33_000, "'''" + "x'" * 49_000):
        t0 = time.thread_time()  # CPU time: a quadratic scan of these takes minutes
        with pytest.raises(query_guard.GuardError):
            query_guard.analyse(query)
        assert time.thread_time() - t0 < 1.0


# ------------------------------------------------------------------ every route

@BOUNDED
@given(queries, accepts, st.sampled_from(["GET", "POST-form", "POST-body"]))
def test_sparql_never_fails(client: FlaskClient, query: str, accept: str, how: str) -> None:
    headers = {"Accept": safe_header(accept)}
    if how == "GET":
        resp = client.get("/sparql", query_string={"query": query}, headers=headers)
    elif how == "POST-form":
        resp = client.post("/sparql", data={"query": query}, headers=headers)
    else:
        resp = client.post("/sparql", data=query.encode("utf-8", "surrogatepass"),
                           headers={**headers, "Content-Type": "application/sparql-query"})
    sane(resp.status_code)


@BOUNDED
@given(st.binary(max_size=400), st.text(max_size=40), accepts)
def test_any_body_and_content_type(client: FlaskClient, body: bytes, ctype: str,
                                   accept: str) -> None:
    headers = {"Content-Type": safe_header(ctype), "Accept": safe_header(accept)}
    for path in ("/sparql", "/graph-store?default", "/graph-store?graph=urn:x"):
        sane(client.post(path, data=body, headers=headers).status_code)
        sane(client.put(path, data=body, headers=headers).status_code)  # 401: no token


@BOUNDED
@given(st.lists(st.text(max_size=12), min_size=1, max_size=5), accepts,
       st.sampled_from(["", ".ttl", ".html", ".jsonld", ".nt", ".rdf", ".xyz"]))
def test_any_path(client: FlaskClient, segments: list[str], accept: str, suffix: str) -> None:
    path = "/".join(quote(s, safe="") for s in segments)
    headers = {"Accept": safe_header(accept)}
    for prefix in ("/doc/", "/id/", "/dumps/", "/", "/.well-known/void", "/ontology"):
        resp = client.get(prefix + path + suffix, headers=headers)
        sane(resp.status_code)
        resp.close()
    sane(client.open("/" + path, method="OPTIONS", headers=headers).status_code)


@BOUNDED
@given(st.text(max_size=80), accepts)
def test_graph_store_with_any_graph_name(client: FlaskClient, graph: str, accept: str) -> None:
    headers = {"Accept": safe_header(accept)}
    for method in ("GET", "HEAD"):
        sane(client.open("/graph-store", method=method, query_string={"graph": graph},
                         headers=headers).status_code)
    resp = client.delete("/graph-store", query_string={"graph": graph},
                         headers={"Authorization": "Bearer wrong"})
    assert resp.status_code in (400, 403)


@settings(max_examples=12, deadline=60_000, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), queries.map(lambda q: q.encode("utf-8", "replace"))),
       st.sampled_from(["text/turtle", "application/rdf+xml", "application/ld+json",
                        "application/n-triples", "application/sparql-update"]))
@pytest.mark.slow
def test_authorised_garbage_is_refused_cleanly(client: FlaskClient, body: bytes,
                                               ctype: str) -> None:
    """With the right token, garbage reaches the write worker: a 4xx, and the server (and
    its write worker) go on."""
    path = "/sparql" if ctype == "application/sparql-update" else \
        "/graph-store?graph=https://example.org/hostile"
    resp = client.post(path, data=body, headers={**AUTH, "Content-Type": ctype})
    assert resp.status_code in (200, 201, 204, 400, 403, 404, 413, 422), resp.data[:300]
    assert client.get("/healthz").status_code == 200


def test_huge_and_nested_requests(client: FlaskClient) -> None:
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000
    assert client.get("/sparql", query_string={"query": huge}).status_code == 413
    assert client.post("/sparql", data=huge, headers={
        **AUTH, "Content-Type": "application/sparql-update"}).status_code == 413
    for depth in (100, 5000, 50_000):
        nested = "SELECT * WHERE { " + "{" * depth + "}" * depth + " }"
        assert client.get("/sparql", query_string={"query": nested}).status_code in (400, 413)
        update = "INSERT DATA { <urn:a> <urn:b> " + "(" * depth + ")" * depth + " }"
        assert client.post("/sparql", data=update, headers={
            **AUTH, "Content-Type": "application/sparql-update"}).status_code in (400, 413)
    turtle = ("<urn:a> <urn:b> " + "[ <urn:b> " * 50_000 + "]" * 50_000 + " .").encode()
    resp = client.put("/graph-store?graph=https://example.org/deep", data=turtle,
                      headers={**AUTH, "Content-Type": "text/turtle"})
    assert resp.status_code in (400, 413, 422)
    assert client.get("/healthz").status_code == 200


# ------------------------------------------------------------------ no data runs as script

MARK = "ccgraphxss"
HOSTILE = [
    f"<script>alert('{MARK}')</script>", f"</script><script>alert('{MARK}')</script>",
    f"\"><img src=x onerror=alert('{MARK}')>", f"'><svg onload=alert('{MARK}')>",
    f"<!--<script>{MARK}</script>-->", f"]]><script>{MARK}</script>",
    f"{{{{ {MARK} }}}} {{% raw %}}", f"\u2028</script>{MARK}",
    f"<a href=\"javascript:{MARK}\">x</a>",
]


class ScriptFinder(HTMLParser):
    """What a browser would run: script bodies, event-handler attributes, javascript: URLs.
    A JSON-LD data block (``<script type="application/ld+json">``) is never run, but data
    that broke out of it would be: each must parse as JSON, whole."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_script = False
        self.data_block = False
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        self.data_block = self.in_script and ("type", "application/ld+json") in attrs
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and MARK in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and \
                    value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "svg") and any(n.startswith("on") for n, _ in attrs):
            self.found.append(f"<{tag}> with an event handler")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and self.data_block:
            try:
                json.loads(data)
            except ValueError:
                self.found.append(f"a data block that does not parse: {data[:120]!r}")
        elif self.in_script and MARK in data and "application/ld+json" not in data:
            self.found.append(f"script body: {data[:120]!r}")


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    base = iris.DEFAULT_BASE
    ds = Dataset()
    g = ds.graph(URIRef(base + "graph/curated"))
    city = URIRef(base + "id/city/xx/hostile")
    g.add((city, RDF.type, CCG.CreativeCity))
    for n, text in enumerate(HOSTILE):
        g.add((city, RDFS.label, Literal(text, lang="en")))
        thing = URIRef(f"{base}id/work/hostile-{n}")
        g.add((thing, RDFS.label, Literal(text)))
        g.add((thing, CCG.originatedIn, city))
        g.add((thing, SCHEMA.url, URIRef(f"javascript:alert('{MARK}{n}')")))
        g.add((thing, RDFS.comment, Literal(text, datatype=URIRef("urn:x:" + quote(text)))))
    out = tmp_path_factory.mktemp("xss") / "build"
    publish(ds, out, base)
    return create_app(Settings.load({"store": out}, environ={}))


def test_html_pages_never_run_data_as_script(hostile_app: Flask) -> None:
    client = hostile_app.test_client()
    paths = ["/doc/city/xx/hostile", "/doc/city/xx/hostile.html", "/sparql", "/",
             "/.well-known/void.html", "/dumps/"]
    paths += [f"/doc/work/hostile-{n}" for n in range(len(HOSTILE))]
    paths += [str(r) for r in hostile_app.url_map.iter_rules()
              if "GET" in (r.methods or set()) and "<" not in str(r)]
    checked = 0
    for path in sorted(set(paths)):
        resp = client.get(path, headers={"Accept": "text/html"})
        sane(resp.status_code)
        html = resp.get_data(as_text=True)
        resp.close()
        if not resp.content_type.startswith("text/html"):
            continue
        finder = ScriptFinder()
        finder.feed(html)
        assert finder.found == [], (path, finder.found)
        checked += 1
    page = client.get("/doc/city/xx/hostile", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert MARK in page.get_data(as_text=True)  # shown, as text
    assert checked >= len(HOSTILE)
