"""A remote SPARQL 1.1 endpoint that reads like the embedded store (``ccgraph serve
--backend URL``).

The views read the store through three calls of :class:`pyoxigraph.Store`: ``query``,
``quads_for_pattern`` and ``named_graphs``. :class:`RemoteStore` answers them over the SPARQL
1.1 Protocol only (a form POST of ``query=`` on a kept-alive connection, remote_http.py,
a timeout) and parses the answers with pyoxigraph's own parsers (``parse_query_results``
for SPARQL JSON results, ``parse`` for N-Triples), so views get the same solution, term
and triple objects as from ``ox.Store``.

* ``quads_for_pattern`` is an explicit ``SELECT … WHERE { GRAPH ?g { … } }`` (or the union
  default graph for ``ox.DefaultGraph()``), never the engine's ``DESCRIBE``: engines differ on
  what DESCRIBE returns (Virtuoso's gives only inbound triples).
* the engine must answer queries without ``GRAPH`` from the union of the named graphs, as the
  embedded store does (Oxigraph server: ``--union-default-graph``).
* blank nodes have no identity a query can name. The data's blank nodes hang off IRIs
  (evidence selectors, VoID partitions, OWL lists), so a lookup of an IRI subject fetches, in
  the same query, the triples of the blank nodes it reaches through up to
  :data:`BLANK_DEPTH` blank nodes, and keeps them for the lookups of those blank nodes that
  follow (a bounded memo). A blank node reached only as the subject of an inbound link has
  nothing remembered: it is described as empty.
* the query guard (web/sparql.py) runs before :meth:`RemoteStore.query` is called; this module
  sends what it is given, with the endpoint's result cap as a ``LIMIT`` when asked
  (``result_limit``, :mod:`ccgraph.query_limit`).
* the query deadline goes to the engine where it takes one (remote_deadline.py): Virtuoso
  gets its ``timeout`` field; an answer the engine cut short at its deadline (Virtuoso's
  ``X-SQL-State``, Oxigraph server's "cancelled" ending) raises :class:`EngineTimeout`,
  never passes for a whole one, and so does an engine that does not answer within the
  store's ``timeout``; a query Virtuoso's compiler would take hours over is not sent.
* every request sent to the engine is counted: :attr:`RemoteStore.sent` in all, and per
  unit of work in the :class:`QueryCount` of :func:`counting` (the app opens one per HTTP
  request and answers the number in ``X-Ccgraph-Backend-Queries``, web/engine_queries.py).
  The pages read the engine with few, batched queries, each starting from IRIs written in
  it (web/describe.py, pages/data.py).
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from . import query_guard, query_limit, remote_deadline
from .remote_dataset import RemoteDataset
from .remote_http import Connections
from .remote_syntax import check_syntax

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
#: what to ask for, by the query's form (Virtuoso answers a CONSTRUCT asked with a mixed
#: Accept as SPARQL JSON rows)
ACCEPT = {"CONSTRUCT": N_TRIPLES, "DESCRIBE": N_TRIPLES, "SELECT": RESULTS_JSON,
          "ASK": RESULTS_JSON}
ACCEPT_ANY = f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
#: how many blank nodes deep a subject lookup follows (OWL lists of three members)
BLANK_DEPTH = 3
#: most blank nodes remembered (then the memo starts again)
BLANK_MEMO = 50_000
#: most subjects whose quads are remembered (then the memo starts again)
SUBJECT_MEMO = 20_000
LEADING_BASE = re.compile(r"\s*BASE\s*<[^>]*>", re.IGNORECASE)
UNSAFE_LABEL = re.compile(r"[^A-Za-z0-9_]")
Term = ox.NamedNode | ox.BlankNode | ox.Literal
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class RemoteError(OSError):
    """The engine could not be reached, or failed (not the query's fault)."""


class EngineFailed(RemoteError):
    """The engine answered with an error status other than 400."""


class EngineTimeout(RemoteError):
    """The engine ran out of time: it gave no answer within the deadline, stopped the
    query and answered part of it, or would (a 503, not a 502: the engine is up).
    ``sent``: whether the query reached the engine."""

    def __init__(self, message: str, *, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent


@dataclass
class QueryCount:
    """Requests sent to the engine while it was current (see :func:`counting`), and the
    text of each query among them as ccgraph wrote it (before the dataset's pragmas or
    parameters): what a page asks the engine, for its tests and for whoever reads a slow
    page's cost."""

    n: int = 0
    queries: list[str] = field(default_factory=list)


_CURRENT_COUNT: ContextVar[QueryCount | None] = ContextVar("ccgraph_engine_queries",
                                                           default=None)
_DEADLINE: ContextVar[float | None] = ContextVar("ccgraph_engine_deadline", default=None)


def set_deadline(deadline: float) -> None:
    """The ``time.monotonic()`` by which the queries sent from this context must end (the
    ``/sparql`` runner's deadline, web/sparql.py): the engine is asked to stop then, rather
    than at the store's ``engine_timeout``."""
    _DEADLINE.set(deadline)


@contextmanager
def counting() -> Iterator[QueryCount]:
    """Count the engine requests sent from this context (and from copies of it, e.g. a
    query run in a helper thread with ``contextvars.copy_context().run``)."""
    count = QueryCount()
    token = _CURRENT_COUNT.set(count)
    try:
        yield count
    finally:
        _CURRENT_COUNT.reset(token)


def start_count() -> tuple[QueryCount, Any]:
    """:func:`counting` for hooks that open and close in different calls (a Flask
    request): the count and the token to give to :func:`stop_count`."""
    count = QueryCount()
    return count, _CURRENT_COUNT.set(count)


def stop_count(token: Any) -> None:
    _CURRENT_COUNT.reset(token)


class RemoteStore:
    """Read-only access to the dataset of a SPARQL 1.1 endpoint at ``url``."""

    def __init__(self, url: str, timeout: float = 10.0,
                 graphs: Iterable[ox.NamedNode] | None = None,
                 dataset: RemoteDataset | None = None,
                 engine_timeout: float | None = None) -> None:
        """``graphs``: the dataset's named graphs when known (the build published there),
        so that listing them costs no query (Virtuoso takes ~4 s to list its graphs).
        ``dataset``: what to ask the engine for (remote_dataset.py). ``timeout``: seconds
        to wait for an answer; ``engine_timeout``: the seconds the engine is asked to stop
        a query at, where it takes a deadline (remote_deadline.py), unless the context set
        one (:func:`set_deadline`)."""
        self.url = url
        self.dataset = dataset
        self.timeout = timeout
        self.engine_timeout = engine_timeout
        self._server: str | None = None  # the engine's Server header, once seen
        self._graphs = None if graphs is None else tuple(graphs)
        self._blank: dict[ox.BlankNode, list[ox.Quad]] = {}
        self._subjects: dict[ox.NamedNode, list[ox.Quad]] = {}
        self._sent = 0
        self._sent_lock = threading.Lock()
        self._connections = Connections(url)  # kept alive (remote_http.py)
        #: kinds of query (query_limit.kind) whose LIMIT the engine refused
        self._limit_refused: set[str] = set()

    @property
    def sent(self) -> int:
        """Requests sent to the engine since this store was opened."""
        return self._sent

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    @property
    def is_virtuoso(self) -> bool:
        server = self.dataset.server if self.dataset is not None else None
        return (server if server is not None else self._server or "").startswith("Virtuoso")

    def alive(self, timeout: float) -> bool:
        """Whether the engine answers ``ASK { ?s ?p ?o }`` (over the dataset, when the
        engine was probed already) within ``timeout`` seconds: one request. Raises
        RemoteError when it does not answer (EngineTimeout: not in time)."""
        text, fields = "ASK { ?s ?p ?o }", [("query", "ASK { ?s ?p ?o }")]
        if self.dataset is not None and self.dataset.known:
            text, extra = self.dataset.apply(text, [], query_guard.analyse(text, None))
            fields = [("query", text), *extra]
        _, body = self._post(fields, RESULTS_JSON, timeout)
        return bool(json.loads(body).get("boolean"))

    # ---------------------------------------------------------------- the protocol

    def query(self, query: str, *, prefixes: Mapping[str, str] | None = None,
              default_graph: Sequence[ox.NamedNode] | None = None,
              named_graphs: Sequence[ox.NamedNode] | None = None,
              result_limit: int | None = None, own_graphs: bool = False,
              **_ignored: Any) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Send ``query`` (with ``prefixes`` declared before it, as pyoxigraph's option
        does: a PREFIX of the query overrides one) and parse the answer. A query the engine
        refuses raises ValueError with the engine's message. ``result_limit``: a SELECT
        asks the engine for at most that many solutions (query_limit.py). ``own_graphs``:
        a query of ccgraph's whose every triple pattern is inside ``GRAPH ?v``, its graphs
        filtered in the query rather than listed (remote_graphs.py)."""
        info = query_guard.analyse(query, prefixes)
        check_syntax(query, prefixes)  # the same 400 (line, column) on every engine
        if self.is_virtuoso and (terms := remote_deadline.inlined_terms(query)) \
                > remote_deadline.VIRTUOSO_MAX_INLINED:
            raise EngineTimeout(
                f"not sent: Virtuoso would compile this query for longer than any deadline "
                f"(its BIND expressions substituted into each other make {terms:,} terms; "
                f"at most {remote_deadline.VIRTUOSO_MAX_INLINED:,}): use fewer chained BINDs",
                sent=False)
        options = (prefixes, default_graph, named_graphs, own_graphs)
        if result_limit is None or info.form != "SELECT" \
                or (kind := query_limit.kind(query)) in self._limit_refused:
            return self._send(query, info, *options)
        try:
            return self._send(query_limit.limited(query, result_limit), info, *options)
        except (ValueError, EngineFailed):
            answer = self._send(query, info, *options)  # the query's own error, if it has one
            self._limit_refused.add(kind)  # the engine takes the query, not the limit
            return answer

    def _send(self, query: str, info: query_guard.QueryInfo, prefixes: Mapping[str, str] | None,
              default_graph: Sequence[ox.NamedNode] | None,
              named_graphs: Sequence[ox.NamedNode] | None, own_graphs: bool = False
              ) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items())
        base = LEADING_BASE.match(query)  # BASE stays first: Virtuoso wants it before PREFIX
        head, rest = (query[:base.end()] + "\n", query[base.end():]) if base else ("", query)
        fields: list[tuple[str, str]] = [("default-graph-uri", g.value)
                                         for g in default_graph or ()]
        fields += [("named-graph-uri", g.value) for g in named_graphs or ()]
        form, text = info.form, head + prologue + rest
        if (count := _CURRENT_COUNT.get()) is not None:
            count.queries.append(text)
        if self.dataset is not None:  # the union graph as the default graph
            text, fields = self.dataset.apply(text, fields, info, own_graphs)
        fields.insert(0, ("query", text))
        deadline = _DEADLINE.get()
        seconds = self.engine_timeout if deadline is None else deadline - time.monotonic()
        if seconds is not None and self.is_virtuoso:  # its "anytime" deadline, in ms
            fields.append((remote_deadline.VIRTUOSO_TIMEOUT, str(max(
                remote_deadline.VIRTUOSO_MIN_MS, round(seconds * 1000)))))
        content_type, body = self._post(fields, ACCEPT.get(form or "", ACCEPT_ANY))
        if content_type == N_TRIPLES:
            return (quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        if content_type == RESULTS_JSON:
            return ox.parse_query_results(_plain_blank_labels(body),
                                          format=ox.QueryResultsFormat.JSON)
        raise RemoteError(f"{self.url} answered {content_type or 'no content type'}, "
                          f"not {RESULTS_JSON} or {N_TRIPLES}")

    def _post(self, fields: list[tuple[str, str]], accept: str,
              timeout: float | None = None) -> tuple[str, bytes]:
        with self._sent_lock:
            self._sent += 1
        count = _CURRENT_COUNT.get()
        if count is not None:
            count.n += 1
        data = urllib.parse.urlencode(fields).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        wait = self.timeout if timeout is None else timeout
        try:
            answer = self._connections.post(data, headers, wait)
        except TimeoutError:
            raise EngineTimeout(f"the SPARQL engine at {self.url} gave no answer within "
                                f"{wait:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            raise RemoteError(f"the SPARQL engine at {self.url} did not answer: "
                              f"{exc}") from None
        if answer.status >= 400:
            message = answer.body.decode("utf-8", "replace").strip()[:2000]
            if answer.status == 400:
                raise ValueError(f"the SPARQL engine refused the query: {message}") from None
            raise EngineFailed(f"the SPARQL engine at {self.url} answered {answer.status}: "
                               f"{message}") from None
        content_type, body = answer.headers.get_content_type(), answer.body
        if self._server is None:
            self._server = answer.headers.get("Server", "")
        partial = remote_deadline.incomplete(answer.status, answer.headers, body)
        if partial is not None:
            raise EngineTimeout(f"query timed out: {partial}")
        return content_type, body

    def _select(self, query: str, own_graphs: bool = False) -> ox.QuerySolutions:
        result = self.query(query, own_graphs=own_graphs)
        if not isinstance(result, ox.QuerySolutions):
            raise RemoteError(f"{self.url} did not answer a SELECT with rows")
        return result

    # ---------------------------------------------------------------- what ox.Store offers

    def quads_for_pattern(self, subject: ox.NamedNode | ox.BlankNode | None,
                          predicate: ox.NamedNode | None, object: Term | None,
                          graph_name: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads matching the pattern; ``None`` matches anything. With no graph, every
        named graph's quads (the embedded store also yields the union default graph's, the
        same triples again: callers take sets)."""
        if isinstance(subject, ox.BlankNode):
            yield from (q for q in self._blank.get(subject, ())
                        if (predicate is None or q.predicate == predicate)
                        and (object is None or q.object == object)
                        and (graph_name is None or q.graph_name == graph_name))
            return
        if isinstance(object, ox.BlankNode):
            return  # never remembered as an object: nothing to match
        if isinstance(subject, ox.NamedNode) and graph_name is None:
            yield from (q for q in self._subject(subject)
                        if (predicate is None or q.predicate == predicate)
                        and (object is None or q.object == object))
            return
        triple = f"{_pattern(subject, '?s')} {_pattern(predicate, '?p')} {_pattern(object, '?o')}"
        if isinstance(graph_name, ox.DefaultGraph):
            where = f"{{ {triple} }}"
        elif graph_name is None:
            where = f"{{ GRAPH ?g {{ {triple} }} }}"
        else:
            where = f"{{ GRAPH {graph_name} {{ {triple} }} }}"
        for row in self._select(f"SELECT * WHERE {where}", own_graphs=graph_name is None):
            found = row["g"] if graph_name is None else graph_name
            yield ox.Quad(subject or row["s"], predicate or row["p"],
                          object if object is not None else row["o"],
                          found if found is not None else ox.DefaultGraph())

    def _subject(self, subject: ox.NamedNode) -> list[ox.Quad]:
        """``subject``'s quads, remembered: the data behind a RemoteStore never changes (a
        new build opens a new one), and a page asks for a subject's label, type and
        triples separately."""
        found = self._subjects.get(subject)
        if found is None:
            self.prefetch([subject])
            found = self._subjects.get(subject, [])
        return found

    def prefetch(self, subjects: Iterable[ox.NamedNode]) -> None:
        """Remember the quads of those of ``subjects`` not remembered yet, and of the blank
        nodes they reach: one query for all of them."""
        missing = [s for s in dict.fromkeys(subjects) if s not in self._subjects]
        if not missing:
            return
        values = "VALUES ?x { " + " ".join(map(str, missing)) + " }"
        branches = [f"{{ {values} ?x ?p ?o BIND(?x AS ?s) }}"]
        for depth in range(1, BLANK_DEPTH + 1):
            chain = ["?x"] + [f"?b{i}" for i in range(1, depth)] + ["?s"]
            steps = " . ".join(f"{a} ?q{i} {b}"
                               for i, (a, b) in enumerate(itertools.pairwise(chain)))
            blanks = " && ".join(f"isBlank({v})" for v in chain[1:])
            branches.append(f"{{ {values} {steps} . ?s ?p ?o FILTER({blanks}) }}")
        query = ("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { " + " UNION ".join(branches)
                 + " } }")
        self.remember((ox.Quad(row["s"], row["p"], row["o"], row["g"])
                       for row in self._select(query, own_graphs=True)), missing)

    def remember(self, quads: Iterable[ox.Quad],
                 subjects: Iterable[ox.NamedNode] = ()) -> None:
        """Remember ``quads``: *all* the quads of each of their subjects (and ``subjects``
        with no quad at all), read by :meth:`prefetch` or a description
        (web/describe.py) in the same answer as the blank nodes among them."""
        own: dict[ox.NamedNode, dict[ox.Quad, None]] = {s: {} for s in subjects}
        blank: dict[ox.BlankNode, dict[ox.Quad, None]] = {}
        for quad in quads:
            if isinstance(quad.subject, ox.BlankNode):
                blank.setdefault(quad.subject, {})[quad] = None
            elif isinstance(quad.subject, ox.NamedNode):
                own.setdefault(quad.subject, {})[quad] = None
        if len(self._subjects) + len(own) > SUBJECT_MEMO:
            self._subjects = {}
        if len(self._blank) + len(blank) > BLANK_MEMO:
            self._blank = {}
        self._subjects.update({s: list(q) for s, q in own.items()})
        self._blank.update({b: list(q) for b, q in blank.items()})

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        if self._graphs is not None:
            yield from self._graphs
            return
        for row in self._select(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            if isinstance(row["g"], ox.NamedNode):
                yield row["g"]


def _plain_blank_labels(body: bytes) -> bytes:
    """SPARQL JSON results with every blank node label made one pyoxigraph accepts:
    Virtuoso labels them ``nodeID://b10006``. Same label in, same label out."""
    if b'"bnode"' not in body:
        return body
    data = json.loads(body)
    for row in data.get("results", {}).get("bindings", []):
        for value in row.values():
            if value.get("type") == "bnode":
                value["value"] = "b" + UNSAFE_LABEL.sub("_", value["value"])
    return json.dumps(data).encode("utf-8")


def _pattern(term: Term | None, variable: str) -> str:
    if term is None:
        return variable
    return str(term)
