"""Validation split over processes (validate.shape_groups) reports what one pass reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from ccgraph import iris
from ccgraph.build import assemble
from ccgraph.namespaces import CCG, RDF, RDFS, SH
from ccgraph.settings import Settings
from ccgraph.validate import Report, load_shapes, shape_groups, validate


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def keys(report: Report) -> set[tuple[object, ...]]:
    return {(r.focus, r.path, r.component, r.severity, r.shape if isinstance(r.shape, URIRef)
             else None, r.message, r.value, tuple(r.sources)) for r in report.results}


def test_groups_partition_the_node_shapes(shapes: Graph) -> None:
    tops = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    groups = shape_groups(shapes, 2)
    assert len(groups) == 2
    owned = [{s for s in g.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
             for g in groups]
    assert owned[0].isdisjoint(owned[1])
    assert owned[0] | owned[1] == tops
    for g in groups:  # each group carries the prefix declarations its SPARQL needs
        assert (URIRef("https://w3id.org/ccgraph/shapes#"), SH.declare, None) in g


def _broken(sources: list[Path]) -> tuple[Dataset, dict[URIRef, str]]:
    assembled = assemble(sources, Settings.load(environ={}))
    ds = assembled.dataset
    curated = ds.graph(iris.graph("curated", iris.DEFAULT_BASE))
    sapporo = iris.city("jp", "Sapporo")
    # violations for shapes of different groups: labels, city, membership, evidence
    for _s, _p, label, _g in list(ds.quads((sapporo, RDFS.label, None, None))):
        for g in ds.graphs():
            g.remove((sapporo, RDFS.label, label))
    curated.add((sapporo, RDFS.label, Literal("Sapporo")))
    curated.add((sapporo, CCG.countryCode, Literal("jp")))
    membership = iris.membership("jp", "Sapporo", "media-arts")
    curated.add((membership, CCG.yearDesignated, Literal("1999", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#gYear"))))
    return ds, assembled.graph_sources


@pytest.mark.slow
def test_split_and_single_pass_agree_on_a_broken_seed(shapes: Graph, seed_profile: Path) -> None:
    ds, sources = _broken([seed_profile])
    single = validate(ds, shapes, sources=sources, processes=1)
    split = validate(ds, shapes, sources=sources, processes=2)
    assert not single.conforms and not split.conforms
    assert len(single.violations) >= 3
    assert keys(split) == keys(single)
    assert len(split.results) == len(single.results)
    assert len(list(split.graph.subjects(RDF.type, SH.ValidationReport))) == 1
    assert (None, SH.conforms, Literal(False)) in split.graph


@pytest.mark.slow
def test_split_and_single_pass_agree_on_the_network(shapes: Graph, seed_profile: Path,
                                                    corpus_path: Path) -> None:
    assembled = assemble([seed_profile, corpus_path], Settings.load(environ={}))
    single = validate(assembled.dataset, shapes, sources=assembled.graph_sources, processes=1)
    split = validate(assembled.dataset, shapes, sources=assembled.graph_sources, processes=2)
    assert single.results, "the network has warnings to compare"
    assert keys(split) == keys(single)
    assert len(split.results) == len(single.results)
    assert split.conforms == single.conforms
    assert split.text() == single.text()
