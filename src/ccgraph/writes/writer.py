"""The parent side of writes (in each server process): one write at a time, handed to the
write worker (``python -m ccgraph.validate_worker --serve``), which is killed at the
deadline; a committed version is installed here."""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from ..store import LockTimeout, current_link, install_build, remove_leftovers, write_lock
from .group import SPLIT
from .request import (
    BAD_REQUEST,
    BUSY,
    COMMITTED,
    CONFLICT,
    ERROR,
    TIMEOUT,
    Limits,
    Request,
    WriteResult,
)

log = logging.getLogger(__name__)


class WriteRunner(Protocol):
    """What a server worker runs its writes with: a :class:`Writer` of its own, or the
    server's write service (service.py: ``ServiceWriter``)."""

    def submit(self, req: Request) -> WriteResult: ...

    def queued(self) -> int: ...

    def warm_in_background(self) -> object: ...

    def close(self) -> None: ...


class _Pending:
    """A write waiting in the queue for its outcome."""

    def __init__(self, req: Request, started: float) -> None:
        self.req = req
        self.started = started
        self.waited = 0.0
        self.done = threading.Event()
        self.result = WriteResult(ERROR, "no outcome")
        #: the leader handed the queue over to this write's thread (see Writer.submit)
        self.lead = False
        #: set when the write is answered, or when its thread is to lead
        self.turn = threading.Event()

    def answer(self, result: WriteResult) -> None:
        result.seconds["lock_wait"] = round(self.waited, 3)
        result.seconds["total"] = round(time.monotonic() - self.started, 3)
        self.result = result
        self.done.set()
        self.turn.set()


