"""A patch of pyshacl for the length of a validation: the same checks without the work it
repeats per focus node (:func:`lean_pyshacl`).

pyshacl checks a node shape's ``sh:property`` shapes one focus node at a time, and each
check of a shape (also of the blank-node shapes inside ``sh:or`` and
``sh:qualifiedValueShape``, once per value) reads the shape's description from the shapes
graph again, tests each of its predicates against a *list* of ~40 constraint parameters
(rdflib term comparisons in Python) and builds every constraint component anew. Profiled on
the network build, that was over half of pyshacl's time (CommitmentShape: 2 million
``URIRef.__eq__`` calls for ~4,000 commitments).

While inside :func:`lean_pyshacl`:

* a shape's predicates, and each RDF list of the shapes graph (``sh:in``, ``sh:languageIn``,
  ``sh:or``), are read once (the shapes graph is not written during a pass without rules;
  :func:`ccgraph.validate.pyshacl_pass.run_pyshacl` uses the patch only then);
* the constraint parameters are looked up in a set;
* a constraint component is built once per shape and reused (pyshacl's components keep no
  state after their constructor: each ``evaluate`` reads only what ``__init__`` stored);
* a node shape's property shape checks all its focus nodes in one call instead of one call
  per node. A shape's results for several focus nodes are the results for each alone (value
  nodes and constraints are per focus node), so the report is the same; when the same node
  would be checked twice (pyshacl then reports twice) the original loop runs.

The patch is applied only to the pyshacl version it was written against
(:data:`PATCHED_VERSIONS`); any other version runs unpatched. The project's test suite
compares the reports with and without it on the network build and every shape example.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Graph

#: pyshacl versions whose internals the patch follows (pyshacl/shape.py's Shape.validate,
#: constraints/core/shape_based_constraints.py's PropertyConstraintComponent)
PATCHED_VERSIONS = ("0.40.1",)

_lock = threading.RLock()


class _ParameterList(list[Any]):
    """pyshacl's list of constraint parameters, with set lookups (it copies the list and
    appends to the copy, so both keep the set)."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._set = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._set

    def copy(self) -> _ParameterList:
        return _ParameterList(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._set.add(item)


def patch_applies() -> bool:
    """Whether the installed pyshacl is one :func:`lean_pyshacl` knows."""
    import pyshacl

    return getattr(pyshacl, "__version__", None) in PATCHED_VERSIONS


@contextlib.contextmanager
def lean_pyshacl() -> Iterator[bool]:
    """While inside, pyshacl runs patched (see the module docstring); yields whether it is
    (False for a pyshacl version the patch does not know: it then runs as it is)."""
    if not patch_applies():
        yield False
        return
    from pyshacl import shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
    from pyshacl.shapes_graph import ShapesGraph

    built: dict[tuple[int, type], tuple[Any, Any]] = {}

    def factory(cls: type) -> Any:
        def make(shape: Any) -> Any:
            key = (id(shape), cls)
            found = built.get(key)
            if found is None:
                found = built[key] = (shape, cls(shape))  # the shape kept: its id stays its own
            return found[1]
        return make

    factories = {cls: factory(cls) for cls in set(CONSTRAINT_PARAMETERS_MAP.values())}
    params = (_ParameterList(ALL_CONSTRAINT_PARAMETERS),
              {p: factories[cls] for p, cls in CONSTRAINT_PARAMETERS_MAP.items()})

    described: dict[tuple[int, Any], list[Any]] = {}
    original_predicate_objects: Any = ShapesGraph.predicate_objects

    def predicate_objects(self: Any, s: Any) -> Any:
        key = (id(self.graph), s)
        found = described.get(key)
        if found is None:
            found = described[key] = list(original_predicate_objects(self, s))
        return iter(found)

    shapes_graphs: dict[int, Graph] = {}  # kept alive: an id stays its graph's
    original_init: Any = ShapesGraph.__init__

    def init(self: Any, graph: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, graph, *args, **kwargs)
        shapes_graphs[id(self.graph)] = self.graph

    lists: dict[tuple[int, Any], list[Any]] = {}
    original_items: Any = Graph.items

    def items(self: Graph, node: Any) -> Any:
        if id(self) not in shapes_graphs:
            return original_items(self, node)
        key = (id(self), node)
        found = lists.get(key)
        if found is None:
            found = lists[key] = list(original_items(self, node))
        return iter(found)

    original_evaluate_property: Any = PropertyConstraintComponent._evaluate_property_shape

    def evaluate_property_shape(self: Any, executor: Any, prop_shape: Any, target_graph: Any,
                                focus_value_nodes: Any, potentially_recursive: Any,
                                evaluation_path: Any) -> Any:
        values = [v for nodes in focus_value_nodes.values() for v in nodes]
        found = self.shape.get_other_shape(prop_shape)
        if (len(set(values)) != len(values) or not found or not found.is_property_shape
                or (potentially_recursive and found in potentially_recursive)):
            return original_evaluate_property(self, executor, prop_shape, target_graph,
                                              focus_value_nodes, potentially_recursive,
                                              evaluation_path)
        conforms, reports = found.validate(executor, target_graph, focus=values,
                                           _evaluation_path=evaluation_path[:])
        return (not conforms), list(reports)

    with _lock:
        saved = getattr(shape_module, "CONSTRAINT_PARAMS", None)
        shape_module.CONSTRAINT_PARAMS = params  # type: ignore[attr-defined]
        ShapesGraph.predicate_objects = predicate_objects  # type: ignore[method-assign]
        ShapesGraph.__init__ = init  # type: ignore[method-assign]
        Graph.items = items  # type: ignore[method-assign, assignment]
        PropertyConstraintComponent._evaluate_property_shape = (  # type: ignore[method-assign]
            evaluate_property_shape)
        try:
            yield True
        finally:
            PropertyConstraintComponent._evaluate_property_shape = (  # type: ignore[method-assign]
                original_evaluate_property)
            ShapesGraph.predicate_objects = original_predicate_objects  # type: ignore[method-assign]
            ShapesGraph.__init__ = original_init  # type: ignore[method-assign]
            Graph.items = original_items  # type: ignore[method-assign]
            if saved is None:
                del shape_module.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
            else:
                shape_module.CONSTRAINT_PARAMS = saved  # type: ignore[attr-defined]
