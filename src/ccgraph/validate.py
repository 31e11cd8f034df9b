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

import contextlib
import json
import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from . import shipped
from .namespaces import PREFIXES, RDF, SH

SEVERITIES: dict[URIRef, str] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}


def default_shapes_dir() -> Path:
    return shipped.shapes()


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


#: below this many data triples one pyshacl pass is quicker than starting a second process
SPLIT_MIN_TRIPLES = 20_000
#: seconds each costly node shape took on the whole network (pyshacl, one shape at a time);
#: used to balance the groups of a split run (other shapes count as 0.05)
SHAPE_COSTS: dict[str, float] = {
    "CityLocalLabelShape": 1.27, "TextPositionSelectorShape": 1.19,
    "EvidenceSelectorsShape": 0.97, "EvidenceQuoteShape": 0.88,
    "CommitmentPositionShape": 0.62, "CommitmentShape": 0.61, "LabelShape": 0.47,
    "EvidenceShape": 0.22, "FacilityShape": 0.18, "SourcedCommitmentShape": 0.16,
    "TextQuoteSelectorShape": 0.16, "ProfileDocumentShape": 0.13, "CityShape": 0.10,
    "MembershipYearShape": 0.10, "MembershipShape": 0.08, "CreatorShape": 0.08,
}


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
    inplace = own_copy or not has_rules
    if processes is None:
        processes = 2 if (os.cpu_count() or 1) >= 2 and len(target) >= SPLIT_MIN_TRIPLES else 1
    groups = shape_groups(shapes, processes) if processes > 1 and not has_rules else []
    if len(groups) > 1 and "fork" in multiprocessing.get_all_start_methods():
        report_graph = _validate_split(target, shapes, groups, inplace)
    else:
        report_graph = _run_pyshacl(target, shapes, inplace)
    results = list(_results(report_graph))
    if isinstance(data, Dataset):
        _attach_sources(results, data, sources or {})
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results, graph=report_graph)


_translate_lock = threading.Lock()


@contextlib.contextmanager
def remembered_sparql() -> Iterator[None]:
    """While inside, rdflib parses and translates each distinct SPARQL text once.

    pyshacl asks the same constraint query once per focus node (``$this`` goes in as an
    initial binding, the text does not change) and rdflib parses it every time: ~25 ms a
    parse, the largest cost of a SPARQL constraint with a few dozen focus nodes. A
    translated query is reusable with other bindings (rdflib's own prepareQuery relies on
    that), so the cache changes no answer."""
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = processor.SPARQLProcessor.query
    memo: dict[tuple[str, str | None, tuple[tuple[str, Any], ...]], Any] = {}

    def query(self: Any, strOrQuery: Any, initBindings: Any = None,
              initNs: Any = None, base: str | None = None, DEBUG: bool = False) -> Any:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            translated = memo.get(key)
            if translated is None:
                translated = translateQuery(parseQuery(strOrQuery), base, initNs)
                memo[key] = translated
            strOrQuery = translated
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    with _translate_lock:
        processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
        try:
            yield
        finally:
            processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


def _run_pyshacl(target: Graph, shapes: Graph, inplace: bool) -> Graph:
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


def shape_groups(shapes: Graph, count: int) -> list[Graph]:
    """Split ``shapes`` into up to ``count`` shapes graphs with disjoint sets of top-level
    node shapes; each holds what its shapes reference (property shapes, lists, blank
    nodes, prefix declarations). Empty when the shapes cannot be split safely (a node shape
    referenced by another shape, e.g. through sh:node, would be checked twice)."""
    tops = sorted({s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)},
                  key=str)
    referenced = {o for s, p, o in shapes if o in tops and p != RDF.type and s != o}
    if referenced or len(tops) < 2 or count < 2:
        return []
    def cost(shape: URIRef) -> float:
        return SHAPE_COSTS.get(str(shape).rpartition("#")[2], 0.05)

    buckets: list[list[URIRef]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for shape in sorted(tops, key=lambda s: (-cost(s), str(s))):  # heaviest first, lightest bucket
        lightest = loads.index(min(loads))
        buckets[lightest].append(shape)
        loads[lightest] += cost(shape)
    return [shapes_subgraph(shapes, bucket) for bucket in buckets if bucket]


def shapes_subgraph(shapes: Graph, keep: Iterable[URIRef]) -> Graph:
    """The shapes graph with only the top-level node shapes ``keep`` (and everything else
    that is not a node shape: property shapes, prefix declarations), with what they reference."""
    tops = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    skip = tops - set(keep)
    subjects = set(shapes.subjects())
    g = Graph()
    for prefix, namespace in shapes.namespaces():
        g.bind(prefix, namespace, override=False)
    seen: set[Node] = set()
    todo: list[Node] = [s for s in subjects if s not in skip and not isinstance(s, BNode)]
    while todo:
        node = todo.pop()
        if node in seen or node in skip:
            continue
        seen.add(node)
        for triple in shapes.triples((node, None, None)):
            g.add(triple)
            if triple[2] in subjects and triple[2] not in seen:
                todo.append(triple[2])
    return g


def _validate_split(target: Graph, shapes: Graph, groups: Sequence[Graph],
                    inplace: bool) -> Graph:
    """One pyshacl pass per group; the first runs here, the others in forked processes
    (which see ``target`` without copying it). Reports merged into one report node."""
    ctx = multiprocessing.get_context("fork")
    receivers = []
    children = []
    for group in groups[1:]:
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child_pass, args=(target, group, inplace, send),
                            name="ccgraph-validate", daemon=True)
        child.start()
        send.close()
        receivers.append(receive)
        children.append(child)
    try:
        merged = _run_pyshacl(target, groups[0], inplace)
        for receive in receivers:
            ok, payload = receive.recv()
            if not ok:
                raise ValueError(payload)
            part = Graph()
            part.parse(data=payload, format="nt")
            _merge_report(merged, part)
    finally:
        for child in children:
            child.join(timeout=60)
            if child.is_alive():
                child.kill()
    return merged


def _child_pass(target: Graph, shapes: Graph, inplace: bool, send: Any) -> None:
    try:
        report = _run_pyshacl(target, shapes, inplace)
        send.send((True, report.serialize(format="nt", encoding="utf-8")))
    except BaseException as exc:  # reported to the parent, which raises it
        send.send((False, str(exc)))
    finally:
        send.close()


def _merge_report(into: Graph, part: Graph) -> None:
    """Move the results of report ``part`` onto the report node of ``into``."""
    report = into.value(predicate=RDF.type, object=SH.ValidationReport)
    other = part.value(predicate=RDF.type, object=SH.ValidationReport)
    assert report is not None and other is not None
    conforms = into.value(report, SH.conforms)
    other_conforms = part.value(other, SH.conforms)
    for s, p, o in part:
        if other in (s, o):
            continue
        into.add((s, p, o))
    for result in part.objects(other, SH.result):
        into.add((report, SH.result, result))
    if isinstance(conforms, Literal) and isinstance(other_conforms, Literal):
        both = bool(conforms.toPython()) and bool(other_conforms.toPython())
        into.set((report, SH.conforms, Literal(both)))


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
