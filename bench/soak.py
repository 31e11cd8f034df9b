"""Load and soak: many concurrent clients read and write against the real server.

    .venv/bin/python bench/soak.py [--store BUILD] [--seconds 60] [--readers 12] [--warm 0]
                                   [--writers 3] [--workers 2]

Starts ``ccgraph serve`` (gunicorn, gthread workers) with writes on, on a free loopback
port, over a *copy* of the build (default: a fresh build of the seed profile), so nothing
the caller owns is changed. Readers loop over SPARQL queries, descriptions, the Graph Store,
dumps and health checks; writers loop over SPARQL Update INSERT DATA / DELETE DATA and
Graph Store POST, each on triples of its own, so the expected final data is known whatever
the interleaving. It stops by itself after ``--seconds`` (every request has a timeout),
stops the server, and reports requests, errors, latency percentiles, and whether the final
data equals what the acknowledged writes should have produced (no lost, no phantom writes).
Exit code 0 when there were no errors and no lost writes.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

BASE = "https://w3id.org/ccgraph/"
CITY = BASE + "id/city/jp/sapporo"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SOAK_GRAPH = BASE + "graph/soak"
READS: list[tuple[str, str, dict[str, str], dict[str, str]]] = [
    ("sparql-count", "/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
     {"Accept": "application/sparql-results+json"}),
    ("sparql-comments", "/sparql",
     {"query": f"SELECT ?c WHERE {{ <{CITY}> <{COMMENT}> ?c }}"},
     {"Accept": "application/sparql-results+json"}),
    ("doc", "/doc/city/jp/sapporo", {}, {"Accept": "text/turtle"}),
    ("graph-store", "/graph-store", {"graph": BASE + "graph/curated"},
     {"Accept": "application/n-triples"}),
    ("dumps", "/dumps/", {}, {"Accept": "application/json"}),
    ("healthz", "/healthz", {}, {}),
]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: every write: (seconds, kind, wall-clock start), for the slowest ones in the report
    writes: list[tuple[float, str, float]] = field(default_factory=list)

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        started = time.time() - seconds
        with self.lock:
            self.latencies[kind].append(seconds)
            if kind.startswith("write:"):
                self.writes.append((seconds, kind, started))
            if error:
                self.errors.append(f"{kind}: {error}")


@dataclass
class WriterState:
    """What one writer's acknowledged writes leave: its comments and its soak-graph notes."""

    comments: set[str] = field(default_factory=set)
    notes: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)  # writes whose outcome is unknown


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, token: str, workers: int, log: Path) -> tuple[
        subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "CCGRAPH_HOST": "127.0.0.1", "CCGRAPH_PORT": str(port),
           "CCGRAPH_STORE": str(store), "CCGRAPH_UPDATE_TOKEN": token,
           "CCGRAPH_WORKERS": str(workers)}
    code = ("from ccgraph.serve import serve; from ccgraph.settings import Settings; "
            "serve(Settings.load())")
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(url + "/healthz", timeout=10).status_code == 200:
                return proc, url
        except (requests.ConnectionError, requests.Timeout):  # still starting (a loaded host)
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError("the server did not start:\n"
                               + log.read_text(errors="replace")[-3000:])
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (it was started in a new session), then
    SIGKILL to whatever of that group is left."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def reader(url: str, until: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    while time.monotonic() < until:
        kind, path, params, headers = rng.choice(READS)
        t0 = time.monotonic()
        try:
            resp = session.get(url + path, params=params, headers=headers, timeout=60)
            error = None if resp.status_code == 200 else f"{resp.status_code} {resp.text[:200]}"
            resp.content  # noqa: B018 - read the whole body
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        tally.record("read:" + kind, time.monotonic() - t0, error)


def writer(url: str, until: float, tally: Tally, token: str, ident: int,
           state: WriterState) -> None:
    rng = random.Random(1000 + ident)
    session = requests.Session()
    auth = {"Authorization": f"Bearer {token}"}
    n = 0
    while time.monotonic() < until:
        n += 1
        text = f"soak-{ident}-{n}"
        choice = rng.random()
        if state.comments and choice < 0.25:
            key = rng.choice(sorted(state.comments))
            kind, action = "write:delete", _update(session, url, auth, "DELETE", key)
        elif choice < 0.5:
            key = text
            kind, action = "write:graph-store", _post_note(session, url, auth, text)
        else:
            key = text
            kind, action = "write:insert", _update(session, url, auth, "INSERT", text)
        t0 = time.monotonic()
        try:
            resp = action()
            ok = resp.status_code in (200, 201, 204)
            error = None if ok else f"{resp.status_code} {resp.text[:300]}"
        except requests.RequestException as exc:
            ok, error = False, f"{type(exc).__name__}: {exc}"
        tally.record(kind, time.monotonic() - t0, error)
        if not ok:
            state.unknown.add(key)  # may or may not have happened
        elif kind == "write:delete":
            state.comments.discard(key)
        elif kind == "write:graph-store":
            state.notes.add(key)
        else:
            state.comments.add(key)


