"""Validation split across processes: the node shapes in groups balanced by measured cost,
one pyshacl pass per group over the *whole* data graph (a forked process each but the
first), the reports merged into one. Each shape sees every graph, as in a single pass, so
the results are the same."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Sequence
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import RDF, SH
from .pyshacl_pass import import_pyshacl, run_pyshacl

#: below this many data triples one pyshacl pass is quicker than starting a second process
SPLIT_MIN_TRIPLES = 20_000
#: CPU seconds each costly node shape took on the whole network (pyshacl run lean,
#: validate/lean_pass.py, one shape at a time, its targets resolved first:
#: validate/targets.py; `bench/shape_costs.py`, measured 2026-12-02, 36 shapes, 2.3 s in
#: all, 6.1 s unpatched); used to balance the groups of a split run (other shapes count as
#: 0.01)
SHAPE_COSTS: dict[str, float] = {
    "LabelShape": 0.40, "MembershipEvidenceShape": 0.30, "CommitmentShape": 0.28,
    "MembershipYearShape": 0.20, "EvidenceShape": 0.19, "CityLocalLabelShape": 0.12,
    "CreatorShape": 0.11, "ProfileDocumentShape": 0.10, "CityLinksShape": 0.09,
    "SourcedCommitmentShape": 0.07, "FacilityShape": 0.05, "MembershipShape": 0.04,
    "CityShape": 0.03, "GeoCoordinatesShape": 0.03, "EventShape": 0.02,
    "CountryLinksShape": 0.02, "ConceptShape": 0.02, "NearDuplicateShape": 0.02,
}


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
        return SHAPE_COSTS.get(str(shape).rpartition("#")[2], 0.01)

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


def validate_split(target: Graph, shapes: Graph, groups: Sequence[Graph],
                    inplace: bool) -> Graph:
    """One pyshacl pass per group; the first runs here, the others in forked processes
    (which see ``target`` without copying it). Reports merged into one report node."""
    ctx = multiprocessing.get_context("fork")
    import_pyshacl()  # here, where the first group runs: once, not once more in each child
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
        merged = run_pyshacl(target, groups[0], inplace)
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
        report = run_pyshacl(target, shapes, inplace)
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
