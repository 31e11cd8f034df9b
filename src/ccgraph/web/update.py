"""SPARQL 1.1 Update on ``/sparql`` (``update=`` form field, ``application/sparql-update``
body), and the bearer-token check the write endpoints share.

Writes are off unless ``update_token`` is set (flag ``--update-token``, environment
``CCGRAPH_UPDATE_TOKEN``). Then a write needs ``Authorization: Bearer <token>``: none (or
another scheme) is answered 401 with ``WWW-Authenticate: Bearer``, a wrong token 403. The
token is compared in constant time. With writes off, an update is answered 403 and a
Graph Store write 405, each with a message saying so.

The limits of queries hold for updates: at most ``max_query_length`` characters (413),
``max_body_bytes`` of body (413), ``query_timeout`` seconds to evaluate (503), at most
``result_cap`` quads changed (413). ``LOAD`` and ``SERVICE`` are refused (400): the server
never fetches a URL a client names. The rest is :mod:`ccgraph.writes`.
"""

from __future__ import annotations

import hmac

from flask import Response, request

from .. import formats, query_guard, writes
from . import http
from .state import state

UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
#: outcome status -> HTTP status
STATUS: dict[str, int] = {
    writes.COMMITTED: 200, writes.UNCHANGED: 200, writes.INVALID: 422,
    writes.BAD_REQUEST: 400, writes.NOT_FOUND: 404, writes.TOO_LARGE: 413,
    writes.FORBIDDEN: 403, writes.TIMEOUT: 503, writes.BUSY: 503, writes.CONFLICT: 409,
    writes.ERROR: 500,
}
REMOTE = frozenset({"LOAD"})


def writes_enabled() -> bool:
    return bool(state().settings.update_token)


def authorize() -> Response | None:
    """None when the request carries the update token; else the 401/403 answer."""
    token = state().settings.update_token
    scheme, _, given = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        resp = http.text_error(401, "this write needs an update token: send "
                                    "'Authorization: Bearer <token>'")
        resp.headers["WWW-Authenticate"] = 'Bearer realm="ccgraph"'
        return resp
    if not hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"),
                               token.encode("utf-8", "surrogateescape")):
        resp = http.text_error(403, "the update token is not valid")
        resp.headers["WWW-Authenticate"] = 'Bearer realm="ccgraph", error="invalid_token"'
        return resp
    return None


def is_update_request() -> bool:
    """A POST that carries an update (the protocol's two ways), whatever else it holds."""
    if request.method != "POST":
        return False
    if request.mimetype == UPDATE_TYPE:
        return True
    return request.mimetype == FORM_TYPE and "update" in request.form


def check_update(update: str) -> None:
    """Refuse (GuardError) what must never run: remote fetches, deep nesting, queries."""
    info = query_guard.analyse(update)
    if info.services:
        raise query_guard.GuardError(
            "SERVICE is not allowed: this endpoint does not fetch remote data "
            f"(federated query to {', '.join(info.services)} refused)")
    for tok in query_guard.tokens(update):
        if tok.kind == "word" and tok.text.upper() in REMOTE:
            raise query_guard.GuardError(
                "LOAD is not allowed: this endpoint never fetches a URL a client names; "
                "send the data itself (INSERT DATA, or PUT/POST to /graph-store)")
    if info.form is not None:
        raise query_guard.GuardError(
            f"this is a query ({info.form}), not an update: send it as query=")


def outcome_response(outcome: writes.WriteResult, *, empty_ok: bool = False) -> Response:
    """The answer to a write. A refusal by the shapes carries the report: Turtle when the
    client asks for it, text otherwise."""
    status = STATUS.get(outcome.status, 500)
    if outcome.status == writes.INVALID:
        if "turtle" in request.headers.get("Accept", "").lower():
            resp = Response(outcome.report_turtle, status=422,
                            content_type=formats.by_name("ttl").content_type)
        else:
            resp = http.text_error(422, f"{outcome.message}\n\n{outcome.report_text}")
    elif status < 300:
        resp = Response(status=status) if empty_ok else http.text_error(status,
                                                                         _summary(outcome))
    else:
        resp = http.text_error(status, outcome.message)
        if status == 503:
            resp.headers["Retry-After"] = "2"
    if outcome.version:
        resp.headers["X-Ccgraph-Version"] = outcome.version
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _summary(outcome: writes.WriteResult) -> str:
    if outcome.status == writes.UNCHANGED:
        return f"no change; version {outcome.version}"
    return (f"committed: {outcome.inserted} quad(s) inserted, {outcome.deleted} deleted; "
            f"version {outcome.version}")


def handle() -> Response:
    """``POST /sparql`` with an update."""
    ext = state()
    if not writes_enabled():
        return http.text_error(403, "SPARQL Update is turned off: this server answers "
                                    "queries only (writes need an update token configured)")
    refused = authorize()
    if refused is not None:
        return refused
    if request.mimetype == UPDATE_TYPE:
        try:
            updates = [request.get_data(cache=True).decode("utf-8", errors="strict")]
        except UnicodeDecodeError:
            return http.text_error(400, "the update is not valid UTF-8")
        updates += request.args.getlist("update")
    else:
        updates = request.form.getlist("update") + request.args.getlist("update")
        if request.form.getlist("query") or request.args.getlist("query"):
            return http.text_error(400, "give either query= or update=, not both")
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if request.args.getlist(name) or request.form.getlist(name):
            return http.text_error(400, f"{name} is not supported: name the graphs in the "
                                        "update (USING, WITH, GRAPH)")
    update = http.one_operation(updates, "update", "updates",
                                ext.settings.max_query_length,
                                "send exactly one (several operations may be joined with ';')")
    if isinstance(update, Response):
        return update
    try:
        check_update(update)
    except query_guard.GuardError as exc:
        return http.text_error(400, str(exc))
    assert ext.writer is not None  # writes are enabled
    outcome = ext.writer.submit(writes.Request(kind=writes.UPDATE, update=update))
    return outcome_response(outcome)
