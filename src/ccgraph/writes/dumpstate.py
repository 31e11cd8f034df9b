"""What the write worker keeps to write a version's dumps again after a change
(writes/fast.py): the framed cities (:class:`Framed`) and the JSON-LD and Turtle dumps'
blocks subject by subject (:class:`Blocks`)."""

from __future__ import annotations

import bisect
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..framing import bulk
from ..namespaces import CCG, PREFIXES
from .gzcache import GzipCache

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_CITY = ox.NamedNode(str(CCG.CreativeCity))


class Framed:
    """The framed cities of the live version (framing/bulk.py's files), one line each,
    with the nodes each city's description read: a change re-frames only the cities that
    read a changed triple's subject, or that are its object."""

    def __init__(self, store: ox.Store, base: str) -> None:
        self.base = base
        self.lines: dict[str, bytes] = {}
        self.features: dict[str, bytes] = {}
        self.reads: dict[str, set[object]] = {}
        self.readers: dict[object, set[str]] = {}
        self.gz = GzipCache(cut_bits=3)  # a city's line is long: a few cities a piece
        for iri in bulk.city_iris(store):
            self.frame(store, iri)
        #: whether the files differ from the last version's (False: link those)
        self.dirty = True

    def frame(self, store: ox.Store, iri: str) -> None:
        from ..framing import tree
        from ..web.resources import describe  # the description /doc serves, as bulk.py

        triples = describe(store, iri).all_triples()
        doc = tree.frame(triples, iri, self.base)
        line, feature = bulk.line(doc), bulk.line(bulk.feature(doc)).rstrip(b"\n")
        if self.lines.get(iri) != line or self.features.get(iri) != feature:
            self.dirty = True
        self.lines[iri], self.features[iri] = line, feature
        self.forget(iri)
        reads: set[object] = {t.subject for t in triples}
        reads.update(t.object for t in triples if not isinstance(t.object, ox.Literal))
        self.reads[iri] = reads
        for node in reads:
            self.readers.setdefault(node, set()).add(iri)

    def forget(self, iri: str) -> None:
        for node in self.reads.pop(iri, set()):
            readers = self.readers.get(node)
            if readers is not None:
                readers.discard(iri)
                if not readers:
                    del self.readers[node]

    def update(self, store: ox.Store, changed: Iterable[ox.Triple]) -> int:
        """Frame again the cities ``changed`` (every triple the union gained or lost since
        the cities were framed) can alter; returns how many. The cities are those framed,
        and those ``changed`` types as cities if the store still does (bulk.city_iris
        without reading every city's type again)."""
        changed = list(changed)
        cities = set(self.lines)
        for t in changed:
            if t.predicate == _RDF_TYPE and t.object == _CITY and \
                    isinstance(t.subject, ox.NamedNode):
                if ox.Quad(t.subject, _RDF_TYPE, _CITY, ox.DefaultGraph()) in store:
                    cities.add(t.subject.value)
                else:
                    cities.discard(t.subject.value)
        touched = cities - self.lines.keys()
        for t in changed:
            touched |= self.readers.get(t.subject, set())
            if isinstance(t.object, ox.NamedNode) and t.object.value in cities:
                touched.add(t.object.value)
        for gone in self.lines.keys() - cities:
            self.forget(gone)
            del self.lines[gone], self.features[gone]
            self.dirty = True
        for iri in sorted(touched & cities):
            self.frame(store, iri)
        return len(touched & cities)

    def write(self, dumps: Path, previous: Path | None = None) -> None:
        """The content of bulk.write_dumps (the gzip file compressed piece by piece:
        gzcache.py); hard links to the files in ``previous`` (the live version's dumps)
        when no framed city changed since they were written."""
        names = (bulk.JSONL, bulk.GEOJSON)
        if not self.dirty and previous is not None and \
                all((previous / name).is_file() for name in names):
            try:
                for name in names:
                    os.link(previous / name, dumps / name)
                return
            except OSError:  # another file system: write them
                for name in names:
                    (dumps / name).unlink(missing_ok=True)
        self.dirty = False
        order = sorted(self.lines)
        self.gz.write(dumps / bulk.JSONL, [self.lines[iri] for iri in order], sep=b"")
        with (dumps / bulk.GEOJSON).open("wb") as geo:
            geo.write(b'{"type":"FeatureCollection","features":[\n')
            geo.write(b",\n".join(self.features[iri] for iri in order))
            geo.write(b"\n]}\n")


