"""The validate stage: check a graph against the SHACL shapes and report readably.

Library first: :func:`validate` takes an rdflib Dataset (one named graph per source) or a
Graph and returns a :class:`Report`. A Dataset is validated as the union of its graphs in
one pyshacl pass, so facts that span graphs (a commitment in a profile graph pointing at a
city in the members graph) are seen together. No inference is run: the model writes every
class explicitly.

pyshacl patches rdflib when it is imported, so it is imported only when a pass runs;
importing this package (or ``ccgraph``) never loads it.

Here the public API; beside it: ``shapes`` (loading the shapes), ``report`` (the report
for people and programs), ``pyshacl_pass`` (one pass), ``split`` (the shapes split across
processes, balanced by measured cost), ``targets`` (SPARQL targets answered by pyoxigraph
before the pass), ``sparql_memo`` (the rdflib patch a pass runs under) and ``lean_pass``
(the pyshacl patch a pass runs under: the same checks without the work pyshacl repeats per
focus node).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from ..namespaces import SH
from .pyshacl_pass import run_pyshacl
from .report import Report, Result, results_of
from .shapes import default_shapes_dir, load_shapes
from .split import SPLIT_MIN_TRIPLES, shape_groups, validate_split
from .targets import narrow_class_targets, resolve_sparql_targets
from .union import union_view


def validate(data: Dataset | Graph, shapes: Graph | None = None,
             sources: Mapping[URIRef, str] | None = None,
             processes: int | None = None) -> Report:
    """Validate ``data`` against ``shapes`` (default: :func:`load_shapes`).

    A Dataset is validated as the union of all its graphs. ``sources`` maps named-graph IRIs
    to source file names; each result lists the sources of the graphs that describe its
    focus node (the graph IRI itself when the map does not name it).

    ``processes`` (default: 2 when the machine has 2 cores or more and the data is large):
    the node shapes are split into that many groups, each checked by its own pyshacl pass
    over the *whole* data graph in a forked process, so every shape sees every graph, as in
    a single pass; the reports are merged into one. Results are the same as one pass.
    """
    return report_of(report_graph(data, shapes, processes), data, sources)


def report_graph(data: Dataset | Graph, shapes: Graph | None = None,
                 processes: int | None = None) -> Graph:
    """pyshacl's report graph of :func:`validate` (the same arguments), before it is read
    into a :class:`Report` (:func:`report_of`)."""
    if shapes is None:
        shapes = load_shapes()
    # a Dataset is read through a view of its union (validate/union.py): never written to,
    # so a pass that would write (a rule) works on pyshacl's own copy
    target = union_view(data) if isinstance(data, Dataset) else data
    # Advanced mode clones the data graph unless told to work in place. Nothing is written
    # when there is no inference and no SHACL rule, so the clone is skipped in that case.
    has_rules = (None, SH.rule, None) in shapes
    if not has_rules:  # a rule could add what a target query selects: keep pyshacl's order
        shapes = narrow_class_targets(resolve_sparql_targets(shapes, target), target)
    inplace = not has_rules
    if processes is None:
        processes = 2 if (os.cpu_count() or 1) >= 2 and len(target) >= SPLIT_MIN_TRIPLES else 1
    groups = shape_groups(shapes, processes) if processes > 1 and not has_rules else []
    if len(groups) > 1 and "fork" in multiprocessing.get_all_start_methods():
        return validate_split(target, shapes, groups, inplace)
    return run_pyshacl(target, shapes, inplace)


def report_of(graph: Graph, data: Dataset | Graph | None,
              sources: Mapping[URIRef, str] | None = None,
              graphs: Mapping[URIRef, Sequence[tuple[Node, Node, Node]]] | None = None
              ) -> Report:
    """The :class:`Report` of pyshacl's report ``graph`` on ``data`` (see :func:`validate`
    for ``sources``). ``graphs`` (named graph -> its triples), when given, says which graphs
    describe each focus node instead of ``data`` (then a Graph of their union, or None)."""
    results = list(results_of(graph))
    if graphs is not None:
        _attach_sources_of_graphs(results, graphs, sources or {})
    elif isinstance(data, Dataset):
        _attach_sources(results, data, sources or {})
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results, graph=graph)


def union_graph(dataset: Dataset) -> Graph:
    """All triples of every graph of ``dataset``, in one Graph."""
    union = Graph()
    for prefix, namespace in dataset.namespaces():
        union.bind(prefix, namespace, override=False)
    union.addN((s, p, o, union) for s, p, o, _g in dataset.quads((None, None, None, None)))
    return union


def _attach_sources(results: list[Result], dataset: Dataset,
                    sources: Mapping[URIRef, str]) -> None:
    cache: dict[Node, list[str]] = {}
    for result in results:
        if result.focus not in cache:
            cache[result.focus] = _sources_of(result.focus, dataset, sources)
        result.sources = cache[result.focus]


def _attach_sources_of_graphs(results: list[Result],
                              graphs: Mapping[URIRef, Sequence[tuple[Node, Node, Node]]],
                              sources: Mapping[URIRef, str]) -> None:
    """:func:`_attach_sources` with each graph's triples in place of a Dataset: one pass."""
    wanted = {result.focus for result in results}
    if not wanted:
        return
    as_subject: dict[Node, set[URIRef]] = {}
    as_object: dict[Node, set[URIRef]] = {}
    for name, triples in graphs.items():
        for s, _p, o in triples:
            if s in wanted:
                as_subject.setdefault(s, set()).add(name)
            if o in wanted:
                as_object.setdefault(o, set()).add(name)
    for result in results:
        # described nowhere: say where it is mentioned
        found = as_subject.get(result.focus) or as_object.get(result.focus, set())
        result.sources = sorted({sources.get(name, str(name)) for name in found})


def _sources_of(node: Node, dataset: Dataset, sources: Mapping[URIRef, str]) -> list[str]:
    graphs: set[Node] = set()
    if isinstance(node, (URIRef, BNode)):
        for quad in dataset.quads((node, None, None, None)):
            graphs.add(_graph_id(quad[3]))
    if not graphs:  # described nowhere: say where it is mentioned
        for quad in dataset.quads((None, None, node, None)):
            graphs.add(_graph_id(quad[3]))
    names = []
    for gid in graphs:
        if isinstance(gid, URIRef) and gid in sources:
            names.append(sources[gid])
        elif gid != DATASET_DEFAULT_GRAPH_ID:
            names.append(str(gid))
    return sorted(set(names))


def _graph_id(g: object) -> Node:
    if isinstance(g, Graph):
        return g.identifier
    assert isinstance(g, (URIRef, BNode))
    return g


__all__ = ["Report", "Result", "default_shapes_dir", "load_shapes", "report_graph",
           "report_of", "shape_groups", "union_graph", "validate"]
