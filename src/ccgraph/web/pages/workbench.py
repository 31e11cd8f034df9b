"""The query workbench (``/query``) and its gallery of example queries."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from ... import release as rel
from ... import shipped
from ...gallery import Example, load_gallery
from .. import negotiate
from ..service import example_query
from ..state import state

bp = Blueprint("workbench", __name__)


def examples() -> list[Example]:
    return state().cached("pages:examples",
                         lambda: load_gallery(shipped.queries()))


def default_query() -> str:
    """The workbench's first query: no PREFIX lines, the endpoint declares them."""
    return ("# ccg:, org:, rdfs: … are declared by the endpoint: no PREFIX lines needed\n"
            + example_query(state().base) + "\n")


@bp.route("/query")
def workbench() -> Response:
    ext = state()
    chosen = request.args.get("example", "")
    query = request.args.get("query", "")
    if chosen:
        found = [e for e in examples() if e.slug == chosen]
        if not found:
            abort(404, description=f"no example query {chosen!r}")
        query = found[0].query
    pinned = None
    if request.args.get("release"):
        pinned = rel.find_release(ext.settings.store.resolve(), request.args["release"])
        if pinned is None:
            abort(404, description=f"no release {request.args['release']!r}; see /releases/")
    body = render_template("workbench.html", title="Query workbench",
                           query=query or default_query(), chosen=chosen, pinned=pinned,
                           timeout=ext.runner.timeout, cap=ext.settings.result_cap)
    return Response(body, content_type=negotiate.PAGE.content_type)
