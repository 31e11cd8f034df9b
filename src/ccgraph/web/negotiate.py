"""The opening every view shares: pick the format (``format=``/``output=``, then ``Accept``;
406 when nothing fits), tag it (ETag), answer 304 when ``If-None-Match`` holds the tag, and
finish the response (ETag, Cache-Control, Vary, Content-Location, Link). Formats come from
:mod:`ccgraph.formats` only.

A view calls :func:`reply` (negotiated), :func:`fixed` (one representation) or, where the
choice depends on more than the offers (``/doc`` and its JSON-LD forms, ``/sparql``), the two
steps :func:`pick` and :func:`conditional`. 406 and 304 end the request there (werkzeug's
``abort`` with the response), so a view goes on only with something to answer.

ETag scheme: ``W/"{build version[:20]}-{ccgraph version}-{format}"`` — weak (a re-serialised
graph may differ byte-wise, e.g. blank node labels, but means the same) and the same for
gzip and identity encodings. It changes when the data (build.json ``version``), the code
(templates, serialisers) or the negotiated format changes. ``If-None-Match`` is compared
before any query runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, abort, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .. import __version__, formats
from ..formats import Format
from . import http
from .rdfbody import serialize_triples
from .state import state

GRAPH_FORMATS: list[Format] = formats.of_kind("graph")
RESULT_FORMATS: list[Format] = formats.of_kind("results")
PAGE = formats.by_name("html")
#: for data resources: Turtle when the client does not care, HTML when a browser asks.
DOC_OFFERS: list[Format] = [*GRAPH_FORMATS, PAGE]
JSONLD = formats.by_name("jsonld")
CACHE_CONTROL = "public, max-age=300"

#: names accepted in ``format=`` besides formats.BY_NAME: SPARQLWrapper's and common spellings.
FORMAT_ALIASES: dict[str, str] = {
    "turtle": "ttl", "n3": "ttl", "json-ld": "jsonld", "ntriples": "nt", "n-triples": "nt",
    "rdf+xml": "rdf", "rdfxml": "rdf", "sparql-results+json": "json",
    "sparql-results+xml": "xml", "text": "tsv",
}
#: query parameters that name the answer's format: ``format=`` and ``output=`` (the name
#: Virtuoso and Fuseki users type) mean the same.
FORMAT_PARAMETERS = ("format", "output")


class NotAcceptable(Exception):
    """No offer matches the client's ``Accept``/``format=`` (answered with 406)."""

    def __init__(self, offers: Sequence[Format], asked: str) -> None:
        self.offers = offers
        self.asked = asked
        super().__init__(
            f"cannot answer with {asked or 'any acceptable type'}; available: "
            + ", ".join(f.media_type for f in offers))


def best_offer(accept: str | None, offers: Sequence[Format]) -> Format | None:
    """The offer the ``Accept`` header prefers, by werkzeug's matching (quality, then the
    most specific range, then the order of ``offers``), with three rules of ours: an empty
    or missing header takes the first offer; an offer's aliases (``application/json`` for
    JSON-LD) match after every offer's own media type; media type parameters are not
    compared (``text/turtle;charset=utf-8`` is Turtle). None: nothing acceptable (406)."""
    if not accept or not accept.strip():
        return offers[0] if offers else None
    if len(accept) > 1000:  # not kept: a client's own odd header
        return _best_offer(accept, tuple(offers))
    return _best_offer_kept(accept, tuple(offers))


def _best_offer(accept: str, offers: tuple[Format, ...]) -> Format | None:
    parsed = parse_accept_header(accept, MIMEAccept)
    plain = MIMEAccept([(value.split(";")[0].strip(), q) for value, q in parsed])
    by_type: dict[str, Format] = {}
    for offer in offers:
        by_type.setdefault(offer.media_type, offer)
    for offer in offers:
        for alias in offer.aliases:
            by_type.setdefault(alias, offer)
    chosen = plain.best_match(by_type)
    return by_type[chosen] if chosen is not None else None


#: best_offer per (Accept, offers), remembered: clients send few distinct headers, and the
#: parse and match cost ~30-120 µs a request (measured, a loaded machine)
_best_offer_kept = functools.lru_cache(maxsize=512)(_best_offer)


def format_override(values: list[str], offers: Sequence[Format]) -> Format | None:
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
            chosen = best_offer(lowered, offers)
            if chosen is not None:
                return chosen
    raise NotAcceptable(offers, "format=" + ",".join(values))


def requested_formats() -> list[str]:
    """The ``format=``/``output=`` values of the request (URL, or a POSTed form)."""
    values = [v for name in FORMAT_PARAMETERS for v in request.args.getlist(name)]
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        values += [v for name in FORMAT_PARAMETERS for v in request.form.getlist(name)]
    return [v for v in values if v and v.strip()]


