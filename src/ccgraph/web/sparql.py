"""``/sparql``: the SPARQL 1.1 Protocol query operation, with a timeout and a result cap.

Timeouts. pyoxigraph cannot cancel a running query, but it releases the GIL while it
evaluates (measured: a ticker thread keeps running during a 5 s aggregate). So each query
runs in a helper thread (:class:`QueryRunner`) and the request thread waits at most
``query_timeout`` seconds for it:

* results that stream (plain SELECT/CONSTRUCT) are pulled row by row in the helper, which
  checks the deadline between rows and stops by itself;
* a query that blocks inside pyoxigraph (ORDER BY, GROUP BY, aggregates, a join that yields
  nothing) cannot be stopped: the request answers 503 "query timed out after N s" at the
  deadline and the helper thread is *abandoned*. While two abandoned queries still run in a
  process, new queries are answered 503 at once (the process is busy), and when one still
  runs ``2 × query_timeout`` after its deadline the runner calls ``on_stuck`` — under
  gunicorn that asks the worker to exit gracefully (SIGTERM to itself); the master starts a
  fresh one and the runaway query dies with the old process. Other workers, and the other
  threads of the same worker (gthread), serve requests all along.

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

import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from xml.sax.saxutils import escape

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from .. import formats, query_errors, query_guard
from ..formats import Format
from ..namespaces import PREFIXES, SD, SH, XSD
from . import http, releases, update
from .cache import Cached

log = logging.getLogger(__name__)
bp = Blueprint("sparql", __name__)

T = TypeVar("T")
RESULT_FORMATS: list[Format] = formats.of_kind("results")
W3C_FORMATS = "http://www.w3.org/ns/formats/"
SD_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                     "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples", "RDF_XML")
EXAMPLE_QUERY = """SELECT ?city ?label ?year WHERE {
  ?m a ccg:Membership ;
     org:member ?city ;
     ccg:field <%sid/field/media-arts> .
  FILTER NOT EXISTS { ?m ccg:yearEnded ?ended }  # current members only
  OPTIONAL { ?m ccg:yearDesignated ?year }
  ?city rdfs:label ?label .
  FILTER(LANG(?label) = "en")
}
ORDER BY ?year ?label
LIMIT 100"""
#: SELECT answers with more rows than this are streamed as SPARQL JSON (never cached)
STREAM_ROWS = 2000
SPARQL_CACHE_CONTROL = "public, max-age=60"
STREAM_CHUNK = 500
#: where a capped answer points (``head`` link of SPARQL JSON and XML results)
CAP_ANCHOR = "sparql#result-cap"


class QueryTimeout(Exception):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"query timed out after {seconds:g} s")


class Busy(Exception):
    """Too many timed-out queries are still running in this process."""


@dataclass
class QueryRunner:
    """Runs work in a helper thread and gives up waiting after ``timeout`` seconds."""

    timeout: float
    on_stuck: Callable[[], None] | None = None
    max_abandoned: int = 2
    grace: float | None = None  # seconds after the deadline before on_stuck; 2 x timeout
    _abandoned: list[tuple[threading.Thread, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _watchdog: threading.Thread | None = None
    _stuck_reported: bool = False

    def abandoned(self) -> int:
        with self._lock:
            self._abandoned = [(t, at) for t, at in self._abandoned if t.is_alive()]
            return len(self._abandoned)

    def run(self, work: Callable[[float], T]) -> T:
        """``work(deadline)`` in a helper thread; QueryTimeout when it takes too long."""
        if self.abandoned() >= self.max_abandoned:
            raise Busy("the server is busy with long-running queries; retry in a moment")
        deadline = time.monotonic() + self.timeout
        box: list[tuple[bool, Any]] = []
        done = threading.Event()

        def target() -> None:
            try:
                box.append((True, work(deadline)))
            except BaseException as exc:
                box.append((False, exc))
            finally:
                done.set()

        thread = threading.Thread(target=target, name="ccgraph-query", daemon=True)
        thread.start()
        if not done.wait(self.timeout):
            with self._lock:
                self._abandoned.append((thread, time.monotonic()))
            self._start_watchdog()
            raise QueryTimeout(self.timeout)
        ok, value = box[0]
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def _start_watchdog(self) -> None:
        with self._lock:
            if self._watchdog is not None and self._watchdog.is_alive():
                return
            self._watchdog = threading.Thread(target=self._watch, name="ccgraph-watchdog",
                                              daemon=True)
            self._watchdog.start()

    def _watch(self) -> None:
        grace = self.grace if self.grace is not None else max(2 * self.timeout, 1.0)
        while self.abandoned():
            with self._lock:
                oldest = min(at for _, at in self._abandoned) if self._abandoned else None
            if oldest is not None and time.monotonic() - oldest > grace \
                    and not self._stuck_reported:
                self._stuck_reported = True
                log.warning("a timed-out query still runs %.1f s after its deadline", grace)
                if self.on_stuck is not None:
                    self.on_stuck()
            time.sleep(0.25)


@dataclass
class Outcome:
    kind: str  # "boolean", "solutions" or "triples"
    boolean: bool = False
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False


def execute(store: ox.Store, query: str, options: dict[str, Any], cap: int,
            deadline: float) -> Outcome:
    """Run ``query`` and pull at most ``cap`` answers, stopping at ``deadline``."""
    result = store.query(query, **options)
    failure: tuple[type[Exception], str] | None = None
    try:
        out = _collect_outcome(result, cap, deadline)
    except Exception as exc:  # re-raised below, without frames that hold ``result``
        out = Outcome("failed")
        failure = (type(exc), str(exc))
    # pyoxigraph result iterators belong to the thread that made them: drop this one here,
    # so that no traceback carries it to the request thread.
    del result
    if failure is not None:
        kind, message = failure
        if kind is QueryTimeout:
            raise QueryTimeout(deadline)
        try:
            error = kind(message)
        except Exception:
            error = OSError(message)
        raise error
    return out


def _collect_outcome(result: Any, cap: int, deadline: float) -> Outcome:
    if isinstance(result, ox.QueryBoolean):
        return Outcome("boolean", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        out = Outcome("solutions", variables=names)
        width = range(len(names))
        for solution in result:
            if len(out.rows) >= cap:
                out.truncated = True
                break
            out.rows.append(tuple(solution[i] for i in width))
            if time.monotonic() > deadline:
                raise QueryTimeout(deadline)
        return out
    out = Outcome("triples")
    for triple in result:
        if len(out.triples) >= cap:
            out.truncated = True
            break
        out.triples.append(triple)
        if time.monotonic() > deadline:
            raise QueryTimeout(deadline)
    return out


def term_json(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def results_json_chunks(outcome: Outcome, chunk: int = STREAM_CHUNK,
                        link: str | None = None) -> Iterator[bytes]:
    """SPARQL JSON results in pieces of ``chunk`` rows; joined, they are results_json.
    ``link``: an IRI for the ``head`` (said when the answer was capped)."""
    if outcome.kind == "boolean":
        yield _dumps({"head": {}, "boolean": outcome.boolean})
        return
    names = outcome.variables
    head: dict[str, Any] = {"vars": names}
    if link is not None:
        head["link"] = [link]
    yield b'{"head":' + _dumps(head) + b',"results":{"bindings":['
    rows = outcome.rows
    for start in range(0, len(rows), chunk):
        bindings = [{name: term_json(value) for name, value in zip(names, row, strict=True)
                     if value is not None} for row in rows[start:start + chunk]]
        piece = _dumps(bindings)[1:-1]
        yield (b"," + piece) if start and piece else piece
    yield b"]}}"


def results_json(outcome: Outcome, link: str | None = None) -> bytes:
    return b"".join(results_json_chunks(outcome, link=link))


def serialize_outcome(outcome: Outcome, fmt: Format, base: str,
                      cap_link: str | None = None) -> bytes:
    """The answer in ``fmt``; ``cap_link`` (for a capped answer) goes into the body where
    the format has room for it."""
    link = cap_link if outcome.truncated else None
    if outcome.kind == "triples":
        body = http.serialize_triples(outcome.triples, fmt, base)
        if link is not None and fmt.name in ("ttl", "nt"):
            note = (f"# Truncated: only the first {len(outcome.triples)} triples of the answer; "
                    f"see <{link}>\n")
            body = note.encode("utf-8") + body
        return body
    if fmt.name == "json":
        return results_json(outcome, link)
    assert isinstance(fmt.oxigraph, ox.QueryResultsFormat)
    parsed = ox.parse_query_results(results_json(outcome), format=ox.QueryResultsFormat.JSON)
    out = parsed.serialize(format=fmt.oxigraph)
    assert out is not None
    if link is not None and fmt.name == "xml":
        out = _xml_head_link(out, link)
    return out


def _xml_head_link(data: bytes, link: str) -> bytes:
    """SPARQL XML results with ``<link href="…"/>`` in ``<head>``, after the variables."""
    element = f'<link href="{escape(link, {chr(34): "&quot;"})}"/>'.encode()
    if b"</head>" in data:
        return data.replace(b"</head>", element + b"</head>", 1)
    return data.replace(b"<head/>", b"<head>" + element + b"</head>", 1)


def _ext() -> Any:
    return current_app.extensions["ccgraph"]


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
    ext = _ext()
    if update.is_update_request():  # SPARQL Update: web/update.py (off without a token)
        if request.values.get("release"):
            return http.text_error(400, "a release never changes: send updates without "
                                        "release=")
        return update.handle()
    try:
        ext = releases.target(ext)  # release=NAME: that release's store (web/releases.py)
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
    query = http.one_operation(queries, "query", "queries",
                               int(ext.settings.max_query_length),
                               "the SPARQL protocol takes exactly one query per request")
    if isinstance(query, Response):
        return query
    try:
        info = _guard(query, ext.graphs)
        query_guard.check_graphs(default_graphs, ext.graphs, "default-graph-uri")
        query_guard.check_graphs(named_graphs, ext.graphs, "named-graph-uri")
    except query_guard.GuardError as exc:
        return http.text_error(400, str(exc))

    if info.form in ("CONSTRUCT", "DESCRIBE"):
        offers = http.GRAPH_FORMATS
    elif info.form in ("SELECT", "ASK"):
        offers = RESULT_FORMATS
    else:
        offers = RESULT_FORMATS + http.GRAPH_FORMATS
    graph_as_rows = False
    try:
        fmt = http.choose(offers)
    except http.NotAcceptable as exc:
        # a client that reads only result formats (roqet asks for SPARQL XML whatever the
        # query, and parses whatever comes back as SPARQL XML) gets the graph as rows
        fallback = rows_format() if info.form in ("CONSTRUCT", "DESCRIBE") else None
        if fallback is None:
            return http.text_error(406, str(exc))
        fmt, graph_as_rows = fallback, True
    tag = http.etag("sparql-" + fmt.name, version=ext.meta.version)
    if info.form is not None and (hit := http.not_modified(tag)) is not None:
        return hit
    # A finished answer for the same query, format, graphs and data version: no query work.
    version = ext.meta.version
    key = ("sparql", query, fmt.name, tuple(default_graphs), tuple(named_graphs),
           request.host_url)
    if info.form is not None and (cached := ext.results.get(version, key)) is not None:
        return http.finish(cached_response(cached), tag, cache_control=SPARQL_CACHE_CONTROL)

    # The store's default graph is the union of the named graphs, materialised at publish
    # time with set semantics (store.py); FROM / FROM NAMED are honoured by pyoxigraph, and
    # the protocol's graph parameters override them (an empty default graph when only
    # named-graph-uri is given).
    options: dict[str, Any] = {"prefixes": PREFIXES}
    if default_graphs or named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    cap = int(ext.settings.result_cap)
    try:
        outcome = ext.runner.run(
            lambda deadline, store=ext.store: execute(store, query, options, cap, deadline))
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
    except OSError as exc:
        log.exception("query failed")
        return http.text_error(500, f"query evaluation failed: {exc}")

    if graph_as_rows and outcome.kind == "triples":
        outcome = triples_as_rows(outcome)
    cacheable = info.form is not None
    want = "triples" if fmt.kind == "graph" else "results"
    got = "triples" if outcome.kind == "triples" else "results"
    if want != got:  # only when the scan could not tell the form
        try:
            fmt = http.choose(http.GRAPH_FORMATS if got == "triples" else RESULT_FORMATS)
        except http.NotAcceptable as exc:
            return http.text_error(406, str(exc))
        tag = http.etag("sparql-" + fmt.name, version=ext.meta.version)
        cacheable = False  # the format hung on the answer: not kept
    extra: tuple[tuple[str, str], ...] = ()
    if outcome.truncated:
        extra = (("X-SPARQL-MaxRows", str(cap)), ("X-Result-Truncated", "true"))
    cap_link = cap_explanation() if outcome.truncated else None
    if fmt.name == "json" and outcome.kind == "solutions" and len(outcome.rows) > STREAM_ROWS:
        resp = Response(results_json_chunks(outcome, link=cap_link),
                        content_type=fmt.content_type)
        resp.headers.extend(extra)
        return http.finish(resp, tag, cache_control=SPARQL_CACHE_CONTROL)
    answer = Cached(serialize_outcome(outcome, fmt, ext.base, cap_link), fmt.content_type,
                    extra)
    if cacheable and ext.meta.version == version:
        ext.results.put(version, key, answer)
    return http.finish(cached_response(answer), tag, cache_control=SPARQL_CACHE_CONTROL)


def rows_format() -> Format | None:
    """For a CONSTRUCT/DESCRIBE whose client accepts no graph format, only result formats
    (and gave no ``format=``/``output=``): the result format it prefers, in which the graph
    is answered as rows of ``?subject ?predicate ?object``. None otherwise (406).

    Measured with roqet (rasqal 0.9.33): it sends ``Accept: application/sparql-results+xml``
    for every query and decodes any answer as SPARQL XML results, so RDF/XML or Turtle
    would give it no rows at all; the rows are what it can print."""
    if http.requested_formats():
        return None
    return formats.negotiate(request.headers.get("Accept", ""), RESULT_FORMATS)


GRAPH_ROW_VARIABLES = ["subject", "predicate", "object"]


def triples_as_rows(outcome: Outcome) -> Outcome:
    """A graph answer as a result set: one row per triple."""
    return Outcome("solutions", variables=list(GRAPH_ROW_VARIABLES),
                   rows=[(t.subject, t.predicate, t.object) for t in outcome.triples],
                   truncated=outcome.truncated)


def cap_explanation() -> str:
    """Where a capped answer points: the service page's section on the result cap."""
    public = _ext().settings.public_url
    root = (str(public).rstrip("/") + "/") if public else request.host_url
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


