"""The VoID statistics of a build, counted over the union as N-Triples lines.

A build has the union of its named graphs as sorted, distinct N-Triples lines already (the
default graph and the ``ccgraph.nt.gz`` dump: version.union_ntriples). :class:`LineTally`
counts what ``void.Tally`` counts — the same numbers, under the counting convention of
void.py — on those lines as bytes, without making a pyoxigraph term per node: a line is
``subject predicate object .``, and one term always has the same bytes, because pyoxigraph
writes every line (the data's and a draft description's alike). It answers
``void.describe_dataset``'s ``counted`` (void.Counted), and counts the linksets
(linksets.count_query) from the same lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from .linksets import LINK_PREDICATE, TARGETS, count_query
from .namespaces import RDF
from .void import Known, Statistics, example_resource

_TYPE = f"<{RDF.type}>".encode()
_SAME_AS = f"<{LINK_PREDICATE}>".encode()


def split_line(line: bytes) -> tuple[bytes, bytes, bytes]:
    """Subject, predicate and object of an N-Triples line as pyoxigraph writes it (one
    space between the terms, `` .`` at the end; neither an IRI nor a blank node label holds
    a space)."""
    subject, predicate, rest = line.split(b" ", 2)
    return subject, predicate, rest[:-2]


def _iri(term: bytes) -> str:
    return term[1:-1].decode("utf-8")


def triple_lines(triples: Iterable[ox.Triple]) -> set[bytes]:
    """``triples`` as N-Triples lines, as the union's lines are written."""
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
    return set(data.splitlines())


class LineTally:
    """The statistics of the union ``lines`` (distinct N-Triples lines), kept so that the
    statistics of the union plus a draft description cost only the draft: a
    ``void.Counted`` with ``sizes``, the triples of each named graph."""

    def __init__(self, lines: Iterable[bytes], sizes: Mapping[str, int], space: str) -> None:
        self.sizes = sizes
        self.entity_prefix = b"<" + space.encode("utf-8")
        self.lines: set[bytes] = set()
        self.subjects: set[bytes] = set()
        self.objects: set[bytes] = set()
        self.per_property: Counter[bytes] = Counter()
        self.classes: set[bytes] = set()
        self.instances: dict[bytes, set[bytes]] = {}
        self.links: Counter[str] = Counter()
        spaces = [(t.slug, b"<" + t.uri_space.encode("utf-8")) for t in TARGETS]
        for line in lines:
            if not line or line in self.lines:
                continue
            self.lines.add(line)
            s, p, o = split_line(line)
            self.subjects.add(s)
            self.objects.add(o)
            self.per_property[p] += 1
            if p == _TYPE:
                self.classes.add(o)
                if o.startswith(b"<"):
                    self.instances.setdefault(o, set()).add(s)
            elif p == _SAME_AS:
                for slug, prefix in spaces:
                    if o.startswith(prefix):
                        self.links[slug] += 1
        self.entities = sum(1 for s in self.subjects if s.startswith(self.entity_prefix))

    def has_subject(self, iri: str) -> bool:
        return b"<" + iri.encode("utf-8") + b">" in self.subjects

    def first_subject(self, prefix: str) -> str | None:
        """The least IRI starting with ``prefix`` used as a subject, in code point order
        (UTF-8 bytes sort so; compared without the ``>`` that closes each)."""
        start = b"<" + prefix.encode("utf-8")
        found = min((s[1:-1] for s in self.subjects if s.startswith(start)), default=None)
        return None if found is None else found.decode("utf-8")

    def links_to(self, slug: str) -> int:
        """The distinct ``owl:sameAs`` triples into the target ``slug``'s URI space: what
        linksets.count_query answers on the union."""
        return self.links[slug]

    def statistics(self, extra: set[ox.Triple]) -> Statistics:
        """The statistics of the union and ``extra`` together (this tally unchanged)."""
        new = [split_line(line) for line in triple_lines(extra) if line not in self.lines]
        subjects = {s for s, _p, _o in new} - self.subjects
        objects = {o for _s, _p, o in new} - self.objects
        per_property = self.per_property + Counter(p for _s, p, _o in new)
        types = [(s, o) for s, p, o in new if p == _TYPE]
        classes = {o for _s, o in types} - self.classes
        # a new line never repeats a known one: each new typing is a new instance
        partitions = Counter({c: len(xs) for c, xs in self.instances.items()})
        partitions.update(o for _s, o in types if o.startswith(b"<"))
        return Statistics(
            triples=len(self.lines) + len(new),
            entities=self.entities + sum(1 for s in subjects
                                         if s.startswith(self.entity_prefix)),
            subjects=len(self.subjects) + len(subjects),
            objects=len(self.objects) + len(objects),
            properties=len(per_property),
            classes=len(self.classes) + len(classes),
            class_partitions=tuple(sorted((_iri(c), n) for c, n in partitions.items())),
            property_partitions=tuple(sorted((_iri(p), n) for p, n in per_property.items())))


def known(lines: Iterable[bytes], sizes: Mapping[str, int], base: str) -> Known:
    """All that void.describe_dataset reads from a store, from the union's ``lines``
    (distinct N-Triples) and the size of each named graph: the description can then be
    made before the store is filled."""
    tally = LineTally(lines, sizes, f"{base.rstrip('/')}/id/")
    return Known(tally, {count_query(t): tally.links_to(t.slug) for t in TARGETS},
                 example_resource(base.rstrip("/") + "/", tally.has_subject,
                                  tally.first_subject))
