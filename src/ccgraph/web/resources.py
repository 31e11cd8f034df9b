"""Dereferenceable URIs: ``/id/...`` (303 See Other) and ``/doc/...`` (descriptions).

The canonical IRIs ``{base}id/...`` (base from build.json) map onto this server's paths
whatever host it runs on: ``/doc/city/jp/sapporo`` describes ``{base}id/city/jp/sapporo``.

A description holds the resource's own triples, those of its sub-resources (blank nodes it
points to, and hash IRIs ``{iri}#...`` such as evidence spans with their selectors, found
from its own triples or its inbound links), the evidence spans it cites (``ccg:evidence``,
``ccg:yearEvidence``, with their selectors), the resources it is made of (a city's
memberships, pledges, facilities, events, creators and works, with their own triples and
evidence: ``OWNED_OUT``/``OWNED_IN``), every inbound link, and the ``rdfs:label`` /
``skos:prefLabel`` of each neighbour. The framed JSON-LD (``ccgraph.framing``) arranges
exactly these triples as a tree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from ..formats import Format, by_suffix
from ..framing import forms, tree
from ..namespaces import CCG, RDF, RDFS, SKOS, XSD, curie
from . import http, negotiate
from .cache import Cached
from .rdfbody import serialize_triples
from .state import Ccgraph, state

bp = Blueprint("resources", __name__)

LABELS = (ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.prefLabel)))
SUFFIXES = tuple(f.suffix for f in negotiate.DOC_OFFERS)
RDF_TYPE = str(RDF.type)
RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)
#: objects of these are evidence spans: described with the resource that cites them
EVIDENCE = (ox.NamedNode(str(CCG.evidence)), ox.NamedNode(str(CCG.yearEvidence)))
#: the parts of a resource, described with it: what it points to (a city's memberships) ...
OWNED_OUT = (ox.NamedNode(str(CCG.membership)),)
#: ... and what points to it (a city's pledges)
OWNED_IN = tuple(ox.NamedNode(str(p)) for p in (CCG.commitmentOf, CCG.locatedIn, CCG.basedIn,
                                                 CCG.originatedIn))
#: ... and what points to it through a shared property, when of a class (a field's
#: memberships, not the pledges that also name the field)
OWNED_IN_OF_CLASS = {ox.NamedNode(str(CCG.field)): ox.NamedNode(str(CCG.Membership))}
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


@dataclass
class Description:
    iri: str
    triples: set[ox.Triple] = field(default_factory=set)
    inbound: set[ox.Triple] = field(default_factory=set)
    subjects: list[ox.NamedNode | ox.BlankNode] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.triples and not self.inbound

    def all_triples(self) -> set[ox.Triple]:
        return self.triples | self.inbound


def describe(store: ox.Store, iri: str, *, inbound_cap: int = 10_000) -> Description:
    """The resource's description (see the module docstring)."""
    node = ox.NamedNode(iri)
    hash_prefix = iri + "#"
    desc = Description(iri)
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    queue: list[ox.NamedNode | ox.BlankNode] = [node]

    def is_sub(term: object) -> bool:
        return isinstance(term, ox.BlankNode) or (
            isinstance(term, ox.NamedNode) and term.value.startswith(hash_prefix))

    def drain() -> None:
        while queue:
            subject = queue.pop(0)
            if subject in seen:
                continue
            seen.add(subject)
            desc.subjects.append(subject)
            for quad in store.quads_for_pattern(subject, None, None):
                desc.triples.add(quad.triple)
                owned = quad.predicate in EVIDENCE or (
                    subject == node and quad.predicate in OWNED_OUT)
                if (owned or is_sub(quad.object)) and quad.object not in seen \
                        and not isinstance(quad.object, ox.Literal):
                    queue.append(quad.object)  # type: ignore[arg-type]

    drain()
    for quad in store.quads_for_pattern(None, None, node):
        if len(desc.inbound) >= inbound_cap:
            break
        desc.inbound.add(quad.triple)
        of_class = OWNED_IN_OF_CLASS.get(quad.predicate)
        owned = quad.predicate in OWNED_IN or (of_class is not None and any(
            True for _ in store.quads_for_pattern(quad.subject, RDF_TYPE_NODE, of_class)))
        if (owned or is_sub(quad.subject)) and quad.subject not in seen:
            queue.append(quad.subject)  # type: ignore[arg-type]
    drain()
    desc.inbound -= desc.triples
    neighbours: set[ox.NamedNode] = set()
    for triple in desc.triples:
        if isinstance(triple.object, ox.NamedNode):
            neighbours.add(triple.object)
    for triple in desc.inbound:
        if isinstance(triple.subject, ox.NamedNode):
            neighbours.add(triple.subject)
    for neighbour in neighbours:
        if neighbour in seen:
            continue
        for predicate in LABELS:
            for quad in store.quads_for_pattern(neighbour, predicate, None):
                desc.triples.add(quad.triple)
    return desc


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
