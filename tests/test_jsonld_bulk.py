"""Bulk framed cities: ``ccgraph export --format jsonl --frame city`` / ``--format geojson``
and the dumps ``cities.jsonl.gz`` / ``cities.geojson``, read back like a user would: every
line or feature of a sample of 50 cities expands (pyld) to the city's Turtle description."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS

from ccgraph import iris
from ccgraph.store import open_build
from tests.support import jsonld_offline
from tests.support.servers import werkzeug_server

pytestmark = pytest.mark.slow  # the whole-network build

BASE = iris.DEFAULT_BASE
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SAMPLE = 50


@pytest.fixture(scope="module")
def url(network_build: Path) -> Iterator[str]:
    with werkzeug_server(network_build) as root:
        yield root


def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "ccgraph.cli", *args], capture_output=True,
                          timeout=300)


def cities(store: ox.Store) -> list[str]:
    rows = store.query("SELECT DISTINCT ?c WHERE { ?c a <https://w3id.org/ccgraph/ontology#"
                       "CreativeCity> } ORDER BY ?c")
    return [row["c"].value for row in rows]  # type: ignore[union-attr, index]


def sample(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    step = max(1, len(docs) // SAMPLE)
    chosen = docs[::step][:SAMPLE]
    sapporo = [d for d in docs if d["id"] == str(iris.city("jp", "sapporo"))]
    return chosen + [d for d in sapporo if d not in chosen]


def same_as_turtle(url: str, doc: dict[str, Any]) -> None:
    path = "/doc/" + doc["id"][len(BASE) + 3:]
    resp = requests.get(url + path, headers={"Accept": "text/turtle"}, timeout=60)
    want = Graph().parse(data=resp.text, format="turtle")
    assert len(want) > 0
    assert isomorphic(jsonld_offline.to_graph(doc, url), want), doc["id"]


def test_jsonl_export_has_one_framed_city_per_line(network_build: Path, url: str) -> None:
    done = cli("export", "--store", str(network_build), "--format", "jsonl", "--frame", "city")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode("utf-8").splitlines()
    docs = [json.loads(text) for text in lines]
    assert [d["id"] for d in docs] == cities(open_build(network_build).store)
    assert all(d["type"] == "City" or "City" in d["type"] for d in docs)
    chosen = sample(docs)
    assert len(chosen) >= SAMPLE
    for doc in chosen:
        same_as_turtle(url, doc)
    served = requests.get(url + "/dumps/cities.jsonl.gz", timeout=60)
    assert served.status_code == 200
    assert gzip.decompress(served.content) == done.stdout


def test_geojson_export_is_a_feature_collection_of_the_cities(network_build: Path,
                                                              url: str) -> None:
    done = cli("export", "--store", str(network_build), "--format", "geojson")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["type"] == "FeatureCollection"
    store = open_build(network_build).store
    assert [f["id"] for f in data["features"]] == cities(store)
    placed = {r["c"].value for r in store.query(  # type: ignore[union-attr, index]
        f"SELECT DISTINCT ?c WHERE {{ ?c <{GEO}lat> ?lat ; <{GEO}long> ?long }}")}
    assert len(placed) > len(data["features"]) // 2  # the links graph places most cities
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        props = feature["properties"]
        if feature["id"] in placed:
            assert feature["geometry"] == {"type": "Point", "coordinates": [
                float(props["longitude"]), float(props["latitude"])]}
        else:
            assert feature["geometry"] is None
    for doc in sample([f["properties"] for f in data["features"]]):
        same_as_turtle(url, doc)
    served = requests.get(url + "/dumps/cities.geojson", timeout=60)
    assert served.status_code == 200
    assert served.headers["Content-Type"].startswith("application/geo+json")
    assert served.content == done.stdout


def test_unknown_frame_or_old_build_is_explained(tmp_path: Path, network_build: Path) -> None:
    done = cli("export", "--store", str(network_build), "--format", "jsonl", "--frame", "field")
    assert done.returncode != 0 and b"invalid choice" in done.stderr
    missing = cli("export", "--store", str(tmp_path), "--format", "geojson")
    assert missing.returncode != 0
    assert b"Traceback" not in missing.stderr and b"export:" in missing.stderr


def test_the_dcat_description_lists_the_city_files(url: str) -> None:
    resp = requests.get(url + "/.well-known/void", headers={"Accept": "text/turtle"},
                        timeout=60)
    g = Graph().parse(data=resp.text, format="turtle")
    ds = URIRef(BASE + "id/dataset")
    urls = {str(u) for d in g.objects(ds, DCAT.distribution) for u in g.objects(
        d, DCAT.downloadURL)}
    for name in ("cities.jsonl.gz", "cities.geojson"):
        (found,) = [u for u in urls if u.endswith("/dumps/" + name)]
        dist = next(g.subjects(DCAT.downloadURL, URIRef(found)))
        assert next(g.objects(dist, DCTERMS.conformsTo), None) is not None
