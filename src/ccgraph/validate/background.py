"""Validation in a forked process, while the caller goes on (the build publishes into a
staging directory meanwhile, and installs it only once the report says it conforms).

:func:`start` forks a process that computes :func:`ccgraph.validate.report_graph` (which may
split the shapes over one more process) and hands back the report as N-Triples;
:meth:`Pending.result` waits for it and reads it into the same :class:`Report` that
:func:`ccgraph.validate.validate` returns. Where ``fork`` is not available, the validation
runs in :meth:`Pending.result` itself.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from .report import Report

#: the shapes, or a function that makes them (called in the validation process: e.g. the
#: shapes with their SPARQL targets resolved, validate/targets.py)
Shapes = Graph | Callable[[], Graph] | None
#: the data, or a function that makes it in the validation process (e.g. the union of the
#: build's graphs, validate/frozen.py)
Data = Dataset | Graph | Callable[[], Graph]
#: named graph -> its triples: where each focus node of the report is described, when the
#: data is not a Dataset (validate.report_of)
Graphs = Mapping[URIRef, Sequence[tuple[Node, Node, Node]]]


class Pending:
    """A validation under way; :meth:`result` is its report."""

    def __init__(self, data: Data, shapes: Shapes,
                 sources: Mapping[URIRef, str] | None, processes: int | None,
                 graphs: Graphs | None = None) -> None:
        self._args = (data, shapes, sources, processes)
        self._graphs = graphs
        self._process: Any = None
        self._receive: Any = None
        self._report: Report | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            self._receive, send = ctx.Pipe(duplex=False)
            self._process = ctx.Process(target=_child, args=(data, shapes, processes, send),
                                        name="ccgraph-validate", daemon=False)
            self._process.start()
            send.close()

    def result(self) -> Report:
        """Wait for the report (once; later calls return the same report)."""
        if self._report is not None:
            return self._report
        from . import report_graph, report_of

        data, shapes, sources, processes = self._args
        if self._process is None:
            graph = report_graph(data() if callable(data) else data,
                                 shapes() if callable(shapes) else shapes, processes)
        else:
            try:
                ok, payload = self._receive.recv()
            except EOFError:
                raise RuntimeError("the validation process ended without a report (out of "
                                   "memory?); run `ccgraph validate` to see its error") from None
            finally:
                self._process.join()
                self._receive.close()
            if not ok:
                raise ValueError(payload)
            graph = Graph()
            graph.parse(data=payload, format="nt")
        self._report = report_of(graph, None if callable(data) else data, sources,
                                 graphs=self._graphs)
        return self._report

    def cancel(self) -> None:
        """Stop the validation (the caller gave up waiting for it)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join()


def start(data: Data, shapes: Shapes = None,
          sources: Mapping[URIRef, str] | None = None,
          processes: int | None = None, graphs: Graphs | None = None) -> Pending:
    """Begin :func:`ccgraph.validate.validate` (the same arguments; ``data`` and ``shapes``
    may be functions that make them, called in the forked process) in a forked process.
    ``graphs``: see :func:`ccgraph.validate.report_of`."""
    return Pending(data, shapes, sources, processes, graphs)


def _child(data: Data, shapes: Shapes, processes: int | None, send: Any) -> None:
    from . import report_graph

    # Everything this process inherited stays alive until it ends: kept out of the garbage
    # collector's passes, each of which would walk all of it again (the whole model, on the
    # network ~0.2 CPU s a pass) and write to every page it walks (copies of the parent's)
    gc.freeze()
    try:
        graph = report_graph(data() if callable(data) else data,
                             shapes() if callable(shapes) else shapes, processes)
        send.send((True, graph.serialize(format="nt", encoding="utf-8")))
    except BaseException as exc:  # reported to the parent, which raises it
        send.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


__all__ = ["Data", "Graphs", "Pending", "Shapes", "start"]