def choose(offers: Sequence[Format], *, allow_override: bool = True,
           accept: str | None = None) -> Format:
    """The format to answer with: ``format=``/``output=`` first, then ``Accept`` (or
    ``accept``, the header as the caller read it). Raises NotAcceptable."""
    if allow_override:
        chosen = format_override(requested_formats(), offers)
        if chosen is not None:
            return chosen
    if accept is None:
        accept = request.headers.get("Accept")
    chosen = best_offer(accept, offers)
    if chosen is None:
        raise NotAcceptable(offers, accept or "")
    return chosen


def pick(offers: Sequence[Format], *, explicit: Format | None = None,
         accept: str | None = None,
         fallback: Callable[[], Format | None] | None = None) -> Format:
    """:func:`choose`, or ``explicit`` (a suffix in the path) when given; when nothing fits,
    ``fallback()``'s format, else the request ends with 406."""
    if explicit is not None:
        return explicit
    try:
        return choose(offers, accept=accept)
    except NotAcceptable as exc:
        chosen = fallback() if fallback is not None else None
        if chosen is None:
            abort(http.text_error(406, str(exc)))
        return chosen


def etag(name: str, *, version: str | None = None) -> str:
    """The (weak) entity tag of the representation ``name`` of the data's ``version``
    (default: the live build's)."""
    v = version if version is not None else state().meta.version
    return f"{v[:20]}-{__version__}-{name}"


def alternates(path: str, offers: Iterable[Format] = DOC_OFFERS) -> list[dict[str, str]]:
    """The representations of the resource at ``path``, one per offer (``path`` + suffix)."""
    return [{"href": path + f.suffix, "type": f.media_type, "name": f.name} for f in offers]


def link_header(others: list[dict[str, str]], chosen: Format) -> str:
    """``Link`` to every alternate but the one answered."""
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"'
                     for a in others if a["type"] != chosen.media_type)


@dataclass(frozen=True)
class Reply:
    """What a view answers with, decided before any work: its format (None: a fixed
    content type), entity tag, whether it was negotiated (``Vary: Accept`` and
    ``Content-Location``) and the path of the resource whose alternates the ``Link`` header
    names."""

    fmt: Format | None
    tag: str | None
    negotiated: bool = True
    path: str | None = None
    location: str | None = None  # Content-Location when negotiated (default: path + suffix)
    cache_control: str = CACHE_CONTROL

    def finish(self, resp: Response) -> Response:
        """ETag, Cache-Control, Vary, Content-Location and Link on ``resp``."""
        if self.tag is not None:
            resp.set_etag(self.tag, weak=True)
        resp.headers["Cache-Control"] = self.cache_control
        if self.negotiated:
            resp.vary.add("Accept")
        if self.path is not None and self.fmt is not None:
            if self.negotiated:
                resp.headers["Content-Location"] = self.location or self.path + self.fmt.suffix
            resp.headers["Link"] = link_header(alternates(self.path), self.fmt)
        return resp

    def respond(self, body: bytes | str | Iterable[bytes], *,
                content_type: str | None = None) -> Response:
        if content_type is None:
            if self.fmt is None:
                raise ValueError("a fixed reply names its content type")
            content_type = self.fmt.content_type
        return self.finish(Response(body, content_type=content_type))

    def graph(self, triples: Iterable[ox.Triple], base: str) -> Response:
        """The triples, serialised in the reply's (graph) format."""
        if self.fmt is None:
            raise ValueError("a graph is answered in a negotiated format")
        return self.respond(serialize_triples(triples, self.fmt, base))


def conditional(fmt: Format | None, tag: str, *, negotiated: bool = True,
                path: str | None = None, location: str | None = None,
                cache_control: str = CACHE_CONTROL, check: bool = True) -> Reply:
    """The reply for ``fmt`` tagged ``tag``; the request ends with 304 when
    ``If-None-Match`` holds the tag (GET and HEAD only; ``check=False``: never)."""
    found = Reply(fmt, tag, negotiated, path, location, cache_control)
    if check and request.method in ("GET", "HEAD") and request.if_none_match \
            and request.if_none_match.contains_weak(tag):
        abort(found.finish(Response(status=304)))
    return found


def reply(offers: Sequence[Format], name: Callable[[Format], str], *,
          version: str | None = None, explicit: Format | None = None,
          path: str | None = None, cache_control: str = CACHE_CONTROL) -> Reply:
    """Negotiate among ``offers`` (or take ``explicit``, a suffix in the path: not
    negotiated), tag the format with ``name(fmt)`` and ``version``, answer 304 when the
    client holds it. ``path``: the resource's alternates go in a ``Link`` header."""
    fmt = pick(offers, explicit=explicit)
    return conditional(fmt, etag(name(fmt), version=version), negotiated=explicit is None,
                       path=path, cache_control=cache_control)


def fixed(tag: str, *, cache_control: str = CACHE_CONTROL) -> Reply:
    """The reply of a resource with one representation (not negotiated), tagged ``tag``
    (see :func:`etag`); 304 when the client holds it."""
    return conditional(None, tag, negotiated=False, cache_control=cache_control)
