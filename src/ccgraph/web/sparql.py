"""``/sparql``: the SPARQL 1.1 Protocol query operation, with a timeout and a result cap.

Timeouts. pyoxigraph cannot cancel a running query, but it releases the GIL while it
evaluates (measured: a ticker thread keeps running during a 5 s aggregate). So each query
runs in a helper thread (:class:`QueryRunner`) and the request thread waits at most
``query_timeout`` seconds for it:

* a SELECT on the embedded store gets its cap as its own ``LIMIT cap+1`` and pyoxigraph
  writes its rows as SPARQL TSV in one call (runner.execute_select: no row in Python), so
  what it can produce is bounded by the cap; other results that stream (CONSTRUCT, a
  SELECT the guard could not tell) are pulled row by row in the helper, which checks the
  deadline between rows and stops by itself;
* a query that blocks inside pyoxigraph (ORDER BY, GROUP BY, aggregates, a join that yields
  nothing) cannot be stopped: the request answers 503 "query timed out after N s" at the
  deadline and the helper thread is *abandoned*. While two abandoned queries still run in a
  process, new queries are answered 503 at once (the process is busy), and when one still
  runs ``2 × query_timeout`` after its deadline the runner calls ``on_stuck`` — under
  gunicorn that asks the worker to exit gracefully (SIGTERM to itself); the master starts a
  fresh one and the runaway query dies with the old process. Other workers, and the other
  threads of the same worker (gthread), serve requests all along.

Turns. Each worker runs at most ``query_slots`` queries at once (default 2; the default three
workers keep up to six in flight on two cores); a query waits for its turn within its own timeout,
and one that waited it all is answered 503 "the server is busy" with Retry-After. A slot is
held by the waiting request, never by the query, so a query abandoned at its deadline gives
its slot back. Queries are answered from an in-memory copy of the store once each worker
has made it (``memory_quads``, web/inmemory.py).

Result cap. At most ``result_cap`` rows (or triples) are returned; a capped answer carries
``X-SPARQL-MaxRows: N`` and ``X-Result-Truncated: true`` (as Virtuoso-based endpoints do),
and says so in the body where the format has room: a ``link`` in the ``head`` of SPARQL
JSON and XML results, a comment at the top of Turtle and N-Triples. The link points at
``/sparql#result-cap``, which explains the cap.

Prefixes. Every prefix of :data:`ccgraph.namespaces.PREFIXES` is declared for every query
(as Wikidata's query service does); a PREFIX line of the query overrides one. A prefix
declared nowhere is answered 400 with its name and the nearest known one.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, request

from .. import query_errors, query_guard
from ..formats import Format
from ..namespaces import PREFIXES
from ..remote_store import EngineTimeout, RemoteError, RemoteStore, set_deadline
from . import http, negotiate, protocol_version, releases, update
from .cache import Cached
from .negotiate import GRAPH_FORMATS, RESULT_FORMATS
from .results import (
    results_json,
    results_json_chunks,
    serialize_outcome,
    term_json,
    triples_as_rows,
)
from .runner import Busy, Outcome, QueryRunner, QueryTimeout, execute, execute_select
from .service import service_description
from .state import Ccgraph, QueryTarget, state

__all__ = ["STREAM_ROWS", "Busy", "Outcome", "QueryRunner", "QueryTimeout", "bp", "endpoint",
           "execute", "results_json", "results_json_chunks", "term_json"]

log = logging.getLogger(__name__)
bp = Blueprint("sparql", __name__)

#: SELECT answers with more rows than this are streamed as SPARQL JSON (never cached)
STREAM_ROWS = 2000
SPARQL_CACHE_CONTROL = "public, max-age=60"
STREAM_CHUNK = 500
#: where a capped answer points (``head`` link of SPARQL JSON and XML results)
CAP_ANCHOR = "sparql#result-cap"


def _collect() -> tuple[list[str], list[str], list[str]]:
    """(queries, default-graph-uris, named-graph-uris) from the request, per the protocol."""
    if request.method == "GET":
        args = request.args
        return (args.getlist("query"), args.getlist("default-graph-uri"),
                args.getlist("named-graph-uri"))
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        if "update" in request.form:
            raise query_guard.GuardError(
                "SPARQL Update (update=) is not accepted: this endpoint answers queries only")
        return (request.args.getlist("query") + request.form.getlist("query"),
                request.args.getlist("default-graph-uri")
                + request.form.getlist("default-graph-uri"),
                request.args.getlist("named-graph-uri")
                + request.form.getlist("named-graph-uri"))
    if mimetype == "application/sparql-query":
        body = request.get_data(cache=True).decode("utf-8", errors="strict")
        return ([body, *request.args.getlist("query")],
                request.args.getlist("default-graph-uri"),
                request.args.getlist("named-graph-uri"))
    if mimetype == "application/sparql-update":
        raise query_guard.GuardError(
            "SPARQL Update (application/sparql-update) is not accepted: "
            "this endpoint answers queries only")
    raise UnsupportedBody(mimetype)


class UnsupportedBody(Exception):
    pass


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    if (refused := protocol_version.check()) is not None:  # SPARQL 1.2 Protocol version=
        return refused
    if update.is_update_request():  # SPARQL Update: web/update.py (off without a token)
        if request.values.get("release"):
            return http.text_error(400, "a release never changes: send updates without "
                                        "release=")
        return update.handle()
    try:
        ext = releases.target(state())  # release=NAME: that release's store (releases.py)
    except releases.PinError as exc:
        return http.text_error(exc.status, str(exc))
    try:
        queries, default_graphs, named_graphs = _collect()
    except UnsupportedBody as exc:
        return http.text_error(
            415, f"unsupported request body {exc.args[0] or '(none)'}: send "
                 "application/x-www-form-urlencoded (query=...) or application/sparql-query")
    except UnicodeDecodeError:
        return http.text_error(400, "the query is not valid UTF-8")
    except query_guard.GuardError as exc:
        return http.text_error(400, str(exc))

    if not queries:
        if request.method == "GET" and not default_graphs and not named_graphs:
            return service_description()
        return http.text_error(400, "missing query: give exactly one query parameter "
                                    "(query=...) or a application/sparql-query body")
    query = http.one_operation(queries, "query", "queries", ext.settings.max_query_length,
                               "the SPARQL protocol takes exactly one query per request")
    if isinstance(query, Response):
        return query
    try:
        info = _guard(query, ext.graphs)
        query_guard.check_graphs(default_graphs, ext.graphs, "default-graph-uri")
        query_guard.check_graphs(named_graphs, ext.graphs, "named-graph-uri")
    except query_guard.GuardError as exc:
        return http.text_error(400, str(exc))
    return _answer(ext, query, info, default_graphs, named_graphs)


def _answer(ext: QueryTarget, query: str, info: query_guard.QueryInfo,
            default_graphs: list[str], named_graphs: list[str]) -> Response:
    """Negotiate, answer 304 or a kept answer when possible, else run the query."""
    form = info.form
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if graph_form:
        offers = GRAPH_FORMATS
    elif form in ("SELECT", "ASK"):
        offers = RESULT_FORMATS
    else:
        offers = RESULT_FORMATS + GRAPH_FORMATS
    # a client that reads only result formats (roqet asks for SPARQL XML whatever the
    # query, and parses whatever comes back as SPARQL XML) gets the graph as rows
    fmt = negotiate.pick(offers, fallback=rows_format if graph_form else None)
    graph_as_rows = graph_form and fmt.kind == "results"
    version = ext.meta.version
    reply = negotiate.conditional(fmt, negotiate.etag("sparql-" + fmt.name, version=version),
                                  check=form is not None, cache_control=SPARQL_CACHE_CONTROL)
    # A finished answer for the same query, format, graphs and data version: no query work.
    key = ("sparql", query, fmt.name, tuple(default_graphs), tuple(named_graphs),
           request.host_url)
    if form is not None and (cached := ext.results.get(version, key)) is not None:
        return reply.finish(cached_response(cached))

    # The store's default graph is the union of the named graphs, materialised at publish
    # time with set semantics (store.py); FROM / FROM NAMED are honoured by pyoxigraph, and
    # the protocol's graph parameters override them (an empty default graph when only
    # named-graph-uri is given).
    options: dict[str, Any] = {"prefixes": PREFIXES}
    if default_graphs or named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    cap = ext.settings.result_cap
    if isinstance(ext.store, RemoteStore):  # the engine stops at the cap (query_limit.py)
        options["result_limit"] = cap + 1
    reads_named = bool(info.uses_graph or info.has_dataset_clause or default_graphs
                       or named_graphs)
    # a SELECT: its cap as a LIMIT (over a backend, the store's result_limit), its rows
    # written by pyoxigraph, none pulled into Python
    fast = form == "SELECT" and not graph_as_rows
    outcome = _run(ext, query, options, cap, _store_for(ext, reads_named), fast,
                   push_limit=not isinstance(ext.store, RemoteStore))
    if isinstance(outcome, Response):
        return outcome
    if graph_as_rows and outcome.kind == "triples":
        outcome = triples_as_rows(outcome)
    cacheable = form is not None
    if (fmt.kind == "graph") != (outcome.kind == "triples"):
        # only when the scan could not tell the form: the format hangs on the answer
        fmt = negotiate.pick(GRAPH_FORMATS if outcome.kind == "triples" else RESULT_FORMATS)
        reply = negotiate.conditional(fmt, negotiate.etag("sparql-" + fmt.name,
                                                          version=version),
                                      check=False, cache_control=SPARQL_CACHE_CONTROL)
        cacheable = False
    extra: tuple[tuple[str, str], ...] = ()
    if outcome.truncated:
        extra = (("X-SPARQL-MaxRows", str(cap)), ("X-Result-Truncated", "true"))
    cap_link = cap_explanation() if outcome.truncated else None
    if fmt.name == "json" and outcome.kind == "solutions" and outcome.count() > STREAM_ROWS:
        resp = reply.respond(results_json_chunks(outcome, link=cap_link))
        resp.headers.extend(extra)
        return resp
    answer = Cached(serialize_outcome(outcome, fmt, ext.base, cap_link), fmt.content_type,
                    extra)
    if cacheable and ext.meta.version == version:
        ext.results.put(version, key, answer)
    return reply.finish(cached_response(answer))


def _store_for(ext: QueryTarget, reads_named: bool) -> ox.Store:
    """The store to answer from: the in-memory default graph alone (state.Ccgraph, once
    copied) for a query that reads no named graph, else the whole store."""
    if not reads_named and isinstance(ext, Ccgraph) and ext.default_store is not None:
        return ext.default_store
    return ext.store


def _run(ext: QueryTarget, query: str, options: dict[str, Any], cap: int, store: ox.Store,
         fast: bool = False, push_limit: bool = True) -> Outcome | Response:
    """The query's outcome, or the answer that says why there is none (503, 400, 500);
    ``fast``: a SELECT answered by runner.execute_select (``push_limit``: see there)."""
    context = contextvars.copy_context()  # the request's engine query count (--backend)

    def work(deadline: float) -> Outcome:
        context.run(set_deadline, deadline)  # --backend: the engine stops at it too
        if fast:
            return context.run(execute_select, store, query, options, cap, deadline,
                               push_limit)
        return context.run(execute, store, query, options, cap, deadline)

    try:
        return ext.runner.run(work)
    except QueryTimeout:
        resp = http.text_error(503, f"query timed out after {ext.runner.timeout:g} s; "
                                    "simplify it or add a LIMIT")
        resp.headers["Retry-After"] = "5"
        return resp
    except Busy as exc:
        resp = http.text_error(503, str(exc))
        resp.headers["Retry-After"] = str(max(1, round(ext.runner.timeout)))
        return resp
    except SyntaxError as exc:
        return http.text_error(400, query_errors.syntax_error(query, str(exc)))
    except (ValueError, TypeError) as exc:
        return http.text_error(400, f"query error: {exc}")
    except EngineTimeout as exc:  # --backend: the engine stopped at (or refused) the deadline
        resp = http.text_error(503, f"query timed out after {ext.runner.timeout:g} s; {exc}"
                               if exc.sent else f"query not run: {exc}")
        resp.headers["Retry-After"] = "5"
        return resp
    except RemoteError as exc:  # --backend: the engine is down or failed
        return http.text_error(502, str(exc))
    except OSError as exc:
        log.exception("query failed")
        return http.text_error(500, f"query evaluation failed: {exc}")


def rows_format() -> Format | None:
    """For a CONSTRUCT/DESCRIBE whose client accepts no graph format, only result formats
    (and gave no ``format=``/``output=``): the result format it prefers, in which the graph
    is answered as rows of ``?subject ?predicate ?object``. None otherwise (406).

    Measured with roqet (rasqal 0.9.33): it sends ``Accept: application/sparql-results+xml``
    for every query and decodes any answer as SPARQL XML results, so RDF/XML or Turtle
    would give it no rows at all; the rows are what it can print."""
    if negotiate.requested_formats():
        return None
    return negotiate.best_offer(request.headers.get("Accept", ""), RESULT_FORMATS)


def cap_explanation() -> str:
    """Where a capped answer points: the service page's section on the result cap."""
    public = state().settings.public_url
    root = (public.rstrip("/") + "/") if public else request.host_url
    return root + CAP_ANCHOR


def cached_response(answer: Cached) -> Response:
    resp = Response(answer.body, content_type=answer.content_type)
    resp.headers.extend(answer.headers)
    return resp


@functools.lru_cache(maxsize=1024)
def _guard_cached(query: str, graphs: frozenset[str]) -> query_guard.QueryInfo:
    return query_guard.check(query, graphs, PREFIXES)


def _guard(query: str, graphs: frozenset[str] | set[str]) -> query_guard.QueryInfo:
    """query_guard.check, remembered per worker for queries asked again (the scan is pure
    Python; GuardError is raised, never remembered)."""
    if len(query) > 20_000:
        return query_guard.check(query, graphs, PREFIXES)
    return _guard_cached(query, frozenset(graphs))
