"""Real triplestores and a load balancer for tests: the Oxigraph server (PyPI ``oxigraph``),
Virtuoso (Debian ``virtuoso-opensource``) and HAProxy (Debian ``haproxy``), each on free
loopback ports, in a private temporary directory, in its own process group, waited for with
a bound and always stopped (also when the test fails)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ccgraph.engines import oxigraph_server as oxigraph_server_
from ccgraph.engines.spawned import Spawned, spawn
from ccgraph.engines.virtuoso_ini import VirtuosoConfig, running

from .servers import free_port, stop_group

START_TIMEOUT = 60.0


class EngineMissing(RuntimeError):
    """A program the tests need is not installed (the message says how to install it)."""


def program(name: str, how: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise EngineMissing(f"{name} is not installed: {how} (`python3 dev.py setup` does it)")
    return found


def oxigraph_program() -> str:
    return program("oxigraph", "pip install -e '.[test]' (the PyPI package oxigraph)")


@dataclass
class Engine:
    """A running engine: its SPARQL endpoint (``url``), its base URL (``root``) and process."""

    name: str
    root: str
    url: str
    proc: subprocess.Popen[bytes]
    folder: Path
    sql: str = ""  # Virtuoso's SQL port (host:port), for isql-vt

    def log(self) -> str:
        path = self.folder / "engine.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@contextmanager
def private_dir(prefix: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def oxigraph_server(location: Path | None = None, *, read_only: bool = False,
                    query_timeout: int | None = None) -> Iterator[Engine]:
    """``oxigraph serve`` (or ``serve-read-only`` on an existing ``location``) with the union
    of the named graphs as the default graph, as ccgraph's own store has it
    (ccgraph.engines.oxigraph_server); ``query_timeout``: its ``--timeout-s``."""
    oxigraph_program()
    with private_dir("ccgraph-oxigraph-") as folder, \
            oxigraph_server_.running(location or folder / "store", free_port(), folder,
                                     read_only=read_only, timeout=START_TIMEOUT,
                                     query_timeout=query_timeout) as server:
        yield Engine("oxigraph", server.root, server.query, server.proc, folder)


@contextmanager
def virtuoso(load_dir: Path | None = None) -> Iterator[Engine]:
    """Virtuoso 7 (Debian) from a private ini, unprivileged, in the foreground
    (ccgraph.engines.virtuoso_ini). ``load_dir`` is added to DirsAllowed (the bulk loader
    reads files there). The ``dba`` password is the package's default, ``dba``: the server
    listens on loopback only."""
    program("virtuoso-t", "apt-get install virtuoso-opensource")
    with private_dir("ccgraph-virtuoso-") as folder:
        config = VirtuosoConfig(folder, free_port(), free_port(),
                                dirs_allowed=(load_dir,) if load_dir else ())
        with running(config, START_TIMEOUT) as server:
            yield Engine("virtuoso", server.root, server.sparql, server.proc, folder,
                         sql=server.sql)


HAPROXY_CFG = """global
    maxconn 256

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 502 503 504

frontend sparql
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri {health} ver HTTP/1.1 hdr Host 127.0.0.1
    default-server inter 300ms fall 2 rise 2
{servers}
"""


@dataclass
class Balancer:
    """A running HAProxy: its URL; :meth:`switch` rewrites the backends and reloads it
    gracefully (master-worker mode: the old worker finishes its requests)."""

    url: str
    port: int
    cfg: Path
    health: str
    proc: subprocess.Popen[bytes]

    def switch(self, backends: list[str]) -> None:
        write_haproxy(self.cfg, self.port, backends, self.health)
        os.kill(self.proc.pid, signal.SIGUSR2)


@contextmanager
def haproxy(backends: list[str], health: str) -> Iterator[Balancer]:
    """HAProxy on a free loopback port in front of ``backends`` (``host:port`` each),
    checking ``health`` on each every 300 ms."""
    exe = program("haproxy", "apt-get install haproxy")
    with private_dir("ccgraph-haproxy-") as folder:
        port = free_port()
        cfg = folder / "haproxy.cfg"
        write_haproxy(cfg, port, backends, health)
        proc = spawn([exe, "-W", "-db", "-f", str(cfg)], folder)
        try:
            url = f"http://127.0.0.1:{port}"
            Spawned(proc, folder, "haproxy").wait_http(url + health, START_TIMEOUT)
            yield Balancer(url, port, cfg, health, proc)
        finally:
            stop_group(proc, signal.SIGTERM)


def write_haproxy(cfg: Path, port: int, backends: list[str], health: str) -> None:
    servers = "\n".join(f"    server r{address.rsplit(':', 1)[-1]} {address} check"
                        for address in backends)
    cfg.write_text(HAPROXY_CFG.format(port=port, health=health, servers=servers),
                   encoding="utf-8")


def kill_now(proc: subprocess.Popen[bytes]) -> None:
    """Kill a started engine's whole process group at once (a crash, not a shutdown)."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
