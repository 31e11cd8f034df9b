#!/usr/bin/env python3
"""Quick start for a fresh machine with Python 3.11: makes .venv, installs, then runs.

    python3 dev.py serve   # build the graph (from ../shared/sources when present) and serve it
    python3 dev.py test    # the whole test suite (lint and types included)

Anything after the command is passed on (e.g. ``python3 dev.py test -k shapes``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".ccgraph-installed"


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing ccgraph and its test tools into .venv", flush=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def sources_dir() -> Path:
    configured = os.environ.get("CCGRAPH_SOURCES")
    return Path(configured) if configured else ROOT.parent / "shared" / "sources"


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test", "build"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    env = dict(os.environ)
    sources = sources_dir()
    if sources.is_dir():
        env.setdefault("CCGRAPH_SOURCES", str(sources.resolve()))
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT, env=env)
    ccgraph = str(BIN / "ccgraph")
    if command == "build" or not (ROOT / "build" / "build.json").exists():
        code = subprocess.call([ccgraph, "build", "--out", str(ROOT / "build")], cwd=ROOT,
                               env=env)
        if code or command == "build":
            return code
    return subprocess.call([ccgraph, "serve", "--store", str(ROOT / "build"), *rest], cwd=ROOT,
                           env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
