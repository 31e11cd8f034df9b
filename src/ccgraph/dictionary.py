"""The data dictionary, generated from the ontology, the vocabularies and the SHACL shapes.

For every class a shape targets (``sh:targetClass``): its properties as the shapes give them
(cardinality from ``sh:minCount``/``sh:maxCount``, value type from ``sh:datatype``,
``sh:class``, ``sh:nodeKind``, ``sh:in``, ``sh:or``), what each property means here, an
example IRI from the built data and a query that lists the instances. Then every SKOS
concept scheme with its concepts, and the terms borrowed from other vocabularies
(schema.org, ORG, OA, PROV, SKOS, Dublin Core …) with what they mean as used here.

The words come from the sources themselves: ``rdfs:comment`` in the ontology for ``ccg:``
terms, ``sh:description`` on the shapes for the borrowed ones (``shapes/descriptions.ttl``).
Served at ``/docs/model``; ``scripts/data_dictionary.py`` writes the same as
``docs/data-dictionary.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from . import shipped
from .namespaces import CCG, curie

#: the instances a class's query lists
QUERY_LIMIT = 20
#: single-valued properties shown as columns of a class's query (besides the label)
QUERY_COLUMNS = 6


def borrowed(iri: str) -> bool:
    """A term of another vocabulary (not ``ccg:``)."""
    return not iri.startswith(str(CCG))


@dataclass(frozen=True)
class Property:
    """One property of a class, as the shapes give it (all shapes on the same path merged)."""

    iri: str
    names: tuple[str, ...]
    min_count: int
    max_count: int | None
    value_types: tuple[str, ...]
    description: str

    @property
    def curie(self) -> str:
        return curie(self.iri)

    @property
    def cardinality(self) -> str:
        top = "*" if self.max_count is None else str(self.max_count)
        return str(self.min_count) if top == str(self.min_count) else f"{self.min_count}..{top}"

    @property
    def borrowed(self) -> bool:
        return borrowed(self.iri)


@dataclass(frozen=True)
class Described:
    """What the data dictionary describes by IRI and label (a class, a concept, a scheme)."""

    iri: str
    label: str


@dataclass(frozen=True)
class ClassEntry(Described):
    comment: str
    superclasses: tuple[str, ...]
    subclasses: tuple[str, ...]
    properties: tuple[Property, ...]
    example: str | None
    query: str
    #: other types its instances carry in the built data (schema:Festival for an event …)
    also_typed: tuple[str, ...] = ()

    @property
    def curie(self) -> str:
        return curie(self.iri)

    @property
    def anchor(self) -> str:
        return "class-" + re.sub(r"[^A-Za-z0-9]+", "-", self.curie).strip("-").lower()


@dataclass(frozen=True)
class Concept(Described):
    notation: str


@dataclass(frozen=True)
class Scheme(Described):
    definition: str
    concepts: tuple[Concept, ...]

    @property
    def anchor(self) -> str:
        return "scheme-" + self.iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class BorrowedTerm:
    """A term of another vocabulary and what it means here, per class that uses it."""

    iri: str
    kind: str  # "class" or "property"
    uses: tuple[tuple[str, str], ...]  # (class curie, meaning here)

    @property
    def curie(self) -> str:
        return curie(self.iri)


@dataclass(frozen=True)
class Alignment:
    """A ccg: term declared a specialisation of a borrowed one (rdfs:subClassOf,
    rdfs:subPropertyOf): a reader who knows the borrowed term knows roughly this one."""

    term: str
    relation: str  # "subclass of" or "subproperty of"
    borrowed: str
    comment: str


@dataclass(frozen=True)
class Dictionary:
    classes: tuple[ClassEntry, ...]
    schemes: tuple[Scheme, ...]
    borrowed: tuple[BorrowedTerm, ...]
    missing: tuple[str, ...] = field(default=())  # borrowed terms with no explanation
    alignments: tuple[Alignment, ...] = field(default=())


# ------------------------------------------------------------------ reading the sources

def _text(g: Graph, subject: Node, *predicates: URIRef) -> str:
    """The English (else untagged, else any) value of the first predicate that has one."""
    for predicate in predicates:
        values = [o for o in g.objects(subject, predicate) if isinstance(o, Literal)]
        if values:
            values.sort(key=lambda lit: (lit.language not in ("en", None), lit.language or "",
                                         str(lit)))
            return " ".join(str(values[0]).split())
    return ""


def _list(g: Graph, head: Node) -> list[Node]:
    return list(Collection(g, head)) if head is not None else []


def _value_types(g: Graph, shape: Node) -> list[str]:
    out: list[str] = []
    for predicate in (SH.datatype, SH["class"], SH.nodeKind):
        out += [curie(str(o)) for o in g.objects(shape, predicate)]
    out += [f"the value {curie(str(o))}" for o in g.objects(shape, SH.hasValue)]
    out += [f"matching {o}" for o in g.objects(shape, SH.pattern)]
    for head in g.objects(shape, SH["in"]):
        out.append("one of " + ", ".join(curie(str(v)) for v in _list(g, head)))
    for head in g.objects(shape, SH["or"]):
        out += [t for member in _list(g, head) for t in _value_types(g, member)]
    for qualified in g.objects(shape, SH.qualifiedValueShape):
        out += _value_types(g, qualified)
        for lang_head in g.objects(qualified, SH.languageIn):
            out.append("a label in " + ", ".join(f"@{v}" for v in _list(g, lang_head)))
    return out


def _int(g: Graph, shape: Node, *predicates: URIRef) -> int | None:
    for predicate in predicates:
        for value in g.objects(shape, predicate):
            if isinstance(value, Literal):
                return int(value.toPython())
    return None


def _properties(shapes: Graph, ontology: Graph, node_shapes: list[Node]) -> list[Property]:
    by_path: dict[str, list[Node]] = {}
    for node_shape in node_shapes:
        for prop in shapes.objects(node_shape, SH.property):
            for step in shapes.objects(prop, SH.path):
                if isinstance(step, URIRef):
                    by_path.setdefault(str(step), []).append(prop)
    out = []
    for path, props in by_path.items():
        mins = [_int(shapes, p, SH.minCount) for p in props]
        qualified = [_int(shapes, p, SH.qualifiedMinCount) for p in props]
        maxes = [m for p in props if (m := _int(shapes, p, SH.maxCount)) is not None]
        types: list[str] = []
        for p in props:
            types += [t for t in _value_types(shapes, p) if t not in types]
        names = tuple(dict.fromkeys(n for p in props if (n := _text(shapes, p, SH.name))))
        described = [d for p in props if (d := _text(shapes, p, SH.description))]
        description = " ".join(dict.fromkeys(described)) or _text(
            ontology, URIRef(path), RDFS.comment)
        out.append(Property(path, names, max([m or 0 for m in mins + qualified] or [0]),
                            min(maxes) if maxes else None, tuple(types), description))
    return sorted(out, key=lambda p: (p.borrowed, p.curie))


def _node_shapes_for(shapes: Graph, cls: URIRef) -> list[Node]:
    return sorted(shapes.subjects(SH.targetClass, cls), key=str)


def _query(cls: str, props: Iterable[Property]) -> str:
    """A query listing the instances of ``cls`` with their label and single-valued
    properties (the endpoint declares the prefixes)."""
    columns: list[tuple[str, str]] = []
    used = {"x", "label"}
    for prop in props:
        if prop.max_count != 1 or prop.iri == str(RDF.type):
            continue
        name = re.sub(r"[^A-Za-z0-9_]", "_", prop.curie.rpartition(":")[2]) or "value"
        while name in used:
            name += "_"
        used.add(name)
        columns.append((name, prop.curie))
        if len(columns) == QUERY_COLUMNS:
            break
    lines = [f"SELECT ?x ?label {' '.join('?' + n for n, _ in columns)}".rstrip() + " WHERE {",
             f"  ?x a {curie(cls)} .",
             '  OPTIONAL { ?x rdfs:label ?label FILTER(LANG(?label) = "en") }']
    lines += [f"  OPTIONAL {{ ?x {p} ?{n} }}" for n, p in columns]
    lines += ["}", "ORDER BY ?x", f"LIMIT {QUERY_LIMIT}"]
    return "\n".join(lines)


def build_dictionary(ontology: Graph, vocab: Graph, shapes: Graph,
                     examples: Mapping[str, str] | None = None,
                     also_typed: Mapping[str, tuple[str, ...]] | None = None) -> Dictionary:
    """The dictionary of the model in these graphs; ``examples``: class IRI -> an instance;
    ``also_typed``: class IRI -> the other types its instances carry."""
    examples = examples or {}
    also_typed = also_typed or {}
    own = {c for c in ontology.subjects(RDF.type, OWL.Class)
           if isinstance(c, URIRef) and not borrowed(str(c))}
    targets = {o for o in shapes.objects(None, SH.targetClass) if isinstance(o, URIRef)}
    targeted = sorted(own | targets, key=lambda c: (borrowed(str(c)), curie(str(c))))
    classes = []
    for cls in targeted:
        node_shapes = _node_shapes_for(shapes, cls)
        props = _properties(shapes, ontology, node_shapes)
        # a borrowed class is explained by the shape made for it alone (not by a shape such
        # as the label shape, which targets many classes)
        comment = _text(ontology, cls, RDFS.comment) or " ".join(dict.fromkeys(
            d for s in node_shapes if len(set(shapes.objects(s, SH.targetClass))) == 1
            and (d := _text(shapes, s, SH.description))))
        label = _text(ontology, cls, RDFS.label) or " / ".join(dict.fromkeys(
            n for s in node_shapes if len(set(shapes.objects(s, SH.targetClass))) == 1
            and (n := _text(shapes, s, SH.name)))) or curie(str(cls))
        supers = tuple(sorted(curie(str(o)) for o in ontology.objects(cls, RDFS.subClassOf)
                              if isinstance(o, URIRef)))
        subs = tuple(sorted(curie(str(s)) for s in ontology.subjects(RDFS.subClassOf, cls)
                            if isinstance(s, URIRef)))
        classes.append(ClassEntry(str(cls), label, comment, supers, subs, tuple(props),
                                  examples.get(str(cls)), _query(str(cls), props),
                                  also_typed.get(str(cls), ())))
    terms, missing = _borrowed(classes)
    return Dictionary(tuple(classes), tuple(_schemes(vocab)), terms, missing,
                      tuple(_alignments(ontology)))


def _alignments(ontology: Graph) -> list[Alignment]:
    out = []
    for relation, predicate in (("subclass of", RDFS.subClassOf),
                                ("subproperty of", RDFS.subPropertyOf)):
        for term, parent in ontology.subject_objects(predicate):
            if isinstance(term, URIRef) and isinstance(parent, URIRef) \
                    and not borrowed(str(term)) and borrowed(str(parent)):
                out.append(Alignment(curie(str(term)), relation, curie(str(parent)),
                                     _text(ontology, term, RDFS.comment)))
    return sorted(out, key=lambda a: (a.borrowed, a.term))


def _schemes(vocab: Graph) -> list[Scheme]:
    out = []
    for scheme in sorted(str(s) for s in vocab.subjects(RDF.type, SKOS.ConceptScheme)
                         if isinstance(s, URIRef)):
        node = URIRef(scheme)
        concepts = sorted((Concept(str(c), label=_text(vocab, c, SKOS.prefLabel, RDFS.label),
                                   notation=_text(vocab, c, SKOS.notation))
                           for c in vocab.subjects(SKOS.inScheme, node)
                           if isinstance(c, URIRef)), key=lambda c: c.iri)
        out.append(Scheme(scheme, _text(vocab, node, SKOS.prefLabel, RDFS.label),
                          _text(vocab, node, SKOS.definition), tuple(concepts)))
    return out


def _borrowed(classes: list[ClassEntry]) -> tuple[tuple[BorrowedTerm, ...], tuple[str, ...]]:
    uses: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for entry in classes:
        if borrowed(entry.iri):
            uses.setdefault((entry.iri, "class"), []).append((entry.curie, entry.comment))
        for prop in entry.properties:
            if prop.borrowed:
                uses.setdefault((prop.iri, "property"), []).append(
                    (entry.curie, prop.description))
    terms = tuple(BorrowedTerm(iri, kind, tuple(u)) for (iri, kind), u in
                  sorted(uses.items(), key=lambda item: (item[0][1], curie(item[0][0]))))
    missing = tuple(f"{t.curie} on {cls}" for t in terms for cls, text in t.uses if not text)
    return terms, missing


# ------------------------------------------------------------------ from a project and a build

def example_iris(store: ox.Store, classes: Iterable[str], base: str) -> dict[str, str]:
    """One instance of each class from the built data: one about Sapporo when there is one
    (the city described in depth), else the first IRI in order; blank nodes are skipped."""
    out: dict[str, str] = {}
    for cls in classes:
        result = store.query(
            "SELECT ?x WHERE { ?x a <" + cls + "> FILTER(isIRI(?x) && STRSTARTS(STR(?x), "
            f'"{base}")) }} ORDER BY (!CONTAINS(STR(?x), "sapporo")) STRLEN(STR(?x)) ?x '
            "LIMIT 1")
        assert isinstance(result, ox.QuerySolutions)
        rows = list(result)
        if rows:
            value = rows[0]["x"]
            assert isinstance(value, ox.NamedNode)
            out[cls] = value.value
    return out


def other_types(store: ox.Store, classes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each class, the other types its instances carry in the built data, as CURIEs."""
    out: dict[str, tuple[str, ...]] = {}
    for cls in classes:
        result = store.query("SELECT DISTINCT ?t WHERE { ?x a <" + cls + "> , ?t "
                             "FILTER(isIRI(?t) && ?t != <" + cls + ">) }")
        assert isinstance(result, ox.QuerySolutions)
        out[cls] = tuple(sorted(curie(row["t"].value) for row in result
                                if isinstance(row["t"], ox.NamedNode)))
    return out


def read_graph(paths: Iterable[Path]) -> Graph:
    g = Graph()
    for path in paths:
        g.parse(path, format="turtle")
    return g


def load_dictionary(store: ox.Store | None = None,
                    base: str = "https://w3id.org/ccgraph/") -> Dictionary:
    """The dictionary of the shipped ontology, vocabularies and shapes (shipped.py), with
    examples from ``store`` when one is given."""
    ontology = read_graph(sorted(shipped.ontology().glob("*.ttl")))
    vocab = read_graph(sorted(shipped.vocab().glob("*.ttl")))
    shapes = read_graph(sorted(shipped.shapes().glob("*.ttl")))
    plain = build_dictionary(ontology, vocab, shapes)
    if store is None:
        return plain
    classes = [c.iri for c in plain.classes]
    return build_dictionary(ontology, vocab, shapes, example_iris(store, classes, base),
                            other_types(store, classes))


def ontology_classes(ontology: Graph) -> list[str]:
    """Every class the ontology defines (for checks that the dictionary misses none)."""
    return sorted(str(c) for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
