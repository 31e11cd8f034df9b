"""The curated Turtle of Sapporo: it parses, answers researchers' questions, uses minted IRIs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from ccgraph import iris
from ccgraph.namespaces import CCG, PREFIXES

CURATED = Path(__file__).resolve().parents[1] / "data" / "curated" / "sapporo.ttl"
B = iris.DEFAULT_BASE
SAPPORO = URIRef(B + "id/city/jp/sapporo")
PREAMBLE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@pytest.fixture(scope="module")
def g() -> Graph:
    return Graph().parse(CURATED, format="turtle")


def rows(g: Graph, query: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in g.query(PREAMBLE + query)]  # type: ignore[arg-type]


def ask(g: Graph, query: str) -> bool:
    return bool(g.query(PREAMBLE + query).askAnswer)


def test_sapporo_labels_country_and_membership(g: Graph) -> None:
    labels = rows(g, """SELECT ?l WHERE { ?c a ccg:CreativeCity ; ccg:countryCode "JP" ;
                         rdfs:label ?l }""")
    assert {row[0] for row in labels} == {Literal("Sapporo", lang="en"),
                                          Literal("札幌市", lang="ja")}
    found = rows(g, """SELECT ?city ?year WHERE {
        ?m a ccg:Membership ; org:member ?city ; org:organization ?net ;
           ccg:field ?f ; ccg:yearDesignated ?year ; dcterms:source ?src .
        ?city ccg:membership ?m ; schema:containedInPlace ?country .
        ?country ccg:countryCode "JP" .
        FILTER(STRENDS(STR(?f), "/id/field/media-arts") && STRENDS(STR(?net), "/id/org/uccn")) }""")
    assert {(c, y) for c, y in found} == {(SAPPORO, Literal("2013", datatype=XSD.gYear))}


def test_four_pledges_each_with_a_summary_and_themes(g: Graph) -> None:
    found = rows(g, """SELECT ?pos ?summary (COUNT(DISTINCT ?t) AS ?themes) WHERE {
        ?c a ccg:Commitment ; ccg:commitmentOf ?city ; ccg:position ?pos ;
           ccg:summary ?summary ; ccg:theme ?t ; ccg:field ?f .
        ?city rdfs:label "Sapporo"@en .
        FILTER(LANG(?summary) = "en") } GROUP BY ?pos ?summary ORDER BY ?pos""")
    assert [int(str(row[0])) for row in found] == [1, 2, 3, 4]
    assert all(len(str(row[1]).split()) >= 5 for row in found)
    tourism = rows(g, """SELECT ?pos WHERE { ?c ccg:position ?pos ; ccg:theme ?t .
        FILTER(STRENDS(STR(?t), "/id/theme/tourism")) }""")
    assert [int(str(row[0])) for row in tourism] == [4]
    assert not rows(g, "SELECT ?c WHERE { ?c a ccg:Commitment ; schema:text ?t }")


def test_the_pledge_iris_are_minted(g: Graph) -> None:
    pledges = set(g.subjects(predicate=CCG.position))
    assert pledges == {iris.commitment("JP", "Sapporo", "media-arts", n) for n in range(1, 5)}


def test_facilities_are_in_sapporo_and_the_museum_in_the_park(g: Graph) -> None:
    found = rows(g, """SELECT ?label ?type WHERE {
        ?f a ccg:Facility, ?type ; ccg:locatedIn ?city ; rdfs:label ?label .
        ?city rdfs:label "Sapporo"@en .
        FILTER(LANG(?label) = "en" && ?type != ccg:Facility) }""")
    assert {(str(label), t) for label, t in found} >= {
        ("Sapporo Concert Hall Kitara", URIRef("http://schema.org/MusicVenue")),
        ("Sapporo Art Park", URIRef("http://schema.org/Park")),
        ("Sapporo Art Museum", URIRef("http://schema.org/Museum")),
    }
    assert ask(g, """ASK { ?m rdfs:label "Sapporo Art Museum"@en ;
                            schema:containedInPlace ?p . ?p rdfs:label "Sapporo Art Park"@en }""")
    kitara = rows(g, """SELECT ?seats ?opened WHERE {
        ?k rdfs:label "札幌コンサートホール Kitara"@ja ;
           schema:maximumAttendeeCapacity ?seats ; schema:foundingDate ?opened ;
        ccg:operatedBy ?op . ?op rdfs:label "Sapporo City Arts Foundation"@en }""")
    assert [(int(str(s)), str(o)) for s, o in kitara] == [(2008, "1997-07-04")]


def test_hatsune_miku_originated_in_sapporo(g: Graph) -> None:
    found = rows(g, """SELECT ?maker WHERE { ?w a ccg:CreativeWork ; rdfs:label "初音ミク"@ja ;
        ccg:originatedIn ?city ; schema:creator ?c ; schema:datePublished ?d .
        ?c rdfs:label ?maker ; ccg:basedIn ?city . ?city ccg:countryCode "JP" .
        FILTER(LANG(?maker) = "en" && STR(?d) = "2007-08-31") }""")
    assert [str(row[0]) for row in found] == ["Crypton Future Media, Inc."]


def test_industries_contact_and_report(g: Graph) -> None:
    industries = {str(row[0]).rsplit("/", 1)[1] for row in rows(
        g, "SELECT ?i WHERE { ?c a ccg:CreativeCity ; ccg:industry ?i }")}
    assert {"cgm", "ugc"} <= industries
    assert len(industries) == 6
    email = rows(g, """SELECT ?e WHERE { ?c a ccg:CreativeCity ; ccg:contactPoint ?p .
                        ?p a schema:ContactPoint ; schema:email ?e ; schema:name ?n }""")
    assert [str(row[0]) for row in email] == ["creativecity@city.sapporo.jp"]
    report = rows(g, """SELECT ?y WHERE { ?c ccg:monitoringReport ?r .
                         ?r a ccg:MonitoringReport ; ccg:year ?y }""")
    assert report == [(Literal("2017", datatype=XSD.gYear),)]


def test_creator_communities_are_based_in_sapporo(g: Graph) -> None:
    found = rows(g, """SELECT ?c WHERE { ?c a ccg:Creator, ccg:CreatorCommunity ;
                        ccg:basedIn ?city ; rdfs:label ?l . ?city rdfs:label "Sapporo"@en }""")
    assert len(found) == 5


def test_every_resource_has_an_english_label(g: Graph) -> None:
    unlabelled = rows(g, """SELECT DISTINCT ?s WHERE { ?s a ?type .
        FILTER(isIRI(?s)) FILTER NOT EXISTS { ?s rdfs:label ?l FILTER(LANG(?l) = "en") } }""")
    assert unlabelled == []


def test_no_build_only_provenance_and_no_unverified_sameas(g: Graph) -> None:
    assert not list(g.triples((None, CCG.evidence, None)))
    assert not list(g.triples((None, PROV.wasDerivedFrom, None)))
    assert not rows(g, "SELECT ?s WHERE { ?s owl:sameAs ?o }")
    assert not ask(g, "ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), '/id/profile/')) }")


_MINTERS: dict[str, tuple[int, Callable[..., URIRef]]] = {
    "city": (2, iris.city),
    "country": (1, iris.country),
    "membership": (3, iris.membership),
    "commitment": (4, lambda cc, name, f, n: iris.commitment(cc, name, f, int(n))),
    "facility": (3, iris.facility),
    "event": (3, iris.event),
    "creator": (1, iris.creator),
    "work": (1, iris.work),
    "field": (1, iris.field),
    "industry": (1, iris.industry),
    "theme": (1, iris.theme),
    "contact": (3, iris.contact),
    "report": (4, lambda cc, name, f, y: iris.report(cc, name, f, int(y))),
    "org": (1, lambda name: iris.network() if name == "uccn" else URIRef("")),
}


def _minted(iri: str) -> bool:
    parts = iri[len(B):].split("/")
    if len(parts) < 3 or parts[0] != "id" or parts[1] not in _MINTERS:
        return False
    arity, mint = _MINTERS[parts[1]]
    args = parts[2:]
    if len(args) != arity:
        return False
    try:
        return str(mint(*args)) == iri
    except ValueError:
        return False


def test_every_iri_under_the_base_is_minted_by_iris(g: Graph) -> None:
    terms = {t for triple in g for t in triple if isinstance(t, URIRef)}
    ours = {str(t) for t in terms if str(t).startswith(B) and not str(t).startswith(str(CCG))}
    assert len(ours) > 30
    assert sorted(t for t in ours if not _minted(t)) == []


@pytest.mark.parametrize("iri", [B + "id/city/JP/sapporo", B + "id/city/jp/Sapporo",
                                 B + "id/facility/jp/sapporo", B + "id/thing/x"])
def test_the_iri_check_can_fail(iri: str) -> None:
    assert not _minted(iri)
