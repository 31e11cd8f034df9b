"""Framed JSON-LD beside Turtle: ``/doc`` throughput of the two formats in one run.

Starts ``ccgraph serve`` (gunicorn, the production server) on 127.0.0.1 and a free port with
its result cache off (``CCGRAPH_RESULT_CACHE_MB=0``), so every request describes the resource
and serialises it: the cost of the framed document is what is measured. The resources are
every city, facility, event and creator of the build. Each run plays them for ``--seconds``
per format with ``--clients`` threads (keep-alive sessions), formats alternating within a run
so that drift hits both alike; the report gives each run's requests per second and the
median over ``--runs`` runs, and the ratio framed JSON-LD / Turtle. Stops the server it
started (also on Ctrl-C or an error).

    .venv/bin/python bench/jsonld_bench.py --build /path/to/network/build
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak import free_port, stop_server

ACCEPT = {"turtle": "text/turtle", "jsonld-framed": "application/ld+json"}
KINDS = ("CreativeCity", "Facility", "Event", "Creator")


def start(store: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "CCGRAPH_HOST": "127.0.0.1", "CCGRAPH_PORT": str(port),
           "CCGRAPH_STORE": str(store), "CCGRAPH_RESULT_CACHE_MB": "0"}
    code = ("from ccgraph.serve import serve; from ccgraph.settings import Settings; "
            "serve(Settings.load())")
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return proc, url
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError("the server did not start:\n" + log.read_text()[-3000:])
        time.sleep(0.2)


def resources(url: str) -> list[str]:
    values = " ".join(f"ccg:{k}" for k in KINDS)
    query = (f"PREFIX ccg: <https://w3id.org/ccgraph/ontology#> SELECT DISTINCT ?r WHERE "
             f"{{ VALUES ?k {{ {values} }} ?r a ?k }} ORDER BY ?r")
    resp = requests.get(url + "/sparql", params={"query": query},
                        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    resp.raise_for_status()
    iris = [b["r"]["value"] for b in resp.json()["results"]["bindings"]]
    return ["/doc/" + iri.split("/id/", 1)[1] for iri in iris]


def play(url: str, paths: list[str], accept: str, seconds: float, clients: int) -> float:
    """Requests per second of ``clients`` threads playing ``paths`` round-robin."""
    done = [0] * clients
    until = time.monotonic() + seconds

    def client(k: int) -> None:
        session = requests.Session()
        i = k
        while time.monotonic() < until:
            resp = session.get(url + paths[i % len(paths)], headers={"Accept": accept},
                               timeout=60)
            if resp.status_code != 200:
                raise RuntimeError(f"{paths[i % len(paths)]}: {resp.status_code}")
            done[k] += 1
            i += clients

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    start_time = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - start_time)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True, help="a build directory")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--out", type=Path, default=None, help="also write the report (JSON)")
    args = parser.parse_args(argv)
    log = Path(tempfile.mkdtemp(prefix="jsonld-bench-")) / "server.log"
    proc, url = start(args.build, log)
    try:
        paths = resources(url)
        for accept in ACCEPT.values():  # warm up: each worker opens the store, loads code
            play(url, paths[:20], accept, 2.0, args.clients)
        runs: dict[str, list[float]] = {name: [] for name in ACCEPT}
        for run in range(args.runs):
            order = list(ACCEPT) if run % 2 == 0 else list(reversed(ACCEPT))
            for name in order:
                runs[name].append(play(url, paths, ACCEPT[name], args.seconds, args.clients))
    finally:
        stop_server(proc)
    medians = {name: statistics.median(v) for name, v in runs.items()}
    report = {"resources": len(paths), "clients": args.clients, "seconds": args.seconds,
              "runs": runs, "median_rps": medians,
              "ratio_jsonld_to_turtle": medians["jsonld-framed"] / medians["turtle"]}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
