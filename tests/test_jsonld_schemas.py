"""Every framed document of the network build validates against its frame's JSON Schema
(the committed ``framing/schemas/*.schema.json``, also served at ``/frames/``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from jsonschema import Draft202012Validator

from ccgraph import framing, iris
from ccgraph.namespaces import CCG, DCAT
from ccgraph.store import open_build
from tests.support.servers import werkzeug_server

pytestmark = pytest.mark.slow  # the whole-network build

BASE = iris.DEFAULT_BASE
#: frame -> the class whose every instance it describes
CLASSES = {"city": CCG.CreativeCity, "field": CCG.CreativeField, "facility": CCG.Facility,
           "event": CCG.Event, "creator": CCG.Creator, "pledge": CCG.Commitment,
           "profile": CCG.ProfileDocument, "dataset": DCAT.Dataset}


@pytest.fixture(scope="module")
def url(network_build: Path) -> Iterator[str]:
    with werkzeug_server(network_build) as root:
        yield root


@pytest.fixture(scope="module")
def store(network_build: Path) -> ox.Store:
    return open_build(network_build).store


def validator(name: str) -> Draft202012Validator:
    schema = json.loads(framing.schema_bytes(name))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def members(store: ox.Store, cls: Any) -> list[str]:
    return sorted({q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode(str(cls))) if isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(BASE + "id/")})


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_every_framed_document_validates(url: str, store: ox.Store, name: str) -> None:
    check = validator(name)
    served = requests.get(f"{url}/frames/{name}.schema.json", timeout=30)
    assert served.status_code == 200 and served.json() == check.schema
    iris_ = members(store, CLASSES[name])
    assert iris_, name
    session = requests.Session()
    for iri in iris_:
        resp = session.get(url + "/doc/" + iri[len(BASE) + 3:] + ".jsonld", timeout=60)
        assert resp.status_code == 200
        errors = sorted(check.iter_errors(resp.json()), key=lambda e: list(e.path))
        assert not errors, f"{iri}: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:3])


def test_the_schemas_catch_a_broken_document(url: str) -> None:
    check = validator("city")
    doc = requests.get(url + "/doc/city/jp/sapporo.jsonld", timeout=30).json()
    assert not list(check.iter_errors(doc))
    broken = {**doc, "label": "Sapporo"}  # a string where a language map belongs
    assert list(check.iter_errors(broken))
    unordered = {**doc, "pledges": [{**doc["pledges"][0], "position": 0}]}
    assert list(check.iter_errors(unordered))
