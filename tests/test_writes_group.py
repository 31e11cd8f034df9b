"""Group commit over real HTTP (writes/group.py): writes that queue while the write lock is
held are committed together as one version, each answered with the version that holds it;
a bad write in the group is refused with its own report and fails none of the good ones;
two writes naming the same triple keep their order."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from ccgraph import writes
from ccgraph.settings import Settings
from ccgraph.store import current_link, open_build, write_lock
from ccgraph.web import create_app
from ccgraph.web.state import Ccgraph
from tests.support.writehelp import (
    AUTH,
    BAD_EMAIL,
    RDFS_COMMENT,
    SAPPORO,
    TOKEN,
    check_consistent,
    comment_insert,
    copy_build,
)

UPDATE_TYPE = {"Content-Type": "application/sparql-update", **AUTH}


@contextmanager
def server(build: Path) -> Iterator[tuple[str, writes.Writer]]:
    """The app on werkzeug's threaded server on a loopback port, and its writer."""
    app = create_app(Settings.load({"store": build, "update_token": TOKEN}, environ={}))
    ext = app.extensions["ccgraph"]
    assert isinstance(ext, Ccgraph) and ext.writer is not None
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}", ext.writer
    finally:
        srv.shutdown()
        thread.join()
        srv.server_close()
        ext.writer.close()


def _wait_queued(writer: writes.Writer, n: int) -> None:
    deadline = time.monotonic() + 120
    while writer.queued() < n:
        assert time.monotonic() < deadline, f"{writer.queued()} of {n} writes queued"
        time.sleep(0.02)


def _send_queued(url: str, writer: writes.Writer, build: Path,
                 updates: list[str]) -> list[requests.Response]:
    """Hold the write lock, send ``updates`` one after the other (each queued before the
    next is sent, so the queue holds them in this order), release the lock and collect
    the answers."""
    answers: list[requests.Response | None] = [None] * len(updates)

    def send(i: int) -> None:
        answers[i] = requests.post(url + "/sparql", data=updates[i].encode("utf-8"),
                                   headers=UPDATE_TYPE, timeout=600)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(updates))]
    with write_lock(build, 60):
        for i, t in enumerate(threads):
            t.start()
            # the first one leads: it waits for the lock with its write taken off the queue
            # only once it holds it, so every write stays queued until the lock is released
            _wait_queued(writer, i + 1)
    for t in threads:
        t.join()
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def _ask(url: str, text: str) -> bool:
    query = f'ASK {{ <{SAPPORO}> <{RDFS_COMMENT}> "{text}"@en }}'
    resp = requests.get(url + "/sparql", params={"query": query}, timeout=60,
                        headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.text
    return bool(resp.json()["boolean"])


@pytest.fixture
def build(seed_build: Path, tmp_path: Path) -> Path:
    return copy_build(seed_build, tmp_path / "build")


def test_good_writes_commit_as_one_version_and_a_bad_one_fails_alone(build: Path) -> None:
    before = current_link(build)
    good = [comment_insert(f"group note {i}") for i in range(5)]
    updates = [*good[:3], BAD_EMAIL, *good[3:]]
    with server(build) as (url, writer):
        answers = _send_queued(url, writer, build, updates)
        bad = answers[3]
        assert bad.status_code == 422, bad.text
        assert "DOES NOT CONFORM" in bad.text and "email" in bad.text
        assert "X-Ccgraph-Version" not in bad.headers
        committed = [a for i, a in enumerate(answers) if i != 3]
        assert [a.status_code for a in committed] == [200] * 5, [a.text for a in committed]
        versions = {a.headers["X-Ccgraph-Version"] for a in committed}
        assert len(versions) == 1  # all five in one version
        assert all(_ask(url, f"group note {i}") for i in range(5))
        assert not _ask(url, "not an e-mail")
    live = open_build(build)
    assert {live.meta.version} == versions
    assert live.meta.extra["write"]["kind"] == "group"
    assert live.meta.extra["write"]["writes"] == 5
    assert current_link(build) != before
    check_consistent(build)


def test_writes_naming_the_same_triple_keep_their_order(build: Path) -> None:
    insert = comment_insert("ordered note")
    delete = insert.replace("INSERT DATA", "DELETE DATA")
    other = comment_insert("independent note")
    before = current_link(build)
    with server(build) as (url, writer):
        # queued: insert, delete (same triple: runs after the group), insert again
        answers = _send_queued(url, writer, build, [insert, other, delete, insert])
        assert [a.status_code for a in answers] == [200, 200, 200, 200], \
            [a.text for a in answers]
        versions = [a.headers["X-Ccgraph-Version"] for a in answers]
        assert versions[0] == versions[1]  # the first two together
        # then the delete alone, then the insert alone: back to the group's content (a
        # version id is the hash of the named graphs)
        assert versions[2] != versions[0] and versions[3] == versions[0]
        assert open_build(build).meta.extra["write"]["kind"] == "update"
        assert open_build(build).meta.version == versions[3]
        assert current_link(build) != before
        assert _ask(url, "ordered note") and _ask(url, "independent note")
    check_consistent(build)


def test_writes_that_conform_alone_but_not_together_run_one_by_one(build: Path) -> None:
    """Two summaries for one commitment that has none: each conforms alone, the two
    together break the shapes' "at most one summary" (sh:maxCount 1), so the group runs
    one by one in queue order: the first commits, the second is refused with its own
    report, as it would be had it come alone after the first."""
    query = ("SELECT ?c WHERE { ?c a <https://w3id.org/ccgraph/ontology#Commitment> "
             "FILTER NOT EXISTS { ?c <https://w3id.org/ccgraph/ontology#summary> ?s } } "
             "ORDER BY ?c LIMIT 1")
    summary = "https://w3id.org/ccgraph/ontology#summary"
    with server(build) as (url, writer):
        rows = requests.get(url + "/sparql", params={"query": query}, timeout=60,
                            headers={"Accept": "application/sparql-results+json"}
                            ).json()["results"]["bindings"]
        assert rows, "the seed build has a commitment without a summary"
        node = rows[0]["c"]["value"]
        updates = [f'INSERT DATA {{ <{node}> <{summary}> "summary {i}"@en }}'
                   for i in range(2)]
        answers = _send_queued(url, writer, build, updates)
        assert answers[0].status_code == 200, answers[0].text
        assert answers[1].status_code == 422, answers[1].text
        assert "summary" in answers[1].text and node in answers[1].text
        assert open_build(build).meta.version == answers[0].headers["X-Ccgraph-Version"]
        assert open_build(build).meta.extra["write"]["kind"] == "update"  # alone
        ask = (f'ASK {{ <{node}> <{summary}> "summary 0"@en }}')
        resp = requests.get(url + "/sparql", params={"query": ask}, timeout=60,
                            headers={"Accept": "application/sparql-results+json"})
        assert resp.json()["boolean"] is True
    check_consistent(build)
