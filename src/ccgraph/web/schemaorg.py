"""schema.org in every HTML page: a ``<script type="application/ld+json">`` data block that
says what the page shows, for search engines and dataset search.

The home page is a ``Dataset`` (with each dump as a ``DataDownload`` and the SPARQL endpoint),
a city page a ``City`` (``geo``, ``sameAs`` where the links graph gives them), a facility page
its ``Place`` subtype, an event page an ``Event`` with its ``location``, a creator page an
``Organization`` or ``Person``; any other page a ``WebPage``. Only schema.org terms are used.

The JSON is escaped so that no value can end the script element or open a comment: ``<``,
``>`` and ``&`` (and U+2028/U+2029) are written as ``\\u003c`` and so on. A data block is never
executed, so the pages' CSP (``script-src 'self'``) allows it.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from flask import Flask, request
from markupsafe import Markup

from .. import __version__
from ..dumpfiles import BY_NAME
from ..namespaces import CCG, DCTERMS, OWL, RDF, RDFS, SCHEMA
from ..remote_store import RemoteStore
from . import dumps
from .state import state

CONTEXT = "https://schema.org"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
#: the links to the places a resource's data block describes (a remote store reads them at once)
PLACES = (SCHEMA.containedInPlace, CCG.locatedIn, SCHEMA.location, CCG.basedIn)
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
            "\u2029": "\\u2029"}


def script(data: dict[str, Any]) -> Markup:
    """``data`` as a JSON-LD data block that no value can break out of."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    for char, escape in _ESCAPES.items():
        text = text.replace(char, escape)
    return Markup(f'<script type="application/ld+json">{text}</script>')


def _one(store: ox.Store, s: ox.NamedNode, p: str, lang: str | None = "en") -> str | None:
    found = [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None)]
    for o in found:
        if isinstance(o, ox.Literal) and (lang is None or o.language in (lang, None)):
            return o.value
    for o in found:
        if isinstance(o, ox.Literal | ox.NamedNode):
            return o.value
    return None


def _all(store: ox.Store, s: ox.NamedNode, p: str) -> list[str]:
    return sorted({q.object.value for q in store.quads_for_pattern(s, ox.NamedNode(p), None)
                   if isinstance(q.object, ox.NamedNode)})


def _place(store: ox.Store, iri: str, kind: str = "Place") -> dict[str, Any]:
    node = ox.NamedNode(iri)
    out: dict[str, Any] = {"@type": kind, "@id": iri}
    if (name := _one(store, node, str(RDFS.label))) is not None:
        out["name"] = name
    lat, long = _one(store, node, GEO + "lat"), _one(store, node, GEO + "long")
    if lat is not None and long is not None:
        out["geo"] = {"@type": "GeoCoordinates", "latitude": float(lat), "longitude": float(long)}
    same = sorted(set(_all(store, node, str(OWL.sameAs)) + _all(store, node, str(SCHEMA.sameAs))))
    if same:
        out["sameAs"] = same
    return out


def first_year(store: ox.Store) -> int | None:
    """The earliest year of designation (the start of the ``temporalCoverage``)."""
    years = [int(o.value) for q in store.quads_for_pattern(
        None, ox.NamedNode(str(CCG.yearDesignated)), None)
        if isinstance(o := q.object, ox.Literal) and o.value.isdigit()]
    return min(years) if years else None


