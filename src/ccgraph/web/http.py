"""What every response of the app gets: CORS, gzip compression, and the security headers
of the HTML pages (Content-Security-Policy, ...); and the plain-text error answers the
views share. Negotiation and conditional requests: :mod:`.negotiate`."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESS_MIN = 1024
COMPRESSIBLE = ("text/", "application/ld+json", "application/json", "application/n-triples",
                "application/n-quads", "application/rdf+xml", "application/sparql-results",
                "application/xml", "image/svg+xml", "application/trig")
EXPOSED = ("ETag, Content-Location, Link, Content-Length, Content-Type, Last-Modified, "
           "Vary, X-SPARQL-MaxRows, X-Result-Truncated, Retry-After")
#: the pages' Content-Security-Policy: everything from this server, no inline script
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def text_error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status,
                    content_type="text/plain; charset=utf-8")


def one_operation(texts: list[str], kind: str, plural: str, max_length: int,
                  several: str) -> str | Response:
    """The one query or update of a request, or the 400/413 that says what is wrong with
    ``texts`` (none is the caller's case). ``several`` explains what to do instead."""
    if len(texts) != 1:
        return text_error(400, f"{len(texts)} {plural} given: {several}")
    text = texts[0]
    if not text.strip():
        return text_error(400, f"empty {kind}")
    if len(text) > max_length:
        return text_error(413, f"{kind} too long: {len(text)} characters, at most "
                               f"{max_length}")
    return text


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0 if request.accept_encodings else False


def add_cors(resp: Response) -> Response:
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        asked = request.headers.get("Access-Control-Request-Headers")
        resp.headers["Access-Control-Allow-Headers"] = asked or \
            "Accept, Content-Type, If-None-Match, If-Modified-Since, Range"
        resp.headers["Access-Control-Max-Age"] = "86400"
    return resp


def compress(resp: Response) -> Response:
    """gzip a buffered body above COMPRESS_MIN bytes when the client accepts it."""
    if resp.direct_passthrough or resp.is_streamed or resp.status_code != 200:
        return resp
    if "Content-Encoding" in resp.headers or request.method == "HEAD":
        return resp
    mimetype = resp.mimetype or ""
    if not mimetype.startswith(COMPRESSIBLE):
        return resp
    resp.vary.add("Accept-Encoding")
    if not _accepts_gzip():
        return resp
    body = resp.get_data()
    if len(body) < COMPRESS_MIN:
        return resp
    resp.set_data(gzip.compress(body, compresslevel=5, mtime=0))
    resp.headers["Content-Encoding"] = "gzip"
    return resp


def security_headers(resp: Response) -> Response:
    """CSP, nosniff and the referrer policy on every HTML page."""
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


def install(app: Flask) -> None:
    """Security headers, CORS and compression on every response."""

    @app.after_request
    def _after(resp: Response) -> Response:
        security_headers(resp)
        add_cors(resp)
        return compress(resp)
