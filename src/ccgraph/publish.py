"""The publish stage: a validated dataset -> a build directory, written aside then swapped in.

Here: the dataset as canonical N-Quads (the version's identity); version.py writes the
version's files, store.py swaps it in (and describes the layout). A failed publish leaves
the previous build untouched.
"""

from __future__ import annotations

import gc
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from . import jsonld
from .store import BuildMeta, install_build, new_staging
from .terms import OxTerm, to_ox
from .version import Reports, VoidMaker, write_version

#: blank node ids that model.py derives from content (model._bnode): stable across builds
STABLE_BNODE = re.compile(r"b[0-9a-f]{16}")


#: a dataset's named graphs as pyoxigraph quads (:func:`convert_dataset`): per graph, its
#: quads, whether its blank nodes are all stable, and their ids
Converted = list[tuple[list[ox.Quad], bool, set[str]]]


def convert_dataset(dataset: Dataset) -> Converted:
    """The dataset's named graphs as pyoxigraph quads, blank node ids as they are (for
    :func:`dataset_nquads`, and for a validation that queries them with pyoxigraph)."""
    return list(_graph_quads(dataset))


def convert_graphs(graphs: Mapping[URIRef, Sequence[tuple[Node, Node, Node]]]) -> Converted:
    """:func:`convert_dataset` of the named graphs ``graphs`` (each triple once per graph),
    as the caller gathered them before adding them to a dataset: no store to read back."""
    memo: dict[Node, OxTerm] = {}
    return [_convert(name, list(triples), memo) for name, triples in graphs.items() if triples]


def dataset_nquads(dataset: Dataset, more: Iterable[bytes] = (),
                   converted: Converted | None = None) -> bytes:
    """The dataset's named graphs as canonical N-Quads (lines sorted): the same data gives
    the same bytes, whatever blank node ids the parsers chose.

    Graphs whose blank nodes all carry content-derived ids (model._bnode: evidence
    selectors) are written as they are; the other graphs with blank nodes (parsed Turtle:
    curated facts, vocabularies) are relabelled with RDFC-1.0, together, so that no label
    can clash. When a blank node of the first kind also occurs in a graph of the second,
    every graph is canonicalised (the slow, always-right way). ``converted``: the dataset
    as :func:`convert_dataset` gave it, when the caller has it already."""
    plain: list[ox.Quad] = []
    parsed: list[ox.Quad] = []
    parsed_bnodes: set[str] = set()
    stable_bnodes: set[str] = set()
    for quads, stable, bnodes in (converted if converted is not None
                                  else _graph_quads(dataset)):
        (plain if stable else parsed).extend(quads)
        (stable_bnodes if stable else parsed_bnodes).update(bnodes)
    if parsed_bnodes & stable_bnodes:  # shared blank nodes: canonicalise everything
        parsed += plain
        plain = []
    data = ox.serialize(plain, format=ox.RdfFormat.N_QUADS) or b""
    data += b"".join(more)  # graph_nquads of graphs kept out of the dataset
    if parsed:
        canonical = ox.Dataset(parsed)
        canonical.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        data += ox.serialize(canonical, format=ox.RdfFormat.N_QUADS) or b""
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return b"\n".join(lines) + b"\n"


def graph_nquads(name: URIRef, graph: Graph) -> bytes | None:
    """One named graph as N-Quads, for :func:`publish`'s ``more_nquads``; None when its
    blank nodes are not all stable (it must then go through the dataset, to be
    canonicalised with the others)."""
    quads, stable, _ = _convert(name, list(graph.triples((None, None, None))), {})
    if not stable:
        return None
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _graph_quads(dataset: Dataset) -> Iterator[tuple[list[ox.Quad], bool, set[str]]]:
    """Per named graph: its quads, whether its blank nodes are all stable, their ids."""
    memo: dict[Node, OxTerm] = {}
    for graph in dataset.graphs():
        triples = list(graph.triples((None, None, None)))
        if triples:
            yield _convert(graph.identifier, triples, memo)


def _convert(name: Node, triples: list[tuple[Node, Node, Node]],
             memo: dict[Node, OxTerm]) -> tuple[list[ox.Quad], bool, set[str]]:
    def term(node: Node) -> OxTerm:
        found = memo.get(node)
        if found is None:
            found = memo[node] = to_ox(node)
        return found

    if not isinstance(name, URIRef) or str(name).startswith("urn:x-rdflib:"):
        s, p, o = triples[0]
        raise ValueError(f"triple outside a named graph: {s} {p} {o}")
    g = ox.NamedNode(str(name))
    quads = []
    bnodes: set[str] = set()
    for s, p, o in triples:
        subject, predicate = term(s), term(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            raise ValueError(f"not a valid RDF triple: {s} {p} {o}")
        if isinstance(s, BNode):
            bnodes.add(str(s))
        if isinstance(o, BNode):
            bnodes.add(str(o))
        quads.append(ox.Quad(subject, predicate, term(o), g))
    return quads, all(STABLE_BNODE.fullmatch(b) for b in bnodes), bnodes


def publish(dataset: Dataset, out: Path, base: str,
            reports: Reports | None = None,
            sources: list[str] | None = None,
            extra: Mapping[str, object] | None = None,
            void: VoidMaker | None = None,
            progress: Callable[[str], None] | None = None,
            more_nquads: Iterable[bytes] = (),
            converted: Converted | None = None) -> BuildMeta:
    """Write the build beside ``out``, then swap it in. Returns the build's metadata.

    ``reports``: the reports, or a function that returns them once the data is written
    (the build validates meanwhile); when it raises, nothing is installed and the error
    goes on. ``more_nquads``: named graphs kept out of ``dataset`` (see build.assemble's
    profile_sink), as :func:`graph_nquads` wrote them. ``converted``: see
    :func:`dataset_nquads`."""
    say = progress or (lambda _msg: None)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_staging(out)  # a new version, swapped in atomically (store.py: versions)
    # What is alive now (the dataset, the model's records) stays alive through this stage:
    # kept out of the garbage collector's passes, each of which would walk all of it again
    # (about half a CPU second on the network, for nothing)
    gc.freeze()
    try:
        say("publish: canonical N-Quads")
        nquads = dataset_nquads(dataset, more_nquads, converted)
        say("publish: loading the store")
        meta = write_version(tmp, nquads, base, void=void,
                             context=jsonld.context_document(base), reports=reports or {},
                             sources=sources or [], extra=extra, progress=say).meta
        install_build(tmp, out, meta.version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()
    return meta
