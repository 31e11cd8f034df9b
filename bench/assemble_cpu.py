"""CPU seconds of each stage of build.assemble (read, extract, model, near-duplicates wait)
on the network, this tree beside a base tree, in turns: CPU seconds, not wall seconds, so
that a loaded machine (other builds, other benchmarks) changes the numbers little.

    CCGRAPH_SOURCES=/work/shared/sources .venv/bin/python bench/assemble_cpu.py \\
        --base /work/base-NAME [--rounds 3]

Each round builds once with each tree's ``src`` first on PYTHONPATH, in a fresh process
(imports not counted); prints each run, then the median of each stage and new/base ratios.
The side processes (near-duplicates in an Aside) are not counted: bench/build_bench.py
reports the CPU of the whole build.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from bench.tree_ab import SOURCES, alternate, print_ratios


def one_run(out: Path) -> dict[str, float]:
    """The child: assemble the network once, CPU seconds per stage."""
    from ccgraph import build
    from ccgraph.settings import Settings

    times: dict[str, float] = {}
    last = [time.process_time()]

    def mark(stage: str) -> None:
        now = time.process_time()
        times[stage] = round(times.get(stage, 0.0) + now - last[0], 3)
        last[0] = now

    build.assemble([SOURCES], Settings.load({"store": out}), mark=mark)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, help="the other tree (a git worktree)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        with tempfile.TemporaryDirectory() as tmp:
            print("CPUJSON " + json.dumps(one_run(Path(tmp))))
        return 0
    medians = alternate(__file__, "CPUJSON", args.base, args.rounds)
    for name, stages in medians.items():
        print(f"median {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in stages.items())
              + f"; sum {sum(stages.values()):.3f} CPU s")
    print_ratios(medians)
    return 0


if __name__ == "__main__":
    sys.exit(main())
