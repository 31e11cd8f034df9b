"""Loading into a running Oxigraph server (``oxigraph serve``) through its Graph Store
Protocol endpoint ``/store``.

Methods, and what a reader sees while they run:

``store`` (default)
    one ``PUT /store`` with the whole N-Quads and the union graph (union.py): Oxigraph
    clears the store and loads the dataset in one transaction, so a concurrent query sees
    the old dataset or the new one, never a mix (the engine tests poll during a second
    publish). It replaces everything the server holds: give ccgraph its own server. The
    transaction is held in the server's memory: measured, 10 GB and growing after 9.5 min at
    7.7 M quads; for datasets that size, ``oxigraph load`` a new database and switch readers
    to it.
``graphs``
    one ``PUT /store?graph=G`` per named graph (N-Triples), then ``DELETE`` of the graphs of
    the base that the dataset no longer has. Each graph is replaced atomically, the set is
    not: a reader may see some graphs of the new dataset beside some of the old one. Other
    graphs on the server are left alone.

``ccgraph serve --backend`` asks for the union graph as the default graph (a set, as
ccgraph's own store has it); start the server with ``--union-default-graph`` all the same,
for clients that query the engine directly.
"""

from __future__ import annotations

import tempfile
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from . import graphwise
from .graphwise import put_graphs
from .protocol import Credentials, put_file
from .source import Publishable
from .union import append_union_quads

METHODS = ("store", "graphs")
SUFFIXES = ("/query", "/update", "/store", "/sparql")


def root_of(url: str) -> str:
    return graphwise.root_of(url, SUFFIXES)


def query_endpoint(url: str) -> str:
    return root_of(url) + "/query"


def load(source: Publishable, url: str, method: str = "store",
         credentials: Credentials | None = None,
         say: Callable[[str], None] = lambda _m: None) -> None:
    root = root_of(url)
    if method == "store":
        say(f"oxigraph: PUT {root}/store ({source.quads} quads, one transaction)")
        with tempfile.TemporaryDirectory(prefix="ccgraph-publish-") as tmp:
            data = source.write_nquads(Path(tmp) / "dataset.nq")
            append_union_quads(source, data)
            put_file(f"{root}/store", data, "application/n-quads", credentials)
        return
    if method != "graphs":
        raise ValueError(f"unknown method {method!r} for oxigraph: use one of "
                         + ", ".join(METHODS))
    say(f"oxigraph: PUT each graph into {root}/store")
    put_graphs(source, query_endpoint(root), lambda graph: _graph_url(root, graph),
               "application/n-triples", credentials, credentials)


def _graph_url(root: str, graph: str) -> str:
    return f"{root}/store?" + urllib.parse.urlencode({"graph": graph})
