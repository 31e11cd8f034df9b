"""The Sapporo knowledge graph, asked the way a researcher asks: SPARQL over the built store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccgraph.records import Span
from ccgraph.store import Build, open_build

B = "https://w3id.org/ccgraph/"
SAPPORO = f"<{B}id/city/jp/sapporo>"
PREFIXES = """
PREFIX ccg: <https://w3id.org/ccgraph/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def rows(build: Build, query: str) -> list[dict[str, str]]:
    result = build.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def ask(build: Build, query: str) -> bool:
    return bool(build.query(PREFIXES + query))


@pytest.fixture(scope="module", params=["seed", "bare"])
def any_build(request: pytest.FixtureRequest) -> Build:
    path: Path = request.getfixturevalue(f"{request.param}_build")
    return open_build(path)


@pytest.fixture(scope="module")
def seed(seed_build: Path) -> Build:
    return open_build(seed_build)


def test_sapporo_is_a_creative_city_with_labels_and_country(any_build: Build) -> None:
    assert ask(any_build, f"""ASK {{ {SAPPORO} a ccg:CreativeCity ;
        rdfs:label "Sapporo"@en, "札幌市"@ja ; ccg:countryCode "JP" ;
        schema:containedInPlace <{B}id/country/jp> }}""")


def test_media_arts_membership_2013(any_build: Build) -> None:
    found = rows(any_build, f"""SELECT ?m ?year WHERE {{ {SAPPORO} ccg:membership ?m .
        ?m a ccg:Membership ; org:member {SAPPORO} ; ccg:field <{B}id/field/media-arts> ;
           org:organization <{B}id/org/uccn> ; ccg:yearDesignated ?year }}""")
    assert [(r["m"], r["year"]) for r in found] == [(f"{B}id/membership/jp/sapporo/media-arts",
                                                     "2013")]


def test_exactly_four_commitments_positions_one_to_four(any_build: Build) -> None:
    found = rows(any_build, f"""SELECT ?c ?pos WHERE {{ ?c a ccg:Commitment ;
        ccg:commitmentOf {SAPPORO} ; ccg:field <{B}id/field/media-arts> ; ccg:position ?pos }}
        ORDER BY ?pos""")
    assert [int(r["pos"]) for r in found] == [1, 2, 3, 4]
    assert [r["c"] for r in found] == [f"{B}id/commitment/jp/sapporo/media-arts/{n}"
                                       for n in range(1, 5)]


def test_commitment_texts_are_the_pledges_of_the_source(seed: Build, seed_profile: Path) -> None:
    source = seed_profile.read_text(encoding="utf-8")
    found = rows(seed, f"""SELECT ?pos ?text WHERE {{ ?c ccg:commitmentOf {SAPPORO} ;
        ccg:position ?pos ; schema:text ?text }} ORDER BY ?pos""")
    assert len(found) == 4
    bullets = [part for part in source.split("•")[1:]]
    for row, bullet in zip(found, bullets, strict=True):
        text = row["text"]
        assert text and text in bullet, f"pledge {row['pos']} is not the text of its bullet"
        # the pledge is the whole item, less the list separators around it
        rest = bullet.replace(text, "", 1).split("Member since")[0].strip().strip(";.").strip()
        assert rest in ("", "and", "; and"), rest
    assert "tourism" in found[3]["text"]


def test_bare_build_has_no_pledge_text_and_no_evidence(bare_build: Path) -> None:
    build = open_build(bare_build)
    assert not ask(build, "ASK { ?c a ccg:Commitment ; schema:text ?t }")
    assert not ask(build, "ASK { ?x ccg:evidence ?e }")
    assert not ask(build, "ASK { ?d a ccg:ProfileDocument }")


def test_pledge_four_is_about_tourism(any_build: Build) -> None:
    assert ask(any_build, f"""ASK {{ <{B}id/commitment/jp/sapporo/media-arts/4>
        ccg:theme <{B}id/theme/tourism> }}""")


def test_facilities_located_in_sapporo_museum_inside_park(any_build: Build) -> None:
    found = {r["label"] for r in rows(any_build, f"""SELECT ?label WHERE {{
        ?f a ccg:Facility ; ccg:locatedIn {SAPPORO} ; rdfs:label ?label .
        FILTER(lang(?label) = "en") }}""")}
    assert {"Sapporo Art Park", "Sapporo Art Museum"} <= found
    assert any("Kitara" in label for label in found)
    assert ask(any_build, """ASK { ?museum a ccg:Facility ; rdfs:label "Sapporo Art Museum"@en ;
        schema:containedInPlace ?park . ?park rdfs:label "Sapporo Art Park"@en }""")


def test_hatsune_miku_originated_in_sapporo(any_build: Build) -> None:
    assert ask(any_build, f"""ASK {{ <{B}id/work/hatsune-miku> a ccg:CreativeWork ;
        rdfs:label "初音ミク"@ja ; ccg:originatedIn {SAPPORO} }}""")


