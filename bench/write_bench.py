"""One-triple writes on a build, timed stage by stage.

    .venv/bin/python bench/write_bench.py --store BUILD [--writes 9] [--timeout 10] [--service]

Copies ``BUILD`` aside (nothing the caller owns changes), then runs ``--writes`` one-triple
SPARQL Updates through :class:`ccgraph.writes.Writer` (the write worker, as the server runs
it): alternately an ``INSERT DATA`` and a ``DELETE DATA`` of an ``rdfs:comment`` on a city.
The worker is warmed up first as the server does it (``Writer.warm``: it reads the version and
prepares what writes keep; its seconds are ``warm_s``, ``--cold`` skips it), then the first
write is reported apart (``first_write_s``: the cold start when not warmed).
``--service``: the writes go through a write service (``python -m ccgraph.writes.service``,
as ``ccgraph serve`` runs it) over its Unix socket instead (warmed up by the service as it
starts; the bench waits for that before the first write: ``warm_s``).
Prints one JSON object: the median seconds of each stage the worker reports (load, apply,
validate, write; install and total in the parent), the first write's total, and the load
average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ccgraph import iris, writes

RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def _service(root: Path, base: str, timeout: float, log: Path
             ) -> tuple[subprocess.Popen[bytes], Path]:
    """A write service on ``root`` (as serve.py starts it), once it has warmed up."""
    sock = root.parent / "write.sock"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ccgraph.writes.service", "--socket",
                                 str(sock), "--store", str(root), "--base", base,
                                 "--timeout", str(timeout)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    deadline = time.monotonic() + 900
    while "ready for writes" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("the write service did not start:\n" + log.read_text())
        time.sleep(0.1)
    return proc, sock


def run(store: Path, count: int, city: str, timeout: float, cold: bool = False,
        service: bool = False) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="ccgraph-write-bench-") as tmp:
        root = Path(tmp) / "build"
        shutil.copytree(store, root, symlinks=True)
        base = iris.DEFAULT_BASE
        limits = writes.Limits(timeout=timeout)
        proc = None
        warm = None
        writer: writes.WriteRunner
        if service:
            t0 = time.monotonic()
            proc, sock = _service(root, base, timeout, Path(tmp) / "service.log")
            warm = round(time.monotonic() - t0, 3)
            writer = writes.ServiceWriter(sock, limits)
        else:
            writer = writes.Writer(root, base, limits)
        stages: dict[str, list[float]] = {}
        first = 0.0
        statuses: list[str] = []
        try:
            if not cold and isinstance(writer, writes.Writer):
                t0 = time.monotonic()
                if not writer.warm():
                    raise SystemExit("the write worker did not warm up")
                warm = round(time.monotonic() - t0, 3)
            for i in range(count + 1):
                triple = f'<{city}> <{RDFS_COMMENT}> "write bench {i // 2}"@en'
                verb = "INSERT" if i % 2 == 0 else "DELETE"
                t0 = time.monotonic()
                result = writer.submit(writes.Request(writes.UPDATE,
                                                      update=f"{verb} DATA {{ {triple} }}"))
                wall = time.monotonic() - t0
                statuses.append(result.status)
                if result.status != writes.COMMITTED:
                    raise SystemExit(f"write {i} was not committed: {result.status} "
                                     f"{result.message}")
                if i == 0:
                    first = wall
                    continue
                for stage, seconds in {**result.seconds, "wall": wall}.items():
                    stages.setdefault(stage, []).append(seconds)
        finally:
            writer.close()
            if proc is not None:
                proc.terminate()
                proc.wait()
    return {"writes": count, "warm_s": warm, "first_write_s": round(first, 3),
            "median_s": {k: round(statistics.median(v), 3) for k, v in stages.items()},
            "max_s": {k: round(max(v), 3) for k, v in stages.items()},
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a build directory")
    parser.add_argument("--writes", type=int, default=9)
    parser.add_argument("--city", default=str(iris.city("jp", "Sapporo")))
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds the change may take (query_timeout; raise it on a "
                             "loaded machine)")
    parser.add_argument("--cold", action="store_true",
                        help="no warm-up: the first write reads the version itself")
    parser.add_argument("--service", action="store_true",
                        help="through a write service over its Unix socket, as ccgraph serve")
    args = parser.parse_args()
    print(json.dumps(run(args.store, args.writes, args.city, args.timeout, args.cold,
                         args.service), indent=2))


if __name__ == "__main__":
    main()
