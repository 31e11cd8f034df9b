"""One pyshacl pass over a data graph. pyshacl patches rdflib when it is imported, so it
is imported here only when a pass runs; importing ``ccgraph`` never loads it."""

from __future__ import annotations

import contextlib

from rdflib import Graph

from ..namespaces import SH
from .lean_pass import lean_pyshacl
from .sparql_memo import remembered_sparql


def import_pyshacl() -> None:
    """Import pyshacl now (e.g. once before forking processes that each run a pass)."""
    import pyshacl  # noqa: F401


def run_pyshacl(target: Graph, shapes: Graph, inplace: bool, lean: bool = True) -> Graph:
    """pyshacl's report graph for ``target`` (no inference; warnings and infos kept).

    ``lean``: pyshacl runs without the work it repeats per focus node (validate/lean_pass.py;
    the same report), unless the shapes have a SHACL rule (which could write to the shapes
    graph the patch reads once). ``lean=False`` runs pyshacl as it is: the reference."""
    from pyshacl import validate as shacl_validate  # lazy: pyshacl patches rdflib

    lean = lean and (None, SH.rule, None) not in shapes
    with remembered_sparql(), (lean_pyshacl() if lean else contextlib.nullcontext()):
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
