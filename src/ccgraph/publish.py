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
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from . import jsonld
from .store import BuildMeta, install_build, new_staging
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
    memo: dict[Node, str] = {}
    return [_convert(name, triples, memo) for name, triples in graphs.items() if triples]


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
    memo: dict[Node, str] = {}
    for graph in dataset.graphs():
        triples = list(graph.triples((None, None, None)))
        if triples:
            yield _convert(graph.identifier, triples, memo)


def _ntriples_term(node: Node) -> str:
    """``node`` as an N-Triples term, for pyoxigraph's parser to read back (which writes
    it again its own way: only what the grammar requires is escaped here)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        value = str(node).replace("\\", "\\\\").replace('"', '\\"') \
            .replace("\n", "\\n").replace("\r", "\\r")
        if node.language:
            return f'"{value}"@{node.language}'
        if node.datatype:
            return f'"{value}"^^<{node.datatype}>'
        return f'"{value}"'
    raise TypeError(f"cannot convert {node!r}")


def _convert(name: Node, triples: Sequence[tuple[Node, Node, Node]],
             memo: dict[Node, str]) -> tuple[list[ox.Quad], bool, set[str]]:
    """One graph's triples as pyoxigraph quads: written as N-Quads text (each distinct term
    once, in ``memo``) and parsed by pyoxigraph, which makes the quads natively (making
    each from Python costs several times more)."""
    if not isinstance(name, URIRef) or str(name).startswith("urn:x-rdflib:"):
        s, p, o = triples[0]
        raise ValueError(f"triple outside a named graph: {s} {p} {o}")
    end = f" <{name}> .\n"
    # subjects and predicates are IRIs or blank nodes (checked below), remembered by their
    # plain strings (whose comparison costs nothing, unlike an rdflib term's __eq__); an
    # object may be a literal with the same string as an IRI: remembered as a term
    names: dict[str, str] = {}
    name_of, object_of = names.get, memo.get

    def named(node: Node) -> str:
        found = names[str(node)] = _ntriples_term(node)
        return found

    def obj(node: Node) -> str:
        found = memo[node] = _ntriples_term(node)
        return found

    data = "".join([f"{name_of(str(s)) or named(s)} {name_of(str(p)) or named(p)} "
                    f"{object_of(o) or obj(o)}{end}" for s, p, o in triples])
    subject_types = {type(s) for s, _p, _o in triples}
    if any(issubclass(t, Literal) for t in subject_types) or any(
            not issubclass(t, URIRef) for t in {type(p) for _s, p, _o in triples}):
        s, p, o = next(t for t in triples
                       if isinstance(t[0], Literal) or not isinstance(t[1], URIRef))
        raise ValueError(f"not a valid RDF triple: {s} {p} {o}")
    bnodes: set[str] = set()
    if any(issubclass(t, BNode) for t in subject_types):
        bnodes.update(str(s) for s, _p, _o in triples if isinstance(s, BNode))
    if any(issubclass(t, BNode) for t in {type(o) for _s, _p, o in triples}):
        bnodes.update(str(o) for _s, _p, o in triples if isinstance(o, BNode))
    try:
        quads = list(ox.parse(data.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    except SyntaxError as error:  # a term that is no RDF term (an IRI with a space ...)
        raise ValueError(f"graph {name}: a triple that is not valid RDF: {error}") from None
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
