"""A validation report for people and programs: the results of a pyshacl report graph in
plain terms, as text (a summary line, then one block per result), Turtle or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from ..namespaces import PREFIXES, RDF, SH

SEVERITIES: dict[URIRef, str] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}


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


def results_of(report: Graph) -> Iterable[Result]:
    """The results of a SHACL validation report graph."""
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