def dataset(store: ox.Store, base: str, root: str, version: str,
            first: int | None = None) -> dict[str, Any]:
    """The home page's ``Dataset``: what a dataset search engine needs (``first``: the
    :func:`first_year`, kept per build by the caller)."""
    node = ox.NamedNode(base + "id/dataset")
    modified = _one(store, node, str(DCTERMS.modified)) or ""
    out: dict[str, Any] = {
        "@context": CONTEXT, "@type": "Dataset", "@id": node.value,
        "name": _one(store, node, str(DCTERMS.title)) or "ccgraph",
        "description": _one(store, node, str(DCTERMS.description)) or "",
        "url": root, "version": version,
        "license": _one(store, node, str(DCTERMS.license)) or "",
        "creator": {"@type": "Organization", "name": "the ccgraph project", "url": root},
        "dateModified": modified, "datePublished": modified[:10],
        "isAccessibleForFree": True,
        "keywords": ["UNESCO Creative Cities Network", "creative cities", "linked data",
                     "cultural policy", "creative industries"],
        "spatialCoverage": {"@type": "Place", "name": "World"},
        "about": {"@type": "Organization", "name": "UNESCO Creative Cities Network",
                  "@id": base + "id/org/uccn"},
        "distribution": [],
    }
    if first is not None:
        out["temporalCoverage"] = f"{first}/.."
    for item in dumps.listing():
        name = item["name"]
        encoding = BY_NAME[name].content_type  # of the content, gzip or not
        out["distribution"].append({
            "@type": "DataDownload", "name": name, "description": item["description"],
            "contentUrl": root + item["href"].lstrip("/"), "encodingFormat": encoding,
            "contentSize": str(item["bytes"])})
    out["distribution"].append({
        "@type": "DataDownload", "name": "SPARQL endpoint", "contentUrl": root + "sparql",
        "encodingFormat": "application/sparql-results+json",
        "description": "SPARQL 1.1 query endpoint over the whole dataset"})
    out["includedInDataCatalog"] = {"@type": "DataCatalog", "name": "ccgraph", "url": root}
    return out


def resource(store: ox.Store, iri: str, title: str, root: str) -> dict[str, Any]:
    """The schema.org description of a ``/doc/`` page's resource."""
    node = ox.NamedNode(iri)
    types = set(_all(store, node, str(RDF.type)))
    if isinstance(store, RemoteStore):  # the places described below, in one query
        store.prefetch(ox.NamedNode(o) for p in PLACES for o in _all(store, node, str(p)))
    out: dict[str, Any]
    if str(CCG.CreativeCity) in types:
        out = _place(store, iri, "City")
        country = [c for c in _all(store, node, str(SCHEMA.containedInPlace))
                   if "/id/country/" in c]
        if country:
            out["containedInPlace"] = _place(store, country[0], "Country")
    elif str(CCG.Facility) in types:
        kinds = sorted(t[len(str(SCHEMA)):] for t in types if t.startswith(str(SCHEMA)))
        out = _place(store, iri, kinds[0] if kinds else "Place")
        city = _all(store, node, str(CCG.locatedIn))
        if city:
            out["containedInPlace"] = _place(store, city[0], "City")
        if (address := _one(store, node, str(SCHEMA.address))) is not None:
            out["address"] = address
    elif str(CCG.Event) in types:
        out = {"@type": "Event", "@id": iri, "name": title}
        places = _all(store, node, str(CCG.locatedIn)) + _all(store, node,
                                                                str(SCHEMA.location))
        out["location"] = [_place(store, p) for p in places] or {"@type": "Place",
                                                                 "name": title}
    elif str(CCG.Creator) in types:
        kind = "Person" if str(SCHEMA.Person) in types else "Organization"
        out = {"@type": kind, "@id": iri, "name": title}
        city = _all(store, node, str(CCG.basedIn))
        if city:
            out["location" if kind == "Organization" else "homeLocation"] = _place(
                store, city[0], "City")
    else:
        out = {"@type": "WebPage", "name": title, "about": {"@id": iri}}
    if (description := _one(store, node, str(SCHEMA.description))) is not None \
            and out["@type"] != "WebPage":
        out["description"] = description
    out["url"] = root + request.path.lstrip("/")
    return {"@context": CONTEXT, **out}


def for_page(title: str) -> Markup:
    """The data block of the page being rendered (``title`` is the page's heading)."""
    ext = state()
    root = request.host_url
    path = request.path
    if path == "/":
        data = dataset(ext.store, ext.base, root, f"{ext.meta.version} ({__version__})",
                       ext.cached("schemaorg:first-year", lambda: first_year(ext.store)))
    elif path.startswith("/doc/"):
        rest = path[len("/doc/"):].removesuffix(".html")
        try:
            data = resource(ext.store, ext.base + "id/" + rest, title, root)
        except ValueError:  # no IRI has this path (a 404 page): a plain web page
            data = {"@context": CONTEXT, "@type": "WebPage", "name": title}
    else:
        data = {"@context": CONTEXT, "@type": "WebPage", "name": title,
                "url": root + path.lstrip("/"),
                "isPartOf": {"@type": "WebSite", "name": "ccgraph", "url": root}}
    return script(data)


def install(app: Flask) -> None:
    """Templates call ``schema_org(title)`` in base.html's head."""
    app.jinja_env.globals["schema_org"] = for_page
