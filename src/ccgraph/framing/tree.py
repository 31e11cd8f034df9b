"""A description's triples as one framed JSON-LD tree, with the plain terms of the context.

Every triple is written once: in its subject's node object, or (for a node embedded under
the resource it points to, such as a city's pledges) as a reverse property of its object. A
node is embedded once, where a breadth-first walk from the root first meets it; elsewhere it
is referenced by ``id`` -- except nodes with literals only (a theme and its labels), embedded
wherever they are used. A value that does not fit a term's definition (a label
without a language, a year that is not an ``xsd:gYear``) is written with its compact IRI
instead, so expansion gives back every triple as it is.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import pyoxigraph as ox

from ..jsonld import compact_iri
from . import context_object, context_url

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
INTEGER = re.compile(r"-?[1-9][0-9]*|0")
CCG = "https://w3id.org/ccgraph/ontology#"
POSITION = CCG + "position"
#: terms that only fit objects (or, for reverse terms, subjects) of a class
TERM_CLASS = {
    "country": "http://schema.org/Country",
    "facilities": CCG + "Facility",
    "events": CCG + "Event",
    "designations": CCG + "Membership",
}
#: ... known by their IRIs where the description does not give their class
TERM_PATH = {"country": "/id/country/", "facilities": "/id/facility/", "events": "/id/event/",
             "designations": "/id/membership/"}

Subject = ox.NamedNode | ox.BlankNode
#: for isinstance: a node (a tuple is quicker to test than a union)
NODE = (ox.NamedNode, ox.BlankNode)


def subject_of(t: ox.Triple) -> Subject:
    """The subject of ``t`` (ccgraph's data holds no quoted triples)."""
    s = t.subject
    if isinstance(s, ox.Triple):
        raise TypeError(f"cannot write the quoted triple {s} in JSON-LD 1.1")
    return s


@dataclass(frozen=True)
class Term:
    name: str
    iri: str
    reverse: bool
    kind: str  # "id", "lang", "plain" or a datatype IRI
    is_set: bool


@dataclass
class Vocabulary:
    """The context, read for writing: terms by property IRI, class names, prefixes."""

    forward: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    reverse: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    classes: dict[str, str] = field(default_factory=dict)
    prefixes: list[tuple[str, str]] = field(default_factory=list)
    _compact: dict[str, str] = field(default_factory=dict, repr=False)

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        for ns, name in self.prefixes:
            if sep and name == prefix:
                return ns + rest
        return value

    def compact(self, iri: str) -> str:
        found = self._compact.get(iri)
        if found is None:
            found = self._compact[iri] = compact_iri(iri, self.prefixes)
        return found


@cache
def vocabulary() -> Vocabulary:
    ctx = context_object()
    vocab = Vocabulary()
    for key, value in ctx.items():
        if isinstance(value, str) and not key.startswith("@") and value.endswith(("#", "/")):
            vocab.prefixes.append((value, key))
    vocab.prefixes.sort(key=lambda item: -len(item[0]))
    for key, value in ctx.items():
        if key.startswith("@") or (isinstance(value, str) and value.startswith("@")):
            continue
        if isinstance(value, str):
            if not value.endswith(("#", "/")):
                vocab.classes[vocab.expand(value)] = key
            continue
        reverse = "@reverse" in value
        iri = vocab.expand(value["@reverse"] if reverse else value["@id"])
        container = value.get("@container")
        kind = "plain"
        if container == "@language":
            kind = "lang"
        elif value.get("@type") == "@id":
            kind = "id"
        elif "@type" in value:
            kind = vocab.expand(value["@type"])
        term = Term(key, iri, reverse, "id" if reverse else kind, container == "@set")
        (vocab.reverse if reverse else vocab.forward)[iri].append(term)
    return vocab


@lru_cache(maxsize=8192)
def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


#: a triple as one of a node's links (Framer.out, Framer.into): its predicate's IRI, the
#: other node's N-Triples form (what the links are sorted by), a number that keeps equal
#: keys in the order met, the other node, and the triple (one object per triple, so
#: compared with ``is``)
Link = tuple[str, str, int, ox.NamedNode | ox.BlankNode | ox.Literal, ox.Triple]


class Framer:
    """Builds the tree of one description."""

    def __init__(self, triples: Iterable[ox.Triple], *, embed_leaves: bool = True) -> None:
        self.vocab = vocabulary()
        self.embed_leaves = embed_leaves
        self._leaves: dict[Subject, bool] = {}
        #: each node's triples (sorted by predicate, then object), and the triples that
        #: point to it (by predicate, then subject)
        self.out: dict[Subject, list[Link]] = defaultdict(list)
        self.into: dict[Subject, list[Link]] = defaultdict(list)
        self.types: dict[Subject, set[str]] = defaultdict(set)
        self.mentions: dict[Subject, int] = defaultdict(int)
        out, into, types, mentions = self.out, self.into, self.types, self.mentions
        named = ox.NamedNode
        for n, t in enumerate(triples if isinstance(triples, set | frozenset)
                              else set(triples)):
            s, p, o = subject_of(t), t.predicate.value, t.object
            out[s].append((p, str(o), n, o, t))
            if isinstance(o, NODE):
                into[o].append((p, str(s), n, s, t))
                mentions[o] += 1
                if p == RDF_TYPE and isinstance(o, named):
                    types[s].add(o.value)
        for links in out.values():
            links.sort()
        for links in into.values():
            if len(links) > 1:
                links.sort()
        #: node -> the triple under which it is embedded (None for top-level nodes)
        self.placed: dict[Subject, ox.Triple | None] = {}

    # ------------------------------------------------------------ placement

    def place(self, root: Subject) -> None:
        """Embed each node where a walk from ``root`` first meets it: following links
        forward and the reverse terms of the context (a city's pledges) first, then any
        other link backwards."""
        if root in self.placed:
            return
        self.placed[root] = None
        order = [root]
        self._walk(order, everything=False)
        self._walk(order, everything=True)

    def _walk(self, order: list[Subject], *, everything: bool) -> None:
        queue = list(order)
        out, into, placed = self.out, self.into, self.placed
        reverse = self.vocab.reverse
        at = 0
        while at < len(queue):
            node = queue[at]
            at += 1
            for p, _key, _n, obj, t in out.get(node, ()):
                if isinstance(obj, NODE) and obj in out and obj not in placed \
                        and p != RDF_TYPE:
                    placed[obj] = t
                    queue.append(obj)
                    order.append(obj)
            for p, _key, _n, other, t in into.get(node, ()):
                s: Subject = other  # type: ignore[assignment]  # a subject: checked in __init__
                if s in placed:
                    continue
                if everything or ((terms := reverse.get(p)) and
                                  self._term(terms, node, s) is not None):
                    placed[s] = t
                    queue.append(s)
                    order.append(s)

    # ------------------------------------------------------------ values

    def _term(self, terms: list[Term], value: object, other: Subject | None) -> Term | None:
        for term in terms:
            wanted = TERM_CLASS.get(term.name)
            if wanted is not None and not self._is_a(other, wanted, TERM_PATH[term.name]):
                continue
            if term.kind in ("id", "plain") and isinstance(value, NODE):
                return term
            elif isinstance(value, ox.Literal):
                if term.kind == "lang":
                    if value.language:
                        return term
                elif term.kind == "plain":
                    return term  # a string, or a value object with its type or language
                elif not value.language and value.datatype.value == term.kind:
                    return term
        return None

    def _leaf(self, node: Subject) -> bool:
        """A node with literals only (a concept's labels): embedded wherever it is used (its
        triples, written twice, are still the same triples)."""
        found = self._leaves.get(node)
        if found is None:
            found = self._leaves[node] = self.embed_leaves and node in self.out \
                and not isinstance(node, ox.BlankNode) \
                and not any(self.placed.get(s) is t  # type: ignore[arg-type]
                            for _p, _key, _n, s, t in self.into.get(node, ())) \
                and all(isinstance(o, ox.Literal) for _p, _key, _n, o, _t in self.out[node])
        return found

    def _is_a(self, node: Subject | None, cls: str, path: str) -> bool:
        if node is None:
            return False
        types = self.types.get(node)
        if types:
            return cls in types
        return isinstance(node, ox.NamedNode) and path in node.value

    def _literal(self, lit: ox.Literal, term: Term | None) -> Any:
        if term is not None and term.kind != "plain":
            if term.kind == XSD_INTEGER and INTEGER.fullmatch(lit.value):
                return int(lit.value)
            return lit.value
        if lit.language:
            return {"@value": lit.value, "@language": lit.language}
        if lit.datatype.value == XSD_STRING:
            return lit.value
        return {"@value": lit.value, "@type": self.vocab.compact(lit.datatype.value)}

    def _ref(self, node: Subject, term: Term | None) -> Any:
        ident = node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"
        return ident if term is not None and term.kind == "id" else {"id": ident}

    # ------------------------------------------------------------ nodes

    def node(self, subject: Subject, skip: ox.Triple | None = None) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        placed = self.placed.get(subject)
        if isinstance(subject, ox.NamedNode):
            obj["id"] = subject.value
        elif placed is None or placed.object != subject or self.mentions.get(subject, 0) != 1:
            obj["id"] = f"_:{subject.value}"
        values: dict[str, list[Any]] = defaultdict(list)
        langs: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        terms: dict[str, Term | None] = {}
        types = []
        vocab = self.vocab
        forward, placed_at = vocab.forward, self.placed
        for p, _key, _n, o, t in self.out.get(subject, ()):
            if t is skip:
                continue
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                types.append(vocab.classes.get(o.value) or vocab.compact(o.value))
                continue
            other = o if isinstance(o, NODE) else None
            found = forward.get(p)
            term = self._term(found, o, other) if found else None
            key = term.name if term is not None else vocab.compact(p)
            terms[key] = term
            if isinstance(o, ox.Literal):
                if term is not None and term.kind == "lang":
                    langs[key][o.language or ""].append(o.value)
                else:
                    values[key].append(self._literal(o, term))
            elif other is not None and (placed_at.get(other) is t or self._leaf(other)):
                values[key].append(self.node(other))
            elif other is not None:
                values[key].append(self._ref(other, term))
        if types:
            obj["type"] = sorted(types) if len(types) > 1 else types[0]
        reverse: dict[str, list[Any]] = defaultdict(list)
        for p, _key, _n, other_, t in self.into.get(subject, ()):
            s: Subject = other_  # type: ignore[assignment]  # a subject: checked in __init__
            if placed_at.get(s) is not t:
                continue  # written in its subject's node
            term = self._term(self.vocab.reverse.get(p, []), subject, s)
            child = self.node(s, skip=t)
            if term is not None:
                terms[term.name] = term
                values[term.name].append(child)
            else:
                reverse[self.vocab.compact(p)].append(child)
        # (the order keys go in does not matter: the node is put in order below)
        for key, items in values.items():
            if len(items) > 1:
                items.sort(key=self._value_order)
            term = terms.get(key)
            obj[key] = items if len(items) > 1 or (term is not None and term.is_set) \
                else items[0]
        for key in langs:
            obj[key] = {lang: (vals[0] if len(vals) == 1 else sorted(vals))
                        for lang, vals in sorted(langs[key].items())}
        if reverse:
            obj["@reverse"] = {k: sorted(v, key=self._value_order)
                               for k, v in sorted(reverse.items())}
        first = [k for k in ("id", "type", "label") if k in obj]
        rest = sorted((k for k in obj if k not in first and k != "@reverse"),
                      key=self._key_order)
        return {k: obj[k] for k in (*first, *rest, *(["@reverse"] if reverse else []))}

    @staticmethod
    def _key_order(key: str) -> tuple[int, str]:
        return (":" in key, key)

    def _value_order(self, value: Any) -> tuple[Any, ...]:
        if isinstance(value, dict):
            # pledges by position; a field's memberships by year of designation
            position = value.get("position", value.get("ccg:position",
                                                       value.get("yearDesignated")))
            if isinstance(position, dict):
                position = position.get("@value")
            number = int(position) if isinstance(position, int | str) and \
                str(position).lstrip("-").isdigit() else 0
            # ties keep the order of the triples (sorted in __init__)
            return (0, number, _natural(str(value.get("id", ""))))
        return (1, 0, _natural(str(value)))


def frame(triples: Iterable[ox.Triple], iri: str, base: str) -> dict[str, Any]:
    """The framed document of the resource ``iri`` described by ``triples``."""
    framer = Framer(triples)
    root = ox.NamedNode(iri)
    framer.place(root)
    doc: dict[str, Any] = {"@context": context_url(base)}
    doc.update(framer.node(root) if root in framer.out or root in framer.into
               else {"id": iri})
    included = []
    for subject in sorted(framer.out, key=str):
        if subject not in framer.placed:
            framer.place(subject)
            included.append(framer.node(subject))
    if included:
        doc["@included"] = included
    return doc


def flattened(triples: Iterable[ox.Triple], base: str) -> dict[str, Any]:
    """Every subject as a top-level node object, with the same terms (flattened form)."""
    framer = Framer(triples, embed_leaves=False)
    nodes = []
    for subject in sorted(framer.out, key=lambda s: (isinstance(s, ox.BlankNode), str(s))):
        framer.placed[subject] = None
        node = framer.node(subject)
        if isinstance(subject, ox.BlankNode):
            node["id"] = f"_:{subject.value}"
        nodes.append(node)
    return {"@context": context_url(base), "@graph": nodes}


def _expanded_value(term: object) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    assert isinstance(term, ox.Literal)
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def expanded(triples: Iterable[ox.Triple]) -> list[dict[str, Any]]:
    """JSON-LD expanded form: full IRIs, no context, one node object per subject."""
    nodes: dict[str, dict[str, Any]] = {}
    for t in sorted(set(triples), key=str):
        s = subject_of(t)
        key = s.value if isinstance(s, ox.NamedNode) else f"_:{s.value}"
        node = nodes.setdefault(key, {"@id": key})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(t.object.value)
        else:
            node.setdefault(t.predicate.value, []).append(_expanded_value(t.object))
    return list(nodes.values())


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(form: str, triples: Iterable[ox.Triple], iri: str, base: str) -> bytes:
    """The description of ``iri`` as a JSON-LD document of ``form`` (see forms.FORMS):
    framed and flattened with the plain terms, expanded without a context, compacted
    with the prefixes-only context (embedded, the form ccgraph served before v1)."""
    triples = list(triples)
    if form == "framed":
        return dumps(frame(triples, iri, base))
    if form == "flattened":
        return dumps(flattened(triples, base))
    if form == "expanded":
        return dumps(expanded(triples))
    if form == "compacted":
        from .. import jsonld  # the prefixes-only context

        return jsonld.triples_to_jsonld(triples, base)
    raise ValueError(f"unknown form {form!r}")
