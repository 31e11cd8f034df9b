"""``/docs/model``: the data dictionary (src/ccgraph/dictionary.py) as a page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template

from ..dictionary import Dictionary, load_dictionary
from ..void import COUNTING_NOTE
from . import http
from .resources import local_href

bp = Blueprint("docs", __name__)


def _ext() -> Any:
    return current_app.extensions["ccgraph"]


def dictionary() -> Dictionary:
    """The dictionary with examples from the live build (cached per build, like pages)."""
    ext = _ext()
    made: Dictionary = ext.cached("docs:model", lambda: load_dictionary(
        ext.store, ext.base))
    return made


@bp.route("/docs/model")
def model() -> Response:
    tag = http.etag("docs-model")
    if (hit := http.not_modified(tag, vary_accept=False)) is not None:
        return hit
    ext = _ext()
    body = render_template(
        "model.html", title="Data dictionary", d=dictionary(), counting=COUNTING_NOTE,
        href=lambda iri: local_href(iri, ext.base),
        run=lambda query: "/query?" + urlencode({"query": query}))
    return http.finish(Response(body, content_type=http.PAGE.content_type), tag,
                       vary_accept=False)
