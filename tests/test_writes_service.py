"""One write service for the whole gunicorn server (writes/service.py, serve.py): writes
sent to both server workers run in one write worker, make one sequence of versions (each
version's parent the one before it), and each answer names a version that holds its write;
a killed write service is started again by the master and writes go on; the writes queued
in it when it died each get an error answer, none is lost silently."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from ccgraph.store import META_FILE, current_link, write_lock
from ccgraph.writes import Limits, ServiceWriter
from tests.support.servers import gunicorn_server
from tests.support.writehelp import AUTH, TOKEN, comment_insert, comments, copy_build

pytestmark = pytest.mark.slow  # gunicorn

SERVICE_LOG = re.compile(r"\[(\d+)\] \[write-service\] write from server worker (\d+): "
                         r"(\w+) (\w*)")


def _procs() -> dict[int, tuple[int, int, str]]:
    """Every process: pid -> (parent pid, process group, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry.name)] = (int(fields[1]), int(fields[2]), cmd)
    return found


def _in_group(pgid: int, needle: str) -> dict[int, int]:
    """pid -> parent pid of the processes of group ``pgid`` whose command holds ``needle``."""
    return {pid: ppid for pid, (ppid, group, cmd) in _procs().items()
            if group == pgid and needle in cmd}


def _write_burst(url: str, texts: list[str]) -> list[requests.Response]:
    """One INSERT DATA per text, all at once, each on a new connection (so the server
    workers race for them)."""
    answers: list[requests.Response | None] = [None] * len(texts)

    def send(i: int) -> None:
        answers[i] = requests.post(url + "/sparql", data={"update": comment_insert(texts[i])},
                                   headers=AUTH, timeout=600)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [a for a in answers if a is not None]


def _chain(build: Path) -> list[str]:
    """The versions from the live one back to the build's, following build.json's
    ``write.parent``."""
    by_version = {}
    for folder in (build / "versions").iterdir():
        if (folder / META_FILE).is_file():
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            by_version[meta["version"]] = meta
    link = current_link(build)
    assert link is not None
    here = json.loads((build / link / META_FILE).read_text(encoding="utf-8"))["version"]
    chain = [here]
    while "write" in by_version[here].get("extra", {}):
        here = by_version[here]["extra"]["write"]["parent"]
        chain.append(here)
    return chain


def _socket_of(pid: int) -> Path:
    """The socket a write service listens on (its ``--socket`` argument)."""
    args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return Path(args[args.index(b"--socket") + 1].decode())


def _service_lines(log: Path) -> list[tuple[int, int, str, str]]:
    return [(int(m[1]), int(m[2]), m[3], m[4])
            for m in SERVICE_LOG.finditer(log.read_text(errors="replace"))]


def test_writes_of_both_server_workers_run_in_one_write_worker(
        seed_build: Path, tmp_path: Path) -> None:
    build = copy_build(seed_build, tmp_path / "build")
    log = tmp_path / "server.log"
    texts: list[str] = []
    answers: list[requests.Response] = []
    with gunicorn_server(build, log, update_token=TOKEN, workers="2") as server:
        url, master = server["url"], server["proc"].pid
        for burst in range(6):  # until writes came through both server workers
            batch = [f"one-service-{burst}-{i}" for i in range(6)]
            texts += batch
            answers += _write_burst(url, batch)
            if len({worker for _, worker, _, _ in _service_lines(log)}) >= 2:
                break
        services = _in_group(master, "ccgraph.writes.service")
        write_workers = _in_group(master, "ccgraph.validate_worker")
        gunicorn_workers = {pid for pid, (ppid, _, _) in _procs().items() if ppid == master
                            and pid not in services}
        lines = _service_lines(log)
    # every write went through the one service, from both server workers
    assert len(services) == 1 and set(services.values()) == {master}
    (service,) = services
    assert {svc for svc, _, _, _ in lines} == {service}
    assert len(lines) == len(texts)
    assert {worker for _, worker, _, _ in lines} == gunicorn_workers
    assert len(gunicorn_workers) == 2
    # one write worker, the service's child: no server worker has one of its own
    assert list(write_workers.values()) == [service]
    # one sequence of versions, every answer naming one of them
    assert [a.status_code for a in answers] == [200] * len(texts)
    named = {a.headers["X-Ccgraph-Version"] for a in answers}
    chain = _chain(build)
    assert named <= set(chain[:-1])  # the build's own version is no write's
    assert {version for _, _, _, version in lines} == named
    assert len(chain) - 1 == len(named)  # no version that no answer names
    assert set(texts) <= comments(build)


