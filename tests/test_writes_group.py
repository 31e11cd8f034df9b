"""Group commit over real HTTP (writes/group.py): writes that queue while the write lock is
held are committed together as one version, each answered with the version that holds it;
a bad write in the group is refused with its own report and fails none of the good ones;
two writes naming the same triple keep their order."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
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
    CONTACT,
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

    return _queued(writer, build, send, answers)


def _post_queued(url: str, writer: writes.Writer, build: Path, graph: str,
                 texts: list[str]) -> list[requests.Response]:
    """As :func:`_send_queued`, Graph Store POSTs of a comment each into ``graph``."""
    answers: list[requests.Response | None] = [None] * len(texts)

    def send(i: int) -> None:
        body = f'<{SAPPORO}> <{RDFS_COMMENT}> "{texts[i]}"@en .\n'.encode()
        answers[i] = requests.post(url + "/graph-store", params={"graph": graph}, data=body,
                                   headers={"Content-Type": "application/n-triples", **AUTH},
                                   timeout=600)

    return _queued(writer, build, send, answers)


def _queued(writer: writes.Writer, build: Path, send: Callable[[int], None],
            answers: list[requests.Response | None]) -> list[requests.Response]:
    """Hold the write lock, call ``send(i)`` for each i of ``answers`` in a thread each, one after
    the other (each queued before the next starts, so the queue holds them in this order:
    the first one leads and waits for the lock with its write taken off the queue only once
    it holds it), release the lock and return what ``send(i)`` put in ``answers[i]``."""
    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(answers))]
    with write_lock(build, 60):
        for i, t in enumerate(threads):
            t.start()
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
    """A contact point with several English labels; one write per label deletes it: each
    conforms alone (an English label is left), together they leave none (the label shape
    wants one), so the group runs one by one in queue order: all but the last commit, the
    last is refused with its own report, as it would be had it come alone after them."""
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    query = (f"SELECT ?l WHERE {{ <{CONTACT}> <{label}> ?l FILTER(LANG(?l) = 'en') }}")

    def labels(url: str) -> list[str]:
        rows = requests.get(url + "/sparql", params={"query": query}, timeout=60,
                            headers={"Accept": "application/sparql-results+json"}
                            ).json()["results"]["bindings"]
        return sorted(r["l"]["value"] for r in rows)

    with server(build) as (url, writer):
        if len(labels(url)) < 2:
            second = f'INSERT DATA {{ <{CONTACT}> <{label}> "A second label"@en }}'
            setup = requests.post(url + "/sparql", data=second.encode("utf-8"),
                                  headers=UPDATE_TYPE, timeout=600)
            assert setup.status_code == 200, setup.text
        texts = labels(url)
        assert len(texts) >= 2, texts
        updates = [f'DELETE DATA {{ <{CONTACT}> <{label}> "{text}"@en }}' for text in texts]
        answers = _send_queued(url, writer, build, updates)
        assert [a.status_code for a in answers] == [200] * (len(texts) - 1) + [422], \
            [a.text for a in answers]
        assert "DOES NOT CONFORM" in answers[-1].text and CONTACT in answers[-1].text
        versions = [a.headers["X-Ccgraph-Version"] for a in answers[:-1]]
        assert len(set(versions)) == len(versions)  # one version each
        live = open_build(build)
        assert live.meta.version == versions[-1]
        assert live.meta.extra["write"]["kind"] == "update"  # alone
        assert labels(url) == texts[-1:]
    check_consistent(build)


def test_memory_copies_wait_for_a_pause_in_writes(seed_build: Path) -> None:
    """A server worker copies a new version into memory once it has stayed current
    COPY_SETTLE seconds; while versions follow each other closely the wait grows with
    their interval, so the copies do not compete with the next write (web/state.py)."""
    from ccgraph.web import state

    app = create_app(Settings.load({"store": seed_build}, environ={}))
    ext = app.extensions["ccgraph"]
    assert isinstance(ext, Ccgraph)
    settle = [ext.copy_settle(t) for t in (0.0, 1.0, 2.0, 3.0)]
    assert settle[0] == state.COPY_SETTLE
    assert settle[1:] == [max(state.COPY_SETTLE, state.COPY_SETTLE_FACTOR * 1.0)] * 3
    # a pause: the median of the last intervals is still a burst's
    assert ext.copy_settle(100.0) == max(state.COPY_SETTLE, state.COPY_SETTLE_FACTOR)
    # writes now far apart: back to COPY_SETTLE
    assert [ext.copy_settle(t) for t in (200.0, 300.0)][-1] == state.COPY_SETTLE


def test_posts_into_a_graph_commit_together_unless_one_creates_it(build: Path) -> None:
    notes = "https://example.org/group-notes"
    with server(build) as (url, writer):
        # the graph is new: the first POST creates it (201), the second runs after it
        first = _post_queued(url, writer, build, notes, ["note a", "note b"])
        assert [a.status_code for a in first] == [201, 204], [a.text for a in first]
        assert first[0].headers["X-Ccgraph-Version"] != first[1].headers["X-Ccgraph-Version"]
        # the graph is there now: POSTs of other triples into it are one version
        then = _post_queued(url, writer, build, notes, ["note c", "note d", "note e"])
        assert [a.status_code for a in then] == [204, 204, 204], [a.text for a in then]
        assert len({a.headers["X-Ccgraph-Version"] for a in then}) == 1
        assert then[0].headers["X-Ccgraph-Version"] != first[1].headers["X-Ccgraph-Version"]
        assert all(_ask(url, f"note {x}") for x in "abcde")
    live = open_build(build)
    assert live.meta.extra["write"]["kind"] == "group"
    assert live.meta.extra["write"]["writes"] == 3
    check_consistent(build)