def test_industries_include_cgm_and_ugc(any_build: Build) -> None:
    found = {r["i"] for r in rows(any_build, f"""SELECT ?i WHERE {{
        {SAPPORO} ccg:industry ?i . ?i a ccg:Industry }}""")}
    assert {f"{B}id/industry/cgm", f"{B}id/industry/ugc"} <= found


def test_contact_point_carries_the_profile_email(any_build: Build) -> None:
    found = rows(any_build, f"""SELECT ?email WHERE {{ {SAPPORO} ccg:contactPoint ?c .
        ?c a schema:ContactPoint ; schema:email ?email }}""")
    assert {r["email"] for r in found} == {"creativecity@city.sapporo.jp"}


def test_profile_document_has_text_hash_and_url(seed: Build, seed_profile: Path) -> None:
    import hashlib

    text = seed_profile.read_text(encoding="utf-8")
    found = rows(seed, f"""SELECT ?text ?sha WHERE {{
        <{B}id/profile/jp/sapporo/media-arts> a ccg:ProfileDocument ; schema:text ?text ;
        ccg:sha256 ?sha ; ccg:describes {SAPPORO} }}""")
    assert len(found) == 1
    assert found[0]["text"] == text
    assert found[0]["sha"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_every_evidence_quote_equals_its_span_of_the_source(seed: Build,
                                                           seed_profile: Path) -> None:
    text = seed_profile.read_text(encoding="utf-8")
    found = rows(seed, """SELECT ?ev ?start ?end ?exact WHERE {
        ?x ccg:evidence ?ev . ?ev a oa:SpecificResource ; oa:hasSource ?doc ;
           oa:hasSelector ?p, ?q . ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }""")
    assert len({r["ev"] for r in found}) >= 10
    for r in found:
        Span(int(r["start"]), int(r["end"]), r["exact"]).check(text)


def test_every_extracted_resource_has_provenance(seed: Build) -> None:
    # commitments, the membership, the contact point, and the curated facilities named
    # in the profile all point at the profile document and at a span of it
    for resource in [f"{B}id/commitment/jp/sapporo/media-arts/{n}" for n in range(1, 5)] + [
            f"{B}id/membership/jp/sapporo/media-arts", f"{B}id/contact/jp/sapporo/media-arts",
            f"{B}id/work/hatsune-miku", f"{B}id/facility/jp/sapporo/sapporo-art-park"]:
        assert ask(seed, f"""ASK {{ <{resource}> prov:wasDerivedFrom
            <{B}id/profile/jp/sapporo/media-arts> ; ccg:evidence ?ev }}"""), resource


def test_curated_and_extracted_meet_on_one_iri(seed: Build) -> None:
    # the curated summary and the extracted text sit on the same commitment, in two graphs
    found = rows(seed, f"""SELECT ?g WHERE {{ GRAPH ?g {{
        <{B}id/commitment/jp/sapporo/media-arts/1> ?p ?o }} }} GROUP BY ?g""")
    graphs = {r["g"] for r in found}
    assert {f"{B}graph/curated", f"{B}graph/profile/jp/sapporo/media-arts"} <= graphs
    assert ask(seed, f"""ASK {{ <{B}id/commitment/jp/sapporo/media-arts/1>
        ccg:summary ?s ; schema:text ?t }}""")
    kitara = rows(seed, f"""SELECT DISTINCT ?f WHERE {{ ?f a ccg:Facility ;
        ccg:locatedIn {SAPPORO} ; rdfs:label ?l . FILTER(CONTAINS(?l, "Kitara")) }}""")
    assert len(kitara) == 1, "Kitara must not be duplicated by extraction"


def test_default_graph_is_the_union_of_named_graphs(seed: Build) -> None:
    named = rows(seed, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(named[0]["n"]) == seed.meta.quads
    for graph in ("ontology", "vocab", "curated", "members"):
        assert f"{B}graph/{graph}" in seed.meta.graphs


def test_blank_nodes_are_the_same_nodes_in_named_and_default_graphs(seed: Build) -> None:
    # every evidence selector (a blank node) seen in its profile graph is found, with the
    # same label, in the union default graph
    found = rows(seed, """SELECT (COUNT(*) AS ?n) WHERE {
        GRAPH ?g { ?ev oa:hasSelector ?sel . ?sel oa:start ?start }
        FILTER NOT EXISTS { ?sel oa:start ?start } }""")
    assert found[0]["n"] == "0"
    assert ask(seed, "ASK { GRAPH ?g { ?ev oa:hasSelector ?sel } ?sel a oa:TextPositionSelector }")


def test_seed_document_carries_its_web_address(seed: Build) -> None:
    assert ask(seed, f"""ASK {{ <{B}id/profile/jp/sapporo/media-arts>
        schema:url <https://en.unesco.org/creative-cities/sapporo> }}""")
