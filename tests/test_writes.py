"""The write path below HTTP: how a change maps onto the named graphs, the versioned build
layout (atomic swap, clean-up, lock), and kill -9 in the middle of writes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from ccgraph import store, writes
from ccgraph.store import open_build
from tests.support.servers import stop_group
from tests.support.writehelp import (
    BASE,
    CURATED,
    RDFS_COMMENT,
    SAPPORO,
    VOID,
    check_consistent,
    comment_insert,
    comments,
    copy_build,
)

G1 = "https://example.org/g1"
G2 = "https://example.org/g2"
A, B = ox.NamedNode("urn:a"), ox.NamedNode("urn:b")


def q(o: str, g: str) -> ox.Quad:
    return ox.Quad(A, B, ox.Literal(o), ox.NamedNode(g))


def run(named: list[ox.Quad], update: str) -> set[ox.Quad]:
    return writes.apply(named, writes.Request(writes.UPDATE, update=update), BASE).after


# ------------------------------------------------------------------ the default graph

def test_insert_without_graph_goes_to_the_curated_graph() -> None:
    after = run([q("1", G1)], 'INSERT DATA { <urn:a> <urn:b> "2" }')
    assert after == {q("1", G1), q("2", CURATED)}


def test_insert_of_a_triple_some_graph_holds_changes_nothing() -> None:
    assert run([q("1", G1)], 'INSERT DATA { <urn:a> <urn:b> "1" }') == {q("1", G1)}


def test_delete_without_graph_removes_the_triple_from_every_graph() -> None:
    named = [q("1", G1), q("1", G2), q("2", G2)]
    assert run(named, 'DELETE DATA { <urn:a> <urn:b> "1" }') == {q("2", G2)}
    assert run(named, 'DELETE WHERE { <urn:a> <urn:b> ?o }') == set()


def test_graph_operations_touch_that_graph_only() -> None:
    named = [q("1", G1), q("1", G2)]
    assert run(named, f'DELETE DATA {{ GRAPH <{G1}> {{ <urn:a> <urn:b> "1" }} }}') == \
        {q("1", G2)}
    assert run(named, f"DROP GRAPH <{G2}>") == {q("1", G1)}
    assert run(named, f'INSERT DATA {{ GRAPH <{G2}> {{ <urn:a> <urn:b> "3" }} }}') == \
        {q("1", G1), q("1", G2), q("3", G2)}


def test_where_clauses_see_the_union() -> None:
    named = [q("1", G1), q("2", G2)]
    after = run(named, 'INSERT { <urn:x> <urn:count> ?n } WHERE { '
                       'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } }')
    counted = [x for x in after if x.subject == ox.NamedNode("urn:x")]
    assert [c.object.value for c in counted] == ["2"]
    assert counted[0].graph_name == ox.NamedNode(CURATED)


def test_graph_store_operations() -> None:
    named = [q("1", G1), q("2", G2)]

    def gsp(kind: str, graph: str | None, payload: bytes = b"") -> tuple[set[ox.Quad], bool]:
        applied = writes.apply(named, writes.Request(kind, graph=graph, payload=payload,
                                                     media_type="text/turtle"), BASE)
        return applied.after, applied.created

    assert gsp(writes.PUT, G1, b'<urn:a> <urn:b> "9" .') == ({q("9", G1), q("2", G2)}, False)
    assert gsp(writes.POST, "https://example.org/new", b'<urn:a> <urn:b> "9" .') == (
        {q("1", G1), q("2", G2), q("9", "https://example.org/new")}, True)
    assert gsp(writes.DELETE, G2) == ({q("1", G1)}, False)
    # ?default: PUT makes the union equal to the payload
    assert gsp(writes.PUT, None, b'<urn:a> <urn:b> "2", "7" .')[0] == {q("2", G2),
                                                                         q("7", CURATED)}
    with pytest.raises(writes.WriteError) as missing:
        gsp(writes.DELETE, "https://example.org/none")
    assert missing.value.status == writes.NOT_FOUND
    with pytest.raises(writes.WriteError) as bad:
        gsp(writes.PUT, G1, b"<urn:a> <urn:b> .")
    assert bad.value.status == writes.BAD_REQUEST


@pytest.mark.parametrize("update,status", [
    (f'INSERT DATA {{ GRAPH <{VOID}> {{ <urn:a> <urn:b> "1" }} }}', writes.FORBIDDEN),
    ('INSERT DATA { <urn:a> <urn:b> <<( <urn:a> <urn:b> "1" )>> }', writes.BAD_REQUEST),
    ("INSERT DATA { <urn:a> <urn:b> }", writes.BAD_REQUEST),
])
def test_refused_changes(update: str, status: str) -> None:
    with pytest.raises(writes.WriteError) as refused:
        run([q("1", G1)], update)
    assert refused.value.status == status


# ------------------------------------------------------------------ versioned layout

def test_publish_writes_a_versioned_build(seed_build: Path) -> None:
    link = store.current_link(seed_build)
    assert link is not None and link.startswith("versions/")
    for name in store.LINKED:
        assert (seed_build / name).is_symlink()
    build = open_build(seed_build)
    assert build.path == seed_build / link
    assert json.loads((seed_build / "build.json").read_text())["version"] == build.meta.version


def test_old_versions_are_collected_after_their_grace(tmp_path: Path,
                                                      seed_build: Path) -> None:
    root = copy_build(seed_build, tmp_path / "b")
    live = open_build(root).path
    names = []
    for n in range(3):  # three more versions, copies of the live one
        staging = store.new_staging(root)
        for entry in live.iterdir():
            target = staging / entry.name
            if entry.is_dir():
                import shutil
                shutil.copytree(entry, target)
            else:
                target.write_bytes(entry.read_bytes())
        names.append(store.install_build(staging, root, f"v{n}").name)
    assert store.current_link(root) == f"versions/{names[-1]}"
    assert len(list((root / "versions").iterdir())) == 4  # all within their grace
    with store.write_lock(root):
        removed = store.collect_versions(root, keep=1, grace=0)
    assert removed == [live.name, names[0]]
    assert open_build(root).meta.version == open_build(live.parent / names[-1]).meta.version


def test_leftovers_of_dead_writers_are_removed_live_ones_kept(tmp_path: Path,
                                                              seed_build: Path) -> None:
    root = copy_build(seed_build, tmp_path / "b")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    orphan = root / "versions" / f".tmp-{dead_pid}-abcd"
    orphan.mkdir()
    (orphan / "half").write_text("x")
    link = root / f".tmp-current-{dead_pid}-abcd"
    os.symlink("versions/nowhere", link)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        busy = root / "versions" / f".tmp-{sleeper.pid}-ef01"
        busy.mkdir()
        removed = store.remove_leftovers(root)
        assert sorted(removed) == sorted([orphan.name, link.name])
        assert busy.is_dir() and not orphan.exists() and not link.is_symlink()
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.slow
def test_the_write_lock_is_exclusive_across_processes(tmp_path: Path) -> None:
    code = ("import sys, time; from ccgraph.store import write_lock\n"
            f"with write_lock({str(tmp_path)!r}):\n"
            "    print('held', flush=True); time.sleep(3)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        with pytest.raises(store.LockTimeout), store.write_lock(tmp_path, timeout=0.3):
            pass
    finally:
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    with store.write_lock(tmp_path, timeout=1):  # free once the holder is gone
        pass


# ------------------------------------------------------------------ kill -9

WRITER = """
import sys
from pathlib import Path
from ccgraph import writes
root = Path(sys.argv[1])
writer = writes.Writer(root, sys.argv[2], writes.Limits())
n = int(sys.argv[3])
while True:
    update = 'INSERT DATA { <%s> <%s> "crash-%d"@en }' % (sys.argv[4], sys.argv[5], n)
    outcome = writer.submit(writes.Request(writes.UPDATE, update=update))
    if outcome.status != writes.COMMITTED:
        print("refused", n, outcome.status, outcome.message, flush=True)
        sys.exit(3)
    print("committed", n, flush=True)
    n += 1
