"""JSON-LD for web developers, on real servers: the versioned context of plain terms, framed
documents per class (expanded by pyld, an independent processor, they give exactly the
description's triples), the flat forms by profile and ``?form=``, and the committed frames."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from pyld import jsonld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from ccgraph import framing, iris, shipped
from ccgraph.namespaces import CCG, PREFIXES
from ccgraph.store import open_build
from tests.support import jsonld_offline
from tests.support.servers import werkzeug_server

BASE = iris.DEFAULT_BASE
SAPPORO = str(iris.city("jp", "sapporo"))
NS = "http://www.w3.org/ns/json-ld#"
#: classes that have a framed document, and the frame that fits them
CLASSES = {"city": CCG.CreativeCity, "facility": CCG.Facility, "event": CCG.Event,
           "creator": CCG.Creator}


@pytest.fixture(scope="module")
def url(network_build: Path) -> Iterator[str]:
    with werkzeug_server(network_build) as root:
        yield root


@pytest.fixture(scope="module")
def store(network_build: Path) -> ox.Store:
    return open_build(network_build).store


def doc_path(iri: str) -> str:
    assert iri.startswith(BASE + "id/")
    return "/doc/" + iri[len(BASE) + 3:]


def get(url: str, path: str, accept: str | None = None, **params: str) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(url + path, headers=headers, params=params, timeout=60)


def turtle(url: str, path: str) -> Graph:
    resp = get(url, path, "text/turtle")
    assert resp.status_code == 200, resp.text
    return Graph().parse(data=resp.text, format="turtle")


def instances(store: ox.Store, cls: URIRef) -> list[str]:
    return sorted(str(s.value) for s in store.quads_for_pattern(
        None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(cls))) if isinstance(
        s.subject, ox.NamedNode) for s in [s.subject])


# ------------------------------------------------------------------ the context

def test_the_versioned_context_is_the_committed_file_byte_for_byte_in_two_builds(
        network_build: Path, bare_build: Path) -> None:
    served = []
    for build in (network_build, bare_build):
        with werkzeug_server(build) as root:
            fixed = get(root, "/context/v1.jsonld")
            current = get(root, "/context.jsonld")
            assert fixed.status_code == current.status_code == 200
            assert fixed.headers["Content-Type"].startswith("application/ld+json")
            assert current.content == fixed.content
            assert fixed.headers["ETag"]
            again = requests.get(root + "/context/v1.jsonld", timeout=30,
                                 headers={"If-None-Match": fixed.headers["ETag"]})
            assert again.status_code == 304
            served.append(fixed.content)
    assert served[0] == served[1]
    committed = Path(__file__).resolve().parents[1] / "src/ccgraph/framing/context-v1.jsonld"
    assert served[0] == committed.read_bytes()


def _context() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(framing.context_bytes())["@context"]
    return value


def _term_iris() -> dict[str, str]:
    """Every term of the context with the IRI it stands for (expanded by pyld)."""
    ctx = _context()
    out = {}
    for term, value in ctx.items():
        if term.startswith("@") or value in ("@id", "@type"):
            continue
        if isinstance(value, str) and value.endswith(("#", "/")):
            continue  # a prefix
        if isinstance(value, dict) and "@reverse" in value:
            probe = {"@context": ctx, "@id": "urn:x:s", term: {"@id": "urn:x:o"}}
            expanded = jsonld.expand(probe)[0]["@reverse"]
        elif isinstance(value, dict):
            probe = {"@context": ctx, "@id": "urn:x:s", term: "x" if value.get(
                "@container") != "@language" else {"en": "x"}}
            expanded = jsonld.expand(probe)[0]
        else:
            probe = {"@context": ctx, "@id": "urn:x:s", "@type": term}
            out[term] = jsonld.expand(probe)[0]["@type"][0]
            continue
        (iri,) = [k for k in expanded if not k.startswith("@")]
        out[term] = iri
    return out


def test_every_term_is_a_property_or_class_of_the_ontology_or_a_standard_vocabulary() -> None:
    ontology = Graph().parse(shipped.ontology() / "ccgraph.ttl", format="turtle")
    defined = set(ontology.subjects(RDF.type, None))
    standard = [ns for ns in PREFIXES.values() if ns != str(CCG)]
    terms = _term_iris()
    assert {"label", "pledges", "memberships", "evidence", "latitude", "longitude",
            "sameAs", "City", "yearDesignated", "themes", "quote"} <= set(terms)
    for term, iri in terms.items():
        if iri.startswith(str(CCG)):
            assert URIRef(iri) in defined, f"{term} -> {iri} is not in ontology/ccgraph.ttl"
        else:
            assert any(iri.startswith(ns) and len(iri) > len(ns) for ns in standard), \
                f"{term} -> {iri} is in no vocabulary ccgraph uses"
    assert terms["label"] == str(RDFS.label)
    assert terms["sameAs"] == str(OWL.sameAs)


def test_the_terms_are_protected() -> None:
    ctx = _context()
    assert ctx["@protected"] is True and ctx["@version"] == 1.1
    redefine = {"@context": [ctx, {"label": "urn:x:other"}], "label": {"en": "x"}}
    with pytest.raises(jsonld.JsonLdError) as caught:
        jsonld.expand(redefine)
    assert "protected" in str(caught.value).lower() or "protected" in repr(
        caught.value.details).lower()


def test_label_is_a_language_map_in_the_framed_city(url: str) -> None:
    doc = get(url, "/doc/city/jp/sapporo.jsonld").json()
    assert doc["@context"] == BASE + framing.CONTEXT_PATH
    assert doc["id"] == SAPPORO and doc["type"] == "City"
    assert doc["label"]["en"] == "Sapporo" and doc["label"]["ja"]
    assert doc["country"]["id"] == str(iris.country("jp"))
    assert doc["countryCode"] == "JP"


# ------------------------------------------------------------------ framed documents

def _framed_matches_turtle(url: str, iri: str) -> dict[str, Any]:
    path = doc_path(iri)
    resp = get(url, path, "application/ld+json")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("application/ld+json")
    assert f'profile="{NS}framed"' in resp.headers["Content-Type"]
    doc = resp.json()
    assert doc["id"] == iri
    got = jsonld_offline.to_graph(doc, url)
    want = turtle(url, path)
    assert len(want) > 0
    assert isomorphic(got, want), f"{iri}: framed JSON-LD and Turtle differ"
    data: dict[str, Any] = doc
    return data


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_every_framed_document_expands_to_its_turtle_description(
        url: str, store: ox.Store, kind: str) -> None:
    # every instance of the network build, no sample
    members = instances(store, CLASSES[kind])
    assert members
    for iri in members:
        _framed_matches_turtle(url, iri)


def test_pledges_come_out_in_order_with_themes_and_evidence(url: str, store: ox.Store) -> None:
    cities_with_pledges = 0
    for iri in instances(store, CCG.CreativeCity):
        doc = get(url, doc_path(iri) + ".jsonld").json()
        pledges = doc.get("pledges", [])
        if not pledges:
            continue
        cities_with_pledges += 1
        want = turtle(url, doc_path(iri))
        stated = sorted((int(p), str(c)) for c in want.subjects(CCG.commitmentOf, URIRef(iri))
                        for p in want.objects(c, CCG.position))
        assert [(p["position"], p["id"]) for p in pledges] == stated
        assert [p["position"] for p in pledges] == sorted(p["position"] for p in pledges)
    assert cities_with_pledges > 10
    sapporo = get(url, "/doc/city/jp/sapporo.jsonld").json()
    first = sapporo["pledges"][0]
    assert first["themes"] and first["themes"][0]["label"]["en"]
    (span,) = first["evidence"]
    assert span["source"] == str(iris.profile("jp", "sapporo", "media-arts"))
    kinds = {s["type"]: s for s in span["selectors"]}
    start, end = kinds["TextPositionSelector"]["start"], kinds["TextPositionSelector"]["end"]
    assert isinstance(start, int) and end > start
    assert kinds["TextQuoteSelector"]["quote"] == first["text"]["en"]
    assert [m["type"] for m in sapporo["memberships"]] == ["Membership"]
    assert sapporo["memberships"][0]["yearDesignated"] == "2013"
    assert sapporo["facilities"] and all("Facility" in f["type"] for f in sapporo["facilities"])


def test_a_field_lists_its_memberships_by_year(url: str, store: ox.Store) -> None:
    """The field document: every membership of the field (current and ended), ordered by
    year of designation, each with its year and city; the pledges stay out of it."""
    for field_iri in (BASE + "id/field/media-arts", BASE + "id/field/music"):
        doc = get(url, doc_path(field_iri) + ".jsonld").json()
        want = turtle(url, doc_path(field_iri))
        members = {str(m) for m in want.subjects(CCG.field, URIRef(field_iri))
                   if (m, RDF.type, CCG.Membership) in want}
        got = doc["designations"]
        assert {d["id"] for d in got} == members and len(got) == len(members) > 20
        years = [int(d["yearDesignated"]) for d in got]
        assert years == sorted(years)
        assert all(d["type"] == "Membership" and d["member"]["label"]["en"] for d in got)
    media_arts = get(url, "/doc/field/media-arts.jsonld").json()["designations"]
    lyon = [d for d in media_arts if d["member"]["label"]["en"] == "Lyon"]
    assert [(d["yearDesignated"], d.get("yearEnded")) for d in lyon] == [("2008", "2023")]


@pytest.mark.parametrize("path", ["/doc/field/media-arts", "/doc/profile/jp/sapporo/media-arts",
                                  "/doc/commitment/jp/sapporo/media-arts/1", "/doc/dataset",
                                  "/doc/org/uccn", "/doc/theme/tourism"])
def test_other_classes_are_framed_and_complete(url: str, path: str) -> None:
    _framed_matches_turtle(url, BASE + "id/" + path[len("/doc/"):])


# ------------------------------------------------------------------ forms and negotiation

def _triples(url: str, resp: requests.Response) -> Graph:
    return jsonld_offline.to_graph(resp.json(), url)


@pytest.mark.parametrize("form", ["expanded", "flattened", "compacted", "framed"])
def test_each_form_by_profile_and_by_query(url: str, form: str) -> None:
    path = "/doc/city/jp/sapporo"
    want = turtle(url, path)
    by_profile = get(url, path, f'application/ld+json;profile="{NS}{form}"')
    by_query = get(url, path, None, form=form)
    for resp in (by_profile, by_query):
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("application/ld+json")
        assert f'profile="{NS}{form}"' in resp.headers["Content-Type"]
        assert isomorphic(_triples(url, resp), want)
    assert "Accept" in by_profile.headers["Vary"]
    located = get(url, by_profile.headers["Content-Location"])
    assert located.content == by_profile.content
    assert by_profile.content == by_query.content
    body = by_profile.json()
    if form == "expanded":
        assert isinstance(body, list) and all("@context" not in n for n in body)
        assert all(k.startswith(("@", "http")) for n in body for k in n)
    elif form == "flattened":
        assert "@graph" in body
        for node in body["@graph"]:  # nothing nested: references, values, language maps
            for key, values in node.items():
                for v in values if isinstance(values, list) else [values]:
                    if isinstance(v, dict) and key != "@reverse":
                        assert "@value" in v or set(v) == {"id"} or all(
                            isinstance(x, str | list) for x in v.values()), (key, v)
    elif form == "framed":
        assert body["id"] == SAPPORO and "pledges" in body


def test_forms_have_distinct_etags_and_each_revalidates(url: str) -> None:
    path = "/doc/city/jp/sapporo"
    tags = {}
    for form in ("expanded", "flattened", "compacted", "framed"):
        resp = get(url, path, f'application/ld+json; profile="{NS}{form}"')
        tags[form] = resp.headers["ETag"]
        again = requests.get(url + path, timeout=30, headers={
            "Accept": f'application/ld+json; profile="{NS}{form}"',
            "If-None-Match": resp.headers["ETag"]})
        assert again.status_code == 304
    assert len(set(tags.values())) == 4
    assert get(url, path, "application/ld+json").headers["ETag"] == tags["framed"]
    assert get(url, path, "text/turtle").headers["ETag"] not in tags.values()


def test_unknown_profiles(url: str) -> None:
    path = "/doc/city/jp/sapporo"
    only = get(url, path, 'application/ld+json;profile="http://example.org/unknown"')
    assert only.status_code == 406
    assert "profile" in only.text
    fallback = get(url, path, 'application/ld+json;profile="http://example.org/unknown", '
                              "text/turtle;q=0.5")
    assert fallback.status_code == 200
    assert fallback.headers["Content-Type"].startswith("text/turtle")
    several = get(url, path, f'application/ld+json;profile="http://example.org/x {NS}expanded"')
    assert several.status_code == 200 and isinstance(several.json(), list)
    assert get(url, path, None, form="bogus").status_code == 400
    suffixed = get(url, path + ".jsonld", None, form="expanded")
    assert isinstance(suffixed.json(), list)


# ------------------------------------------------------------------ the committed frames

@pytest.mark.parametrize("name,path", [
    ("city", "city/jp/sapporo"), ("field", "field/media-arts"),
    ("facility", "facility/jp/sapporo/sapporo-concert-hall-kitara"),
    ("creator", "creator/crypton-future-media"), ("pledge", "commitment/jp/sapporo/media-arts/1"),
    ("profile", "profile/jp/sapporo/media-arts"), ("dataset", "dataset")])
def test_the_committed_frames_work_with_pyld_on_the_flattened_form(url: str, name: str,
                                                                     path: str) -> None:
    frame = json.loads(framing.frame_bytes(name))
    served = get(url, f"/frames/{name}.jsonld")
    assert served.status_code == 200 and served.json() == frame
    flat = get(url, "/doc/" + path, None, form="flattened").json()
    framed = jsonld.frame(flat, frame, {"documentLoader": jsonld_offline.loader(url)})
    got = jsonld_offline.to_graph(framed, url)
    want = turtle(url, "/doc/" + path)
    root = URIRef(BASE + "id/" + path)
    ground = {t for t in want if not any(isinstance(x, BNode) for x in t)}
    mine = {t for t in ground if t[0] == root}
    assert mine and mine <= set(got)
    assert {t for t in got if t[0] == root and not isinstance(t[2], BNode)} == mine
    labels = {t for t in got if t[1] == RDFS.label and t[0] == root}
    assert any(isinstance(t[2], Literal) and t[2].language == "en" for t in labels)
