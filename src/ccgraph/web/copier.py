"""The one thread of a process that makes the in-memory copies of the store (state.py), for
the life of the process.

Why one long-lived thread rather than a thread per copy: glibc gives each thread a malloc
arena, and an arena whose thread has ended goes to the next thread started. A copy allocates
and frees a great deal (the store's quads, the temporaries of building it) and leaves its
arena fragmented; the thread started after a copy thread ended — a query helper
(runner.py) or a gunicorn request thread — then allocated in that arena for its whole life.
Measured on the network build (pyoxigraph 0.5, glibc 2.36): a simple SELECT cost ~250 µs of
CPU in such a thread against ~100 µs in any other, a third of it in ``_int_malloc``. The
copier's arena stays its own: no other thread ever inherits it.

Jobs run in the order they are due; a job's exceptions are the job's to handle (logged here if
not), and the thread goes on with the next.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

_jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
_lock = threading.Lock()
_owner: tuple[int, threading.Thread] | None = None  # (process id, thread): none after fork


def submit(job: Callable[[], None], delay: float = 0.0) -> None:
    """Run ``job`` in the copier thread (started on first use in this process), after
    ``delay`` seconds (a timer waits them, so that the jobs queued meanwhile go on)."""
    if delay > 0:
        timer = threading.Timer(delay, submit, args=(job,))
        timer.daemon = True
        timer.start()
        return
    global _jobs, _owner
    with _lock:
        if _owner is None or _owner[0] != os.getpid() or not _owner[1].is_alive():
            if _owner is not None and _owner[0] != os.getpid():
                _jobs = queue.SimpleQueue()  # a forked child: the parent's queue is not ours
            thread = threading.Thread(target=_serve, args=(_jobs,), name="ccgraph-copier",
                                      daemon=True)
            _owner = (os.getpid(), thread)
            thread.start()
        _jobs.put(job)


def _serve(jobs: queue.SimpleQueue[Callable[[], None]]) -> None:
    while True:
        job = jobs.get()
        try:
            job()
        except Exception:
            log.exception("an in-memory copy job failed")
        del job  # hold nothing of a finished job while waiting
