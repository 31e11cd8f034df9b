"""Dataset metadata and site files: ``/.well-known/void``, ``/ontology``, ``/shapes``,
``/context.jsonld``, ``/sitemap.xml``, ``/robots.txt``, ``/healthz``."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from xml.sax.saxutils import escape

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request

from .. import __version__, framing, iris, shipped
from .. import void as void_module
from ..formats import by_suffix
from . import http, releases
from .resources import render_graph_page

bp = Blueprint("meta", __name__)
SITEMAP_LIMIT = 50_000  # the sitemaps.org limit for one file
DICTIONARY_LINK = {"href": "/docs/model", "text": "Data dictionary",
                   "note": "every class with its properties, the concept schemes and the "
                           "borrowed terms (schema.org, ORG, OA, PROV, SKOS) as used here"}


def _ext() -> Any:
    return current_app.extensions["ccgraph"]


def site_root() -> str:
    public = _ext().settings.public_url
    return (str(public).rstrip("/") + "/") if public else request.host_url


def graph_triples(graph_iri: str) -> list[ox.Triple]:
    node = ox.NamedNode(graph_iri)
    return [q.triple for q in _ext().store.quads_for_pattern(None, None, None, node)]


def _negotiated_graph(kind: str, triples_of: Any, *, title: str, main: str,
                      explicit: str | None = None, intro: str | None = None,
                      path: str, see_also: list[dict[str, str]] | None = None) -> Response:
    ext = _ext()
    fmt = by_suffix(explicit) if explicit else None
    if explicit and (fmt is None or fmt not in http.DOC_OFFERS):
        abort(404)
    try:
        fmt = fmt or http.choose(http.DOC_OFFERS)
    except http.NotAcceptable as exc:
        return http.text_error(406, str(exc))
    negotiated = explicit is None
    tag = http.etag(f"{kind}-{fmt.name}")
    if (hit := http.not_modified(tag, vary_accept=negotiated)) is not None:
        return hit
    triples = triples_of()
    if not triples:
        abort(404, description=f"this build holds no {kind}")
    alternates = [{"href": path + f.suffix, "type": f.media_type, "name": f.name}
                  for f in http.DOC_OFFERS]
    if fmt.kind == "page":
        body = render_graph_page(title=title, iri=main, triples=triples,
                                 order=[ox.NamedNode(main)], alternates=alternates, intro=intro,
                                 see_also=see_also)
        resp = Response(body, content_type=fmt.content_type)
    else:
        resp = Response(http.serialize_triples(triples, fmt, ext.base),
                        content_type=fmt.content_type)
    if negotiated:
        resp.headers["Content-Location"] = path + fmt.suffix
    resp.headers["Link"] = ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"'
                                     for a in alternates if a["type"] != fmt.media_type)
    return http.finish(resp, tag, vary_accept=negotiated)


def void_triples() -> list[ox.Triple]:
    """The graph {base}graph/void; computed here when the build did not store one."""
    ext = _ext()
    triples = graph_triples(str(void_module.void_graph(ext.base)))
    if triples:
        return triples
    made: list[ox.Triple] = ext.cached("void", lambda: http.rdflib_triples(
        void_module.describe_dataset(ext.store, ext.meta, ext.base)))
    return made


@bp.route("/.well-known/void")
@bp.route("/.well-known/void<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
def void(suffix: str | None = None) -> Response:
    ext = _ext()
    return _negotiated_graph(
        f"void-{releases.fingerprint()}",
        lambda: [*void_triples(), *releases.catalogue_triples()],
        title="About this dataset (VoID and DCAT)",
        main=str(iris.dataset(ext.base)), explicit=suffix, path="/.well-known/void",
        intro=void_module.COUNTING_NOTE)


@bp.route("/ontology")
@bp.route("/ontology<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
def ontology(suffix: str | None = None) -> Response:
    ext = _ext()
    graph = str(iris.graph("ontology", ext.base))
    return _negotiated_graph("ontology", lambda: graph_triples(graph),
                             title="The ccgraph ontology", main=ext.base + "ontology",
                             explicit=suffix, path="/ontology", see_also=[DICTIONARY_LINK])


def _load_shapes() -> tuple[list[ox.Triple], str]:
    folder = shipped.shapes()
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    digest = hashlib.sha256()
    triples: list[ox.Triple] = []
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        triples.extend(q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE,
                                                  base_iri=path.as_uri()))
    return triples, digest.hexdigest()[:20]


@bp.route("/shapes")
def shapes() -> Response:
    ext = _ext()
    try:
        fmt = http.choose(http.GRAPH_FORMATS)
    except http.NotAcceptable as exc:
        return http.text_error(406, str(exc))
    triples, digest = ext.cached("shapes", _load_shapes)
    tag = http.etag(f"shapes-{fmt.name}", version=digest)
    if (hit := http.not_modified(tag)) is not None:
        return hit
    if not triples:
        abort(404, description="no SHACL shapes in this installation")
    return http.graph_response(triples, fmt, ext.base, tag)


@bp.route("/context.jsonld")
@bp.route("/context/v1.jsonld")
def context() -> Response:
    """The JSON-LD context of plain terms: ``/context/v1.jsonld`` is fixed for ever (the
    committed file's bytes); ``/context.jsonld`` is the current version (v1 today)."""
    body = framing.context_bytes()
    tag = "context-v1-" + hashlib.sha256(body).hexdigest()[:16]
    if (hit := http.not_modified(tag, vary_accept=False)) is not None:
        return hit
    resp = Response(body, content_type="application/ld+json")
    return http.finish(resp, tag, vary_accept=False, cache_control="public, max-age=86400")


@bp.route("/frames/<name>.jsonld")
@bp.route("/frames/<name>.schema.json")
def frame(name: str) -> Response:
    """A committed JSON-LD frame (``ccgraph.framing.FRAMES``), for framing with any processor,
    or the JSON Schema of the framed documents."""
    schema = request.path.endswith(".schema.json")
    try:
        body = framing.schema_bytes(name) if schema else framing.frame_bytes(name)
    except KeyError as exc:
        abort(404, description=str(exc.args[0]))
    tag = "frame-" + hashlib.sha256(body).hexdigest()[:16]
    if (hit := http.not_modified(tag, vary_accept=False)) is not None:
        return hit
    resp = Response(body, content_type="application/schema+json" if schema
                    else "application/ld+json")
    return http.finish(resp, tag, vary_accept=False, cache_control="public, max-age=86400")


def sitemap_iris() -> list[str]:
    ext = _ext()

    def make() -> list[str]:
        space = ext.base + "id/"
        query = ("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
                 + json.dumps(space) + ") && !CONTAINS(STR(?s), \"#\")) } ORDER BY ?s LIMIT "
                 + str(SITEMAP_LIMIT))
        return [row["s"].value for row in ext.build.query(query)]

    return ext.cached("sitemap", make)  # type: ignore[no-any-return]


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    ext = _ext()
    tag = http.etag("sitemap")
    if (hit := http.not_modified(tag, vary_accept=False)) is not None:
        return hit
    root = site_root().rstrip("/")
    space = ext.base + "id/"
    lastmod = escape(ext.meta.created[:10])
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for iri in sitemap_iris():
        loc = escape(root + "/doc/" + iri[len(space):])
        lines.append(f"  <url><loc>{loc}</loc><lastmod>{lastmod}</lastmod></url>")
    lines.append("</urlset>")
    resp = Response("\n".join(lines) + "\n", content_type="application/xml; charset=utf-8")
    return http.finish(resp, tag, vary_accept=False)


@bp.route("/robots.txt")
def robots() -> Response:
    tag = http.etag("robots")
    if (hit := http.not_modified(tag, vary_accept=False)) is not None:
        return hit
    body = ("User-agent: *\n"
            "Disallow: /sparql\n"
            "Allow: /\n"
            f"Sitemap: {site_root()}sitemap.xml\n")
    return http.finish(Response(body, content_type="text/plain; charset=utf-8"), tag,
                       vary_accept=False)


@bp.route("/healthz")
def healthz() -> Response:
    """Liveness: the store answers. ``quads``: quads in the named graphs (build.json's
    ``quads``). Never cached, so no ETag."""
    ext = _ext()
    quads = ext.cached("quads", lambda: int(next(iter(ext.store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value))
    ok = bool(ext.store.query("ASK { ?s ?p ?o }"))
    body = {"ok": ok, "version": ext.meta.version, "quads": quads, "software": __version__}
    resp = Response(json.dumps(body), status=200 if ok else 503,
                    content_type="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp
