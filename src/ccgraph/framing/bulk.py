"""Bulk files of framed cities: JSON Lines (one framed city per line, gzip) and a GeoJSON
FeatureCollection (a point per city, ``[longitude, latitude]``, the framed city as its
properties). Both are written city by city, never held whole in memory."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..dumpfiles import framed_file
from ..namespaces import CCG, RDF
from . import tree

if TYPE_CHECKING:  # web/ imports version.py, which imports this module
    from ..web.describe import Subject

JSONL = framed_file("jsonl", "city")
GEOJSON = framed_file("geojson", "city")


def city_iris(store: ox.Store) -> list[str]:
    found = {q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(CCG.CreativeCity)))
        if isinstance(q.subject, ox.NamedNode)}
    return sorted(found)


class StoreIndex:
    """The triples of a version's store by subject and by object, read in one pass from its
    default graph (the union of every graph, store.py): answers the lookups of
    web/describe.py's walk (its ``Lookups``) as the store would, without a pattern lookup
    per node; for describing every city at once."""

    def __init__(self, store: ox.Store, union: Iterable[ox.Triple] | None = None) -> None:
        from ..web.describe import LABELS, RDF_TYPE_NODE

        self.store = store
        self.labels_of, self.rdf_type = LABELS, RDF_TYPE_NODE
        out: dict[object, list[ox.Triple]] = {}
        into: dict[object, list[ox.Triple]] = {}
        if union is None:
            union = (q.triple for q in
                     store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        for t in union:
            out.setdefault(t.subject, []).append(t)
            if not isinstance(t.object, ox.Literal):
                into.setdefault(t.object, []).append(t)
        self.out, self.into = out, into

    def subjects(self, subjects: Sequence[Subject]) -> dict[Subject, list[ox.Triple]]:
        return {s: self.out.get(s, []) for s in subjects}

    def inbound(self, node: ox.NamedNode, cap: int) -> list[ox.Triple]:
        found = self.into.get(node, [])
        if len(found) > cap:  # which ones the cap keeps: the store's order decides
            from ..web.describe import EmbeddedLookups

            return EmbeddedLookups(self.store).inbound(node, cap)
        return list(found)

    def typed(self, subjects: Iterable[Subject], cls: ox.NamedNode) -> set[Subject]:
        return {s for s in subjects
                if any(t.predicate == self.rdf_type and t.object == cls
                       for t in self.out.get(s, ()))}

    def labels(self, nodes: Iterable[ox.NamedNode]) -> list[ox.Triple]:
        return [t for n in nodes for t in self.out.get(n, ()) if t.predicate in self.labels_of]


def framed_cities(store: ox.Store, base: str,
                  union: Iterable[ox.Triple] | None = None) -> Iterator[dict[str, Any]]:
    """Each city's framed document, one at a time, in IRI order. ``union``: the triples of
    the store's default graph, when the caller has them already."""
    from ..web.describe import describe  # the description is the one /doc serves

    index = StoreIndex(store, union)
    for iri in city_iris(store):
        yield tree.frame(describe(store, iri, lookups=index).all_triples(), iri, base)


def line(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def feature(doc: dict[str, Any]) -> dict[str, Any]:
    """A framed city as a GeoJSON Feature; no geometry where the city has no coordinates."""
    geometry = None
    lat, long = doc.get("latitude"), doc.get("longitude")
    if isinstance(lat, str) and isinstance(long, str):
        geometry = {"type": "Point", "coordinates": [float(long), float(lat)]}
    return {"type": "Feature", "id": doc["id"], "geometry": geometry, "properties": doc}


def line_and_feature(doc: dict[str, Any]) -> tuple[bytes, bytes]:
    """:func:`line` of ``doc`` and of its :func:`feature` (without the newline), the city
    encoded once: the feature's JSON is the doc's JSON inside the feature's members (the
    encoder writes a value the same wherever it stands)."""
    text = line(doc)
    head = {k: v for k, v in feature(doc).items() if k != "properties"}
    encoded = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return text, encoded[:-1] + b',"properties":' + text[:-1] + b"}"


def write_dumps(store: ox.Store, dumps: Path, base: str,
                union: Iterable[ox.Triple] | None = None) -> int:
    """``cities.jsonl.gz`` and ``cities.geojson`` in ``dumps``, in one pass over the cities;
    returns how many cities were written. ``union``: as :func:`framed_cities`."""
    n = 0
    with (dumps / JSONL).open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as gz, \
            (dumps / GEOJSON).open("wb") as geo:
        geo.write(b'{"type":"FeatureCollection","features":[\n')
        for doc in framed_cities(store, base, union):
            text, geo_feature = line_and_feature(doc)
            gz.write(text)
            if n:
                geo.write(b",\n")
            geo.write(geo_feature)
            n += 1
        geo.write(b"\n]}\n")
    return n
