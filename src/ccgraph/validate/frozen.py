"""A read-only rdflib Graph over a fixed set of triples, indexed in one pass.

The build gathers each named graph's triples (build.Assembled.triples) and validates their
union. Adding them to an rdflib Dataset costs ~40 µs a triple (events, the context
bookkeeping of the in-memory store: 1.3-2 CPU s on the network build) and the validation,
which reads the union through a Graph, needs none of it. :func:`frozen_union` indexes the
triples once by subject, predicate and object (as rdflib's in-memory store does), each
triple once, in the order they were first given: a Graph over it answers every lookup as a
Graph filled with the same triples in the same order would, in the same order.

pyshacl asks for a subject's values (``s p ?``) tens of thousands of times and for the
instances of a class (``? p o``) a few dozen times; nothing else on the network. So only
the subject index is made up front; the others are made from the triples kept in order (and
by predicate) when first asked for.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from rdflib import Graph, URIRef
from rdflib.store import Store
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
_Index = dict[Node, dict[Node, dict[Node, None]]]
_T = TypeVar("_T")


def _no_contexts() -> Iterator[Any]:
    return iter(())


class FrozenTriples(Store):
    """The triples given, indexed three ways; no context, no write."""

    # pyshacl wraps the data graph in an rdflib Dataset that reads this store (its
    # DataGraph), and a Dataset asks for a context- and graph-aware store: every triple here
    # is in the one graph the Graph over it reads (it names no context)
    context_aware = True
    graph_aware = True
    formula_aware = False
    transaction_aware = False

    def __init__(self, triples: Iterable[Triple], beside: Iterable[Any] | None = None
                 ) -> None:
        """``beside``: one item for each of ``triples``, in step; :attr:`kept` is then the
        items of the triples kept (each triple's first)."""
        super().__init__()
        spo: _Index = {}
        given: list[Triple] = []  # each triple once, in the order first given
        by_predicate: dict[Node, list[Triple]] = {}  # the same, by predicate
        kept: list[Any] = []
        pairs: Iterable[tuple[Triple, Any]] = (
            ((t, None) for t in triples) if beside is None else zip(triples, beside, strict=True))
        for triple, item in pairs:
            s, p, o = triple
            po = spo.get(s)
            if po is None:
                po = spo[s] = {}
            objects = po.get(p)
            if objects is None:
                objects = po[p] = {}
            elif o in objects:
                continue  # each triple once
            objects[o] = None
            given.append(triple)
            same = by_predicate.get(p)
            if same is None:
                by_predicate[p] = [triple]
            else:
                same.append(triple)
            kept.append(item)
        self._spo, self._given, self._by_predicate = spo, given, by_predicate
        #: of ``beside``, the item of each triple kept (its first), in order; else empty
        self.kept: Sequence[Any] = kept if beside is not None else ()
        self._pos: _Index = {}  # made by predicate, when asked (see _objects_of)
        self._osp: _Index | None = None  # made whole, when first asked
        self._namespace: dict[str, URIRef] = {}
        self._prefix: dict[URIRef, str] = {}

    def _objects_of(self, p: Node) -> dict[Node, dict[Node, None]]:
        """Object -> subjects of predicate ``p`` (made on the first lookup of ``p``)."""
        os_ = self._pos.get(p)
        if os_ is None:
            os_ = self._pos[p] = {}
            for s, _p, o in self._by_predicate.get(p, ()):
                subjects = os_.get(o)
                if subjects is None:
                    subjects = os_[o] = {}
                subjects[s] = None
        return os_

    def _subjects_of(self) -> _Index:
        """Object -> subject -> predicates (made on the first lookup by object alone)."""
        if self._osp is None:
            osp: _Index = {}
            for s, p, o in self._given:
                sp = osp.get(o)
                if sp is None:
                    sp = osp[o] = {}
                predicates = sp.get(s)
                if predicates is None:
                    predicates = sp[s] = {}
                predicates[p] = None
            self._osp = osp
        return self._osp

    # -- reading

    def triples(self, triple_pattern: Any, context: Any = None
                ) -> Generator[tuple[Triple, Iterator[Any]], None, None]:
        for found in self._match(*triple_pattern):
            yield found, _no_contexts()

    def _match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
        if s is not None:
            po = self._spo.get(s)
            if po is None:
                return
            if p is not None:
                objects = po.get(p)
                if objects is None:
                    return
                if o is not None:
                    if o in objects:
                        yield s, p, o
                    return
                for obj in objects:
                    yield s, p, obj
                return
            for pred, objects in po.items():
                if o is None:
                    for obj in objects:
                        yield s, pred, obj
                elif o in objects:
                    yield s, pred, o
            return
        if p is not None:
            os_ = self._objects_of(p)
            if o is not None:
                for subj in os_.get(o, ()):
                    yield subj, p, o
                return
            for obj, subjects in os_.items():
                for subj in subjects:
                    yield subj, p, obj
            return
        if o is not None:
            for subj, predicates in self._subjects_of().get(o, {}).items():
                for pred in predicates:
                    yield subj, pred, o
            return
        for subj, po in self._spo.items():
            for pred, objects in po.items():
                for obj in objects:
                    yield subj, pred, obj

    def __len__(self, context: Any = None) -> int:
        return len(self._given)

    def contexts(self, triple: Any = None) -> Generator[Any, None, None]:
        yield from ()

    def add_graph(self, graph: Graph) -> None:
        raise TypeError("the validated triples are read-only")

    def remove_graph(self, graph: Graph) -> None:
        raise TypeError("the validated triples are read-only")

    # -- no writing

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        raise TypeError("the validated triples are read-only")

    def addN(self, quads: Any) -> None:
        raise TypeError("the validated triples are read-only")

    def remove(self, triple: Any, context: Any = None) -> None:
        raise TypeError("the validated triples are read-only")

    # -- prefixes, as rdflib's in-memory store keeps them

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        bound_namespace = self._namespace.get(prefix)
        bound_prefix = self._prefix.get(namespace)
        if bound_prefix is None and bound_namespace is not None:
            bound_prefix = self._prefix.get(bound_namespace)
        if override:
            if bound_prefix is not None:
                del self._namespace[bound_prefix]
            if bound_namespace is not None:
                del self._prefix[bound_namespace]
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace
        else:
            self._prefix[bound_namespace if bound_namespace is not None else namespace] = (
                bound_prefix if bound_prefix is not None else prefix)
            self._namespace[bound_prefix if bound_prefix is not None else prefix] = (
                bound_namespace if bound_namespace is not None else namespace)

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespace.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return self._prefix.get(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        yield from list(self._namespace.items())


def frozen_union(triples: Iterable[Triple]) -> Graph:
    """A read-only Graph of ``triples`` (each once; e.g. every named graph's, chained)."""
    return Graph(store=FrozenTriples(triples))


def frozen_union_beside(triples: Iterable[Triple], beside: Iterable[_T]
                        ) -> tuple[Graph, list[_T]]:
    """:func:`frozen_union` of ``triples``, and of ``beside`` (one item for each triple, in
    step: e.g. its pyoxigraph quad) the items of the triples kept, each triple's first."""
    store = FrozenTriples(triples, beside)
    return Graph(store=store), list(store.kept)


__all__ = ["FrozenTriples", "frozen_union", "frozen_union_beside"]
