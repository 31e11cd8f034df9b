"""The soak script (bench/soak.py) for a few seconds against the real server (gunicorn,
two workers): no errors, no lost or phantom writes; and kill -9 of the whole server in the
middle of writes, then a restart with whole, consistent data."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from bench import soak
from ccgraph.store import remove_leftovers
from tests.support.servers import gunicorn_server, stop_group
from tests.support.writehelp import (
    AUTH,
    TOKEN,
    check_consistent,
    comment_insert,
    comments,
    copy_build,
)

pytestmark = pytest.mark.slow  # a soak and gunicorn


def test_soak_for_five_seconds(seed_build: Path) -> None:
    report = soak.run(seed_build, seconds=5.0, readers=6, writers=2, workers=2)
    print(soak.format_report(report))
    assert report["errors"] == 0, report["error_samples"]
    assert report["writes"] >= 2 and report["reads"] >= 20
    assert report["lost_writes"] == [] and report["phantom_writes"] == []
    assert report["dump_matches"]
    assert soak.ok(report)


def test_kill_9_of_the_server_mid_write_then_restart(seed_build: Path, tmp_path: Path) -> None:
    build = copy_build(seed_build, tmp_path / "build")
    log = tmp_path / "server.log"
    acknowledged: list[str] = []
    with gunicorn_server(build, log, update_token=TOKEN, workers="2") as server:
        url = server["url"]
        stop = threading.Event()

        def write_loop(ident: int) -> None:
            n = 0
            while not stop.is_set():
                text = f"k{ident}-{n}"
                try:
                    resp = requests.post(url + "/sparql", data={"update": comment_insert(text)},
                                         headers=AUTH, timeout=60)
                except requests.RequestException:
                    return  # the server died under this request
                if resp.status_code == 200:
                    acknowledged.append(text)
                n += 1

        threads = [threading.Thread(target=write_loop, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.4)  # somewhere inside the next writes
        stop_group(server["proc"], signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join()
    assert len(acknowledged) >= 2
    remove_leftovers(build)
    check_consistent(build)
    assert set(acknowledged) <= comments(build)
    with gunicorn_server(build, log, update_token=TOKEN, workers="2") as again:
        url = again["url"]
        resp = requests.post(url + "/sparql", data={"update": comment_insert("after restart")},
                             headers=AUTH, timeout=60)
        assert resp.status_code == 200, resp.text
        served = requests.get(url + "/sparql", timeout=30, params={
            "query": "SELECT ?c WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#comment> ?c }"},
            headers={"Accept": "application/sparql-results+json"}).json()
        values = {b["c"]["value"] for b in served["results"]["bindings"]}
        assert set(acknowledged) | {"after restart"} <= values
    assert [p for p in (build / "versions").iterdir() if p.name.startswith(".tmp-")] == []
    check_consistent(build)
