"""Group commit: writes that queued while another was committed are committed together,
as one version, when that cannot change what any of them does.

Only data operations are grouped (``INSERT DATA``, ``DELETE DATA``, a Graph Store POST):
their change is a function of the quads they name and of what the live version holds of
those triples, so when no two writes of a group name the same triple (in any graph) nor
POST into the same graph the live version does not hold yet, each one's change worked
out alone on the live version is the change it makes in any order, and the group's change
is their union. A write that names a triple an earlier write of the group names, or any
other kind of write, runs alone after the group (status :data:`SPLIT`), as do all of them
when their union does not conform although each one does (validate_worker.py: a write
that fails alone is refused with its own report, so a bad write never fails a good one).

POSTs into a graph the live version holds join the same group (each adds its own triples,
and none creates the graph); only the POST that creates a graph (answered 201 Created)
keeps the graph to itself, a later POST into it running after it. (Every POST into one
graph used to run alone: in the soak, 12 readers and 3 writers on the network build, two
writers' POSTs into the soak's graph queued together often, and the second waited out the
group's commit and then its own: most of the slowest writes.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .data import DataOperation
from .request import POST, Request

#: a group member's status meaning "run this write alone, after the group"
SPLIT = "split"


@dataclass
class Member:
    """One write of a group and the change it makes alone on the live version."""

    index: int
    kind: str
    added: set[ox.Quad]
    removed: set[ox.Quad]
    counts: dict[str, Any]


@dataclass
class Plan:
    """The triples (and POST graphs) named by the writes of a group so far."""

    named: set[object] = field(default_factory=set)

    def take(self, op: DataOperation, req: Request, creates: bool = True) -> bool:
        """Whether the write may join the group: it names nothing an earlier write of the
        group names (a POST that ``creates`` its graph names the graph too). What it names
        is remembered either way (a later write naming it too then runs after it, in the
        order they came)."""
        keys: set[object] = {q.triple for q in op.quads}
        if req.kind == POST and creates:
            keys.add(("graph", req.graph))
        free = not keys & self.named
        self.named |= keys
        return free


def union(members: list[Member]) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The quads the members add and remove together."""
    added: set[ox.Quad] = set()
    removed: set[ox.Quad] = set()
    for m in members:
        added |= m.added
        removed |= m.removed
    return added, removed


__all__ = ["SPLIT", "Member", "Plan", "union"]
