"""Applying a write (in the write worker): the live version's named graphs in, the named
graphs after the change out; see the package docstring for what a write to the default
graph means."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import iris
from ..namespaces import CCG, RDF
from ..store import STORE_DIR
from .request import (
    BAD_REQUEST,
    DELETE,
    FORBIDDEN,
    NOT_FOUND,
    POST,
    PUT,
    UPDATE,
    Request,
    WriteError,
    payload_format,
)


def named_quads(version_dir: Path, base: str) -> list[ox.Quad]:
    """The named graphs of a published version (with the VoID graph: :func:`apply` shows
    it to the update's WHERE, as readers see it, and drops it)."""
    store = ox.Store.read_only(str(version_dir / STORE_DIR))
    quads = [q for q in store if isinstance(q.graph_name, ox.NamedNode)]
    del store
    return quads


def payload_triples(req: Request) -> list[ox.Triple]:
    fmt = payload_format(req.media_type)
    if fmt is None or not isinstance(fmt.oxigraph, ox.RdfFormat):
        raise WriteError(BAD_REQUEST, f"unsupported payload type {req.media_type!r}")
    base_iri = req.graph if req.graph else None
    try:
        # blank nodes of a payload are its own: fresh nodes, whatever their labels
        return [q.triple for q in ox.parse(req.payload, format=fmt.oxigraph, base_iri=base_iri,
                                           rename_blank_nodes=True)]
    except (SyntaxError, ValueError) as exc:
        raise WriteError(BAD_REQUEST, f"the {fmt.media_type} payload does not parse: {exc}") \
            from None


@dataclass
class Applied:
    before: set[ox.Quad]  # the named graphs before (no VoID), as a store writes them
    after: set[ox.Quad]  # and after the write
    created: bool  # ``req.graph`` did not exist


def apply(named: list[ox.Quad], req: Request, base: str) -> Applied:
    """Apply ``req`` to the named graphs ``named`` (see the module docstring for the default
    graph). Raises WriteError."""
    void_node = ox.NamedNode(str(iris.graph("void", base)))
    store = ox.Store()
    store.extend(named)  # read back from the store: typed literals in canonical form
    generated = {q.triple for q in store.quads_for_pattern(None, None, None, void_node)}
    store.remove_graph(void_node)
    before = {q for q in store if isinstance(q.graph_name, ox.NamedNode)}
    union = {q.triple for q in before}
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                 for t in union | generated)
    target: ox.NamedNode | ox.DefaultGraph = (
        ox.NamedNode(req.graph) if req.graph is not None else ox.DefaultGraph())
    created = False
    if isinstance(target, ox.NamedNode):
        created = not any(True for _ in store.quads_for_pattern(None, None, None, target))
    if req.kind == UPDATE:
        try:
            store.update(req.update)
        except SyntaxError as exc:
            raise WriteError(BAD_REQUEST, f"malformed update: {exc}") from None
        except (ValueError, TypeError, OSError) as exc:
            raise WriteError(BAD_REQUEST, f"the update failed: {exc}") from None
    elif req.kind in (PUT, POST):
        triples = payload_triples(req)
        if req.kind == PUT:
            store.clear_graph(target)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
    elif req.kind == DELETE:
        if created:
            raise WriteError(NOT_FOUND, f"no graph <{req.graph}> in this dataset")
        store.clear_graph(target)
    else:
        raise WriteError(BAD_REQUEST, f"unknown write {req.kind!r}")
    after = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    removed = union - after
    added = after - union - generated  # the VoID statements are made again at commit
    result = {q for q in store if isinstance(q.graph_name, ox.NamedNode)}
    if any(q.graph_name == void_node for q in result):
        raise WriteError(FORBIDDEN, f"the graph <{void_node.value}> is generated at each "
                                    "commit (dataset statistics); it cannot be written")
    if removed:
        result = {q for q in result if q.triple not in removed}
    if added:
        held = {q.triple for q in result}
        curated = ox.NamedNode(str(iris.graph("curated", base)))
        result.update(ox.Quad(t.subject, t.predicate, t.object, curated)
                      for t in added if t not in held)
    for q in result:
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            raise WriteError(BAD_REQUEST, "triple terms (RDF-star) are not accepted")
    return Applied(before, result, created)


_CITY_TYPE = (ox.NamedNode(str(RDF.type)), ox.NamedNode(str(CCG.CreativeCity)))


def refuse_wiping(before: set[ox.Quad], after: set[ox.Quad], base: str) -> None:
    """The shapes check what is there, not that anything is: a write that empties the
    ontology or the vocabularies (they come from the project's files), or removes every
    member city (``DROP ALL``, ``DELETE ?default``), is refused instead."""
    for name in ("ontology", "vocab"):
        node = ox.NamedNode(str(iris.graph(name, base)))
        if any(q.graph_name == node for q in before) and \
                not any(q.graph_name == node for q in after):
            raise WriteError(FORBIDDEN, f"the write would empty <{node.value}>, which is made "
                                        f"from the project's {name} files: change those and "
                                        "rebuild instead")

    def has_city(quads: set[ox.Quad]) -> bool:
        return any((q.predicate, q.object) == _CITY_TYPE for q in quads)

    if has_city(before) and not has_city(after):
        raise WriteError(FORBIDDEN, "the write would remove every member city from the "
                                    "dataset; remove cities one by one if that is meant")
