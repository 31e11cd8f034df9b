"""Loading a release graph by graph through a Graph Store endpoint (both engines do it the
same way): PUT every named graph and the union graph (union.py), then DELETE the graphs
the engine held and the release dropped. Readers may see some graphs replaced and others
not yet (docs/deployment.md)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from .protocol import Credentials, put_file, request
from .source import Publishable, split_graphs
from .union import union_graph, write_union_ntriples
from .verify import engine_counts


def root_of(url: str, suffixes: tuple[str, ...]) -> str:
    """The engine's root URL: ``url`` without a trailing slash or one of its endpoints'
    paths."""
    url = url.rstrip("/")
    for suffix in suffixes:
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def put_graphs(source: Publishable, query_url: str, graph_url: Callable[[str], str],
               media_type: str, credentials: Credentials | None,
               count_credentials: Credentials | None = None) -> int:
    """PUT each graph of ``source`` and its union graph to ``graph_url(graph)``, then
    DELETE the graphs under the dataset's base that the engine held before and ``source``
    does not have. Returns the number of graphs put."""
    stale = set(engine_counts(query_url, source.base, count_credentials))
    with tempfile.TemporaryDirectory(prefix="ccgraph-publish-") as tmp:
        files = split_graphs(source, Path(tmp))
        files[union_graph(source.base)] = write_union_ntriples(source, Path(tmp) / "union.nt")
        for graph, path in files.items():
            put_file(graph_url(graph), path, media_type, credentials)
    for graph in sorted(stale - set(files)):
        request("DELETE", graph_url(graph), credentials=credentials)
    return len(files)
