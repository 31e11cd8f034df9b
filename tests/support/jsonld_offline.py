"""pyld without a network: a document loader that answers the ccgraph context's URL from a
real server (or the committed file) and refuses every other URL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests
from pyld import jsonld
from rdflib import Graph

from ccgraph import framing, iris

Loader = Callable[..., dict[str, Any]]


def loader(server: str | None = None, base: str = iris.DEFAULT_BASE) -> Loader:
    """Answer ``{base}context/...`` from ``server`` (its bytes as served), or from the
    package when no server is given; any other URL is an error (tests never go online)."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if not url.startswith(base + "context"):
            raise jsonld.JsonLdError(f"offline: will not fetch {url}", "loading document failed")
        if server is None:
            document = json.loads(framing.context_bytes())
        else:
            resp = requests.get(server + "/" + url[len(base):], timeout=30)
            resp.raise_for_status()
            assert resp.headers["Content-Type"].startswith("application/ld+json")
            document = resp.json()
        return {"contentType": "application/ld+json", "contextUrl": None,
                "documentUrl": url, "document": document}

    return load


def to_graph(doc: Any, server: str | None = None, base: str = iris.DEFAULT_BASE) -> Graph:
    """A JSON-LD document's triples, as pyld (an independent processor) reads them."""
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads",
                                 "documentLoader": loader(server, base)})
    return Graph().parse(data=nquads, format="nt")
