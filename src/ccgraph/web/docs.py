"""``/docs/model``: the data dictionary (src/ccgraph/dictionary.py) as a page."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, render_template

from ..dictionary import Dictionary, load_dictionary
from ..void import COUNTING_NOTE
from . import negotiate
from .resources import local_href
from .state import state

bp = Blueprint("docs", __name__)


def dictionary() -> Dictionary:
    """The dictionary with examples from the live build (cached per build, like pages)."""
    ext = state()
    return ext.cached("docs:model", lambda: load_dictionary(ext.store, ext.base))


@bp.route("/docs/model")
def model() -> Response:
    reply = negotiate.fixed(negotiate.etag("docs-model"))
    ext = state()
    body = render_template(
        "model.html", title="Data dictionary", d=dictionary(), counting=COUNTING_NOTE,
        href=lambda iri: local_href(iri, ext.base),
        run=lambda query: "/query?" + urlencode({"query": query}))
    return reply.respond(body, content_type=negotiate.PAGE.content_type)
