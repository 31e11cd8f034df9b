"""Running a query with a deadline: in a helper thread (:class:`QueryRunner`, which keeps
its helper threads for the next queries), and
:func:`execute`, which pulls at most ``cap`` answers (see :mod:`ccgraph.web.sparql` for why
and what happens to a query that runs past its deadline); :func:`execute_select`, a SELECT
with its cap pushed into the query and its answer written by pyoxigraph, no row in Python."""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyoxigraph as ox

from .. import query_limit

log = logging.getLogger(__name__)
T = TypeVar("T")
#: a helper thread with no query to run for this long ends
IDLE_SECONDS = 30.0


class Wakeup:
    """One thread wakes another through a pipe: :meth:`set` writes a byte and :meth:`wait`
    polls for it, both with the GIL released.

    Why not a ``threading`` lock, event or ``queue``: their release wakes the waiting
    thread while the waker still holds the GIL, and on a busy machine the scheduler often
    lets the woken thread preempt the waker right there; the woken thread then waits for
    the GIL, and every Python thread of the process with it, until the waker is scheduled
    again. Sampled with py-spy in a gunicorn worker under wrk (4 clients, load ~15): half
    the GIL-holding samples were a request thread in ``SimpleQueue.put`` handing its query
    to a helper."""

    def __init__(self) -> None:
        self._fds: tuple[int, ...] = ()
        self.pid = os.getpid()
        self._read, self._write = os.pipe()
        self._fds = (self._read, self._write)
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._poll = select.poll()
        self._poll.register(self._read, select.POLLIN)

    def set(self) -> None:
        with contextlib.suppress(BlockingIOError):  # a full pipe: bytes enough to wake
            os.write(self._write, b"\0")

    def wait(self, timeout: float) -> bool:
        """True when a byte came within ``timeout`` seconds (taken, with any others)."""
        if not self._poll.poll(max(0, math.ceil(timeout * 1000))):
            return False
        self.clear()
        return True

    def clear(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self._read, 512):
                pass

    def close(self) -> None:
        """Close the pipe (once: a closed descriptor's number may be another file's)."""
        fds, self._fds = self._fds, ()
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __del__(self) -> None:
        self.close()


@dataclass(eq=False)
class _Helper:
    """A helper thread's task box and the pipe it is woken through."""

    task: tuple[Callable[[], None], Wakeup] | None  # and what to set when it ends
    wake: Wakeup = field(default_factory=Wakeup)


_local = threading.local()


def _reply_wakeup() -> Wakeup:
    """The calling thread's own Wakeup, on which it waits for its queries' answers."""
    found: Wakeup | None = getattr(_local, "reply", None)
    if found is None or found.pid != os.getpid():  # none yet, or the parent's (a fork)
        found = _local.reply = Wakeup()
    return found


class QueryTimeout(Exception):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"query timed out after {seconds:g} s")


class Busy(Exception):
    """Too many timed-out queries are still running in this process."""


