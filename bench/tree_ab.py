"""Run one bench script's ``--child`` in this tree and in a base tree, alternating, and take
the medians: the side-by-side driver of bench/assemble_cpu.py and bench/build_cpu.py.

Each child runs with ``PYTHONPATH=TREE/src`` and prints one line ``MARKER {json}`` of
numbers; the driver prints each run, then the median of each number per tree and the
new/base ratios.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(os.environ.get("CCGRAPH_SOURCES", ROOT.parent / "shared" / "sources"))


def alternate(script: str, marker: str, base: Path | None, rounds: int
              ) -> dict[str, dict[str, float]]:
    """``script --child`` in each tree (``base`` first when given, then this one, "new"),
    ``rounds`` times in turn; returns the median of each number per tree."""
    trees = {**({"base": base.resolve()} if base else {}), "new": ROOT}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(rounds):
        for name, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": str(tree / "src"), "CCGRAPH_SOURCES": str(SOURCES)}
            proc = subprocess.run([sys.executable, script, "--child"], capture_output=True,
                                  text=True, cwd=tree, env=env, check=True)
            line = next(ln for ln in proc.stdout.splitlines() if ln.startswith(marker + " "))
            result = json.loads(line.removeprefix(marker + " "))
            runs[name].append(result)
            print(name, result, f"load {os.getloadavg()[0]:.1f}", flush=True)
    return {name: {key: statistics.median(r[key] for r in rs) for key in rs[0]}
            for name, rs in runs.items()}


def print_ratios(medians: dict[str, dict[str, float]]) -> None:
    """new/base of each number, when a base was run."""
    if "base" in medians:
        ratios = {k: v / medians["base"][k] for k, v in medians["new"].items()
                  if medians["base"].get(k)}
        print("new/base: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
