"""A private Oxigraph server (the PyPI ``oxigraph`` package's CLI): ``oxigraph serve`` (or
``serve-read-only`` on an existing database) on 127.0.0.1, started in its own process
group, waited for with a bound and stopped again; and ``oxigraph load``, the offline bulk
loader into a new database. For tests, benchmarks and a database loaded before a switch
(docs/deployment.md)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .spawned import EngineStartError, Spawned, spawn

ASK = "/query?query=" + urllib.parse.quote("ASK {}")


def program() -> str:
    """The ``oxigraph`` command: on PATH or beside this Python (a virtual environment)."""
    found = shutil.which("oxigraph") or shutil.which("oxigraph",
                                                       path=str(Path(sys.executable).parent))
    if found is None:
        raise EngineStartError("oxigraph is not installed: pip install oxigraph (the PyPI "
                               "package that ships the server)")
    return found


@dataclass
class OxigraphServer(Spawned):
    port: int = 0

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query(self) -> str:
        return self.root + "/query"


def start(location: Path, port: int, folder: Path, *, read_only: bool = False,
          union: bool = True, query_timeout: int | None = None) -> OxigraphServer:
    """Start the server on ``location`` (a database directory) and 127.0.0.1:``port``, its
    log in ``folder``; ``union``: the union of the named graphs as the default graph (as
    ccgraph's own store answers); ``query_timeout``: seconds after which the server cancels
    a query (``--timeout-s``; what it stops: ccgraph.remote_deadline). Does not wait: see
    :func:`running`."""
    command = [program(), "serve-read-only" if read_only else "serve", "--location",
               str(location), "--bind", f"127.0.0.1:{port}"]
    if union:
        command.append("--union-default-graph")
    if query_timeout is not None:
        command += ["--timeout-s", str(query_timeout)]
    return OxigraphServer(spawn(command, folder), folder, "oxigraph", port)


@contextlib.contextmanager
def running(location: Path, port: int, folder: Path, *, read_only: bool = False,
            union: bool = True, timeout: float = 60.0,
            query_timeout: int | None = None) -> Iterator[OxigraphServer]:
    """A started and answering Oxigraph server, always stopped at the end."""
    server = start(location, port, folder, read_only=read_only, union=union,
                   query_timeout=query_timeout)
    try:
        server.wait_http(server.root + ASK, timeout)
        yield server
    finally:
        server.stop()


def load(location: Path, nquads: Path) -> float:
    """``oxigraph load`` of an N-Quads file into the database at ``location`` (offline: no
    server may have it open). Returns the seconds it took."""
    started = time.perf_counter()
    done = subprocess.run([program(), "load", "--location", str(location), "--file",
                           str(nquads)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise EngineStartError(f"oxigraph load failed: {done.stderr[-500:]}")
    return time.perf_counter() - started


__all__ = ["OxigraphServer", "load", "program", "running", "start"]
