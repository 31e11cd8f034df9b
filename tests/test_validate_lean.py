"""pyshacl run lean (validate/lean_pass.py) reports exactly what pyshacl reports unpatched:
on every example of tests/shapes (each merged with the core, as test_shapes.py checks them)
and on graphs made to reach the patched code paths (several focus nodes sharing values,
nested shapes, a shape checked twice). The whole network is compared in
test_validate_targets.py (the build's path against pyshacl unpatched)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from ccgraph.namespaces import SH
from ccgraph.validate import load_shapes, report_graph
from ccgraph.validate.lean_pass import lean_pyshacl, patch_applies
from ccgraph.validate.pyshacl_pass import run_pyshacl
from ccgraph.validate.report import results_of

HERE = Path(__file__).resolve().parent / "shapes"
CORE = HERE / "valid" / "core.ttl"
EXAMPLES = sorted((HERE / "valid").glob("*.ttl")) + sorted((HERE / "invalid").glob("*.ttl"))
EX = Namespace("https://example.org/lean#")

Key = tuple[object, ...]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def keys(graph: Graph) -> list[Key]:
    """Every result, as a sorted list (a result reported twice counts twice)."""
    return sorted(((r.focus, r.path, r.component, r.severity, r.shape if isinstance(r.shape, URIRef)
                    else None, r.message, r.value) for r in results_of(graph)), key=repr)


def test_the_installed_pyshacl_is_patched() -> None:
    """Else every comparison here would compare pyshacl with itself (pyproject bounds
    pyshacl to the versions in PATCHED_VERSIONS)."""
    assert patch_applies()
    with lean_pyshacl() as patched:
        assert patched


def test_the_patch_is_undone_after_the_pass() -> None:
    from pyshacl import shape as shape_module
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
    from pyshacl.shapes_graph import ShapesGraph

    def patched() -> tuple[object, ...]:
        return (ShapesGraph.predicate_objects, ShapesGraph.__init__, Graph.items,
                PropertyConstraintComponent._evaluate_property_shape,
                getattr(shape_module, "CONSTRAINT_PARAMS", None))

    before = patched()
    with lean_pyshacl():
        assert all(a is not b for a, b in zip(patched(), before, strict=True))
    assert patched() == before


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_example_gets_pyshacls_own_report(path: Path, shapes: Graph) -> None:
    graph = Graph()
    graph.parse(CORE, format="turtle")
    graph.parse(path, format="turtle")
    reference = run_pyshacl(graph, shapes, True, lean=False)
    expected = keys(reference)
    lean = run_pyshacl(graph, shapes, True)
    assert keys(lean) == expected
    assert isomorphic(lean, reference)  # the report graph too (reports/validation.ttl)
    assert keys(report_graph(graph, shapes, processes=1)) == expected
    if path.parent.name == "invalid":
        assert expected, f"{path.name} reaches no shape"


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/lean#> .
ex:Thing a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property ex:Thing-name , ex:Thing-part , ex:Thing-tag .
ex:Thing-name a sh:PropertyShape ; sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ;
    sh:datatype xsd:string ; sh:pattern "^[A-Z]" .
ex:Thing-part a sh:PropertyShape ; sh:path ex:part ; sh:class ex:Part ;
    sh:node ex:PartShape .
ex:Thing-tag a sh:PropertyShape ; sh:path ex:tag ;
    sh:or ( [ sh:datatype xsd:integer ] [ sh:languageIn ( "en" ) ] ) ;
    sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ; sh:qualifiedMaxCount 1 .
ex:PartShape a sh:NodeShape ; sh:property ex:PartShape-weight .
ex:PartShape-weight a sh:PropertyShape ; sh:path ex:weight ; sh:minCount 1 ;
    sh:datatype xsd:decimal ; sh:minInclusive 0 ; sh:severity sh:Warning .
ex:Named a sh:NodeShape ; sh:targetSubjectsOf ex:name ; sh:targetClass ex:Thing ;
    sh:property ex:Thing-name .
"""


def test_shared_values_nested_shapes_and_shapes_checked_twice() -> None:
    """Many focus nodes sharing value nodes (a part of several things), a property shape
    reached from two node shapes, nested node shapes, sh:or and a qualified count: the
    report, counted result by result, is pyshacl's own."""
    shapes = Graph().parse(data=SHAPES, format="turtle")
    data = Graph()
    parts = [EX[f"part{i}"] for i in range(4)]
    for i, part in enumerate(parts):
        data.add((part, RDF.type, EX.Part))
        if i % 2:
            data.add((part, EX.weight, Literal(str(i - 2), datatype=XSD.decimal)))
    for i in range(30):
        thing = EX[f"thing{i}"] if i % 7 else BNode()
        data.add((thing, RDF.type, EX.Thing))
        if i % 5:
            data.add((thing, EX.name, Literal("Name" if i % 3 else "name")))
        if i % 11 == 0:
            data.add((thing, EX.name, Literal("Other", lang="en")))
        data.add((thing, EX.part, parts[i % 4]))
        data.add((thing, EX.part, parts[(i + 1) % 4]))
        if i % 4 == 0:
            data.add((thing, EX.part, EX.stranger))
        data.add((thing, EX.tag, Literal("a", lang="en")))
        data.add((thing, EX.tag, Literal(i)))
        if i % 3 == 0:
            data.add((thing, EX.tag, Literal("b", lang="en")))
        if i % 4 == 1:
            data.add((thing, EX.tag, Literal("c", lang="fr")))
    expected = keys(run_pyshacl(data, shapes, True, lean=False))
    components = {k[2] for k in expected}
    assert {SH.MinCountConstraintComponent, SH.PatternConstraintComponent,
            SH.DatatypeConstraintComponent, SH.ClassConstraintComponent,
            SH.NodeConstraintComponent, SH.OrConstraintComponent,
            SH.QualifiedMaxCountConstraintComponent} <= components
    assert len(expected) > len(set(expected))  # ex:Thing-name is checked twice per thing
    assert keys(run_pyshacl(data, shapes, True)) == expected