class Writer:
    """Runs writes for one server process: a lock, and the child that does the work."""

    def __init__(self, root: Path, base: str, limits: Limits) -> None:
        self.root = Path(root)
        self.base = base
        self.limits = limits
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._warming = False
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._leading = False

    # -- the child process

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        child = subprocess.Popen([sys.executable, "-m", "ccgraph.validate_worker", "--serve"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self._child = child
        self._buffer = b""
        hello = self._read(child, time.monotonic() + max(120.0, self.limits.commit_timeout))
        if hello is None or hello.get("stage") != "ready":
            self._kill()
            raise RuntimeError(f"the write worker did not start: {hello}")
        return child

    def _kill(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()

    def close(self) -> None:
        child = self._child
        if self._warming and child is not None and child.poll() is None:
            child.send_signal(signal.SIGKILL)  # a warm-up in progress ends at once
        with self._lock:
            self._kill()
        remove_leftovers(self.root)  # the kept store of the worker killed (workstore.py)

    # -- warming up

    def warm(self) -> bool:
        """Start the write worker and have it read the live version and make what the
        first write would (the kept state of writes/fast.py), so that the first write costs
        what any other does. Skipped when a write is running; a write that arrives during
        the warm-up waits for it (it would have done the same work). True when warm."""
        if not self._lock.acquire(blocking=False):
            return False
        self._warming = True
        try:
            link = current_link(self.root)
            if link is None:
                return False
            child = self._start()
            assert child.stdin is not None
            header = {"kind": "warm", "root": str(self.root), "link": link,
                      "base": self.base, "payload": 0}
            child.stdin.write(json.dumps(header).encode("utf-8") + b"\n")
            child.stdin.flush()
            done = self._read(child, time.monotonic() + max(120.0, self.limits.commit_timeout))
            if done is None or done.get("status") != "warm":
                log.warning("write worker warm-up failed: %s", done)
                self._kill()
                return False
            return True
        except (OSError, RuntimeError) as exc:
            log.warning("write worker warm-up: %s", exc)
            self._kill()
            return False
        finally:
            self._warming = False
            self._lock.release()

    def warm_in_background(self) -> threading.Thread:
        """:meth:`warm` in a daemon thread (the server starts it with the app)."""
        thread = threading.Thread(target=self.warm, name="ccgraph-write-warm", daemon=True)
        thread.start()
        return thread

    def _read(self, child: subprocess.Popen[bytes], deadline: float) -> dict[str, Any] | None:
        """The child's next message; None when it died or the deadline passed."""
        assert child.stdout is not None
        fd = child.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message

    # -- one write, or a group of them

    def submit(self, req: Request) -> WriteResult:
        """Run ``req`` and say what became of it. Writes that arrive while one is being
        committed queue; the thread that leads (the first to come when none did) takes the
        queue a group at a time and commits what it can as one version (group.py), and
        answers each. Once its own write is answered it hands the queue over to the
        thread of the next write waiting, and returns: its own answer never waits for
        writes that came after it.

        (It used to lead until the queue was empty: under a steady stream of writes, the
        leader's own answer, long committed, waited for the stream to pause. Seen in the
        soak, 12 readers and 3 writers on the network build: one write in 20-28 s while
        every other took 2-8 s, its thread in ``ServiceWriter._answer`` all along, sampled
        with py-spy, the service logging it with total 3.0-4.7 s once the writers
        stopped.)"""
        started = time.monotonic()
        pending = _Pending(req, started)
        with self._queue_lock:
            self._queue.append(pending)
            lead = not self._leading
            self._leading = True
        if lead:
            self._take_lead(pending)
        return self._wait(pending)

    def _take_lead(self, own: _Pending) -> None:
        try:
            self._lead(own)
        except BaseException:
            self._answer_all(WriteResult(ERROR, "the write could not be run; nothing was "
                                                "changed"))
            with self._queue_lock:
                self._leading = False
            raise

    def queued(self) -> int:
        """How many writes wait in the queue (not yet taken into a group)."""
        with self._queue_lock:
            return len(self._queue)

    def _wait(self, pending: _Pending) -> WriteResult:
        """``pending``'s outcome, leading the queue when it is handed over to this thread."""
        limit = self.limits.lock_timeout + self.limits.commit_timeout + self.limits.timeout
        deadline = time.monotonic() + limit
        while True:
            if pending.turn.wait(max(0.0, deadline - time.monotonic())):
                if pending.done.is_set():
                    return pending.result
                # its turn to lead (no other thread leads, so no answer comes meanwhile)
                pending.turn.clear()
                pending.lead = False
                self._take_lead(pending)
                continue
            with self._queue_lock:
                if pending.lead:  # handed the queue just now: lead it
                    continue
                if pending in self._queue:  # never taken: nothing happened
                    self._queue.remove(pending)
                    return WriteResult(BUSY, "another write is in progress; retry in a "
                                             "moment")
            pending.done.wait()  # taken: its outcome comes
            return pending.result

    def _lead(self, own: _Pending) -> None:
        """Run the queue, a group at a time, until it is empty or ``own`` is answered; then
        hand what is left to the thread of the first write waiting."""
        busy = WriteResult(BUSY, "another write is in progress; retry in a moment")
        while True:
            if self._lock.acquire(timeout=self.limits.lock_timeout):
                try:
                    with write_lock(self.root, self.limits.lock_timeout):
                        with self._queue_lock:
                            batch = self._queue[:max(1, self.limits.group)]
                            del self._queue[:len(batch)]
                        self._run_batch(batch)
                except LockTimeout:
                    self._answer_all(busy)
                finally:
                    self._lock.release()
            else:
                self._answer_all(busy)
            with self._queue_lock:
                if not self._queue:
                    self._leading = False
                    return
                if own.done.is_set():
                    following = self._queue[0]
                    following.lead = True
                    following.turn.set()
                    return

    def _answer_all(self, result: WriteResult) -> None:
        with self._queue_lock:
            waiting, self._queue = self._queue, []
        for p in waiting:
            p.answer(result)

    def _run_batch(self, batch: list[_Pending]) -> None:
        began = time.monotonic()
        for p in batch:
            p.waited = began - p.started
        alone: list[_Pending] = batch
        if len(batch) > 1:
            try:
                alone = self._run_group(batch)
            except Exception:
                log.exception("a group of writes failed; running them one by one")
                self._kill()
                alone = [p for p in batch if not p.done.is_set()]
        for p in alone:
            try:
                outcome = self._run(p.req)
            except Exception:
                log.exception("a write failed")
                outcome = WriteResult(ERROR, "the write failed; nothing was changed")
            p.answer(outcome)

    def _run_group(self, batch: list[_Pending]) -> list[_Pending]:
        """Send ``batch`` to the write worker as one group; answers the writes it decided
        and returns those to run alone."""
        remove_leftovers(self.root)
        link = current_link(self.root)
        if link is None:
            return batch
        child = self._start()
        subs = [{"kind": p.req.kind, "update": p.req.update, "graph": p.req.graph,
                 "media_type": p.req.media_type, "payload": len(p.req.payload)}
                for p in batch]
        payload = b"".join(p.req.payload for p in batch)
        header = {"kind": "group", "writes": subs, "payload": len(payload),
                  "root": str(self.root), "link": link, "base": self.base,
                  "cap": self.limits.cap}
        assert child.stdin is not None
        child.stdin.write(json.dumps(header).encode("utf-8") + b"\n" + payload)
        child.stdin.flush()
        message = self._read(child, time.monotonic() + self.limits.commit_timeout)
        if message is not None and message.get("stage") == "loaded":
            message = self._read(child, time.monotonic() + self.limits.timeout)
        if message is None or message.get("stage") != "applied":
            self._kill()  # nothing was written: each runs alone (and gets its own verdict)
            return batch
        done = self._read(child, time.monotonic() + self.limits.commit_timeout)
        if done is None or not isinstance(done.get("group"), list):
            self._kill()
            return batch
        staging, name = done.get("staging"), done.get("name")
        install = 0.0
        if staging and name:
            t0 = time.monotonic()
            install_build(Path(staging), self.root, str(done["version"]), lock_timeout=-1,
                          name=str(name))
            install = round(time.monotonic() - t0, 3)
        alone = []
        for p, result in zip(batch, done["group"], strict=True):
            if result.get("status") == SPLIT:
                alone.append(p)
                continue
            outcome = WriteResult(**result)
            if outcome.status == COMMITTED:
                outcome.seconds["install"] = install
                outcome.seconds["group"] = len(batch)
            p.answer(outcome)
        return alone

    def _run(self, req: Request) -> WriteResult:
        """One write alone."""
        remove_leftovers(self.root)
        link = current_link(self.root)
        if link is None:
            return WriteResult(CONFLICT, "this build directory predates versioned builds; "
                                     "rebuild it (ccgraph build) to accept writes")
        try:
            child = self._start()
        except (OSError, RuntimeError) as exc:
            log.error("write worker: %s", exc)
            return WriteResult(ERROR, "the write worker could not be started")
        header = {"kind": req.kind, "update": req.update, "graph": req.graph,
                  "media_type": req.media_type, "payload": len(req.payload),
                  "root": str(self.root), "link": link, "base": self.base,
                  "cap": self.limits.cap}
        assert child.stdin is not None
        try:
            child.stdin.write(json.dumps(header).encode("utf-8") + b"\n" + req.payload)
            child.stdin.flush()
        except OSError:
            self._kill()
            return WriteResult(ERROR, "the write worker stopped unexpectedly")
        # reading the live version (the first write of a worker, or after a rebuild) is
        # not the change: the deadline starts when the worker says it has loaded it
        applied = self._read(child, time.monotonic() + self.limits.commit_timeout)
        if applied is not None and applied.get("stage") == "loaded":
            applied = self._read(child, time.monotonic() + self.limits.timeout)
        if applied is None or applied.get("stage") != "applied":
            if applied is not None and applied.get("stage") == "done":
                return self._finish(applied)
            crashed = child.poll() is not None
            self._kill()
            if crashed:
                return WriteResult(BAD_REQUEST, "the request could not be processed (the parser "
                                            "or evaluator failed on it); nothing was changed")
            return WriteResult(TIMEOUT, f"the update timed out after {self.limits.timeout:g} s; "
                                    "nothing was changed")
        done = self._read(child, time.monotonic() + self.limits.commit_timeout)
        if done is None:
            self._kill()
            return WriteResult(ERROR, "validating or writing the new version failed; "
                                  "nothing was changed")
        return self._finish(done)

    def _finish(self, done: dict[str, Any]) -> WriteResult:
        staging = done.pop("staging", None)
        name = done.pop("name", None)
        done.pop("stage", None)
        outcome = WriteResult(**done)
        if outcome.status != COMMITTED:
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
            return outcome
        assert staging and name
        t0 = time.monotonic()
        install_build(Path(staging), self.root, outcome.version, lock_timeout=-1, name=name)
        outcome.seconds["install"] = round(time.monotonic() - t0, 3)
        return outcome
