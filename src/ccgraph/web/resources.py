"""Dereferenceable URIs: ``/id/...`` (303 See Other) and ``/doc/...`` (descriptions).

The canonical IRIs ``{base}id/...`` (base from build.json) map onto this server's paths
whatever host it runs on: ``/doc/city/jp/sapporo`` describes ``{base}id/city/jp/sapporo``.
What a description holds, and how it is read (a few queries over a remote engine), is
``describe.py``; this module negotiates, renders and caches it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from ..formats import Format, by_suffix
from ..framing import forms, tree
from ..namespaces import RDF, XSD, curie
from . import http, negotiate
from .cache import Cached
from .describe import LABELS, Description, describe
from .rdfbody import serialize_triples
from .state import Ccgraph, state

__all__ = ["Description", "View", "arranged", "bp", "describe", "exists", "labels_of",
           "local_href", "pick_label", "render_graph_page", "split_suffix"]

bp = Blueprint("resources", __name__)

SUFFIXES = tuple(f.suffix for f in negotiate.DOC_OFFERS)
RDF_TYPE = str(RDF.type)


def split_suffix(rest: str) -> tuple[str, Format | None]:
    """``city/jp/sapporo.ttl`` -> (``city/jp/sapporo``, Turtle). Slugs never hold a dot."""
    for suffix in SUFFIXES:
        if rest.endswith(suffix):
            return rest[: -len(suffix)], by_suffix(suffix)
    return rest, None


def exists(store: ox.Store, iri: str) -> bool:
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # not a valid IRI: no such resource
        return False
    for _ in store.quads_for_pattern(node, None, None):
        return True
    for _ in store.quads_for_pattern(None, None, node):
        return True
    return False


# ---------------------------------------------------------------- presentation helpers

def local_href(iri: str, base: str) -> str:
    """Where a browser on this server learns about ``iri``."""
    if iri.startswith(base + "id/"):
        return "/doc/" + iri[len(base) + 3:]
    if iri.startswith(base + "ontology"):
        return "/ontology" + iri[len(base) + len("ontology"):]
    if iri == base + "graph/void":
        return "/.well-known/void"
    # data may hold any IRI (javascript:, data:, ...): only web and mail links are followed
    if iri.lower().startswith(("http://", "https://", "ftp://", "mailto:")):
        return iri
    return "#"


def pick_label(labels: list[ox.Literal]) -> str | None:
    for lit in labels:
        if lit.language == "en":
            return lit.value
    for lit in labels:
        if not lit.language:
            return lit.value
    return labels[0].value if labels else None


@dataclass
class View:
    """Triples arranged for an HTML page."""

    base: str
    labels: dict[str, str]

    def term(self, term: Any) -> dict[str, Any]:
        if isinstance(term, ox.NamedNode):
            label = self.labels.get(term.value)
            return {"kind": "iri", "iri": term.value, "href": local_href(term.value, self.base),
                    "text": label or curie(term.value),
                    "title": term.value}
        if isinstance(term, ox.BlankNode):
            return {"kind": "bnode", "href": "#_" + term.value, "text": "_:" + term.value,
                    "title": "blank node"}
        if isinstance(term, ox.Literal):
            extra = ""
            if term.language:
                extra = "@" + term.language
            elif term.datatype.value != str(XSD.string):
                extra = curie(term.datatype.value)
            return {"kind": "literal", "text": term.value, "extra": extra,
                    "lang": term.language or ""}
        return {"kind": "other", "text": str(term)}

    def anchor(self, subject: ox.NamedNode | ox.BlankNode) -> str:
        if isinstance(subject, ox.BlankNode):
            return "_" + subject.value
        fragment = subject.value.partition("#")[2]
        return fragment or "top"

    def sections(self, triples: Iterable[ox.Triple],
                 order: list[ox.NamedNode | ox.BlankNode]) -> list[dict[str, Any]]:
        by_subject: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            by_subject[t.subject][t.predicate.value].append(t.object)
        subjects = [s for s in order if s in by_subject]
        subjects += sorted((s for s in by_subject if s not in subjects), key=_sort_key)
        out = []
        for subject in subjects:
            props = by_subject[subject]
            rows = []
            for predicate in sorted(props, key=lambda p: (p != RDF_TYPE, curie(p))):
                values = sorted(props[predicate], key=_sort_key)
                rows.append({"predicate": self.term(ox.NamedNode(predicate)),
                             "objects": [self.term(v) for v in values]})
            out.append({"subject": self.term(subject), "anchor": self.anchor(subject),
                        "rows": rows})
        return out


def _sort_key(term: Any) -> tuple[int, str]:
    if isinstance(term, ox.NamedNode):
        return (0, term.value)
    if isinstance(term, ox.Literal):
        return (1, (term.language or "") + term.value)
    return (2, str(term))


def labels_of(triples: Iterable[ox.Triple]) -> dict[str, str]:
    found: dict[str, list[ox.Literal]] = defaultdict(list)
    for t in triples:
        if t.predicate in LABELS and isinstance(t.subject, ox.NamedNode) \
                and isinstance(t.object, ox.Literal):
            found[t.subject.value].append(t.object)
    return {iri: label for iri, lits in found.items() if (label := pick_label(lits))}


def render_graph_page(*, title: str, iri: str | None, triples: Iterable[ox.Triple],
                      order: list[ox.NamedNode | ox.BlankNode], inbound: Iterable[ox.Triple] = (),
                      alternates: list[dict[str, str]] | None = None,
                      intro: str | None = None,
                      see_also: list[dict[str, str]] | None = None) -> str:
    return render_template("describe.html", title=title, iri=iri,
                           **arranged(triples, order, inbound),
                           alternates=alternates or [], intro=intro, see_also=see_also or [])


def arranged(triples: Iterable[ox.Triple], order: list[ox.NamedNode | ox.BlankNode],
             inbound: Iterable[ox.Triple] = ()) -> dict[str, Any]:
    """A description as the templates show it: ``sections`` (a table per subject, in
    ``order`` first) and ``inbound`` (the links to it, by property)."""
    triples = list(triples)
    inbound = list(inbound)
    view = View(state().base, labels_of(triples + inbound))
    links = sorted(({"subject": view.term(t.subject), "predicate": view.term(t.predicate)}
                    for t in inbound), key=lambda r: (r["predicate"]["text"], r["subject"]["text"]))
    return {"sections": view.sections(triples, order), "inbound": links}


# ---------------------------------------------------------------- routes

@bp.route("/id/<path:rest>")
def identifier(rest: str) -> Response:
    ext = state()
    name, _ = split_suffix(rest)
    if not exists(ext.store, ext.base + "id/" + name):
        abort(404, description=f"no resource {ext.base}id/{name} in this dataset")
    resp = Response(status=303)
    resp.headers["Location"] = "/doc/" + rest
    resp.autocorrect_location_header = False
    return negotiate.conditional(None, negotiate.etag("id"), negotiated=False,
                                 check=False).finish(resp)


@bp.route("/doc/<path:rest>")
def document(rest: str) -> Response:
    ext = state()
    name, explicit = split_suffix(rest)
    asked = forms.from_accept(request.headers.get("Accept"))
    try:
        form = forms.from_query(request.args.getlist("form"))
    except ValueError as exc:
        return http.text_error(400, str(exc))
    named = bool(negotiate.requested_formats())
    if asked.refused and explicit is None and form is None and not named:
        return http.text_error(406, "no JSON-LD profile asked for is known here ("
                               + ", ".join(forms.FORMS.values()) + "), and nothing else "
                               "is acceptable")
    if explicit is None and form is not None and not named:
        explicit = negotiate.JSONLD  # ?form= names a JSON-LD form
    fmt = negotiate.pick(negotiate.DOC_OFFERS, explicit=explicit, accept=asked.accept)
    negotiated = not rest.endswith(fmt.suffix) and (form is None or named)
    variant = fmt.name
    if fmt.name == "jsonld":
        form = form or asked.form or forms.DEFAULT
        variant = f"jsonld-{form}"
    path = "/doc/" + name
    reply = negotiate.conditional(
        fmt, negotiate.etag("doc-" + variant), negotiated=negotiated, path=path,
        location=path + fmt.suffix + (f"?form={form}" if form not in (None, forms.DEFAULT)
                                      else ""))
    iri = ext.base + "id/" + name
    try:
        ox.NamedNode(iri)
    except ValueError:  # a path no IRI can have (quotes, spaces, ...): nothing to describe
        abort(404, description=f"no resource {iri} in this dataset")
    # bodies (RDF and HTML pages alike: a page depends only on the data) are kept per worker
    # (web/cache.py), keyed with the data's version
    version = ext.meta.version
    key = ("doc", name, variant)
    cached = ext.results.get(version, key)
    if cached is None:
        cached = _document(ext, iri, fmt, form, path)
        if ext.meta.version == version:
            ext.results.put(version, key, cached)
    return reply.respond(cached.body, content_type=cached.content_type)


def _document(ext: Ccgraph, iri: str, fmt: Format, form: str | None, path: str) -> Cached:
    """The description of ``iri`` in ``fmt`` (404 when there is none)."""
    desc = describe(ext.store, iri, inbound_cap=ext.settings.result_cap)
    if desc.empty:
        abort(404, description=f"no resource {iri} in this dataset")
    if fmt.kind == "page":
        page = next((p for view in ext.html_views if (p := view(iri, desc)) is not None), "")
        if not page:
            labels = labels_of(desc.triples)
            page = render_graph_page(title=labels.get(iri) or curie(iri), iri=iri,
                                     triples=desc.triples, order=desc.subjects,
                                     inbound=desc.inbound,
                                     alternates=negotiate.alternates(path))
        return Cached(page.encode("utf-8"), fmt.content_type)
    if fmt.name == "jsonld" and form is not None:
        return Cached(tree.render(form, desc.all_triples(), iri, ext.base),
                      f'application/ld+json; profile="{forms.FORMS[form]}"')
    return Cached(serialize_triples(desc.all_triples(), fmt, ext.base), fmt.content_type)
