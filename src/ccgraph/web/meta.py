"""Dataset metadata and site files: ``/.well-known/void``, ``/ontology``, ``/shapes``,
``/context.jsonld``, ``/sitemap.xml``, ``/robots.txt``, ``/healthz``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from xml.sax.saxutils import escape

import pyoxigraph as ox
from flask import Blueprint, Response, abort, request

from .. import __version__, framing, iris, shipped
from .. import void as void_module
from ..formats import by_suffix
from ..remote_store import RemoteError, RemoteStore
from . import negotiate, releases
from .rdfbody import rdflib_triples
from .resources import render_graph_page
from .state import state

bp = Blueprint("meta", __name__)
SITEMAP_LIMIT = 50_000  # the sitemaps.org limit for one file
DICTIONARY_LINK = {"href": "/docs/model", "text": "Data dictionary",
                   "note": "every class with its properties, the concept schemes and the "
                           "borrowed terms (schema.org, ORG, OA, PROV, SKOS) as used here"}


def site_root() -> str:
    public = state().settings.public_url
    return (public.rstrip("/") + "/") if public else request.host_url


def graph_triples(graph_iri: str) -> list[ox.Triple]:
    node = ox.NamedNode(graph_iri)
    return [q.triple for q in state().store.quads_for_pattern(None, None, None, node)]


def _negotiated_graph(kind: str, triples_of: Callable[[], list[ox.Triple]], *, title: str,
                      main: str, explicit: str | None = None, intro: str | None = None,
                      path: str, see_also: list[dict[str, str]] | None = None) -> Response:
    fmt = by_suffix(explicit) if explicit else None
    if explicit and (fmt is None or fmt not in negotiate.DOC_OFFERS):
        abort(404)
    reply = negotiate.reply(negotiate.DOC_OFFERS, lambda f: f"{kind}-{f.name}", explicit=fmt,
                            path=path)
    triples = triples_of()
    if not triples:
        abort(404, description=f"this build holds no {kind}")
    if reply.fmt is negotiate.PAGE:
        return reply.respond(render_graph_page(
            title=title, iri=main, triples=triples, order=[ox.NamedNode(main)],
            alternates=negotiate.alternates(path), intro=intro, see_also=see_also))
    return reply.graph(triples, state().base)


def void_triples() -> list[ox.Triple]:
    """The graph {base}graph/void; computed here when the build did not store one."""
    ext = state()
    triples = graph_triples(str(void_module.void_graph(ext.base)))
    if triples:
        return triples
    return ext.cached("void", lambda: rdflib_triples(
        void_module.describe_dataset(ext.store, ext.meta, ext.base)))


@bp.route("/.well-known/void")
@bp.route("/.well-known/void<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
def void(suffix: str | None = None) -> Response:
    ext = state()
    return _negotiated_graph(
        f"void-{releases.fingerprint()}",
        lambda: [*void_triples(), *releases.catalogue_triples()],
        title="About this dataset (VoID and DCAT)",
        main=str(iris.dataset(ext.base)), explicit=suffix, path="/.well-known/void",
        intro=void_module.COUNTING_NOTE)


@bp.route("/ontology")
@bp.route("/ontology<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
def ontology(suffix: str | None = None) -> Response:
    ext = state()
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
    ext = state()
    triples, digest = ext.cached("shapes", _load_shapes)
    reply = negotiate.reply(negotiate.GRAPH_FORMATS, lambda f: f"shapes-{f.name}",
                            version=digest)
    if not triples:
        abort(404, description="no SHACL shapes in this installation")
    return reply.graph(triples, ext.base)


@bp.route("/context.jsonld")
@bp.route("/context/v1.jsonld")
def context() -> Response:
    """The JSON-LD context of plain terms: ``/context/v1.jsonld`` is fixed for ever (the
    committed file's bytes); ``/context.jsonld`` is the current version (v1 today)."""
    return _committed_file(framing.context_bytes(), "context-v1", "application/ld+json")


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
    return _committed_file(body, "frame", "application/schema+json" if schema
                           else "application/ld+json")


def _committed_file(body: bytes, kind: str, content_type: str) -> Response:
    """A file of the package, tagged with its content's hash, cached for a day."""
    tag = f"{kind}-" + hashlib.sha256(body).hexdigest()[:16]
    reply = negotiate.fixed(tag, cache_control="public, max-age=86400")
    return reply.respond(body, content_type=content_type)


def sitemap_iris() -> list[str]:
    ext = state()

    def make() -> list[str]:
        space = ext.base + "id/"
        query = ("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
                 + json.dumps(space) + ") && !CONTAINS(STR(?s), \"#\")) } ORDER BY ?s LIMIT "
                 + str(SITEMAP_LIMIT))
        return [row["s"].value for row in ext.solutions(query)]

    return ext.cached("sitemap", make)


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    ext = state()
    reply = negotiate.fixed(negotiate.etag("sitemap"))
    root = site_root().rstrip("/")
    space = ext.base + "id/"
    lastmod = escape(ext.meta.created[:10])
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for iri in sitemap_iris():
        loc = escape(root + "/doc/" + iri[len(space):])
        lines.append(f"  <url><loc>{loc}</loc><lastmod>{lastmod}</lastmod></url>")
    lines.append("</urlset>")
    return reply.respond("\n".join(lines) + "\n", content_type="application/xml; charset=utf-8")


@bp.route("/robots.txt")
def robots() -> Response:
    reply = negotiate.fixed(negotiate.etag("robots"))
    body = ("User-agent: *\n"
            "Disallow: /sparql\n"
            "Allow: /\n"
            f"Sitemap: {site_root()}sitemap.xml\n")
    return reply.respond(body, content_type="text/plain; charset=utf-8")


@bp.route("/healthz")
def healthz() -> Response:
    """Health for a load balancer, at the same small cost whatever the size: one ``ASK``
    of the store (over a backend: one request to the engine, waited for at most
    ``health_timeout`` seconds; 503 with the reason when it does not answer). ``quads``:
    the quads in the named graphs, from the metadata (``quads_from``: build.json's or the
    release's ``quads``), never counted. Never cached, so no ETag."""
    ext = state()
    store = ext.store
    body: dict[str, object] = {
        "ok": False, "version": ext.meta.version, "quads": ext.meta.quads,
        "quads_from": "release.json" if "release" in ext.meta.extra else "build.json",
        "store": "backend" if isinstance(store, RemoteStore) else "embedded",
        "software": __version__}
    try:
        if isinstance(store, RemoteStore):
            body["ok"] = store.alive(ext.settings.health_timeout)
        else:
            body["ok"] = bool(store.query("ASK { ?s ?p ?o }"))
        if not body["ok"]:
            body["reason"] = "the store holds no triple"
    except RemoteError as exc:
        body["reason"] = str(exc)
    resp = Response(json.dumps(body), status=200 if body["ok"] else 503,
                    content_type="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp
