"""The VoID description of a write's version, patched from the previous version's instead
of made again (void.describe_dataset builds it triple by triple with rdflib: the slowest
part of a small write).

A description states counts (void:triples, void:entities … of the dataset, of each class
and property partition and of each named graph's subset) and the time it was made; the rest
follows from *which* named graphs, classes and properties there are, the example resource
and the links (linksets.py). When a write leaves all of those as they were, the new
description is the previous one with the numbers and the time replaced: :func:`template`
splits the previous description into fixed quads and numbered slots, :func:`fill` fills the
slots, and the caller repeats fill and count until the stated counts are the counts of the
data with the description itself (the fixed point void.py describes). When anything else
changed, :func:`fill` answers None and the caller asks ``describe_dataset``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from .. import iris
from ..void import Statistics

_VOID = "http://rdfs.org/ns/void#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_MODIFIED = "http://purl.org/dc/terms/modified"
_SD_NAME = "http://www.w3.org/ns/sparql-service-description#name"
_EXAMPLE = _VOID + "exampleResource"
#: the dataset's own counts: predicate -> Statistics field
STATS = {_VOID + "triples": "triples", _VOID + "entities": "entities",
         _VOID + "distinctSubjects": "subjects", _VOID + "distinctObjects": "objects",
         _VOID + "properties": "properties", _VOID + "classes": "classes"}


@dataclass(frozen=True)
class Template:
    """A description split into the quads no count changes and the slots of counts:
    (subject, predicate, key) with key ``("stat", field)``, ``("class", iri)``,
    ``("property", iri)``, ``("size", graph)`` or ``("modified", "")``."""

    fixed: tuple[ox.Quad, ...]
    slots: tuple[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, tuple[str, str]], ...]
    graph: ox.NamedNode
    classes: frozenset[str]
    properties: frozenset[str]
    sizes: frozenset[str]
    example: str | None


def template(quads: list[ox.Quad], base: str) -> Template | None:
    """The template of a description (its quads in the VoID graph); None when it is not
    one this module can patch (a count missing, or a partition without its class)."""
    if not quads:
        return None
    ds = ox.NamedNode(str(iris.dataset(base)))
    own = str(iris.graph("void", base))
    about: dict[object, dict[str, str]] = {}
    for q in quads:
        if q.predicate.value in (_VOID + "class", _VOID + "property", _SD_NAME) and \
                isinstance(q.object, ox.NamedNode):
            about.setdefault(q.subject, {})[q.predicate.value] = q.object.value
    fixed: list[ox.Quad] = []
    slots: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, tuple[str, str]]] = []
    example = None
    for q in quads:
        p = q.predicate.value
        seen = about.get(q.subject, {})
        key: tuple[str, str] | None = None
        if q.subject == ds and p in STATS:
            key = ("stat", STATS[p])
        elif q.subject == ds and p == _MODIFIED:
            key = ("modified", "")
        elif p == _VOID + "entities" and _VOID + "class" in seen:
            key = ("class", seen[_VOID + "class"])
        elif p == _VOID + "triples" and _VOID + "property" in seen:
            key = ("property", seen[_VOID + "property"])
        elif p == _VOID + "triples" and seen.get(_SD_NAME, own) != own:
            key = ("size", seen[_SD_NAME])
        if key is None:
            fixed.append(q)
            if q.subject == ds and p == _EXAMPLE and isinstance(q.object, ox.NamedNode):
                example = q.object.value
            continue
        assert isinstance(q.subject, ox.NamedNode | ox.BlankNode)
        slots.append((q.subject, q.predicate, key))
    keys = [k for _, _, k in slots]
    if len(set(keys)) != len(keys) or {k[1] for k in keys if k[0] == "stat"} != set(
            STATS.values()) or ("modified", "") not in keys:
        return None
    return Template(tuple(fixed), tuple(slots), quads[0].graph_name,  # type: ignore[arg-type]
                    frozenset(k[1] for k in keys if k[0] == "class"),
                    frozenset(k[1] for k in keys if k[0] == "property"),
                    frozenset(k[1] for k in keys if k[0] == "size"), example)


def fill(t: Template, stats: Statistics, sizes: Mapping[str, int], created: str
         ) -> list[ox.Quad] | None:
    """The description stating ``stats``, ``sizes`` (triples per named graph, VoID left
    out) and ``created``; None when these need a description of another shape."""
    classes = dict(stats.class_partitions)
    properties = dict(stats.property_partitions)
    if classes.keys() != t.classes or properties.keys() != t.properties or \
            sizes.keys() != t.sizes:
        return None
    integer = ox.NamedNode(_XSD + "integer")
    counts = {"class": classes, "property": properties, "size": sizes}
    out = list(t.fixed)
    for s, p, (kind, name) in t.slots:
        if kind == "modified":
            value = ox.Literal(created, datatype=ox.NamedNode(_XSD + "dateTime"))
        else:
            n = getattr(stats, name) if kind == "stat" else counts[kind][name]
            value = ox.Literal(str(n), datatype=integer)
        out.append(ox.Quad(s, p, value, t.graph))
    return out


__all__ = ["STATS", "Template", "fill", "template"]
