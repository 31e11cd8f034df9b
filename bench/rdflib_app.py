"""rdflib-endpoint (PyPI) serving the same dump, for ``uvicorn bench.rdflib_app:app``.

The dump is named by the environment variable CCGRAPH_BENCH_DUMP (an N-Triples or Turtle
file, optionally gzipped); the endpoint answers at ``/sparql``.
"""

from __future__ import annotations

import gzip
import os

from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint

_path = os.environ["CCGRAPH_BENCH_DUMP"]
_graph = Graph()
if _path.endswith(".gz"):
    with gzip.open(_path, "rb") as fh:
        _graph.parse(data=fh.read(), format="nt")
else:
    _graph.parse(_path, format="turtle" if _path.endswith(".ttl") else "nt")

app = SparqlEndpoint(graph=_graph, path="/sparql", title="rdflib-endpoint (bench)",
                     public_url="http://127.0.0.1/sparql")