def _update(session: requests.Session, url: str, auth: dict[str, str], verb: str,
            text: str) -> Callable[[], requests.Response]:
    body = f'{verb} DATA {{ <{CITY}> <{COMMENT}> "{text}"@en }}'
    return lambda: session.post(url + "/sparql", data=body.encode("utf-8"), timeout=300,
                                headers={**auth, "Content-Type": "application/sparql-update"})


def _post_note(session: requests.Session, url: str, auth: dict[str, str],
               text: str) -> Callable[[], requests.Response]:
    body = f'<{CITY}> <{COMMENT}> "{text}"@en .\n'
    return lambda: session.post(url + "/graph-store", params={"graph": SOAK_GRAPH},
                                data=body.encode("utf-8"), timeout=300,
                                headers={**auth, "Content-Type": "application/n-triples"})


def final_data(url: str) -> tuple[set[str], set[str], set[str]]:
    """(soak comments in the default graph, soak notes in the soak graph, comments in the
    N-Quads dump) as the server serves them at the end."""
    query = (f"SELECT ?c ?g WHERE {{ {{ <{CITY}> <{COMMENT}> ?c BIND(\"\" AS ?g) }} UNION "
             f"{{ GRAPH <{SOAK_GRAPH}> {{ <{CITY}> <{COMMENT}> ?c }} BIND(\"soak\" AS ?g) }} "
             "FILTER(STRSTARTS(STR(?c), \"soak-\")) }")
    resp = requests.get(url + "/sparql", params={"query": query}, timeout=60,
                        headers={"Accept": "application/sparql-results+json"})
    resp.raise_for_status()
    union, notes = set(), set()
    for row in resp.json()["results"]["bindings"]:
        (notes if row["g"]["value"] == "soak" else union).add(row["c"]["value"])
    dump = gzip.decompress(requests.get(url + "/dumps/ccgraph.nq.gz", timeout=60).content)
    dumped = {q.object.value for q in ox.parse(dump, format=ox.RdfFormat.N_QUADS)
              if q.predicate.value == COMMENT and q.object.value.startswith("soak-")}
    return union, notes, dumped


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


#: seconds a warm-up write is retried while the server answers 503 (still warming up)
WARM_UP_PATIENCE = 900.0


