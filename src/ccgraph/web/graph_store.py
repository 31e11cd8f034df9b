"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol, indirect graph identification
(``?graph=<IRI>`` or ``?default``).

GET and HEAD are reads, open to everyone like the rest of the data: the graph's triples,
negotiated (Turtle, JSON-LD, N-Triples, RDF/XML), with an ETag. ``?default`` is the
default graph, the union of the named graphs.

PUT (replace), POST (merge) and DELETE are writes: they need the update token
(web/update.py) and go through :mod:`ccgraph.writes` (SHACL, atomic commit). On the
default graph they mean what they mean to a reader: PUT ``?default`` makes the union equal
the payload, POST ``?default`` adds to it (new triples land in ``{base}graph/curated``),
DELETE ``?default`` would remove every triple from every graph: ``result_cap`` refuses it
for any real dataset, and :func:`ccgraph.writes.refuse_wiping` (403) whatever the cap.

Status codes (the protocol's): 200 GET; 201 Created when PUT/POST makes a new graph; 204
No Content when they change an existing one, and for DELETE; 404 for GET/HEAD/DELETE of a
graph that does not exist; 400 for a missing or doubled graph parameter, a graph name that
is not an absolute IRI, or a payload that does not parse; 415 for a payload type that is
not an RDF graph syntax; 406 when no offered format is acceptable; 422 when the result
would violate the shapes; 401/403/405 as for every write.
"""

from __future__ import annotations

import hashlib
import re

import pyoxigraph as ox
from flask import Blueprint, Response, request

from .. import writes
from . import http, negotiate, update
from .state import state

bp = Blueprint("graph_store", __name__)

ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")
READ_METHODS = "GET, HEAD, OPTIONS"
ALL_METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


class Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _target() -> str | None:
    """The graph IRI, or None for the default graph. Raises Refused (400)."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if default and graphs:
        raise Refused(http.text_error(400, "give either ?graph=<IRI> or ?default, not both"))
    if not default and not graphs:
        raise Refused(http.text_error(400, "name the graph: ?graph=<IRI> or ?default"))
    if default:
        return None
    if len(graphs) > 1:
        raise Refused(http.text_error(400, "give one ?graph= parameter"))
    iri = graphs[0]
    if not ABSOLUTE_IRI.fullmatch(iri):
        raise Refused(http.text_error(400, f"the graph name {iri!r} is not an absolute IRI"))
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise Refused(http.text_error(400, f"the graph name is not a valid IRI: {exc}")) \
            from None
    return iri


@bp.route("/graph-store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    try:
        target = _target()
    except Refused as refused:
        return refused.response
    if request.method in ("GET", "HEAD"):
        return _read(target)
    return _write(target)


def _read(target: str | None) -> Response:
    ext = state()
    if target is not None and target not in ext.graphs:
        return http.text_error(404, f"no graph <{target}> in this dataset")
    key = hashlib.sha256((target or "").encode("utf-8")).hexdigest()[:12]
    reply = negotiate.reply(negotiate.GRAPH_FORMATS, lambda f: f"gs-{key}-{f.name}")
    graph: ox.NamedNode | ox.DefaultGraph = (
        ox.NamedNode(target) if target is not None else ox.DefaultGraph())
    triples = [q.triple for q in ext.store.quads_for_pattern(None, None, None, graph)]
    return reply.graph(triples, ext.base)


def _write(target: str | None) -> Response:
    ext = state()
    if not update.writes_enabled():
        resp = http.text_error(405, f"{request.method} is not allowed: this server is "
                                    "read-only (writes need an update token configured)")
        resp.headers["Allow"] = READ_METHODS
        return resp
    refused = update.authorize()
    if refused is not None:
        return refused
    kind = {"PUT": writes.PUT, "POST": writes.POST, "DELETE": writes.DELETE}[request.method]
    payload = b""
    media_type = ""
    if kind != writes.DELETE:
        media_type = request.mimetype or ""
        fmt = writes.payload_format(media_type)
        if fmt is None:
            return http.text_error(
                415, f"unsupported payload type {media_type or '(none)'}: send one of "
                     + ", ".join(f.media_type for f in writes.PAYLOAD_FORMATS))
        payload = request.get_data(cache=False)
        media_type = fmt.media_type
    assert ext.writer is not None  # writes are enabled
    outcome = ext.writer.submit(writes.Request(kind=kind, graph=target, payload=payload,
                                               media_type=media_type))
    if outcome.status in (writes.COMMITTED, writes.UNCHANGED):
        resp = update.outcome_response(outcome, empty_ok=True)
        resp.status_code = 201 if outcome.created and kind != writes.DELETE else 204
        return resp
    return update.outcome_response(outcome)
