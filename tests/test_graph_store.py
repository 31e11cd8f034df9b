"""The SPARQL 1.1 Graph Store HTTP Protocol on /graph-store, over real HTTP: reads, writes
and the protocol's status codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ccgraph import iris
from ccgraph.store import open_build
from ccgraph.terms import parse_graph
from tests.support.servers import werkzeug_server
from tests.support.writehelp import AUTH, CURATED, SAPPORO, TOKEN, VOID, copy_build, snapshot

MEMBERS = str(iris.graph("members", iris.DEFAULT_BASE))
NEW = "https://example.org/graphs/notes"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
GS = "/graph-store"


@pytest.fixture(scope="module")
def build(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_build(seed_build, tmp_path_factory.mktemp("gsp") / "build")


@pytest.fixture(scope="module")
def url(build: Path) -> Iterator[str]:
    with werkzeug_server(build, update_token=TOKEN) as root:
        yield root


def graph_of(build: Path, name: str | None) -> Graph:
    b = open_build(build)
    g = ox.NamedNode(name) if name else ox.DefaultGraph()
    data = ox.serialize([q.triple for q in b.store.quads_for_pattern(None, None, None, g)],
                        format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=data, format="nt")


def content(build: Path) -> Graph:
    """The union of the named graphs but the (generated) VoID graph."""
    b = open_build(build)
    triples = {q.triple for q in b.store if isinstance(q.graph_name, ox.NamedNode)
               and q.graph_name.value != VOID}
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=data, format="nt")


def send(url: str, method: str, graph: str | None, body: bytes = b"",
         content_type: str = "text/turtle", headers: dict[str, str] | None = None
         ) -> requests.Response:
    params = {"graph": graph} if graph else {"default": ""}
    return requests.request(method, url + GS, params=params, data=body, timeout=120,
                            headers={"Content-Type": content_type, **AUTH, **(headers or {})})


# ------------------------------------------------------------------ reads

@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_get_a_named_graph(url: str, build: Path, accept: str, fmt: ox.RdfFormat) -> None:
    resp = requests.get(url + GS, params={"graph": MEMBERS}, headers={"Accept": accept},
                        timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(accept)
    assert isomorphic(parse_graph(resp.content, fmt), graph_of(build, MEMBERS))


def test_get_default_is_the_union_and_head_and_304(url: str, build: Path) -> None:
    resp = requests.get(url + GS + "?default", headers={"Accept": "application/n-triples"},
                        timeout=30)
    assert resp.status_code == 200
    assert len(Graph().parse(data=resp.content, format="nt")) == len(graph_of(build, None))
    head = requests.head(url + GS + "?default", headers={"Accept": "application/n-triples"},
                         timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == resp.headers["ETag"]
    again = requests.get(url + GS + "?default", timeout=30,
                         headers={"Accept": "application/n-triples",
                                  "If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("query,status", [
    ({"graph": "https://example.org/none"}, 404),
    ({"graph": "relative/iri"}, 400),
    ({"graph": "https://exa mple.org/x"}, 400),
    ({"graph": [MEMBERS, CURATED]}, 400),
    ({"graph": MEMBERS, "default": ""}, 400),
    ({}, 400),
])
def test_read_errors(url: str, query: dict[str, object], status: int) -> None:
    assert requests.get(url + GS, params=query, timeout=30).status_code == status  # type: ignore[arg-type]
    assert requests.head(url + GS, params=query, timeout=30).status_code == status  # type: ignore[arg-type]


def test_unacceptable_is_406(url: str) -> None:
    resp = requests.get(url + GS, params={"graph": MEMBERS}, headers={"Accept": "image/png"},
                        timeout=30)
    assert resp.status_code == 406


# ------------------------------------------------------------------ writes

NOTE = f'<{SAPPORO}> <http://www.w3.org/2000/01/rdf-schema#comment> "a note"@en .\n'.encode()
OTHER = f'<{SAPPORO}> <http://www.w3.org/2000/01/rdf-schema#comment> "another"@en .\n'.encode()


@pytest.mark.slow
def test_put_post_delete_a_graph(url: str, build: Path) -> None:
    created = send(url, "PUT", NEW, NOTE)
    assert created.status_code == 201, created.text
    assert created.content == b""
    got = requests.get(url + GS, params={"graph": NEW}, timeout=30,
                       headers={"Accept": "text/turtle"})
    assert isomorphic(Graph().parse(data=got.text, format="turtle"),
                      Graph().parse(data=NOTE, format="nt"))
    replaced = send(url, "PUT", NEW, OTHER, "application/n-triples")
    assert replaced.status_code == 204
    assert len(graph_of(build, NEW)) == 1
    assert (URIRef(SAPPORO), None, Literal("another", lang="en")) in graph_of(build, NEW)
    merged = send(url, "POST", NEW, NOTE)
    assert merged.status_code == 204
    assert len(graph_of(build, NEW)) == 2
    deleted = send(url, "DELETE", NEW)
    assert deleted.status_code == 204
    assert len(graph_of(build, NEW)) == 0
    assert send(url, "DELETE", NEW).status_code == 404
    assert requests.get(url + GS, params={"graph": NEW}, timeout=30).status_code == 404


@pytest.mark.slow
def test_post_to_default_lands_in_curated(url: str, build: Path) -> None:
    extra = f'<{SAPPORO}> <http://www.w3.org/2000/01/rdf-schema#comment> "via default"@en .'
    resp = send(url, "POST", None, extra.encode())
    assert resp.status_code == 204, resp.text
    assert (URIRef(SAPPORO), None, Literal("via default", lang="en")) in graph_of(build,
                                                                                  CURATED)
    before = content(build)
    again = send(url, "POST", None, extra.encode())  # the union holds it already
    assert again.status_code == 204
    assert isomorphic(content(build), before)


def test_write_errors(url: str, build: Path) -> None:
    before = snapshot(build)
    assert send(url, "PUT", NEW, b"<a> <b> .").status_code == 400
    assert send(url, "PUT", NEW, b"\xff\xfe\x00", "application/rdf+xml").status_code == 400
    unsupported = send(url, "PUT", NEW, NOTE, "image/png")
    assert unsupported.status_code == 415 and "text/turtle" in unsupported.text
    assert send(url, "PUT", NEW, NOTE, "application/n-quads").status_code == 415
    assert send(url, "PUT", VOID, NOTE).status_code == 403
    assert send(url, "POST", NEW, NOTE, headers={"Authorization": "Bearer nope"}
                ).status_code == 403
    assert requests.put(url + GS, params={"graph": NEW}, data=NOTE, timeout=30,
                        headers={"Content-Type": "text/turtle"}).status_code == 401
    assert send(url, "PUT", "not an iri", NOTE).status_code == 400
    assert snapshot(build) == before


@pytest.mark.slow
def test_a_graph_that_breaks_the_shapes_is_422(url: str, build: Path) -> None:
    before = snapshot(build)
    bad = (f'<{iris.DEFAULT_BASE}id/contact/jp/sapporo/media-arts> '
           '<http://schema.org/email> "nope" .').encode()
    resp = send(url, "POST", CURATED, bad)
    assert resp.status_code == 422 and "email" in resp.text
    assert snapshot(build) == before
