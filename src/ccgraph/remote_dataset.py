"""The dataset ``ccgraph serve --backend`` asks a remote engine for: the union graph that
``ccgraph publish`` loaded (engines/union.py) as the default graph, so that a triple held
by two named graphs counts once, as in the embedded store, and the dataset's own named
graphs (not the union graph, not the engine's system graphs) for ``GRAPH``.

Two ways of saying it, chosen once by the engine's ``Server`` header:

* the SPARQL 1.1 Protocol's ``default-graph-uri``/``named-graph-uri`` parameters (Oxigraph
  server, and any engine that is not Virtuoso);
* Virtuoso's ``DEFINE input:default-graph-uri`` and ``input:named-graph-exclude`` pragmas
  before the query: Virtuoso echoes every protocol graph parameter as a response header,
  and Python's HTTP client refuses an answer with more than 100 headers (a dataset has
  one graph per city); and a list of the 357 named graphs of the network build, as
  ``input:named-graph-uri`` pragmas, made a resource lookup 60 times slower (0.05 s ->
  3.0 s). So ``GRAPH`` ranges over every graph but the excluded ones: the union graph and
  Virtuoso's own graphs outside the dataset's base (``virtrdf#`` and two others, listed
  once when the server opens: ~2 s). But Virtuoso answers ``GRAPH <iri> { … }`` with
  nothing under any ``input:`` pragma but a named-graph list that holds the IRI (measured:
  ``COUNT`` 1 instead of 335 for ``graph/ontology``), so a query naming a graph gets the
  list (such queries are simple: one graph's triples). ``DESCRIBE`` gets
  ``sql:describe-mode "CBD"``: the concise bounded description pyoxigraph answers
  (Virtuoso's own adds inbound triples).

ccgraph's own queries (web/describe.py, remote_store.py: every pattern inside ``GRAPH
?v``) are sent to an engine other than Virtuoso with no graph listed and a filter on each
graph variable instead (remote_graphs.py: a ``/doc`` page ~6 times faster on Oxigraph
server), when the engine's graphs outside the dataset are few and known (listed once when
the server opens).

``named-graph-uri`` is sent only when the query says ``GRAPH`` (without it no named graph
is read). A query that names its own dataset with the protocol's parameters (checked by
the query guard) is sent with them (to Virtuoso as pragmas); one that says ``FROM``/``FROM
NAMED`` gets them as the protocol's parameters (pragmas) too: Oxigraph server started with
``--union-default-graph`` ignores a query's ``FROM`` (measured: ``FROM <members>`` counted
every graph's triples).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from . import remote_graphs
from .query_guard import QueryInfo

log = logging.getLogger(__name__)
GRAPH_WORD = re.compile(r"\bGRAPH\b", re.IGNORECASE)
#: ``GRAPH <iri>`` or ``GRAPH prefix:name`` (a graph named, not a variable)
GRAPH_NAMED = re.compile(r"\bGRAPH\s*(?:<|[A-Za-z][\w.-]*:|:)", re.IGNORECASE)
PROTOCOL_FIELDS = ("default-graph-uri", "named-graph-uri")


@dataclass(frozen=True)
class Dataset:
    union: str
    graphs: tuple[str, ...]
    pragmas: bool = False  # Virtuoso: DEFINE lines rather than protocol parameters
    #: with pragmas: the engine's graphs that are not the dataset's (besides the union)
    foreign: tuple[str, ...] = ()
    #: the engine's graphs that are not the dataset's, the union graph among them (None:
    #: not known, or too many to name in a filter): remote_graphs.py
    excluded: tuple[str, ...] | None = None

    def apply(self, query: str, fields: Sequence[tuple[str, str]], info: QueryInfo,
              own: bool = False) -> tuple[str, list[tuple[str, str]]]:
        """``query`` and the request's form ``fields`` asking for this dataset. ``own``: a
        query of ccgraph's whose every triple pattern is inside ``GRAPH ?v``: its graphs are
        filtered in the query where it can be (remote_graphs.py), not listed."""
        fields = list(fields)
        given = [(name, g) for name, g in fields if name in PROTOCOL_FIELDS]
        if own and not given and not info.has_dataset_clause and self.excluded is not None \
                and (rewritten := remote_graphs.filtered(query, self.excluded)) is not None:
            return rewritten, fields
        if self.pragmas and (given or info.has_dataset_clause):
            return as_pragmas(query, given or from_clauses(info)), [
                f for f in fields if f[0] not in PROTOCOL_FIELDS]
        if given:
            return query, fields
        if info.has_dataset_clause:
            return query, fields + from_clauses(info)
        named = self.graphs if GRAPH_WORD.search(query) else ()
        if self.pragmas:
            define = [f"DEFINE input:default-graph-uri <{self.union}>"]
            if info.form == "DESCRIBE":  # the embedded store's DESCRIBE: a CBD
                define.append('DEFINE sql:describe-mode "CBD"')
            if named and GRAPH_NAMED.search(query):  # GRAPH <iri>: exclusions break it
                define += [f"DEFINE input:named-graph-uri <{g}>" for g in named]
            elif named:
                define += [f"DEFINE input:named-graph-exclude <{g}>"
                           for g in (self.union, *self.foreign)]
            return "\n".join(define) + "\n" + query, fields
        fields += [("default-graph-uri", self.union)]
        fields += [("named-graph-uri", g) for g in named]
        return query, fields


class Unreachable(OSError):
    """The engine did not answer the probe."""


def probe(url: str, union: str, graphs: Sequence[str], timeout: float,
          seen: list[str] | None = None) -> Dataset | None:
    """The dataset to ask the engine at ``url`` for, or None when it holds no union graph
    (published by an older ccgraph: queries then get the engine's own default graph, a
    bag). One ``ASK`` query; raises Unreachable. The engine's ``Server`` header is
    appended to ``seen``."""
    data = urllib.parse.urlencode(
        {"query": f"ASK {{ GRAPH <{union}> {{ ?s ?p ?o }} }}"}).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            server = resp.headers.get("Server", "")
            found = bool(json.loads(resp.read()).get("boolean"))
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise Unreachable(f"{url}: {getattr(exc, 'reason', exc)}") from None
    if seen is not None:
        seen.append(server)
    if not found:
        log.warning("%s holds no union graph <%s> (publish with this ccgraph again): "
                    "queries get the engine's default graph, where a triple of two "
                    "graphs counts twice", url, union)
        return None
    if not server.startswith("Virtuoso"):
        return Dataset(union, tuple(graphs), excluded=other_graphs(url, union, graphs, timeout))
    # Virtuoso keeps its pragmas for ccgraph's queries too: a /doc page took 3.0 s with
    # the graphs filtered against 2.4 s with named-graph-exclude (remote_graphs.py)
    return Dataset(union, tuple(graphs), pragmas=True,
                   foreign=foreign_graphs(url, union, graphs, timeout))


def other_graphs(url: str, union: str, graphs: Sequence[str], timeout: float
                 ) -> tuple[str, ...] | None:
    """The union graph and the engine's other graphs that are not among ``graphs`` (one
    ``GRAPH ?g {}`` query: the engine lists its graphs, reading none), or None when the
    engine did not say or holds more than remote_graphs.MAX_EXCLUDED of them."""
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
    req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(),
                                 method="POST", headers={
                                     "Content-Type": "application/x-www-form-urlencoded",
                                     "Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            rows = json.loads(resp.read())["results"]["bindings"]
    except (urllib.error.URLError, TimeoutError, ValueError, KeyError) as exc:
        log.warning("cannot list the graphs of %s (%s): ccgraph's queries name the "
                    "dataset's graphs one by one", url, getattr(exc, "reason", exc))
        return None
    ours = set(graphs)
    found = {row["g"]["value"] for row in rows if row.get("g", {}).get("type") == "uri"}
    other = tuple(sorted(found - ours - {union}))
    if len(other) + 1 > remote_graphs.MAX_EXCLUDED:
        return None
    return (union, *other)


def foreign_graphs(url: str, union: str, graphs: Sequence[str], timeout: float
                   ) -> tuple[str, ...]:
    """The engine's graphs outside the base of the dataset's graphs (Virtuoso's own)."""
    base = union.rsplit("graph/", 1)[0]
    query = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
             f"FILTER(!STRSTARTS(STR(?g), {json.dumps(base)})) }}")
    req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(),
                                 method="POST", headers={
                                     "Content-Type": "application/x-www-form-urlencoded",
                                     "Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=max(timeout, 30.0)) as resp:
            rows = json.loads(resp.read())["results"]["bindings"]
    except (urllib.error.URLError, TimeoutError, ValueError, KeyError) as exc:
        log.warning("cannot list the graphs of %s outside the dataset (%s): GRAPH also "
                    "ranges over them", url, getattr(exc, "reason", exc))
        return ()
    ours = set(graphs)
    return tuple(sorted(g for g in (row["g"]["value"] for row in rows) if g not in ours))


class RemoteDataset:
    """The engine's dataset, probed when the server opens and, if the engine did not
    answer then, again before each query until it does."""

    def __init__(self, url: str, union: str, graphs: Sequence[str], timeout: float) -> None:
        self._args = (url, union, tuple(graphs), timeout)
        self._known = False
        self._dataset: Dataset | None = None
        #: the engine's ``Server`` header, once the probe got an answer
        self.server: str | None = None
        self.resolve()

    @property
    def known(self) -> bool:
        """Whether the probe got an answer (else the next query probes again)."""
        return self._known

    def resolve(self) -> Dataset | None:
        if not self._known:
            seen: list[str] = []
            try:
                self._dataset = probe(*self._args, seen=seen)
                self.server = seen[0] if seen else ""
                self._known = True
            except Unreachable as exc:
                log.warning("cannot ask %s for the union graph yet", exc)
        return self._dataset

    def apply(self, query: str, fields: Sequence[tuple[str, str]], info: QueryInfo,
              own: bool = False) -> tuple[str, list[tuple[str, str]]]:
        found = self.resolve()
        if found is None:
            if info.has_dataset_clause and not any(n in PROTOCOL_FIELDS for n, _ in fields):
                return query, [*fields, *from_clauses(info)]
            return query, list(fields)
        return found.apply(query, fields, info, own)


def as_pragmas(query: str, graphs: Sequence[tuple[str, str]]) -> str:
    """``query`` asking Virtuoso for the protocol's ``graphs`` with DEFINE pragmas (no
    response header per graph)."""
    pragma = {"default-graph-uri": "input:default-graph-uri",
              "named-graph-uri": "input:named-graph-uri"}
    return "".join(f"DEFINE {pragma[name]} <{g}>\n" for name, g in graphs) + query


def from_clauses(info: QueryInfo) -> list[tuple[str, str]]:
    """The query's ``FROM``/``FROM NAMED`` graphs as the protocol's parameters (they name
    the same dataset; the parameters win over the query's clauses in every engine)."""
    return ([("default-graph-uri", g) for g in info.from_graphs]
            + [("named-graph-uri", g) for g in info.from_named])
