"""The application's state: what the views share, kept on ``app.extensions["ccgraph"]``,
and the one typed accessor the views read it with (:func:`state`)."""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import pyoxigraph as ox
from flask import current_app

from .. import writes
from ..engines.union import union_graph
from ..release_serving import is_release, open_release
from ..remote_dataset import RemoteDataset
from ..remote_store import RemoteStore
from ..settings import Settings
from ..store import Build, BuildMeta, current_link, open_build
from . import copier, inmemory
from .cache import ResultCache
from .runner import QueryRunner

if TYPE_CHECKING:
    from .resources import Description

EXTENSION = "ccgraph"
log = logging.getLogger(__name__)
T = TypeVar("T")
#: an HTML view of a particular kind of resource: gets the IRI and its description and
#: returns a page, or None to leave it to the generic page
HtmlView = Callable[[str, "Description"], "str | None"]


class Versioned(Protocol):
    @property
    def version(self) -> str: ...


class QueryTarget(Protocol):
    """What ``/sparql`` answers from: the live build (:class:`Ccgraph`) or a release
    (``releases.Pinned``)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def runner(self) -> QueryRunner: ...

    @property
    def base(self) -> str: ...

    @property
    def store(self) -> ox.Store: ...

    @property
    def graphs(self) -> frozenset[str]: ...

    @property
    def meta(self) -> Versioned: ...

    @property
    def results(self) -> ResultCache: ...


#: seconds a new version must stay current before a worker copies it into memory
COPY_SETTLE = 2.0
#: ... and, while writes keep coming (versions less than COPY_SETTLE_MAX / FACTOR seconds
#: apart), this many times the recent interval between versions: under a stream of writes
#: the copies wait for a pause instead of competing with the next write for the CPU
COPY_SETTLE_FACTOR = 3.0
COPY_SETTLE_MAX = 60.0
#: seconds a remote engine gets beyond ``query_timeout`` (the runner's deadline comes first)
REMOTE_GRACE = 5.0


def open_serving(settings: Settings) -> Build:
    """The build at ``settings.store``; with ``settings.backend``, its store replaced by the
    remote engine the build was published to (files, metadata and ETags stay the build's).
    RemoteStore answers the calls the views make of ``ox.Store`` (remote_store.py)."""
    build = _open_store(settings)
    if not settings.backend:
        return build
    local = [g for g in build.store.named_graphs() if isinstance(g, ox.NamedNode)]
    timeout = settings.query_timeout + REMOTE_GRACE
    dataset = RemoteDataset(settings.backend, union_graph(build.meta.base or settings.base),
                            [g.value for g in local], timeout)
    # the engine stops a page's query when ccgraph stops waiting; /sparql's at its deadline
    remote = RemoteStore(settings.backend, timeout=timeout, graphs=local, dataset=dataset,
                         engine_timeout=timeout)
    return dataclasses.replace(build, store=cast(ox.Store, remote))


def _open_store(settings: Settings) -> Build:
    """The build, or the release (release_serving.py), at ``settings.store``."""
    if not is_release(settings.store):
        return open_build(settings.store)
    if settings.update_token:
        raise ValueError(f"{settings.store} is a release, and a release never changes: "
                         "leave --update-token empty (write to the build, then release)")
    return open_release(settings.store)


def named_graphs(store: ox.Store) -> frozenset[str]:
    return frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


@dataclass
class Ccgraph:
    """What the views share."""

    settings: Settings
    build: Build
    runner: QueryRunner
    graphs: frozenset[str]
    cache: dict[str, Any] = field(default_factory=dict)
    #: finished answers (SPARQL results, /doc bodies), keyed with the data's version
    results: ResultCache = field(default_factory=lambda: ResultCache(0))
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: where ``<store>/current`` pointed when ``build`` was opened (None: not versioned)
    live: str | None = None
    writer: writes.WriteRunner | None = None
    #: HTML views of particular kinds of resource, asked in order before the generic page
    html_views: tuple[HtmlView, ...] = ()
    #: whether queries are answered from an in-memory copy of ``build``'s store (inmemory.py)
    in_memory: bool = False
    #: the build a default-graph copy was made of, and the copy (see default_store)
    _default: tuple[Build, ox.Store] | None = None
    #: when the last few versions were opened (monotonic seconds), for copy_settle
    _opened: list[float] = field(default_factory=list)

    def refresh(self) -> None:
        """Reopen the store when a write (or a rebuild) made a new version current: one
        readlink per request. Requests already running keep the store they started with."""
        root = self.settings.store
        link = current_link(root)
        if link is None or link == self.live:
            return
        with self.lock:
            if current_link(root) == self.live:
                return
            try:
                build = open_serving(self.settings)
            except Exception:  # keep serving what is open; the next request tries again
                log.exception("reopening the store at %s failed", root)
                return
            self.graphs = named_graphs(build.store)
            self.build = build
            self.in_memory = False
            self.live = f"{build.path.parent.name}/{build.path.name}"
            self.cache = {}
            settle = self.copy_settle(time.monotonic())
        self.start_memory_copy(settle=settle)

    def copy_settle(self, now: float) -> float:
        """Seconds a version opened ``now`` waits before it is copied into memory:
        COPY_SETTLE, longer while versions follow each other closely (the median of the
        last intervals times COPY_SETTLE_FACTOR, when that is at most COPY_SETTLE_MAX)."""
        self._opened = [*self._opened[-3:], now]
        gaps = sorted(b - a for a, b in zip(self._opened, self._opened[1:], strict=False))
        if not gaps:
            return COPY_SETTLE
        wait = COPY_SETTLE_FACTOR * gaps[len(gaps) // 2]
        return max(COPY_SETTLE, wait) if wait <= COPY_SETTLE_MAX else COPY_SETTLE

    def start_memory_copy(self, settle: float = 0.0) -> None:
        """Copy the open build's store into memory in a background thread and answer from
        the copy once it is made (inmemory.py); the store on disk answers until then. Not
        for a remote backend, nor for a build over ``settings.memory_quads``. After a write,
        the copy starts once the version has stayed current ``settle`` seconds, so that a
        burst of writes does not make a copy per write."""
        build = self.build
        if self.settings.backend or not inmemory.worth_copying(
                build, self.settings.memory_quads):
            return
        # in the process's one copier thread (copier.py: its malloc arena stays its own)
        copier.submit(functools.partial(self._copy_into_memory, build), delay=settle)

    def _copy_into_memory(self, build: Build) -> None:
        if self.build is not build:  # a newer version came meanwhile: its own copy
            return
        try:
            store = inmemory.copy_store(build.store)
            default = inmemory.copy_default_graph(store)  # from memory: ~half the CPU
        except Exception:  # keep answering from the store on disk
            log.exception("copying the store of %s into memory failed", build.path)
            return
        with self.lock:
            if self.build is build:  # no newer version was opened meanwhile
                self.build = dataclasses.replace(build, store=store)
                self._default = (self.build, default)
                self.in_memory = True

    @property
    def store(self) -> ox.Store:
        return self.build.store

    @property
    def default_store(self) -> ox.Store | None:
        """The in-memory copy of the default graph alone, for queries that read no named
        graph; None unless it was made of the build served now."""
        made = self._default
        return made[1] if made is not None and made[0] is self.build else None

    def solutions(self, query: str) -> ox.QuerySolutions:
        """The rows of a SELECT ``query`` on the live store."""
        result = self.store.query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError(f"not a SELECT query: {query[:60]!r}")
        return result

    @property
    def meta(self) -> BuildMeta:
        return self.build.meta

    @property
    def base(self) -> str:
        base = self.meta.base or self.settings.base
        return base if base.endswith("/") else base + "/"

    @property
    def path(self) -> Path:
        return self.build.path

    def cached(self, key: str, make: Callable[[], T]) -> T:
        """``make()``, computed once per build and kept (keys name what they hold)."""
        with self.lock:
            if key not in self.cache:
                self.cache[key] = make()
            found: T = self.cache[key]
            return found


def state() -> Ccgraph:
    """The state of the application handling the current request."""
    found = current_app.extensions[EXTENSION]
    if not isinstance(found, Ccgraph):
        raise RuntimeError("this Flask app was not made by ccgraph.web.create_app")
    return found
