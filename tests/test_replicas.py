"""Read replicas (docs/deployment.md): two read-only Oxigraph servers on one release's store
behind HAProxy with health checks. Under steady load, one replica is killed (SIGKILL) and
then the set is switched, one step at a time, to replicas of the next release; not one
request fails, every answer comes whole from one release, and the last come from the new
one. Bounded: about 20 s of load."""

from __future__ import annotations

import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests

from ccgraph import cli
from ccgraph.release import make_release
from tests.support.engines import Engine, haproxy, kill_now, oxigraph_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
HEALTH = "/query?query=" + urllib.parse.quote("ASK {}")
CLIENTS = 4


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, bare_build: Path,
           seed_build: Path) -> tuple[Path, Path]:
    """The stores of two releases: the bare build's, then the seed's."""
    tmp = tmp_path_factory.mktemp("replica-releases")
    made = []
    for name, build in (("one", bare_build), ("two", seed_build)):
        shutil.copytree(build, tmp / name, symlinks=True)
        made.append(make_release(tmp / name, name).store_path)
    return made[0], made[1]


@contextmanager
def replica(store: Path, folder: Path) -> Iterator[Engine]:
    """A read-only Oxigraph server on its own copy of the release's store, as on its own
    machine."""
    copy = folder / f"replica-{time.monotonic_ns()}"
    shutil.copytree(store, copy)
    with oxigraph_server(copy, read_only=True) as engine:
        yield engine


def address(engine: Engine) -> str:
    return engine.root.removeprefix("http://")


class Load:
    """CLIENTS threads asking the balancer the same query, one connection per request."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: list[int] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run) for _ in range(CLIENTS)]

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                answer = requests.get(self.url + "/query", params={"query": COUNT}, timeout=10,
                                      headers={"Accept": "application/sparql-results+json",
                                               "Connection": "close"})
                if answer.status_code != 200:
                    self.failures.append(f"HTTP {answer.status_code}: {answer.text[:200]}")
                    continue
                rows = answer.json()["results"]["bindings"]
                self.answers.append(int(rows[0]["n"]["value"]))
            except (requests.RequestException, ValueError, KeyError) as exc:
                self.failures.append(repr(exc))

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def count(engine: Engine) -> int:
    answer = requests.get(engine.url, params={"query": COUNT}, timeout=10,
                          headers={"Accept": "application/sparql-results+json"})
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_a_killed_replica_and_a_rolling_release_switch_cost_no_request(
        stores: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = stores
    started = time.monotonic()
    with ExitStack() as stack:
        a0 = stack.enter_context(replica(old, tmp_path))
        a1 = stack.enter_context(replica(old, tmp_path))
        n_old = count(a0)
        balancer = stack.enter_context(haproxy([address(a0), address(a1)], HEALTH))
        with Load(balancer.url) as load:
            time.sleep(2)
            kill_now(a1.proc)  # a crash under load
            time.sleep(2)
            b0 = stack.enter_context(replica(new, tmp_path))
            b1 = stack.enter_context(replica(new, tmp_path))
            n_new = count(b0)
            assert n_new != n_old
            before = len(load.answers)
            balancer.switch([address(a0), address(b0), address(b1)])  # add the new release
            time.sleep(2)
            balancer.switch([address(b0), address(b1)])  # take the old one out
            time.sleep(2)
            a0.proc.terminate()  # retire the old replica once the balancer forgot it
            a0.proc.wait(timeout=30)
            time.sleep(2)
        # each new replica holds exactly the new release, and not the old one
        for store, code in ((new, 0), (old, cli.EXIT_DATA)):
            assert cli.main(["publish", "--check", "--store", str(store.parents[2]),
                             "--release", store.parent.name, "--to", b1.root]) == code
    assert not load.failures, f"{len(load.failures)} failed: {load.failures[:3]}"
    assert set(load.answers) == {n_old, n_new}
    assert set(load.answers[:before]) == {n_old}
    assert set(load.answers[-20:]) == {n_new}
    assert len(load.answers) > 100
    assert time.monotonic() - started < 60