def endpoint_url() -> str:
    public = _ext().settings.public_url
    if public:
        return str(public).rstrip("/") + "/sparql"
    return request.base_url


def describe_service(url: str, graphs: frozenset[str], base: str) -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint."""
    g = Graph()
    service = URIRef(url)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime,
           URIRef("http://www.w3.org/ns/entailment/Simple")))
    for name in SD_RESULT_FORMATS:
        g.add((service, SD.resultFormat, URIRef(W3C_FORMATS + name)))
    g.add((service, RDFS.label, _label("ccgraph SPARQL endpoint")))
    g.add((service, RDFS.comment, _label(
        "Read-only SPARQL 1.1 query service. The default graph is the union of the named "
        "graphs. SERVICE and graphs from outside the dataset are refused. The prefixes "
        "given with sh:declare are declared for every query, so a query may use them "
        "without PREFIX lines; a PREFIX line in the query overrides one.")))
    for prefix, namespace in PREFIXES.items():  # SHACL's vocabulary for prefix declarations
        declaration = BNode()
        g.add((service, SH.declare, declaration))
        g.add((declaration, SH.prefix, Literal(prefix)))
        g.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, DCTERMS.source, URIRef(base + "id/dataset")))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for iri in sorted(graphs):
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
    return g


def _label(text: str) -> Literal:
    return Literal(text, lang="en")


def service_description() -> Response:
    ext = _ext()
    try:
        fmt = http.choose(http.DOC_OFFERS)
    except http.NotAcceptable as exc:
        return http.text_error(406, str(exc))
    tag = http.etag("sd-" + fmt.name)
    if (hit := http.not_modified(tag)) is not None:
        return hit
    if fmt.kind == "page":
        body = render_template("sparql.html", query=EXAMPLE_QUERY % ext.base,
                               result_formats=RESULT_FORMATS,
                               graph_formats=http.GRAPH_FORMATS,
                               timeout=ext.runner.timeout, cap=ext.settings.result_cap,
                               graphs=sorted(ext.graphs))
        return http.finish(Response(body, content_type=fmt.content_type), tag)
    graph = describe_service(endpoint_url(), ext.graphs, ext.base)
    return http.graph_response(http.rdflib_triples(graph), fmt, ext.base, tag)