def warm_up(url: str, token: str, count: int, workers: int) -> list[float]:
    """``count`` untimed INSERT DATA + DELETE DATA pairs of a comment (no net change) from
    ``workers`` clients at once, each request on a new connection, so that every server
    worker's write worker has read the live version before the clock starts; returns each
    write's seconds (a worker's first write is its cold start). A write answered 503 (the
    write worker is still warming up; a loaded host) is sent again, for up to
    WARM_UP_PATIENCE seconds."""
    auth = {"Authorization": f"Bearer {token}"}
    took: list[float] = []
    failed: list[str] = []

    def client(ident: int) -> None:
        for i in range(count):
            for verb in ("INSERT", "DELETE"):
                t0 = time.monotonic()
                until = t0 + WARM_UP_PATIENCE
                while True:  # a write worker still warming up (a loaded host) says 503
                    try:
                        with requests.Session() as session:
                            resp = _update(session, url, auth, verb, f"warm-up-{ident}-{i}")()
                        if resp.status_code != 503 or time.monotonic() > until:
                            break
                    except requests.ConnectionError:
                        if time.monotonic() > until:
                            raise
                    time.sleep(1.0)
                if resp.status_code not in (200, 204):
                    failed.append(f"{resp.status_code} {resp.text[:200]}")
                took.append(round(time.monotonic() - t0, 3))

    threads = [threading.Thread(target=client, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        raise RuntimeError(f"warm-up writes failed: {failed}")
    return took


def run(store: Path, seconds: float = 60.0, readers: int = 12, writers: int = 3,
        workers: int = 2, log: Path | None = None, warm: int = 0) -> dict[str, Any]:
    """Soak a copy of ``store``; returns the report (see :func:`format_report`).
    ``warm``: untimed write pairs first (:func:`warm_up`)."""
    work = Path(tempfile.mkdtemp(prefix="ccgraph-soak-"))
    warm_seconds: list[float] = []
    try:
        copy = work / "build"
        shutil.copytree(store, copy, symlinks=True)
        token = secrets.token_urlsafe(24)
        proc, url = start_server(copy, token, workers, log or work / "server.log")
        try:
            warm_seconds = warm_up(url, token, warm, workers)
            tally = Tally()
            states = [WriterState() for _ in range(writers)]
            t0 = time.monotonic()
            until = t0 + seconds
            threads = [threading.Thread(target=reader, args=(url, until, tally, i))
                       for i in range(readers)]
            threads += [threading.Thread(target=writer, args=(url, until, tally, token, i, s))
                        for i, s in enumerate(states)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - t0
            union, notes, dumped = final_data(url)
        finally:
            stop_server(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    want_comments = set().union(*(s.comments for s in states)) if states else set()
    want_notes = set().union(*(s.notes for s in states)) if states else set()
    unknown = set().union(*(s.unknown for s in states)) if states else set()
    seen = union | notes
    lost = ((want_comments - union) | (want_notes - notes)) - unknown
    phantom = (seen - want_comments - want_notes) - unknown
    stale_deletes = (union - want_comments - want_notes) - unknown
    kinds = {kind: {"n": len(v), "p50": percentile(v, 50), "p90": percentile(v, 90),
                    "p99": percentile(v, 99), "max": max(v, default=0.0)}
             for kind, v in sorted(tally.latencies.items())}
    reads = [x for k, v in tally.latencies.items() if k.startswith("read:") for x in v]
    writes_ = [x for k, v in tally.latencies.items() if k.startswith("write:") for x in v]
    return {
        "seconds": round(elapsed, 1), "readers": readers, "writers": writers,
        "workers": workers, "warm_up_s": warm_seconds,
        "requests": len(reads) + len(writes_), "reads": len(reads),
        "writes": len(writes_), "errors": len(tally.errors), "error_samples": tally.errors[:10],
        "reads_per_s": round(len(reads) / elapsed, 1),
        "writes_per_s": round(len(writes_) / elapsed, 2),
        "read_latency": {p: percentile(reads, n) for p, n in
                         (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))},
        "write_latency": {p: percentile(writes_, n) for p, n in
                          (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))},
        "kinds": kinds,
        "slowest_writes": [
            {"seconds": round(sec, 3), "kind": kind,
             "started": time.strftime("%H:%M:%S", time.gmtime(at)) + f"{at % 1:.3f}"[1:]}
            for sec, kind, at in sorted(tally.writes, reverse=True)[:5]],
        "expected_comments": len(want_comments), "expected_notes": len(want_notes),
        "lost_writes": sorted(lost), "phantom_writes": sorted(phantom | stale_deletes),
        "dump_matches": dumped == (union | notes),
    }


def format_report(report: dict[str, Any]) -> str:
    ms = lambda s: f"{1000 * s:.0f} ms"  # noqa: E731
    lines = [
        f"soak: {report['seconds']} s, {report['readers']} readers + {report['writers']} "
        f"writers, {report['workers']} gunicorn workers",
        f"requests {report['requests']} (reads {report['reads']}, {report['reads_per_s']}/s; "
        f"writes {report['writes']}, {report['writes_per_s']}/s), errors {report['errors']}",
        "read latency  " + "  ".join(f"{k} {ms(v)}" for k, v in report["read_latency"].items()),
        "write latency " + "  ".join(f"{k} {ms(v)}" for k, v in report["write_latency"].items()),
        *([f"warm-up writes before the clock (s): {report['warm_up_s']}"]
          if report.get("warm_up_s") else []),
    ]
    for kind, row in report["kinds"].items():
        lines.append(f"  {kind:<22} n={row['n']:<6} p50 {ms(row['p50']):>8}  "
                     f"p90 {ms(row['p90']):>8}  p99 {ms(row['p99']):>8}  max {ms(row['max']):>8}")
    lines.append(f"final data: {report['expected_comments']} comments and "
                 f"{report['expected_notes']} notes expected; lost {len(report['lost_writes'])}"
                 f", phantom {len(report['phantom_writes'])}, dump matches the store: "
                 f"{report['dump_matches']}")
    lines.append("slowest writes (started, UTC): " + ", ".join(
        f"{w['kind']} {w['seconds']:.2f} s at {w['started']}"
        for w in report.get("slowest_writes", [])))
    for sample in report["error_samples"]:
        lines.append("  error: " + sample)
    return "\n".join(lines)


def ok(report: dict[str, Any]) -> bool:
    return (report["errors"] == 0 and not report["lost_writes"]
            and not report["phantom_writes"] and report["dump_matches"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="build to copy (default: build the seed)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--readers", type=int, default=12)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warm", type=int, default=0,
                        help="untimed INSERT+DELETE pairs before the clock starts (the write "
                             "workers' cold start: reading the live version)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON too")
    parser.add_argument("--log", type=Path,
                        help="keep the server's log here (with a write service: one line per "
                             "write with its seconds per stage)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ccgraph-soak-build-") as tmp:
        store = args.store
        if store is None:
            from ccgraph.build import build
            from ccgraph.settings import Settings

            settings = Settings.load()
            store = Path(tmp) / "build"
            seed = Path(settings.sources) / "sapporo-profile.txt"
            build([seed] if seed.is_file() else [], store, settings.replace(store=store))
        report = run(store, args.seconds, args.readers, args.writers, args.workers,
                     log=args.log, warm=args.warm)
    print(format_report(report))
    if args.json:
        print(json.dumps(report, indent=2))
    return 0 if ok(report) else 1


if __name__ == "__main__":
    sys.exit(main())
