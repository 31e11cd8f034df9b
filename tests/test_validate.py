"""The validate stage: reports, datasets validated as one union, source files, speed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from ccgraph import iris
from ccgraph.namespaces import CCG, OA, ORG, PROV, SCHEMA, SKOS
from ccgraph.validate import Report, load_shapes, validate

SHAPES_EXAMPLES = Path(__file__).resolve().parent / "shapes"
CORE = SHAPES_EXAMPLES / "valid" / "core.ttl"
SAPPORO = iris.city("jp", "Sapporo")
MEDIA_ARTS = iris.field("media-arts")
TOURISM = iris.theme("tourism")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def core() -> Graph:
    return Graph().parse(CORE, format="turtle")


def commitment(g: Graph, n: int, position: int, city: URIRef = SAPPORO) -> URIRef:
    c = iris.commitment("jp", "Sapporo", "media-arts", n)
    g.add((c, RDF.type, CCG.Commitment))
    g.add((c, RDFS.label, Literal(f"Sapporo, Media Arts, pledge {n}", lang="en")))
    g.add((c, CCG.commitmentOf, city))
    g.add((c, CCG.field, MEDIA_ARTS))
    g.add((c, CCG.position, Literal(position)))
    g.add((c, CCG.theme, TOURISM))
    return c


def test_importing_never_loads_pyshacl() -> None:
    code = "import sys, ccgraph, ccgraph.validate; sys.exit('pyshacl' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_core_conforms(shapes: Graph) -> None:
    report = validate(core(), shapes)
    assert report.conforms and report.results == [] and report.violations == []
    assert "conforms" in report.text()


def test_text_report_names_focus_path_message_shape(shapes: Graph) -> None:
    g = core()
    c = commitment(g, 1, 1)
    g.remove((c, CCG.field, None))
    report = validate(g, shapes)
    assert not report.conforms
    [result] = report.violations
    assert result.focus == c and result.path == CCG.field
    assert result.component == SH.MinCountConstraintComponent
    assert result.shape == URIRef("https://w3id.org/ccgraph/shapes#CommitmentShape-field")
    text = report.text()
    assert "DOES NOT CONFORM" in text
    assert str(c) in text  # focus
    assert "ccg:field" in text  # path
    assert "exactly one ccg:field" in text  # the shape's message
    assert "ccgsh:CommitmentShape-field" in text  # shape
    assert report.keys() == {(c, CCG.field, SH.MinCountConstraintComponent)}


def test_warnings_do_not_break_conformance(shapes: Graph) -> None:
    g = core()
    c = commitment(g, 1, 1)
    g.remove((c, CCG.theme, None))
    report = validate(g, shapes)
    assert report.conforms
    assert [r.severity for r in report.results] == ["Warning"]
    assert report.warnings == report.results and report.violations == []
    assert "Warning:" in report.text()


def test_json_and_turtle_reports(shapes: Graph) -> None:
    g = core()
    c = commitment(g, 1, 0)
    report = validate(g, shapes)
    data = json.loads(report.to_json())
    assert isinstance(data, list) and len(data) == 1
    [item] = data
    assert item["focus"] == c.n3()
    assert item["path"] == CCG.position.n3()
    assert item["severity"] == "Violation"
    assert item["component"] == SH.MinInclusiveConstraintComponent.n3()
    assert item["value"] == Literal(0).n3()
    assert item["message"]
    turtle = Graph().parse(data=report.to_turtle(), format="turtle")
    assert (None, RDF.type, SH.ValidationReport) in turtle
    assert (None, SH.focusNode, c) in turtle


def split_dataset() -> tuple[Dataset, URIRef, URIRef]:
    """Members graph: the core. Two profile graphs, each with a pledge at position 1."""
    ds = Dataset()
    members = ds.graph(iris.graph("members"))
    members += core()
    first = ds.graph(iris.profile_graph("jp", "Sapporo", "media-arts"))
    second = ds.graph(iris.graph("curated"))
    a = commitment(first, 1, 1)
    b = commitment(second, 2, 1)
    return ds, a, b


def test_dataset_is_validated_as_one_union(shapes: Graph) -> None:
    ds, a, b = split_dataset()
    # Each graph alone is blind: the pledges' city and field live in the members graph,
    # and neither graph holds both pledges.
    alone = validate(ds.graph(iris.graph("curated")), shapes)
    assert {r.component for r in alone.violations} == {SH.ClassConstraintComponent}
    report = validate(ds, shapes)
    assert not report.conforms
    assert {(r.focus, r.component) for r in report.results} == {
        (a, SH.SPARQLConstraintComponent), (b, SH.SPARQLConstraintComponent)}


def test_results_name_their_source_files(shapes: Graph) -> None:
    ds, a, b = split_dataset()
    profile_graph = iris.profile_graph("jp", "Sapporo", "media-arts")
    names = {profile_graph: "sapporo-profile.txt", iris.graph("curated"): "data/curated/extra.ttl"}
    report = validate(ds, shapes, sources=names)
    by_focus = {r.focus: r for r in report.results}
    assert by_focus[a].sources == ["sapporo-profile.txt"]
    assert by_focus[b].sources == ["data/curated/extra.ttl"]
    assert "source:     sapporo-profile.txt" in report.text()
    # A focus node described in two graphs lists both; unnamed graphs show their IRI.
    ds.graph(iris.graph("members")).add((a, RDFS.comment, Literal("also here", lang="en")))
    report = validate(ds, shapes, sources=names)
    assert {r.focus: r for r in report.results}[a].sources == sorted(
        ["sapporo-profile.txt", str(iris.graph("members"))])


def test_load_shapes_from_a_directory(tmp_path: Path, shapes: Graph) -> None:
    assert len(shapes) > 100
    (tmp_path / "one.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ;"
        " sh:minCount 1 ] .\n", encoding="utf-8")
    mine = load_shapes(tmp_path)
    g = Graph()
    g.add((URIRef("urn:x"), RDF.type, URIRef("urn:C")))
    assert validate(g, mine).keys() == {
        (URIRef("urn:x"), URIRef("urn:p"), SH.MinCountConstraintComponent)}
    with pytest.raises(FileNotFoundError):
        load_shapes(tmp_path / "nothing-here")


def test_broken_shapes_raise_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:sparql [ sh:message \"m\" ;"
        " sh:select \"SELECT $this WHERE { VALUES ?x { 1 } }\" ] .\n", encoding="utf-8")
    g = Graph()
    g.add((URIRef("urn:x"), RDF.type, URIRef("urn:C")))
    with pytest.raises(ValueError, match="shapes cannot be applied"):
        validate(g, load_shapes(tmp_path))


# --- Scale: a synthetic network the size of the real one ----------------------------------

WORDS = ["studio", "festival", "archive", "youth", "network", "screen", "sound", "light",
         "winter", "harbour", "market", "craft", "lab", "residency", "workshop", "exchange",
         "mentor", "forum", "museum", "park"]


def synthetic_network(cities: int = 400, documents: int = 350,
                      pledges_per_document: int = 4) -> tuple[Dataset, dict[URIRef, BNode]]:
    """Cities with memberships; profile documents of ~3000 characters with evidenced pledges.
    Returns the dataset and, for each evidence span, its quote selector."""
    ds = Dataset()
    members = ds.graph(iris.graph("members"))
    members += core()
    countries = ["it", "fr", "br", "mx", "de"]
    for cc in countries:
        country = iris.country(cc)
        members.add((country, RDF.type, SCHEMA.Country))
        members.add((country, RDFS.label, Literal(cc.upper(), lang="en")))
        members.add((country, CCG.countryCode, Literal(cc.upper())))
    spans: dict[URIRef, BNode] = {}
    for i in range(cities):
        cc = countries[i % len(countries)]
        name = f"city {i}"
        city, m = iris.city(cc, name), iris.membership(cc, name, "media-arts")
        members.add((city, RDF.type, CCG.CreativeCity))
        members.add((city, RDFS.label, Literal(f"City {i}", lang="en")))
        members.add((city, CCG.countryCode, Literal(cc.upper())))
        members.add((city, SCHEMA.containedInPlace, iris.country(cc)))
        members.add((city, CCG.membership, m))
        members.add((m, RDF.type, CCG.Membership))
        members.add((m, RDFS.label, Literal(f"City {i}, Media Arts", lang="en")))
        members.add((m, ORG.member, city))
        members.add((m, ORG.organization, iris.network()))
        members.add((m, CCG.field, MEDIA_ARTS))
        members.add((m, CCG.yearDesignated, Literal(str(2004 + i % 20), datatype=XSD.gYear)))
        if i >= documents:
            continue
        g = ds.graph(iris.profile_graph(cc, name, "media-arts"))
        doc = iris.profile(cc, name, "media-arts")
        sentences = [" ".join(WORDS[(i + k + j) % len(WORDS)] for j in range(12)) + "."
                     for k in range(40)]
        text = "\n".join(sentences)  # about 3000 characters
        g.add((doc, RDF.type, CCG.ProfileDocument))
        g.add((doc, RDFS.label, Literal(f"Profile of City {i}", lang="en")))
        g.add((doc, SCHEMA.text, Literal(text)))
        g.add((doc, CCG.sha256, Literal(hashlib.sha256(text.encode("utf-8")).hexdigest())))
        g.add((doc, CCG.describes, city))
        for n in range(1, pledges_per_document + 1 + (i % 4 == 0)):  # ~1500 pledges in all
            quote = sentences[n * 3]
            start = text.index(quote)
            span = iris.evidence(doc, start, start + len(quote))
            c = iris.commitment(cc, name, "media-arts", n)
            for s, p, o in [
                (c, RDF.type, CCG.Commitment), (c, RDFS.label, Literal(f"pledge {n}", lang="en")),
                (c, CCG.commitmentOf, city), (c, CCG.field, MEDIA_ARTS),
                (c, CCG.position, Literal(n)), (c, CCG.theme, TOURISM),
                (c, SCHEMA.text, Literal(quote, lang="en")), (c, PROV.wasDerivedFrom, doc),
                (c, CCG.evidence, span), (span, RDF.type, OA.SpecificResource),
                (span, OA.hasSource, doc),
            ]:
                g.add((s, p, o))
            pos, quo = BNode(), BNode()
            g.add((span, OA.hasSelector, pos))
            g.add((span, OA.hasSelector, quo))
            g.add((pos, RDF.type, OA.TextPositionSelector))
            g.add((pos, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
            g.add((pos, OA.end, Literal(start + len(quote), datatype=XSD.nonNegativeInteger)))
            g.add((quo, RDF.type, OA.TextQuoteSelector))
            g.add((quo, OA.exact, Literal(quote)))
            spans[span] = quo
    # Sanity: the concept the members link to is typed (it is in the core).
    assert (MEDIA_ARTS, RDF.type, SKOS.Concept) in members
    return ds, spans


@pytest.mark.slow
def test_whole_network_validates_quickly_and_finds_one_bad_quote(shapes: Graph) -> None:
    ds, spans = synthetic_network()
    triples = sum(1 for _ in ds.quads((None, None, None, None)))
    started = time.perf_counter()
    report: Report = validate(ds, shapes)
    clean = time.perf_counter() - started
    assert report.results == [], report.text()[:2000]

    bad = list(spans)[len(spans) // 2]
    profile_graph = next(g for g in ds.graphs() if (bad, RDF.type, OA.SpecificResource) in g)
    quote = spans[bad]
    profile_graph.set((quote, OA.exact, Literal("not what the document says")))
    started = time.perf_counter()
    report = validate(ds, shapes, sources={profile_graph.identifier: "profile.txt"})
    broken = time.perf_counter() - started
    assert [(r.focus, r.shape) for r in report.results] == [
        (bad, URIRef("https://w3id.org/ccgraph/shapes#EvidenceQuoteShape"))]
    assert report.results[0].sources == ["profile.txt"]
    print(f"\nvalidate: 400 cities, {len(spans)} pledges, {triples} quads:"
          f" {clean:.2f}s clean, {broken:.2f}s with one bad quote")
