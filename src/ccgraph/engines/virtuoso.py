"""Loading into a running Virtuoso 7 through its authenticated Graph Store endpoint
(``/sparql-graph-crud-auth``, HTTP digest auth; the account needs SPARQL_UPDATE, e.g.
``dba``; credentials from ``CCGRAPH_ENGINE_USER``/``CCGRAPH_ENGINE_PASSWORD``).

Virtuoso's Graph Store endpoint takes Turtle per graph (not N-Quads): each named graph is
sent as N-Triples with ``PUT ?graph-uri=G``, then the graphs of the base that the dataset
no longer has are deleted. What a reader sees meanwhile: each ``PUT`` replaces one graph,
but Virtuoso commits while it loads (measured: a reader polling the counts saw empty and
partly loaded graphs, also inside one SQL procedure around ``TTLP``), so there is no
isolation at all — not even per graph. For readers that must never see a mix, load the
new release into a second Virtuoso database and switch the load balancer to it (see
docs/deployment.md, "Switching releases"). Blank nodes shared by two graphs become two
blank nodes (one document per graph); the release shares none across graphs.

The endpoint's default graph (no ``GRAPH``, no ``FROM``) is the union of all graphs.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

from . import graphwise
from .graphwise import put_graphs
from .protocol import Credentials, EngineError
from .source import Publishable

METHODS = ("graphs",)
CRUD = "/sparql-graph-crud-auth"
SUFFIXES = ("/sparql", "/sparql-auth", CRUD)


def root_of(url: str) -> str:
    return graphwise.root_of(url, SUFFIXES)


def query_endpoint(url: str) -> str:
    return root_of(url) + "/sparql"


def load(source: Publishable, url: str, method: str = "graphs",
         credentials: Credentials | None = None,
         say: Callable[[str], None] = lambda _m: None) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} for virtuoso: use one of "
                         + ", ".join(METHODS))
    if credentials is None or not credentials.password:
        raise EngineError("Virtuoso's Graph Store endpoint needs an account: set "
                          "CCGRAPH_ENGINE_USER and CCGRAPH_ENGINE_PASSWORD")
    root = root_of(url)
    say(f"virtuoso: PUT each graph into {root}{CRUD}")
    put_graphs(source, query_endpoint(root), lambda graph: _graph_url(root, graph),
               "text/turtle", credentials)


def _graph_url(root: str, graph: str) -> str:
    return f"{root}{CRUD}?" + urllib.parse.urlencode({"graph-uri": graph})
