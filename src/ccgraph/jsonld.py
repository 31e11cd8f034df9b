"""JSON-LD: the published ``@context`` and compaction of graphs with it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from .namespaces import PREFIXES


def context(base: str) -> dict[str, Any]:
    """The context object: the prefixes ccgraph uses, and ``@base`` for its identifiers."""
    ctx: dict[str, Any] = dict(sorted(PREFIXES.items()))
    ctx["ccgraph"] = base
    return ctx


def context_document(base: str) -> bytes:
    return json.dumps({"@context": context(base)}, indent=2, ensure_ascii=False).encode("utf-8")


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def compact_iri(iri: str, prefixes: Iterable[tuple[str, str]]) -> str:
    """``prefix:rest`` for the first (namespace, prefix) of ``prefixes`` (longest first)
    that ``iri`` starts with, leaving a rest that JSON-LD would not read as an IRI; else
    ``iri``."""
    for ns, prefix in prefixes:
        if iri.startswith(ns):
            rest = iri[len(ns):]
            if rest and not rest.startswith("//"):
                return f"{prefix}:{rest}"
    return iri


class _Compactor:
    def __init__(self, ctx: dict[str, Any]) -> None:
        # longest namespace first, so "ccg:" wins over "ccgraph:" for ontology terms
        self.prefixes = sorted(((ns, p) for p, ns in ctx.items() if isinstance(ns, str)),
                               key=lambda item: -len(item[0]))

        self._compact: dict[str, str] = {}

    def iri(self, value: str) -> str:
        found = self._compact.get(value)
        if found is None:
            found = self._compact[value] = self._iri(value)
        return found

    def _iri(self, value: str) -> str:
        return compact_iri(value, self.prefixes)

    def node(self, term: object) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        raise TypeError(f"cannot write {term!r} as a JSON-LD node")

    def value(self, term: object) -> Any:
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype.value == _XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": self.iri(term.datatype.value)}
        if isinstance(term, ox.NamedNode | ox.BlankNode):
            return {"@id": self.node(term)}
        raise TypeError(f"cannot write {term!r} as JSON-LD")


def triples_to_jsonld(triples: Iterable[ox.Triple], base: str) -> bytes:
    """Fast JSON-LD for pyoxigraph triples: one node object per subject, compact IRIs
    from the ccgraph context (embedded inline), so expanding it needs no network."""
    ctx = context(base)
    compact = _Compactor(ctx)
    iri, value = compact.iri, compact.value
    named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
    nodes: dict[str, dict[str, Any]] = {}
    refs: dict[str, dict[str, str]] = {}
    last: object = None
    node: dict[str, Any] = {}
    for t in triples:
        subject = t.subject
        if subject != last:  # the triples of a subject mostly come together
            last = subject
            if isinstance(subject, named):
                key = iri(subject.value)
            elif isinstance(subject, blank):
                key = f"_:{subject.value}"
            else:
                raise TypeError(f"cannot write {subject!r} as a JSON-LD node")
            found = nodes.get(key)
            node = nodes[key] = {"@id": key} if found is None else found
        predicate, obj = t.predicate.value, t.object
        if isinstance(obj, named):
            if predicate == _RDF_TYPE:
                node.setdefault("@type", []).append(iri(obj.value))
                continue
            target = obj.value
            found_ref = refs.get(target)  # one object per IRI: the encoder writes each alike
            if found_ref is None:
                found_ref = refs[target] = {"@id": iri(target)}
            node.setdefault(iri(predicate), []).append(found_ref)
        elif predicate == _RDF_TYPE and not isinstance(obj, literal):
            node.setdefault("@type", []).append(compact.node(obj))
        else:
            node.setdefault(iri(predicate), []).append(value(obj))
    doc = {"@context": ctx, "@graph": list(nodes.values())}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def to_jsonld(graph: Graph | Iterable[tuple[Node, Node, Node]], base: str) -> bytes:
    """Serialize triples as JSON-LD compacted with the ccgraph context (embedded inline,
    so expanding the document needs no network)."""
    if not isinstance(graph, Graph):
        g = Graph()
        for triple in graph:
            g.add(triple)
        graph = g
    data = graph.serialize(format="json-ld", context=context(base), auto_compact=True)
    return data.encode("utf-8")
