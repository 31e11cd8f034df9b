"""The simple SELECT of serve_bench at a few clients, two ccgraph source trees side by side,
alternating: each round plays every server once, in a rotated order, so that drift and
the neighbours' load hit all of them alike; the hello-world ceiling runs in every round.

    .venv/bin/python bench/select_ab.py --build BUILD --other main=/path/to/main/src

Servers: ``ccgraph`` / ``ccgraph-nocache`` from this tree, ``NAME`` / ``NAME-nocache`` from
the other source tree (run with ``PYTHONPATH=SRC``, the same interpreter and packages), and
``hello``. Reported per server: median req/s, p50 and p99 over the rounds, and each round's
p99 with the load average when it ran; p99 ratios to the hello-world ceiling of the same
round say more than absolute numbers on a loaded machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from serve_bench import (
    BENCH,
    SIMPLE_QUERY,
    Run,
    Server,
    sparql_line,
    start_ccgraph,
    start_hello,
    wrk,
)


def load_average() -> float:
    return os.getloadavg()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True)
    parser.add_argument("--other", default="",
                        help="NAME=SRC: also serve from this source tree (e.g. main's src)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per cell")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    args = parser.parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = args.out / f"select-ab-{stamp}"
    (run_dir / "logs").mkdir(parents=True)
    run = Run(run_dir)
    servers: list[Server] = []
    rounds: list[dict[str, Any]] = []
    try:
        servers.append(start_ccgraph(run, args.build, "ccgraph", {}))
        servers.append(start_ccgraph(run, args.build, "ccgraph-nocache",
                                     {"CCGRAPH_RESULT_CACHE_MB": "0"}))
        if args.other:
            name, _, src = args.other.partition("=")
            for suffix, extra in (("", {}), ("-nocache", {"CCGRAPH_RESULT_CACHE_MB": "0"})):
                os.environ["PYTHONPATH"] = src
                try:
                    servers.append(start_ccgraph(run, args.build, name + suffix, extra))
                finally:
                    del os.environ["PYTHONPATH"]
        servers.append(start_hello(run))
        requests = run_dir / "simple.txt"
        requests.write_text(sparql_line(SIMPLE_QUERY) + "\n", encoding="utf-8")
        for s in servers:  # warm up: memory copies made, helper threads started
            wrk(s.url, requests, args.clients, 2)
        for r in range(args.rounds):
            shift = r % len(servers)
            row: dict[str, Any] = {}
            for s in servers[shift:] + servers[:shift]:
                before = load_average()
                cell = wrk(s.url, requests, args.clients, args.duration)
                row[s.name] = {"rps": cell["rps"], "p50_ms": cell["p50_ms"],
                               "p99_ms": cell["p99_ms"], "load": round(before, 1),
                               "errors": cell["errors"]["status"] + cell["errors"]["timeout"]}
                print(f"round {r + 1} {s.name:22} {cell['rps']:>8,.0f} req/s p50 "
                      f"{cell['p50_ms']:>6} ms p99 {cell['p99_ms']:>6} ms load {before:.1f}",
                      flush=True)
            rounds.append(row)
    finally:
        run.stop_all()
    report = summary(rounds, [s.name for s in servers])
    (run_dir / "results.json").write_text(json.dumps({"rounds": rounds, "summary": report},
                                                     indent=2))
    print(json.dumps(report, indent=2))
    return 0


def summary(rounds: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        cells = [r[name] for r in rounds if name in r]
        if not cells:
            continue
        ratios = [c["p99_ms"] / r["hello"]["p99_ms"] for c, r in
                  zip(cells, rounds, strict=True) if r.get("hello", {}).get("p99_ms")]
        out[name] = {
            "rps": statistics.median(c["rps"] for c in cells),
            "p50_ms": statistics.median(c["p50_ms"] for c in cells),
            "p99_ms": statistics.median(c["p99_ms"] for c in cells),
            "p99_over_hello": round(statistics.median(ratios), 2) if ratios else None,
            "p99_each": [c["p99_ms"] for c in cells],
            "load_each": [c["load"] for c in cells],
            "errors": sum(c["errors"] for c in cells),
        }
    return out


if __name__ == "__main__":
    sys.exit(main())