"""


@pytest.mark.slow
def test_kill_9_in_the_middle_of_writes_leaves_a_whole_version(tmp_path: Path,
                                                               seed_build: Path) -> None:
    """A writer committing in a loop is killed (with its write worker) at random moments;
    after each kill the build opens, is consistent, and holds every acknowledged write and
    nothing half-applied."""
    root = copy_build(seed_build, tmp_path / "b")
    rng = random.Random(9)
    acknowledged: list[int] = []
    start = 0
    for _round in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), BASE, str(start), SAPPORO, RDFS_COMMENT],
            stdout=subprocess.PIPE, start_new_session=True)
        assert proc.stdout is not None
        first = proc.stdout.readline().split()  # one commit, then kill mid-way in the next
        assert first[:1] == [b"committed"], first
        acknowledged.append(int(first[1]))
        time.sleep(rng.uniform(0.05, 1.2))
        stop_group(proc, signal.SIGKILL)
        rest = proc.stdout.read().split(b"\n")
        proc.stdout.close()
        acknowledged += [int(line.split()[1]) for line in rest if line.startswith(b"committed")]
        # the killed write worker may take a moment to be gone (a quick write is often
        # killed while its staging directory exists): leftovers of the dead are removed
        deadline = time.monotonic() + 20
        while True:
            store.remove_leftovers(root)
            leftovers = [p.name for p in (root / "versions").iterdir()
                         if p.name.startswith(".tmp-")]
            if not leftovers or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert leftovers == []
        check_consistent(root)
        present = {int(c.split("-")[1]) for c in comments(root) if c.startswith("crash-")}
        assert set(acknowledged) <= present  # nothing acknowledged is lost
        assert present <= set(range(max(present) + 1))  # whole writes only, in order
        start = max(present) + 1
    assert len(acknowledged) >= 3


@pytest.mark.slow
def test_a_commit_survives_a_restart(tmp_path: Path, seed_build: Path) -> None:
    root = copy_build(seed_build, tmp_path / "b")
    writer = writes.Writer(root, BASE, writes.Limits())
    try:
        outcome = writer.submit(writes.Request(writes.UPDATE,
                                               update=comment_insert("survives")))
    finally:
        writer.close()
    assert outcome.status == writes.COMMITTED, outcome.message
    # a new process opening the directory sees it
    code = ("import sys; from ccgraph.store import open_build; import pyoxigraph as ox\n"
            "b = open_build(sys.argv[1])\n"
            "print(b.meta.version, bool(b.store.query('ASK { ?s ?p \"survives\"@en }')))")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == [outcome.version, "True"]
    assert "survives" in comments(root)
    assert ox.NamedNode(CURATED) in set(open_build(root).store.named_graphs())
