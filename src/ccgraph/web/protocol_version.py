"""The SPARQL 1.2 Protocol's ``version`` parameter on query and update requests.

A client may say which version of SPARQL its query or update is written in with one
``version`` parameter (in the URL for GET and for a direct ``application/sparql-query`` /
``application/sparql-update`` body, in the URL or the form for a form POST).

Supported: ``"1.1"`` only. The query guard (:mod:`ccgraph.query_guard`), the result
serialisers and the tests know SPARQL 1.1 syntax and results; a client asking for SPARQL 1.2
(triple terms, ``VERSION`` directives) would get whatever pyoxigraph happens to do, so
"1.2" is refused rather than half-honoured. No parameter means the
server's default, 1.1. An unknown version, or more than one ``version`` parameter, is
answered 400 with a plain message before the query or update is looked at.
"""

from __future__ import annotations

from flask import Response, request

from . import http

#: the SPARQL versions a query or update may declare with ``version=``
SUPPORTED: tuple[str, ...] = ("1.1",)
FORM_TYPE = "application/x-www-form-urlencoded"


def given() -> list[str]:
    """Every ``version`` parameter of the request (URL and, for a form POST, the form)."""
    found = request.args.getlist("version")
    if request.method == "POST" and request.mimetype == FORM_TYPE:
        found += request.form.getlist("version")
    return found


def check() -> Response | None:
    """None when the request declares no version or one we support; else the 400."""
    versions = given()
    if not versions:
        return None
    if len(versions) > 1:
        return http.text_error(400, f"{len(versions)} version parameters given "
                                    f"({', '.join(map(repr, versions))}): give at most one")
    if versions[0] not in SUPPORTED:
        return http.text_error(
            400, f"unsupported SPARQL version {versions[0]!r}: this endpoint speaks "
                 f"{', '.join(SUPPORTED)} (leave version= out for the default)")
    return None
