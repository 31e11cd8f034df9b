"""One pyshacl pass over a data graph. pyshacl patches rdflib when it is imported, so it
is imported here only when a pass runs; importing ``ccgraph`` never loads it."""

from __future__ import annotations

from rdflib import Graph

from .sparql_memo import remembered_sparql


def run_pyshacl(target: Graph, shapes: Graph, inplace: bool) -> Graph:
    """pyshacl's report graph for ``target`` (no inference; warnings and infos kept)."""
    from pyshacl import validate as shacl_validate  # lazy: pyshacl patches rdflib

    with remembered_sparql():
        _conforms, report_graph, _text = shacl_validate(
            target,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
            inplace=inplace,
        )
    if not isinstance(report_graph, Graph):  # pyshacl's ValidationFailure: the shapes are at fault
        raise ValueError(f"the shapes cannot be applied: {report_graph}")
    return report_graph