def test_a_killed_write_service_is_started_again(seed_build: Path, tmp_path: Path) -> None:
    build = copy_build(seed_build, tmp_path / "build")
    log = tmp_path / "server.log"
    with gunicorn_server(build, log, update_token=TOKEN, workers="2") as server:
        url, master = server["url"], server["proc"].pid
        first = requests.post(url + "/sparql", data={"update": comment_insert("before")},
                              headers=AUTH, timeout=600)
        assert first.status_code == 200
        (old,) = _in_group(master, "ccgraph.writes.service")
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + 120
        answer: Any = None
        while time.monotonic() < deadline:  # refused (500, nothing changed) until it is back
            answer = requests.post(url + "/sparql", data={"update": comment_insert("after")},
                                   headers=AUTH, timeout=600)
            if answer.status_code == 200:
                break
            assert answer.status_code == 500, answer.text
            assert "write service" in answer.text
            time.sleep(0.5)
        assert answer is not None and answer.status_code == 200
        services = _in_group(master, "ccgraph.writes.service")
        assert len(services) == 1 and old not in services
        assert "the write service exited" in log.read_text(errors="replace")
    assert {"before", "after"} <= comments(build)


def test_writes_queued_in_a_killed_write_service_get_an_answer(
        seed_build: Path, tmp_path: Path) -> None:
    build = copy_build(seed_build, tmp_path / "build")
    log = tmp_path / "server.log"
    with gunicorn_server(build, log, update_token=TOKEN, workers="2") as server:
        url, master = server["url"], server["proc"].pid
        live = current_link(build)
        (service,) = _in_group(master, "ccgraph.writes.service")
        answers: list[requests.Response] = []
        with write_lock(build, 60):  # the service's writes wait for this lock: they queue
            sender = threading.Thread(
                target=lambda: answers.extend(_write_burst(url, ["q0", "q1", "q2"])))
            sender.start()
            queue = ServiceWriter(_socket_of(service), Limits())
            deadline = time.monotonic() + 120
            while queue.queued() < 3:  # the leader takes its group once it holds the lock
                assert time.monotonic() < deadline, "the writes did not reach the service"
                time.sleep(0.1)
            os.kill(service, signal.SIGKILL)
            sender.join(120)
            assert not sender.is_alive(), "a queued write got no answer"
        assert [a.status_code for a in answers] == [500, 500, 500]
        assert all("may or may not have been committed" in a.text for a in answers)
        assert current_link(build) == live  # nothing was committed
        deadline = time.monotonic() + 120
        while True:  # the master starts the service again; writes go on
            after = requests.post(url + "/sparql", data={"update": comment_insert("later")},
                                  headers=AUTH, timeout=600)
            if after.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert after.status_code == 200, after.text
    assert "later" in comments(build) and not {"q0", "q1", "q2"} & comments(build)


def test_a_server_worker_that_exits_leaves_the_write_service_alone(
        seed_build: Path, tmp_path: Path) -> None:
    """A gunicorn worker is a fork of the master: when it exits (recycled after a timed-out
    query, or stopped by the master) it unwinds the master's stack it was forked from. The
    write service belongs to the master alone: an exiting worker neither stops it nor removes
    its socket, and the next write goes through the same service."""
    build = copy_build(seed_build, tmp_path / "build")
    log = tmp_path / "server.log"
    with gunicorn_server(build, log, update_token=TOKEN, workers="2") as server:
        url, master = server["url"], server["proc"].pid
        first = requests.post(url + "/sparql", data={"update": comment_insert("first")},
                              headers=AUTH, timeout=600)
        assert first.status_code == 200, first.text
        (service,) = _in_group(master, "ccgraph.writes.service")
        socket_path = _socket_of(service)

        def workers() -> set[int]:
            return {pid for pid, (ppid, _, _) in _procs().items()
                    if ppid == master and pid != service}

        before = workers()
        assert len(before) == 2
        leaving = min(before)
        os.kill(leaving, signal.SIGTERM)  # what recycle_worker() does
        deadline = time.monotonic() + 120
        while leaving in _procs() or len(workers()) < 2:  # gone, and replaced by the master
            assert time.monotonic() < deadline, "the worker did not exit and get replaced"
            time.sleep(0.1)
        assert _in_group(master, "ccgraph.writes.service") == {service: master}
        assert socket_path.exists()
        for i in range(4):  # through either worker, the old or the new one
            answer = requests.post(url + "/sparql",
                                   data={"update": comment_insert(f"after-{i}")},
                                   headers=AUTH, timeout=600)
            assert answer.status_code == 200, answer.text
        assert "the write service exited" not in log.read_text(errors="replace")
        assert _in_group(master, "ccgraph.writes.service") == {service: master}
    assert {"first", "after-0", "after-3"} <= comments(build)
