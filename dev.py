#!/usr/bin/env python3
"""Quick start for a fresh machine with Python 3.11: installs what is missing, then runs.

    python3 dev.py serve   # fetch the sources if missing, build the whole network, serve it
    python3 dev.py test    # the whole test suite (lint and types included)
    python3 dev.py test --quick   # the quick loop: every test not marked slow (about a minute)
    python3 dev.py setup   # only install what the tests need (what `test` does first)
    python3 dev.py build   # rebuild ./build from the sources found

Anything after the command is passed on (e.g. ``python3 dev.py test -k shapes``).
What `test` installs when it is missing, saying so: Debian's python3-venv, chromium,
rasqal-utils (roqet), virtuoso-opensource and haproxy (with apt-get, as root or through
sudo), axe-core (npm, into .cache/npm), the project and its test tools (pip, into .venv)
and the public sources (`ccgraph fetch`). When it cannot, it stops with the command to
run. Runs with the bare system python: standard library only.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".ccgraph-installed"
NPM_PREFIX = ROOT / ".cache" / "npm"
AXE = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")


class Stop(Exception):
    """A prerequisite that cannot be installed here: the message says what to run."""


def say(message: str) -> None:
    print(f"dev.py: {message}", flush=True)


def run(command: list[str], **kwargs: Any) -> int:
    try:
        return subprocess.call(command, **kwargs)
    except OSError as exc:
        return 127 if isinstance(exc, FileNotFoundError) else 126


# --------------------------------------------------------------- system packages (apt)

def as_root() -> list[str] | None:
    """The prefix that runs a command as root: nothing when root, sudo when there is
    one, None when neither."""
    if os.geteuid() == 0:
        return []
    return ["sudo"] if shutil.which("sudo") else None


def apt_install(packages: list[str], why: str) -> None:
    """Install Debian packages, or stop naming the command a root user would run."""
    names = " ".join(packages)
    by_hand = (f"apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y {names}")
    if shutil.which("apt-get") is None:
        raise Stop(f"{names} (for {why}) is missing, and this system has no apt-get: install "
                   "it with the system's package manager, then run `python3 dev.py test` again")
    prefix = as_root()
    if prefix is None:
        raise Stop(f"{names} (for {why}) is missing, and only root can install it (there "
                   f"is no sudo here). As root, run:\n    {by_hand}\n"
                   "then `python3 dev.py test` again")
    apt = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
    install = [*apt, "install", "-y", "-qq", *packages]
    say(f"installing {names} for {why}: {shlex.join(install)}")
    known = all(run(["apt-cache", "show", p], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL) == 0 for p in packages)
    if not known or run(install) != 0:
        say("refreshing the package lists first: " + shlex.join([*apt, "update", "-qq"]))
        if run([*apt, "update", "-qq"]) != 0 or run(install) != 0:
            raise Stop(f"could not install {names} (apt-get failed, see above; no network?). "
                       f"As root, run:\n    {by_hand}\nthen `python3 dev.py test` again")


def ensure_venv_module() -> None:
    try:
        import ensurepip  # noqa: F401  (Debian ships it in python3-venv)
    except ImportError:
        apt_install(["python3-venv"], "the project's virtual environment (.venv)")


def ensure_chromium() -> None:
    """The browser tests drive Debian's chromium (or the one CCGRAPH_CHROMIUM names)."""
    configured = os.environ.get("CCGRAPH_CHROMIUM")
    path = Path(configured) if configured else CHROMIUM
    if path.is_file() and os.access(path, os.X_OK):
        return
    if configured:
        raise Stop(f"CCGRAPH_CHROMIUM={configured} is not an executable: point it at a "
                   "Chromium, or unset it to use Debian's /usr/bin/chromium (installed here "
                   "when missing)")
    apt_install(["chromium"], "the browser tests")
    if not CHROMIUM.is_file():
        raise Stop(f"apt-get installed chromium but {CHROMIUM} is missing; set "
                   "CCGRAPH_CHROMIUM to the chromium executable")


#: other programs the tests run, and the Debian package that brings each
SYSTEM_PROGRAMS: tuple[tuple[str, str, str], ...] = (
    ("roqet", "rasqal-utils", "the SPARQL client test (roqet, a real third-party client)"),
    ("virtuoso-t", "virtuoso-opensource", "the tests that publish into Virtuoso"),
    ("haproxy", "haproxy", "the read-replica test (a load balancer with health checks)"),
)


def ensure_programs() -> None:
    for program, package, why in SYSTEM_PROGRAMS:
        if shutil.which(program) is None:
            apt_install([package], why)