def subject_of(line: bytes) -> bytes:
    return line[:line.index(b" ")]


class Blocks:
    """The Turtle and JSON-LD dumps of the union kept subject by subject (a Turtle block and
    a JSON-LD node object each, in N-Triples line order: jsonld.triples_to_jsonld's
    document): a change makes again only the blocks of its subjects."""

    def __init__(self, base: str, lines: Iterable[bytes]) -> None:
        from ..jsonld import _Compactor, context

        self.ctx = context(base)
        self.compact = _Compactor(self.ctx)
        self.head = json.dumps(self.ctx, ensure_ascii=False, separators=(",", ":"))
        self.prefixes = b"".join(f"@prefix {p}: <{ns}> .\n".encode()
                                 for p, ns in PREFIXES.items())
        self.order: list[bytes] = []  # subjects, sorted (the order of the sorted lines)
        self.groups: dict[bytes, list[bytes]] = {}
        self.blocks: dict[bytes, tuple[bytes, bytes]] = {}
        for line in lines:
            subject = subject_of(line)
            if not self.order or self.order[-1] != subject:
                self.order.append(subject)
                self.groups[subject] = []
            self.groups[subject].append(line)
        for subject in self.order:
            self.blocks[subject] = self.block(self.groups[subject])

    def block(self, lines: list[bytes]) -> tuple[bytes, bytes]:
        compact = self.compact
        node: dict[str, Any] = {}
        triples = [q.triple for q in ox.parse(b"\n".join(lines) + b"\n",
                                              format=ox.RdfFormat.N_TRIPLES)]
        for t in triples:
            if not node:
                node["@id"] = compact.node(t.subject)
            if t.predicate.value == _RDF_TYPE.value and not isinstance(t.object, ox.Literal):
                node.setdefault("@type", []).append(compact.node(t.object))
            else:
                node.setdefault(compact.iri(t.predicate.value), []).append(
                    compact.value(t.object))
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
        turtle = b"".join(line for line in turtle.splitlines(keepends=True)
                          if not line.startswith(b"@prefix "))
        return (json.dumps(node, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                turtle)

    def apply(self, added: Iterable[bytes], removed: Iterable[bytes]) -> int:
        """Take in a change of the union's lines; returns how many blocks were made again."""
        touched: set[bytes] = set()
        for line in removed:
            subject = subject_of(line)
            group = self.groups.get(subject, [])
            i = bisect.bisect_left(group, line)
            if i < len(group) and group[i] == line:
                del group[i]
                touched.add(subject)
        for line in added:
            subject = subject_of(line)
            if subject not in self.groups:
                self.groups[subject] = []
                bisect.insort(self.order, subject)
            group = self.groups[subject]
            i = bisect.bisect_left(group, line)
            if i == len(group) or group[i] != line:
                group.insert(i, line)
            touched.add(subject)
        for subject in touched:
            if self.groups[subject]:
                self.blocks[subject] = self.block(self.groups[subject])
                continue
            del self.groups[subject]
            self.blocks.pop(subject, None)
            i = bisect.bisect_left(self.order, subject)
            if i < len(self.order) and self.order[i] == subject:
                del self.order[i]
        return len(touched)

    def documents(self) -> tuple[bytes, bytes]:
        """The JSON-LD and Turtle dumps of the union."""
        blocks = self.blocks
        graph = b",".join(blocks[s][0] for s in self.order)
        jsonld = b'{"@context":' + self.head.encode("utf-8") + b',"@graph":[' + graph + b"]}"
        turtle = self.prefixes + b"".join(blocks[s][1] for s in self.order)
        return jsonld, turtle


__all__ = ["Blocks", "Framed", "subject_of"]
