"""The whole ``ccgraph build`` of the network (build.build: with the gold scores, which
bench/build_bench.py leaves out), this tree beside a base tree, in turns: wall seconds per
stage, and the CPU seconds of the build process and of its side processes (the near-duplicate
and gold-score Asides, the validation), which a loaded machine changes much less.

    CCGRAPH_SOURCES=/work/shared/sources .venv/bin/python bench/build_cpu.py \\
        --base /work/base-NAME [--rounds 3]

Each round builds once with each tree's ``src`` first on PYTHONPATH, in a fresh process
(imports not counted); prints each run, then the medians and new/base ratios.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from bench.tree_ab import SOURCES, alternate, print_ratios


def one_run(out: Path) -> dict[str, float]:
    """The child: build the network once; wall seconds per stage, CPU seconds per process."""
    from ccgraph import build
    from ccgraph.settings import Settings

    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                  resource.RUSAGE_CHILDREN)]
    started = time.perf_counter()
    result = build.build([SOURCES], out, Settings.load({"store": out}))
    wall = time.perf_counter() - started
    own, kids = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                       resource.RUSAGE_CHILDREN))
    return {
        "total": round(wall, 2),
        "parse": round(result.seconds.get("read", 0) + result.seconds.get("extract", 0), 2),
        "model": round(result.seconds.get("model", 0)
                       + result.seconds.get("near-duplicates", 0), 2),
        "validate": round(result.seconds.get("validate", 0), 2),
        "publish": round(result.seconds.get("publish", 0), 2),
        "cpu_build": round(own.ru_utime + own.ru_stime
                           - before[0].ru_utime - before[0].ru_stime, 2),
        "cpu_side": round(kids.ru_utime + kids.ru_stime
                          - before[1].ru_utime - before[1].ru_stime, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, help="the other tree (a git worktree)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        with tempfile.TemporaryDirectory() as tmp:
            print("BUILDJSON " + json.dumps(one_run(Path(tmp) / "build")))
        return 0
    medians = alternate(__file__, "BUILDJSON", args.base, args.rounds)
    for name, values in medians.items():
        print(f"median {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in values.items()))
    print_ratios(medians)
    return 0


if __name__ == "__main__":
    sys.exit(main())
