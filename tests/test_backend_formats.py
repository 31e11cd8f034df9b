"""A SELECT over a remote engine is answered in every result format as on the embedded
store: its solutions are parsed from the engine's answer and written by pyoxigraph, none
turned into Python rows (runner.execute_select with the store's ``result_limit``); the
cap still truncates, with its headers and its link. Over a real Oxigraph server and a real
Virtuoso (the session's engines, tests/support/backends.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from ccgraph.web.engine_queries import HEADER
from tests.support.backends import STARTERS, Engines
from tests.support.servers import werkzeug_server

CAP = 7
FORMATS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV,
           "text/csv": None}  # CSV loses term kinds: compared as text
QUERIES = {  # (query, truncated at CAP)
    "few": ("SELECT ?city ?name ?lat WHERE { ?city a ccg:CreativeCity ; rdfs:label ?name "
            "OPTIONAL { ?city schema:geo/schema:latitude ?lat } } ORDER BY ?city ?name "
            f"LIMIT {CAP - 2}", False),
    "many": ("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } "
             "ORDER BY ?s ?p ?o", True),
}


@pytest.fixture(scope="module", params=sorted(STARTERS))
def servers(request: pytest.FixtureRequest, seed_build: Path, engines: Engines
            ) -> Iterator[tuple[str, str]]:
    engine = engines.engine(request.param, seed_build)
    with werkzeug_server(seed_build, result_cap=CAP, result_cache_mb=0) as embedded, \
            werkzeug_server(seed_build, result_cap=CAP, result_cache_mb=0,
                            backend=engine.url) as backed:
        yield embedded, backed


def answer(url: str, query: str, accept: str) -> requests.Response:
    resp = requests.get(url + "/sparql", params={"query": query}, headers={"Accept": accept},
                        timeout=120)
    assert resp.status_code == 200, resp.text[:500]
    assert resp.headers["Content-Type"].startswith(accept)
    return resp


def solutions(body: bytes, fmt: ox.QueryResultsFormat) -> list[list[str | None]]:
    parsed = ox.parse_query_results(body, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    width = range(len(parsed.variables))
    return [[None if row[i] is None else str(row[i]) for i in width] for row in parsed]


@pytest.mark.parametrize("accept", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_select_in_every_format_is_the_embedded_answer(servers: tuple[str, str],
                                                          name: str, accept: str) -> None:
    query, truncated = QUERIES[name]
    embedded, backed = (answer(url, query, accept) for url in servers)
    assert int(backed.headers[HEADER]) == 1
    for resp in (embedded, backed):
        assert (resp.headers.get("X-Result-Truncated") == "true") is truncated
        assert (resp.headers.get("X-SPARQL-MaxRows") == str(CAP)) is truncated
    fmt = FORMATS[accept]
    if fmt is None:
        lines = [r.text.splitlines() for r in (embedded, backed)]
        assert len(lines[0]) > 2
        assert lines[1] == lines[0]
        return
    rows = [solutions(r.content, fmt) for r in (embedded, backed)]
    assert rows[0] and (len(rows[0]) == CAP) is truncated
    assert rows[1] == rows[0]
    if fmt == ox.QueryResultsFormat.JSON:
        heads = [r.json()["head"] for r in (embedded, backed)]
        assert heads[1]["vars"] == heads[0]["vars"]
        for head, url in zip(heads, servers, strict=True):  # the cap's link: the server's own
            assert head.get("link", []) == ([f"{url}/sparql#result-cap"] if truncated else [])
