"""The write queue (writes/writer.py): a write's answer never waits for writes that came
after it. The thread that leads the queue hands it over once its own write is answered;
it used to lead until the queue was empty, so under a steady stream of writes its own
answer, long committed, waited for the stream to pause (the soak: one write in 20-28 s).

Real writer, real write worker, on a copy of the seed build. The write queued behind the
first one never ends by itself (an update over a cross product, with a deadline far
beyond the test's patience): a leader that went on to run it would not come back."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from ccgraph import iris, writes
from ccgraph.store import write_lock
from tests.support.writehelp import comment_insert, comments, copy_build

#: an update that runs for ever: a count over a three-way cross product of the build
RUNAWAY = (f'INSERT {{ <{iris.city("jp", "Sapporo")}> '
           '<http://www.w3.org/2000/01/rdf-schema#comment> ?n } '
           "WHERE { SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } }")
#: seconds the first write's thread may take, far more than one small write needs
PATIENCE = 120.0


def _write_workers() -> list[int]:
    """The write worker processes this test process started."""
    mine = str(os.getpid())
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2:].split()[1] == mine and b"validate_worker" in cmd:
            found.append(int(entry.name))
    return found


def test_the_first_write_is_answered_while_a_later_one_still_runs(
        seed_build: Path, tmp_path: Path) -> None:
    build = copy_build(seed_build, tmp_path / "build")
    # one write per group: the second write runs after the first, as the next group
    writer = writes.Writer(build, iris.DEFAULT_BASE,
                           writes.Limits(timeout=3600.0, group=1, lock_timeout=600.0))
    assert writer.warm()
    answers: dict[str, writes.WriteResult] = {}

    def send(name: str, update: str) -> None:
        answers[name] = writer.submit(writes.Request(writes.UPDATE, update=update))

    first = threading.Thread(target=send, args=("first", comment_insert("answered")))
    second = threading.Thread(target=send, args=("second", RUNAWAY))
    try:
        with write_lock(build, 60):  # both queue: the first one's thread leads
            first.start()
            deadline = time.monotonic() + PATIENCE
            while writer.queued() < 1:
                assert time.monotonic() < deadline, "the first write did not queue"
                time.sleep(0.02)
            second.start()
            while writer.queued() < 2:
                assert time.monotonic() < deadline, "the second write did not queue"
                time.sleep(0.02)
        first.join(PATIENCE)
        assert not first.is_alive(), "the first write's answer waited for the next write"
        assert answers["first"].status == writes.COMMITTED
        assert "answered" in comments(build)
        assert second.is_alive()  # the runaway still runs, in the thread it came with
    finally:
        for pid in _write_workers():  # the runaway's worker: its write is answered
            os.kill(pid, signal.SIGKILL)
        second.join(PATIENCE)
        writer.close()
    assert not second.is_alive()
    assert answers["second"].status != writes.COMMITTED
