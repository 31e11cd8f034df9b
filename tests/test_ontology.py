"""The ontology: it parses, carries its metadata, and defines every ccg: term the project uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ccgraph.namespaces import CCG, OA, ORG, SCHEMA

ROOT = Path(__file__).resolve().parents[1]  # the project checkout
ONTOLOGY_FILE = ROOT / "ontology" / "ccgraph.ttl"
ONTOLOGY = URIRef("https://w3id.org/ccgraph/ontology")

_TEXT_TERM = re.compile(r"\bccg:([A-Za-z][A-Za-z0-9_]*)")
_PY_TERM = re.compile(r"\bCCG(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*[\"']([^\"']+)[\"']\s*\])")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def _ccg(name: str) -> URIRef:
    return URIRef(str(CCG) + name)


def terms_in_turtle(path: Path) -> set[URIRef]:
    graph = Graph().parse(path, format="turtle")
    found: set[URIRef] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(str(CCG)):
                found.add(term)
            elif isinstance(term, Literal):  # SPARQL in shapes
                found |= {_ccg(n) for n in _TEXT_TERM.findall(str(term))}
    return found


def terms_in_text(text: str) -> set[URIRef]:
    return {_ccg(n) for n in _TEXT_TERM.findall(text)}


def terms_in_python(text: str) -> set[URIRef]:
    found = {_ccg(a or b) for a, b in _PY_TERM.findall(text)}
    return found | terms_in_text(text)


def used_terms() -> dict[URIRef, list[str]]:
    """Every ccg: term used in data/, shapes/, src/ccgraph/ and the model docs -> where."""
    where: dict[URIRef, list[str]] = {}

    def note(terms: set[URIRef], path: Path) -> None:
        for term in terms:
            where.setdefault(term, []).append(str(path.relative_to(ROOT.parent)))

    for folder in (ROOT / "data", ROOT / "shapes"):
        for path in sorted(folder.rglob("*.ttl")):
            note(terms_in_turtle(path), path)
    for path in sorted((ROOT / "src" / "ccgraph").rglob("*.py")):
        note(terms_in_python(path.read_text(encoding="utf-8")), path)
    for path in (ROOT / "docs" / "model.md", ROOT / "docs" / "design.md"):
        if path.is_file():
            note(terms_in_text(path.read_text(encoding="utf-8")), path)
    return where


def defined_terms(onto: Graph) -> set[Node]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {s for k in kinds for s in onto.subjects(RDF.type, k)
            if isinstance(s, URIRef) and str(s).startswith(str(CCG))}


def english(onto: Graph, term: Node, prop: URIRef) -> list[Literal]:
    return [o for o in onto.objects(term, prop) if isinstance(o, Literal) and o.language == "en"]


def test_metadata(onto: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    for prop in (DCTERMS.title, DCTERMS.description):
        assert english(onto, ONTOLOGY, prop), prop
    for prop in (OWL.versionInfo, OWL.versionIRI, DCTERMS.creator, DCTERMS.modified):
        assert onto.value(ONTOLOGY, prop) is not None, prop
    assert (ONTOLOGY, DCTERMS.license,
            URIRef("https://creativecommons.org/licenses/by/4.0/")) in onto
    modified = onto.value(ONTOLOGY, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.datatype == XSD.date


def test_the_scan_finds_terms() -> None:
    """Guard the guard: the scanners do see the terms they look for."""
    assert terms_in_python("g.add((c, CCG.countryCode, x)); CCG['yearDesignated']") == {
        _ccg("countryCode"), _ccg("yearDesignated")}
    used = used_terms()
    assert _ccg("CreativeCity") in used and _ccg("evidence") in used
    assert _ccg("keywordPattern") in used  # from the shapes' SPARQL or the themes


def test_every_used_term_is_defined(onto: Graph) -> None:
    defined = defined_terms(onto)
    missing = {str(t): places for t, places in used_terms().items() if t not in defined}
    assert not missing, f"ccg: terms used but not defined in the ontology: {missing}"


def test_every_term_has_english_label_and_comment(onto: Graph) -> None:
    for term in defined_terms(onto):
        assert len(english(onto, term, RDFS.label)) == 1, f"{term}: one rdfs:label@en"
        assert english(onto, term, RDFS.comment), f"{term}: rdfs:comment@en"
        assert (term, RDFS.isDefinedBy, ONTOLOGY) in onto, term


def test_properties_have_domain_and_range(onto: Graph) -> None:
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in onto.subjects(RDF.type, kind):
            assert onto.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
            rng = onto.value(prop, RDFS.range)
            assert rng is not None, f"{prop} has no rdfs:range"
            if kind == OWL.DatatypeProperty:
                assert rng == RDFS.Literal or str(rng).startswith((str(XSD), str(RDF))), (
                    f"{prop}: datatype range")
            else:
                assert not str(rng).startswith(str(XSD)), f"{prop}: object range"


def test_core_terms_of_the_design_are_there(onto: Graph) -> None:
    classes = ["CreativeCity", "Membership", "CreativeField", "Commitment", "Facility", "Event",
               "Creator", "CreatorCommunity", "CreativeWork", "Industry", "Theme",
               "MonitoringReport", "ProfileDocument"]
    for name in classes:
        assert (_ccg(name), RDF.type, OWL.Class) in onto, name
    props = ["countryCode", "membership", "field", "yearDesignated", "commitmentOf", "position",
             "summary", "theme", "locatedIn", "operatedBy", "basedIn", "originatedIn", "industry",
             "contactPoint", "department", "monitoringReport", "year", "sha256", "describes",
             "evidence", "keywordPattern"]
    for name in props:
        assert ((_ccg(name), RDF.type, OWL.ObjectProperty) in onto
                or (_ccg(name), RDF.type, OWL.DatatypeProperty) in onto), name


@pytest.mark.parametrize(("sub", "sup"), [
    ("CreativeCity", SCHEMA.City),
    ("Membership", ORG.Membership),
    ("CreativeField", SKOS.Concept),
    ("Industry", SKOS.Concept),
    ("Theme", SKOS.Concept),
    ("Facility", SCHEMA.Place),
    ("Creator", PROV.Agent),
    ("CreativeWork", SCHEMA.CreativeWork),
    ("Event", SCHEMA.Event),
    ("ProfileDocument", SCHEMA.CreativeWork),
    ("ProfileDocument", PROV.Entity),
])
def test_class_alignments(onto: Graph, sub: str, sup: URIRef) -> None:
    assert (_ccg(sub), RDFS.subClassOf, sup) in onto


def test_evidence_is_a_web_annotation_resource(onto: Graph) -> None:
    assert (_ccg("evidence"), RDFS.range, OA.SpecificResource) in onto
    assert (_ccg("membership"), OWL.inverseOf, ORG.member) in onto


def test_the_ontology_validates_as_data() -> None:
    """Loaded into the union graph, the ontology must not trip any shape."""
    from ccgraph.validate import validate

    assert validate(Graph().parse(ONTOLOGY_FILE, format="turtle")).results == []


# --- The field and industry vocabularies -------------------------------------------------

BASE = "https://w3id.org/ccgraph/"
FIELDS_FR = {
    "crafts-and-folk-art": "Artisanat et arts populaires", "design": "Design",
    "film": "Cinéma", "gastronomy": "Gastronomie", "literature": "Littérature",
    "media-arts": "Arts numériques", "music": "Musique", "architecture": "Architecture",
}


def _vocab(name: str) -> Graph:
    return Graph().parse(ROOT / "data" / "vocab" / name, format="turtle")


def test_fields_vocabulary() -> None:
    g = _vocab("fields.ttl")
    scheme = URIRef(BASE + "id/field")
    fields = set(g.subjects(RDF.type, CCG.CreativeField))
    assert {str(f).removeprefix(BASE + "id/field/") for f in fields} == set(FIELDS_FR)
    for f in fields:
        slug = str(f).rsplit("/", 1)[1]
        assert (f, RDF.type, SKOS.Concept) in g
        assert (f, SKOS.inScheme, scheme) in g and (f, SKOS.topConceptOf, scheme) in g
        assert (scheme, SKOS.hasTopConcept, f) in g
        assert g.value(f, SKOS.notation) == Literal(slug)
        assert (f, SKOS.prefLabel, Literal(FIELDS_FR[slug], lang="fr")) in g
        assert (f, RDFS.label, Literal(FIELDS_FR[slug], lang="fr")) in g
        assert english(g, f, SKOS.prefLabel) and english(g, f, RDFS.label)
        assert english(g, f, SKOS.definition)
    assert (URIRef(BASE + "id/field/media-arts"), SKOS.prefLabel,
            Literal("Media Arts", lang="en")) in g


def test_industries_vocabulary() -> None:
    g = _vocab("industries.ttl")
    scheme = URIRef(BASE + "id/industry")
    required = {"cgm", "ugc", "social-and-mobile-media", "digital-content", "ict",
                "citizen-generated-media"}
    concepts = set(g.subjects(RDF.type, CCG.Industry))
    assert required <= {str(c).removeprefix(BASE + "id/industry/") for c in concepts}
    for c in concepts:
        assert (c, RDF.type, SKOS.Concept) in g
        assert (c, SKOS.inScheme, scheme) in g and (c, SKOS.topConceptOf, scheme) in g
        assert english(g, c, SKOS.prefLabel) and english(g, c, RDFS.label)
        assert english(g, c, SKOS.definition)
        assert g.value(c, SKOS.notation) == Literal(str(c).rsplit("/", 1)[1])


def test_vocabulary_iris_match_the_minting_module() -> None:
    from ccgraph import iris

    g = _vocab("fields.ttl") + _vocab("industries.ttl")
    for c in g.subjects(RDF.type, SKOS.Concept):
        kind, slug = str(c).removeprefix(BASE + "id/").split("/")
        assert c == (iris.field(slug) if kind == "field" else iris.industry(slug))
