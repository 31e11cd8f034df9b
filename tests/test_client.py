"""The researcher's client (``ccgraph query``) against a real server on a loopback port."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from werkzeug.serving import make_server

from ccgraph import iris
from ccgraph.client import QueryFailed, default_endpoint, render_table, run_query
from ccgraph.settings import Settings
from ccgraph.web import create_app

SAPPORO = str(iris.city("jp", "Sapporo"))
LABELS = f"SELECT ?label WHERE {{ <{SAPPORO}> <{RDFS.label}> ?label }} ORDER BY ?label"


@pytest.fixture(scope="module")
def build_dir(seed_build: Path) -> Path:
    """A real build of the seed profile (tests/conftest.py)."""
    return seed_build


@pytest.fixture(scope="module")
def endpoint(build_dir: Path) -> Iterator[str]:
    app = create_app(Settings.load({"store": build_dir}, environ={}))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()
    thread.join()
    server.server_close()


def test_json_csv_and_table_agree(endpoint: str) -> None:
    doc = json.loads(run_query(endpoint, LABELS, "json"))
    labels = [b["label"]["value"] for b in doc["results"]["bindings"]]
    assert "Sapporo" in labels
    rows = list(csv.reader(io.StringIO(run_query(endpoint, LABELS, "csv"))))
    assert rows[0] == ["label"]
    assert [r[0] for r in rows[1:]] == labels
    table = run_query(endpoint, LABELS, "table")
    lines = table.splitlines()
    assert lines[0].strip() == "label"
    assert "Sapporo@en" in table
    assert lines[-1] == f"({len(labels)} rows)"


def test_ask_and_graph_queries(endpoint: str) -> None:
    assert run_query(endpoint, f"ASK {{ <{SAPPORO}> ?p ?o }}", "table") == "true\n"
    construct = f"CONSTRUCT {{ <{SAPPORO}> ?p ?o }} WHERE {{ <{SAPPORO}> ?p ?o }}"
    turtle = Graph().parse(data=run_query(endpoint, construct, "table"), format="turtle")
    assert (URIRef(SAPPORO), RDFS.label, Literal("Sapporo", lang="en")) in turtle
    nquads = jsonld.to_rdf(json.loads(run_query(endpoint, construct, "json")),
                           {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), turtle)


def test_long_queries_are_posted(endpoint: str) -> None:
    padding = "# " + "x" * 3000 + "\n"
    assert "Sapporo" in run_query(endpoint, padding + LABELS, "csv")


def test_errors_carry_the_endpoint_message(endpoint: str) -> None:
    with pytest.raises(QueryFailed, match="malformed query"):
        run_query(endpoint, "SELECT ?x WHERE { ?x ", "table")
    with pytest.raises(QueryFailed, match="SERVICE is not allowed"):
        run_query(endpoint, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
                  "json")
    with pytest.raises(ValueError, match="unknown format"):
        run_query(endpoint, LABELS, "xml")


def test_unreachable_endpoint() -> None:
    with pytest.raises(QueryFailed):
        run_query("http://127.0.0.1:9/sparql", "ASK {}", "table")


def test_default_endpoint_comes_from_settings() -> None:
    settings = Settings.load(environ={"CCGRAPH_PORT": "9123", "CCGRAPH_HOST": "0.0.0.0"})
    assert default_endpoint(settings) == "http://127.0.0.1:9123/sparql"


def test_render_table_handles_unbound_and_iris() -> None:
    doc = {"head": {"vars": ["a", "b"]}, "results": {"bindings": [
        {"a": {"type": "uri", "value": SAPPORO}},
        {"a": {"type": "literal", "value": "x"}, "b": {"type": "bnode", "value": "n1"}}]}}
    lines = render_table(doc).splitlines()
    assert lines[2].startswith("<" + SAPPORO + ">")
    assert lines[3].split("|")[1].strip() == "_:n1"
    assert lines[-1] == "(2 rows)"