def ensure_axe() -> None:
    """The accessibility checks inject axe-core (from npm, or the file CCGRAPH_AXE names)."""
    configured = os.environ.get("CCGRAPH_AXE")
    if configured:
        if Path(configured).is_file():
            return
        raise Stop(f"CCGRAPH_AXE={configured} is not a file: point it at axe.min.js, or "
                   f"unset it to use {AXE.relative_to(ROOT)} (installed here when missing)")
    if AXE.is_file():
        return
    install = ["npm", "install", "--prefix", str(NPM_PREFIX.relative_to(ROOT)), "--no-audit",
               "--no-fund", "--loglevel=error", "axe-core@4"]
    if shutil.which("npm") is None:
        apt_install(["npm"], "installing axe-core, used by the accessibility checks")
    say(f"installing axe-core for the accessibility checks: {shlex.join(install)}")
    if run(install, cwd=ROOT, stdout=subprocess.DEVNULL) != 0 or not AXE.is_file():
        raise Stop(f"npm could not install axe-core (see above; no network?). Run, in "
                   f"{ROOT}:\n    {shlex.join(install)}\nthen `python3 dev.py test` again")


# --------------------------------------------------------------- the project (.venv)

def ensure_venv() -> None:
    ensure_venv_module()
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        say("creating .venv")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise Stop(f"could not create .venv ({exc}); remove it and run "
                       "`python3 dev.py test` again") from None
    install = [str(BIN / "python"), "-m", "pip", "install", "--quiet",
               "--disable-pip-version-check", "-e", f"{ROOT}[test]"]
    say("installing ccgraph and its test tools into .venv (pip)")
    if run(install) != 0:
        raise Stop("pip could not install the project (see above; no network, or no access "
                   f"to PyPI?). Run:\n    {shlex.join(install)}\nthen the command again")
    STAMP.write_text(wanted)


def ensure_sources(env: dict[str, str], notes: bool) -> str:
    """The public sources (data/sources.csv), fetched when missing: "found", "fetched" or
    "missing" (could not be fetched). With ``notes``, missing sources that have no public
    download are named (the tests that need them fail, saying so)."""
    ccgraph = str(BIN / "ccgraph")
    check = subprocess.run([ccgraph, "fetch", "--check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=False)
    for line in check.stdout.splitlines():
        if notes and ": missing (" in line and "run `ccgraph fetch`" not in line:
            say(f"note: {line}")
    if check.returncode == 0:
        return "found"
    say("downloading the public sources: .venv/bin/ccgraph fetch")
    return "fetched" if run([ccgraph, "fetch"], cwd=ROOT, env=env) == 0 else "missing"


def prerequisites(command: str, env: dict[str, str]) -> str:
    """Everything ``command`` needs; returns the state of the sources (ensure_sources)."""
    if command in ("test", "setup"):
        ensure_chromium()
        ensure_axe()
        ensure_programs()
    ensure_venv()
    return ensure_sources(env, notes=command in ("test", "setup"))


def pytest_args(rest: list[str]) -> list[str]:
    """``--quick`` is ``-m "not slow"``: the tests marked slow (the whole-network build,
    Chromium, gunicorn, the soak, anything over a few seconds) are left out."""
    return [arg for part in rest for arg in (["-m", "not slow"] if part == "--quick" else [part])]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test", "build", "setup"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    env = dict(os.environ)
    shared = ROOT.parent / "shared" / "sources"
    if shared.is_dir():
        env.setdefault("CCGRAPH_SOURCES", str(shared.resolve()))
    try:
        sources = prerequisites(command, env)
    except Stop as stop:
        print(f"dev.py: {stop}", file=sys.stderr)
        return 1
    if command in ("test", "setup") and sources == "missing":
        print("dev.py: the tests need the profile corpus, which could not be downloaded (see "
              "above). Run `.venv/bin/ccgraph fetch` when the network is back, or set "
              "CCGRAPH_SOURCES to a directory holding it", file=sys.stderr)
        return 1
    if command == "setup":
        return 0
    if command == "test":
        return run([str(BIN / "python"), "-m", "pytest", *pytest_args(rest)], cwd=ROOT, env=env)
    ccgraph = str(BIN / "ccgraph")
    build = ROOT / "build"
    if sources == "missing":
        say("going on without the profiles (see above): the graph holds the curated data "
            "and the members table only. For the whole network, when online: "
            "`.venv/bin/ccgraph fetch && python3 dev.py build`, then `python3 dev.py serve`")
    if command == "build" or not (build / "build.json").exists() or sources == "fetched":
        code = run([ccgraph, "build", "--out", str(build)], cwd=ROOT, env=env)
        if code or command == "build":
            return code
    os.chdir(ROOT)  # the server replaces this process: signals reach it directly
    os.execve(ccgraph, [ccgraph, "serve", "--store", str(build), *rest], env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
