"""The validate stage: check a graph against the SHACL shapes and report readably.

Library first: :func:`validate` takes an rdflib Dataset (one named graph per source) or a
Graph and returns a :class:`Report`. A Dataset is validated as the union of its graphs in
one pyshacl pass, so facts that span graphs (a commitment in a profile graph pointing at a
city in the members graph) are seen together. No inference is run: the model writes every
class explicitly.

pyshacl patches rdflib when it is imported, so it is imported only inside :func:`validate`;
importing this module (or ``ccgraph``) never loads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from .namespaces import PREFIXES, RDF, SH
from .settings import project_root

SEVERITIES: dict[URIRef, str] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}


def default_shapes_dir() -> Path:
    return project_root() / "shapes"


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """Read every ``*.ttl`` file of ``shapes_dir`` (default: the project's ``shapes/``)."""
    directory = default_shapes_dir() if shapes_dir is None else Path(shapes_dir)
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no shapes (*.ttl) in {directory}")
    shapes = Graph()
    for path in files:
        shapes.parse(path, format="turtle")
    return shapes


@dataclass
class Result:
    """One validation result, in plain terms."""

    focus: Node
    path: Node | None
    message: str
    severity: str
    shape: Node
    component: Node
    value: Node | None = None
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "focus": _term(self.focus),
            "path": _term(self.path) if self.path is not None else None,
            "message": self.message,
            "severity": self.severity,
            "shape": _term(self.shape),
            "component": _term(self.component),
            "value": _term(self.value) if self.value is not None else None,
            "sources": list(self.sources),
        }


@dataclass
class Report:
    """What :func:`validate` found. ``conforms`` is False when there is any Violation."""

    conforms: bool
    results: list[Result]
    graph: Graph = field(repr=False)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    def keys(self) -> set[tuple[Node, Node | None, Node]]:
        """(focus, path, component) of every result, for golden comparisons."""
        return {(r.focus, r.path, r.component) for r in self.results}

    def text(self) -> str:
        """A report for people: a summary line, then one block per result."""
        nsm = _namespace_manager()
        lines = [
            "Validation: "
            + ("conforms" if self.conforms else "DOES NOT CONFORM")
            + f" ({len(self.violations)} violation(s), {len(self.warnings)} warning(s),"
            + f" {len(self.results) - len(self.violations) - len(self.warnings)} info)"
        ]
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        for r in sorted(self.results, key=lambda r: (order.get(r.severity, 3), str(r.focus),
                                                     str(r.path), str(r.shape))):
            lines.append("")
            lines.append(f"{r.severity}: {r.message}")
            lines.append(f"  focus node: {_show(r.focus, nsm)}")
            if r.path is not None:
                lines.append(f"  path:       {_show(r.path, nsm)}")
            if r.value is not None:
                lines.append(f"  value:      {_show(r.value, nsm)}")
            lines.append(f"  shape:      {_show(r.shape, nsm)}"
                         f" ({_show(r.component, nsm)})")
            if r.sources:
                lines.append(f"  source:     {', '.join(r.sources)}")
        return "\n".join(lines) + "\n"

    def to_turtle(self) -> str:
        """The SHACL validation report graph, as Turtle."""
        return self.graph.serialize(format="turtle")

    def to_json(self) -> str:
        """The results as a JSON list of objects (terms in N-Triples form)."""
        return json.dumps([r.to_dict() for r in self.results], ensure_ascii=False, indent=2)


def validate(data: Dataset | Graph, shapes: Graph | None = None,
             sources: Mapping[URIRef, str] | None = None) -> Report:
    """Validate ``data`` against ``shapes`` (default: :func:`load_shapes`).

    A Dataset is validated as the union of all its graphs. ``sources`` maps named-graph IRIs
    to source file names; each result lists the sources of the graphs that describe its
    focus node (the graph IRI itself when the map does not name it).
    """
    from pyshacl import validate as shacl_validate  # lazy: pyshacl patches rdflib

    if shapes is None:
        shapes = load_shapes()
    if isinstance(data, Dataset):
        target = union_graph(data)
        own_copy = True
    else:
        target = data
        own_copy = False
    # Advanced mode clones the data graph unless told to work in place. Nothing is written
    # when there is no inference and no SHACL rule, so the clone is skipped in that case.
    has_rules = (None, SH.rule, None) in shapes
    _conforms, report_graph, _text = shacl_validate(
        target,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        inplace=own_copy or not has_rules,
    )
    if not isinstance(report_graph, Graph):  # pyshacl's ValidationFailure: the shapes are at fault
        raise ValueError(f"the shapes cannot be applied: {report_graph}")
    results = list(_results(report_graph))
    if isinstance(data, Dataset):
        _attach_sources(results, data, sources or {})
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results, graph=report_graph)


def union_graph(dataset: Dataset) -> Graph:
    """All triples of every graph of ``dataset``, in one Graph."""
    union = Graph()
    for prefix, namespace in dataset.namespaces():
        union.bind(prefix, namespace, override=False)
    union.addN((s, p, o, union) for s, p, o, _g in dataset.quads((None, None, None, None)))
    return union


def _results(report: Graph) -> Iterable[Result]:
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        if focus is None:
            continue
        severity = report.value(node, SH.resultSeverity)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        shape = report.value(node, SH.sourceShape)
        component = report.value(node, SH.sourceConstraintComponent)
        yield Result(
            focus=focus,
            path=report.value(node, SH.resultPath),
            message=" ".join(messages) if messages else "(no message)",
            severity=SEVERITIES.get(severity, str(severity))
            if isinstance(severity, URIRef) else "Violation",
            shape=shape if shape is not None else BNode(),
            component=component if component is not None else SH.ConstraintComponent,
            value=report.value(node, SH.value),
        )


def _attach_sources(results: list[Result], dataset: Dataset,
                    sources: Mapping[URIRef, str]) -> None:
    cache: dict[Node, list[str]] = {}
    for result in results:
        if result.focus not in cache:
            cache[result.focus] = _sources_of(result.focus, dataset, sources)
        result.sources = cache[result.focus]


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


def _namespace_manager() -> NamespaceManager:
    nsm = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        nsm.bind(prefix, namespace)
    nsm.bind("ccgsh", "https://w3id.org/ccgraph/shapes#")
    return nsm


def _show(node: Node, nsm: NamespaceManager) -> str:
    if isinstance(node, BNode):
        return "[blank node]"
    if isinstance(node, Literal):
        text = str(node)
        return repr(text if len(text) <= 80 else text[:77] + "...")
    if isinstance(node, URIRef):
        return node.n3(nsm)
    return str(node)


def _term(node: Node) -> str:
    if isinstance(node, (URIRef, BNode, Literal)):
        return node.n3()
    return str(node)


__all__ = ["Report", "Result", "default_shapes_dir", "load_shapes", "union_graph", "validate"]
