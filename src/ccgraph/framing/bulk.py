"""Bulk files of framed cities: JSON Lines (one framed city per line, gzip) and a GeoJSON
FeatureCollection (a point per city, ``[longitude, latitude]``, the framed city as its
properties). Both are written city by city, never held whole in memory."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..dumpfiles import framed_file
from ..namespaces import CCG, RDF
from . import tree

JSONL = framed_file("jsonl", "city")
GEOJSON = framed_file("geojson", "city")


def city_iris(store: ox.Store) -> list[str]:
    found = {q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(CCG.CreativeCity)))
        if isinstance(q.subject, ox.NamedNode)}
    return sorted(found)


def framed_cities(store: ox.Store, base: str) -> Iterator[dict[str, Any]]:
    """Each city's framed document, one at a time, in IRI order."""
    from ..web.resources import describe  # the description is the one /doc serves

    for iri in city_iris(store):
        yield tree.frame(describe(store, iri).all_triples(), iri, base)


def line(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def feature(doc: dict[str, Any]) -> dict[str, Any]:
    """A framed city as a GeoJSON Feature; no geometry where the city has no coordinates."""
    geometry = None
    lat, long = doc.get("latitude"), doc.get("longitude")
    if isinstance(lat, str) and isinstance(long, str):
        geometry = {"type": "Point", "coordinates": [float(long), float(lat)]}
    return {"type": "Feature", "id": doc["id"], "geometry": geometry, "properties": doc}


def write_dumps(store: ox.Store, dumps: Path, base: str) -> int:
    """``cities.jsonl.gz`` and ``cities.geojson`` in ``dumps``, in one pass over the cities;
    returns how many cities were written."""
    n = 0
    with (dumps / JSONL).open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as gz, \
            (dumps / GEOJSON).open("wb") as geo:
        geo.write(b'{"type":"FeatureCollection","features":[\n')
        for doc in framed_cities(store, base):
            gz.write(line(doc))
            if n:
                geo.write(b",\n")
            geo.write(line(feature(doc)).rstrip(b"\n"))
            n += 1
        geo.write(b"\n]}\n")
    return n