@dataclass
class QueryRunner:
    """Runs work in a helper thread and gives up waiting after ``timeout`` seconds.

    Helper threads are kept for the next queries (measured on the network build: a new
    thread per query cost ~0.6 ms of a ~1 ms simple SELECT); one that waits
    :data:`IDLE_SECONDS` without work ends. An abandoned query keeps its thread until the
    query ends; the next queries get other threads."""

    timeout: float
    on_stuck: Callable[[], None] | None = None
    max_abandoned: int = 2
    #: queries run at once; the others wait their turn within their own timeout (0: any)
    slots: int = 0
    grace: float | None = None  # seconds after the deadline before on_stuck; 2 x timeout
    _abandoned: list[tuple[threading.Event, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _watchdog: threading.Thread | None = None
    _stuck_reported: bool = False
    _idle: list[_Helper] = field(default_factory=list)  # helper threads free, last freed last
    _pid: int = field(default_factory=os.getpid)  # the process the helpers run in
    _gate: threading.BoundedSemaphore | None = None

    def __post_init__(self) -> None:
        if self.slots > 0:
            self._gate = threading.BoundedSemaphore(self.slots)

    def abandoned(self) -> int:
        with self._lock:
            self._abandoned = [(d, at) for d, at in self._abandoned if not d.is_set()]
            return len(self._abandoned)

    def run(self, work: Callable[[float], T]) -> T:
        """``work(deadline)`` in a helper thread; QueryTimeout when it takes too long."""
        if self.abandoned() >= self.max_abandoned:
            raise Busy("the server is busy with long-running queries; retry in a moment")
        deadline = time.monotonic() + self.timeout
        gate = self._gate
        if gate is None:
            return self._run(work, deadline)
        # a slot is held by the waiting request, never by the query: a query abandoned at
        # its deadline gives its slot back with the 503
        turn = gate.acquire(timeout=self.timeout)
        if not turn or time.monotonic() >= deadline:
            if turn:
                gate.release()
            raise Busy(f"the server is busy: this query waited {self.timeout:g} s for its "
                       "turn; retry in a moment")
        try:
            return self._run(work, deadline)
        finally:
            gate.release()

    def _run(self, work: Callable[[float], T], deadline: float) -> T:
        box: list[tuple[bool, Any]] = []
        done = threading.Event()  # for the watchdog: whether an abandoned query ended
        reply = _reply_wakeup()

        def target() -> None:
            try:
                box.append((True, work(deadline)))
            except BaseException as exc:
                box.append((False, exc))
            finally:
                done.set()

        reply.clear()  # a byte an abandoned query of this thread's sent late
        self._submit(target, reply)
        while not box:
            left = deadline - time.monotonic()
            if left <= 0 or not reply.wait(left):
                if box:
                    break
                with self._lock:
                    self._abandoned.append((done, time.monotonic()))
                self._start_watchdog()
                raise QueryTimeout(self.timeout)
        ok, value = box[0]
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def _submit(self, task: Callable[[], None], reply: Wakeup) -> None:
        """Hand ``task`` to a free helper thread (the one freed last), or to a new one when
        none is free; ``reply`` is set when the task has ended."""
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's helpers are not here
                self._pid = os.getpid()
                self._idle = []
            helper = self._idle.pop() if self._idle else None
            if helper is not None:
                helper.task = (task, reply)
        if helper is not None:
            helper.wake.set()
            return
        helper = _Helper((task, reply))
        threading.Thread(target=self._serve, args=(helper,), name="ccgraph-query",
                         daemon=True).start()

    def _serve(self, helper: _Helper) -> None:
        try:
            while True:
                woke = helper.task is not None or helper.wake.wait(IDLE_SECONDS)
                with self._lock:
                    job = helper.task
                    if job is None:
                        if not woke and helper in self._idle:  # no work came: end
                            self._idle.remove(helper)
                            return
                        continue
                    helper.task = None
                task, reply = job
                try:
                    task()
                finally:
                    del job, task  # hold no finished query's answer while waiting
                    with self._lock:  # free again before the waiting request wakes up
                        self._idle.append(helper)
                    reply.set()
                    del reply
        finally:
            helper.wake.close()

    def _start_watchdog(self) -> None:
        with self._lock:
            if self._watchdog is not None and self._watchdog.is_alive():
                return
            self._watchdog = threading.Thread(target=self._watch, name="ccgraph-watchdog",
                                              daemon=True)
            self._watchdog.start()

    def _watch(self) -> None:
        grace = self.grace if self.grace is not None else max(2 * self.timeout, 1.0)
        while self.abandoned():
            with self._lock:
                oldest = min(at for _, at in self._abandoned) if self._abandoned else None
            if oldest is not None and time.monotonic() - oldest > grace \
                    and not self._stuck_reported:
                self._stuck_reported = True
                log.warning("a timed-out query still runs %.1f s after its deadline", grace)
                if self.on_stuck is not None:
                    self.on_stuck()
            time.sleep(0.25)


@dataclass
class Outcome:
    kind: str  # "boolean", "solutions" or "triples"
    boolean: bool = False
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    #: execute_select: the solutions as SPARQL TSV written by pyoxigraph (header line, then
    #: one line per row), ``rows`` left empty; see :meth:`count` and :func:`rows_of`
    tsv: bytes | None = None

    def count(self) -> int:
        """Rows (or triples) in the answer."""
        if self.tsv is not None:
            return self.tsv.count(b"\n") - 1
        return len(self.triples) if self.kind == "triples" else len(self.rows)


TSV = ox.QueryResultsFormat.TSV


def rows_of(outcome: Outcome) -> Outcome:
    """``outcome`` with its rows as Python terms (those of an execute_select answer parsed
    from its TSV; the same terms execute would have given)."""
    if outcome.tsv is None:
        return outcome
    parsed: Any = ox.parse_query_results(outcome.tsv, format=TSV)
    width = range(len(outcome.variables))
    rows = [tuple(solution[i] for i in width) for solution in parsed]
    return Outcome("solutions", variables=outcome.variables, rows=rows,
                   truncated=outcome.truncated)


@functools.lru_cache(maxsize=1024)
def _limited_cached(query: str, limit: int) -> str:
    return query_limit.limited(query, limit)


def limited(query: str, limit: int) -> str:
    """query_limit.limited, remembered per worker for queries asked again (the lexer is pure
    Python: ~0.2-0.5 ms for a gallery query, measured; long queries are not kept)."""
    if len(query) > 20_000:
        return query_limit.limited(query, limit)
    return _limited_cached(query, limit)


def execute_select(store: ox.Store, query: str, options: dict[str, Any], cap: int,
                   deadline: float, push_limit: bool = True) -> Outcome:
    """A SELECT (the guard said so) answered like :func:`execute`, faster: the cap becomes
    the query's own ``LIMIT cap+1`` (query_limit.py: the same first solutions), pyoxigraph
    writes the solutions as SPARQL TSV itself, and a ``cap+1``-th row marks the answer
    truncated. No solution is turned into Python objects; the deadline is kept by the
    runner (a query still running at it is abandoned) and checked once at the end.

    Measured on the network build (gallery, in-memory default graph): pulling every row
    into Python and writing TSV from it cost ~0.6 ms of ~6.8 ms CPU per query, and the
    request's serialisation another ~0.3-1 ms. Queries whose answer TSV cannot carry (no
    variables, triple terms) go the :func:`execute` way. ``push_limit=False``: the store
    limits the query itself (a remote engine's ``result_limit`` option, remote_store.py);
    its solutions are parsed by pyoxigraph and written as TSV the same way."""
    try:
        result = store.query(limited(query, cap + 1) if push_limit else query, **options)
    except SyntaxError:  # said of the query as the client wrote it (line, column)
        return execute(store, query, options, cap, deadline)
    failure: tuple[type[Exception], str] | None = None
    data = b""
    names: list[str] = []
    usable = False
    if isinstance(result, ox.QuerySolutions) and result.variables:
        usable = True
        names = [v.value for v in result.variables]
        try:
            data = bytes(result.serialize(format=TSV) or b"")
        except Exception as exc:  # re-raised below, without frames that hold ``result``
            failure = (type(exc), str(exc))
    del result  # pyoxigraph results belong to the thread that made them (see execute)
    if failure is not None:
        kind, message = failure
        try:
            error = kind(message)
        except Exception:
            error = OSError(message)
        raise error
    if not usable or b"<<" in data:  # no variables, or perhaps triple terms: rows in Python
        return execute(store, query, options, cap, deadline)
    if time.monotonic() > deadline:
        raise QueryTimeout(deadline)
    out = Outcome("solutions", variables=names, tsv=data)
    if out.count() > cap:
        keep = data.split(b"\n", cap + 1)[:cap + 1]
        out.tsv = b"\n".join(keep) + b"\n"
        out.truncated = True
    return out


def execute(store: ox.Store, query: str, options: dict[str, Any], cap: int,
            deadline: float) -> Outcome:
    """Run ``query`` and pull at most ``cap`` answers, stopping at ``deadline``."""
    result = store.query(query, **options)
    failure: tuple[type[Exception], str] | None = None
    try:
        out = _collect_outcome(result, cap, deadline)
    except Exception as exc:  # re-raised below, without frames that hold ``result``
        out = Outcome("failed")
        failure = (type(exc), str(exc))
    # pyoxigraph result iterators belong to the thread that made them: drop this one here,
    # so that no traceback carries it to the request thread.
    del result
    if failure is not None:
        kind, message = failure
        if kind is QueryTimeout:
            raise QueryTimeout(deadline)
        try:
            error = kind(message)
        except Exception:
            error = OSError(message)
        raise error
    return out


def _collect_outcome(result: Any, cap: int, deadline: float) -> Outcome:
    if isinstance(result, ox.QueryBoolean):
        return Outcome("boolean", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        out = Outcome("solutions", variables=names)
        width = range(len(names))
        for solution in result:
            if len(out.rows) >= cap:
                out.truncated = True
                break
            out.rows.append(tuple(solution[i] for i in width))
            if time.monotonic() > deadline:
                raise QueryTimeout(deadline)
        return out
    out = Outcome("triples")
    for triple in result:
        if len(out.triples) >= cap:
            out.truncated = True
            break
        out.triples.append(triple)
        if time.monotonic() > deadline:
            raise QueryTimeout(deadline)
    return out
