"""The SHACL shapes, checked against example graphs.

Every file under tests/shapes/valid/ must validate with no result at all; every file under
tests/shapes/invalid/ states its expected outcome as triples in the test namespace::

    [] a ex:Expectation ; ex:focus <node> ; ex:shape ccgsh:SomeShape ;
       ex:component sh:MinCountConstraintComponent ; ex:severity sh:Warning .  # default Violation

and must yield exactly that set of (focus, shape, component, severity). Each example is
validated together with valid/core.ttl, a small complete network (Sapporo, Bologna, their
countries, memberships, fields and the network) that the examples link to.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from ccgraph import shipped
from ccgraph.namespaces import CCG
from ccgraph.validate import Report, load_shapes, validate

EX = Namespace("https://w3id.org/ccgraph/test#")
CCGSH = Namespace("https://w3id.org/ccgraph/shapes#")
B = "https://w3id.org/ccgraph/"

HERE = Path(__file__).resolve().parent / "shapes"
CORE = HERE / "valid" / "core.ttl"
VALID = sorted((HERE / "valid").glob("*.ttl"))
INVALID = sorted((HERE / "invalid").glob("*.ttl"))

Key = tuple[Node, Node, Node, Node]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def load_example(path: Path) -> tuple[Graph, set[Key]]:
    """The example merged with the core, minus its expectation triples; and the expectations."""
    graph = Graph()
    graph.parse(CORE, format="turtle")
    if path != CORE:
        graph.parse(path, format="turtle")
    expected: set[Key] = set()
    for node in list(graph.subjects(RDF.type, EX.Expectation)):
        focus = graph.value(node, EX.focus)
        shape = graph.value(node, EX.shape)
        component = graph.value(node, EX.component)
        severity = graph.value(node, EX.severity, default=SH.Violation)
        assert focus is not None and shape is not None and component is not None, (
            f"{path.name}: incomplete expectation")
        expected.add((focus, shape, component, severity))
        graph.remove((node, None, None))
    leftovers = [t for t in graph if any(str(x).startswith(str(EX)) for x in t)]
    assert not leftovers, f"{path.name}: stray test-namespace triples {leftovers}"
    return graph, expected


def outcome(report: Report) -> set[Key]:
    return {(r.focus, r.shape, r.component, SH[r.severity]) for r in report.results}


def kebab(shape: URIRef) -> str:
    """ccgsh:CityLocalLabelShape -> city-local-label."""
    name = str(shape).rsplit("#", 1)[1].removesuffix("Shape")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def named(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1]


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
@pytest.mark.slow  # one pyshacl run per example: 90 of them, 40-90 s in all (CONTRIBUTING.md)
def test_valid_example_has_no_results(path: Path, shapes: Graph) -> None:
    graph, expected = load_example(path)
    assert not expected, f"{path.name} is a valid example but states expectations"
    report = validate(graph, shapes)
    assert report.conforms, report.text()
    assert report.results == [], report.text()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
@pytest.mark.slow  # one pyshacl run per example: 90 of them, 40-90 s in all (CONTRIBUTING.md)
def test_invalid_example_yields_exactly_the_expected_results(path: Path, shapes: Graph) -> None:
    graph, expected = load_example(path)
    assert expected, f"{path.name} states no expected outcome"
    report = validate(graph, shapes)
    actual = outcome(report)
    missing = {(named(f), named(s), named(c), named(v)) for f, s, c, v in expected - actual}
    extra = {(named(f), named(s), named(c), named(v)) for f, s, c, v in actual - expected}
    assert actual == expected, f"missing: {missing}\nunexpected: {extra}\n{report.text()}"
    if any(sev == SH.Violation for *_, sev in expected):
        assert not report.conforms


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_explains_each_faulty_node(path: Path) -> None:
    graph, expected = load_example(path)
    for focus, *_ in expected:
        comments = [c for c in graph.objects(focus, RDFS.comment) if isinstance(c, Literal)]
        assert comments, f"{path.name}: faulty node {focus} carries no rdfs:comment saying why"


def node_shapes(shapes: Graph) -> list[URIRef]:
    return sorted(s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def test_every_node_shape_has_valid_and_invalid_examples(shapes: Graph) -> None:
    valid = {p.stem for p in VALID}
    invalid = {p.stem for p in INVALID}
    for shape in node_shapes(shapes):
        name = kebab(shape)
        assert name in valid, f"no tests/shapes/valid/{name}.ttl for {shape}"
        assert any(stem.startswith(name + "-") for stem in invalid), (
            f"no tests/shapes/invalid/{name}-*.ttl for {shape}")


def test_every_named_shape_is_exercised_by_an_invalid_example(shapes: Graph) -> None:
    """Each property shape, and each node shape with node-level constraints, fails somewhere."""
    exercised: set[Node] = set()
    for path in INVALID:
        _graph, expected = load_example(path)
        exercised |= {shape for _f, shape, _c, _s in expected}
    node_level = (SH.pattern, SH["class"], SH.sparql)
    must = {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    must |= {s for s in node_shapes(shapes) if any((s, p, None) in shapes for p in node_level)}
    assert must - exercised == set()


def test_every_shape_speaks_to_curators(shapes: Graph) -> None:
    for shape in node_shapes(shapes):
        assert shapes.value(shape, SH.name) is not None, f"{shape} has no sh:name"
        assert str(shape).startswith(str(CCGSH))
        if (shape, SH.sparql, None) in shapes:  # the constraint's own message says it all
            assert shapes.value(shape, SH.message) is None, f"{shape}: two messages per result"
        else:
            assert shapes.value(shape, SH.message) is not None, f"{shape} has no sh:message"
    for shape in shapes.subjects(RDF.type, SH.PropertyShape):
        assert shapes.value(shape, SH.name) is not None, f"{shape} has no sh:name"
        assert shapes.value(shape, SH.message) is not None, f"{shape} has no sh:message"
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None


def test_shapes_are_targeted(shapes: Graph) -> None:
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
    for shape in node_shapes(shapes):
        assert any((shape, t, None) in shapes for t in targets), f"{shape} has no target"


def test_sparql_targets_are_filters_of_their_constraints(shapes: Graph) -> None:
    """A SPARQL target only narrows the work: the constraint alone decides. Check on the
    invalid example that the constraint without the target flags the same nodes."""
    path = HERE / "invalid" / "membership-year-out-of-range.ttl"
    graph, expected = load_example(path)
    broad = Graph()
    for t in shapes:
        broad.add(t)
    shape = CCGSH.MembershipYearShape
    for target in list(broad.objects(shape, SH.target)):
        broad.remove((shape, SH.target, target))
    broad.add((shape, SH.targetClass, CCG.Membership))
    report = validate(graph, broad)
    assert outcome(report) == expected


def membership(year: str, datatype: URIRef = XSD.gYear) -> Graph:
    graph, _ = load_example(CORE)
    m = URIRef(B + "id/membership/it/bologna/music")
    graph.set((m, CCG.yearDesignated, Literal(year, datatype=datatype)))
    return graph


def test_current_year_is_accepted_and_next_year_is_not(shapes: Graph) -> None:
    this_year = datetime.date.today().year
    assert validate(membership(str(this_year)), shapes).results == []
    report = validate(membership(str(this_year + 1)), shapes)
    assert {(named(r.shape), named(r.component)) for r in report.results} == {
        ("MembershipYearShape", "SPARQLConstraintComponent")}
    assert str(this_year + 1) in report.results[0].message


def test_year_with_timezone_is_read(shapes: Graph) -> None:
    assert validate(membership("2006Z"), shapes).results == []
    assert validate(membership("2003Z"), shapes).violations


def test_the_project_vocabularies_conform(shapes: Graph) -> None:
    graph = Graph()
    for path in sorted(shipped.vocab().glob("*.ttl")):
        graph.parse(path, format="turtle")
    graph.parse(shipped.ontology() / "ccgraph.ttl", format="turtle")
    report = validate(graph, shapes)
    assert report.results == [], report.text()


def test_blank_node_focus_survives_the_round_trip(shapes: Graph) -> None:
    graph, _ = load_example(CORE)
    selector = BNode()
    graph.add((selector, RDF.type, URIRef("http://www.w3.org/ns/oa#TextQuoteSelector")))
    report = validate(graph, shapes)
    assert [r.focus for r in report.results] == [selector]

