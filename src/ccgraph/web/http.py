"""HTTP helpers shared by the blueprints: negotiation, validators, CORS, compression,
and turning triples into bytes. Formats come from :mod:`ccgraph.formats` only.

ETag scheme: ``W/"{build version[:20]}-{ccgraph version}-{format}"`` — weak (a re-serialised
graph may differ byte-wise, e.g. blank node labels, but means the same) and the same for
gzip and identity encodings. It changes when the data (build.json ``version``), the code
(templates, serialisers) or the negotiated format changes. ``If-None-Match`` is compared
before any query runs.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable

import pyoxigraph as ox
from flask import Flask, Response, current_app, request
from rdflib import Graph

from .. import __version__, formats, jsonld
from ..formats import Format
from ..namespaces import PREFIXES

GRAPH_FORMATS: list[Format] = [formats.by_name(n) for n in ("ttl", "jsonld", "nt", "rdf")]
PAGE = formats.by_name("html")
#: for data resources: Turtle when the client does not care, HTML when a browser asks.
DOC_OFFERS: list[Format] = [*GRAPH_FORMATS, PAGE]
CACHE_CONTROL = "public, max-age=300"
COMPRESS_MIN = 1024
COMPRESSIBLE = ("text/", "application/ld+json", "application/json", "application/n-triples",
                "application/n-quads", "application/rdf+xml", "application/sparql-results",
                "application/xml", "image/svg+xml", "application/trig")
EXPOSED = ("ETag, Content-Location, Link, Content-Length, Content-Type, Last-Modified, "
           "Vary, X-SPARQL-MaxRows, X-Result-Truncated, Retry-After")

#: names accepted in ``format=`` besides formats.BY_NAME: SPARQLWrapper's and common spellings.
FORMAT_ALIASES: dict[str, str] = {
    "turtle": "ttl", "n3": "ttl", "json-ld": "jsonld", "ntriples": "nt", "n-triples": "nt",
    "rdf+xml": "rdf", "rdfxml": "rdf", "sparql-results+json": "json",
    "sparql-results+xml": "xml", "text": "tsv",
}


class NotAcceptable(Exception):
    """No offer matches the client's ``Accept``/``format=`` (answered with 406)."""

    def __init__(self, offers: list[Format], asked: str) -> None:
        self.offers = offers
        self.asked = asked
        super().__init__(
            f"cannot answer with {asked or 'any acceptable type'}; available: "
            + ", ".join(f.media_type for f in offers))


def format_override(values: list[str], offers: list[Format]) -> Format | None:
    """Resolve ``format=`` values (short names or media types) against ``offers``.

    Raises NotAcceptable when values are given but none is on offer.
    """
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return None
    for value in values:
        lowered = value.lower()
        name = FORMAT_ALIASES.get(lowered, lowered)
        for offer in offers:
            if offer.name == name:
                return offer
        # "xml"/"json" name a results format, but mean RDF/XML and JSON-LD for graphs.
        if name in ("xml", "json") and any(o.kind == "graph" for o in offers):
            wanted = "rdf" if name == "xml" else "jsonld"
            for offer in offers:
                if offer.name == wanted:
                    return offer
        if "/" in lowered:
            chosen = formats.negotiate(lowered, offers)
            if chosen is not None:
                return chosen
    raise NotAcceptable(offers, "format=" + ",".join(values))


#: query parameters that name the answer's format: ``format=`` and ``output=`` (the name
#: Virtuoso and Fuseki users type) mean the same.
FORMAT_PARAMETERS = ("format", "output")


def requested_formats() -> list[str]:
    """The ``format=``/``output=`` values of the request (URL, or a POSTed form)."""
    values = [v for name in FORMAT_PARAMETERS for v in request.args.getlist(name)]
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        values += [v for name in FORMAT_PARAMETERS for v in request.form.getlist(name)]
    return [v for v in values if v and v.strip()]


def choose(offers: list[Format], *, allow_override: bool = True) -> Format:
    """The format to answer with: ``format=``/``output=`` first, then ``Accept``. Raises
    NotAcceptable."""
    if allow_override:
        chosen = format_override(requested_formats(), offers)
        if chosen is not None:
            return chosen
    accept = request.headers.get("Accept")
    chosen = formats.negotiate(accept, offers)
    if chosen is None:
        raise NotAcceptable(offers, accept or "")
    return chosen


def build_version() -> str:
    ext = current_app.extensions["ccgraph"]
    return str(ext.meta.version)


def etag(fmt: str, *, version: str | None = None) -> str:
    """The (weak) entity tag of a representation in format ``fmt``."""
    v = version if version is not None else build_version()
    return f"{v[:20]}-{__version__}-{fmt}"


def not_modified(tag: str, *, vary_accept: bool = True) -> Response | None:
    """A 304 when ``If-None-Match`` holds ``tag`` (GET/HEAD only); None otherwise."""
    if request.method not in ("GET", "HEAD"):
        return None
    if not request.if_none_match or not request.if_none_match.contains_weak(tag):
        return None
    resp = Response(status=304)
    resp.set_etag(tag, weak=True)
    resp.headers["Cache-Control"] = CACHE_CONTROL
    if vary_accept:
        resp.vary.add("Accept")
    return resp


def finish(resp: Response, tag: str | None, *, vary_accept: bool = True,
           cache_control: str = CACHE_CONTROL) -> Response:
    if tag is not None:
        resp.set_etag(tag, weak=True)
    resp.headers["Cache-Control"] = cache_control
    if vary_accept:
        resp.vary.add("Accept")
    return resp


def serialize_triples(triples: Iterable[ox.Triple], fmt: Format, base: str) -> bytes:
    """Triples as bytes in a graph format; JSON-LD compacted with the ccgraph context."""
    triples = list(triples)
    if fmt.name == "jsonld":
        graph = Graph()
        if triples:
            graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return jsonld.to_jsonld(graph, base)
    assert isinstance(fmt.oxigraph, ox.RdfFormat)
    if fmt.name in ("ttl", "rdf"):  # grouped by subject reads better
        triples.sort(key=lambda t: (isinstance(t.subject, ox.BlankNode), str(t.subject),
                                    str(t.predicate), str(t.object)))
    prefixes = dict(PREFIXES) if fmt.name in ("ttl", "rdf") else None
    data = ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes)
    assert data is not None
    return data


def rdflib_triples(graph: Graph) -> list[ox.Triple]:
    """An rdflib graph as pyoxigraph triples (through N-Triples, so every term survives)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def graph_response(triples: Iterable[ox.Triple], fmt: Format, base: str, tag: str | None,
                   *, vary_accept: bool = True) -> Response:
    body = serialize_triples(triples, fmt, base)
    resp = Response(body, content_type=fmt.content_type)
    return finish(resp, tag, vary_accept=vary_accept)


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


def install(app: Flask) -> None:
    """CORS and compression on every response."""

    @app.after_request
    def _after(resp: Response) -> Response:
        add_cors(resp)
        return compress(resp)
