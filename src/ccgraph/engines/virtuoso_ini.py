"""A private Virtuoso 7 (Debian ``virtuoso-opensource``): its ini written into a folder of
its own, ``virtuoso-t +foreground`` started unprivileged in its own process group, waited
for with a bound, and stopped again (spawned.py); and its bulk loader driven through ``isql-vt``.

For servers this process owns (tests, benchmarks, a scratch database to load before a
switch): they listen on 127.0.0.1 only and keep the package's default ``dba`` password,
which :func:`bulk_load` passes to ``isql-vt`` on its command line. A shared or long-lived
Virtuoso is configured by its operator instead (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .spawned import EngineStartError, Spawned, spawn

INI_FILE = "virtuoso.ini"
ASK = "/sparql?query=" + urllib.parse.quote("ASK {}")

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
{database}
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
{database}
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = {connections}
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {dirs}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxSortedTopRows = {max_rows}
{parameters}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = {connections}
EnabledDavVSP = 0
HTTPProxyEnabled = 0
ServerThreads = {connections}
Charset = UTF-8
{http_server}
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
DefaultGraph =
{deadline}{sparql}"""

#: ``VirtuosoConfig(tuned=True)``: what the serving benchmark adds for many concurrent
#: queries (keep-alive, two threads a query, bounded query memory, a cost limit)
TUNING = {
    "database": "MaxCheckpointRemap = 2000\n",
    "parameters": "LiteMode = 0\nO_DIRECT = 0\nMaxStaticCursorRows = 5000\nAllowOSCalls = 0\n"
                  "ThreadCleanupInterval = 0\nThreadThreshold = 10\n"
                  "ResourcesCleanupInterval = 0\nMaxQueryMem = 1G\nThreadsPerQuery = 2\n"
                  "AsyncQueueMaxThreads = 10\n",
    "http_server": "MaxKeepAlives = {connections}\nKeepAliveTimeout = 10\n"
                   "EnabledGzipContent = 0\n",
    "sparql": "MaxQueryCostEstimationTime = 400\n",
}


class VirtuosoError(EngineStartError):
    """Virtuoso is missing, did not start, or its bulk load failed (the message says why)."""


@dataclass(frozen=True)
class VirtuosoConfig:
    """What the private ini says. ``buffers``: 8 KB pages of cache (170 000, about 1.3 GB,
    fits the network; 100x wants about 4 times as many, with ``dirty_buffers`` ~3/4 of
    them); ``dirs_allowed``: folders the bulk loader may read besides ``folder``;
    ``tuned``: the serving benchmark's settings for many concurrent queries (TUNING)."""

    folder: Path
    sql_port: int
    http_port: int
    buffers: int = 170_000
    dirty_buffers: int = 130_000
    dirs_allowed: Sequence[Path] = field(default_factory=tuple)
    connections: int = 16
    max_rows: int = 1_000_000
    max_seconds: int = 60
    #: seconds the endpoint gives a request that sets no ``timeout`` parameter (0: none).
    #: ``MaxQueryExecutionTime`` alone does not stop such a request (Virtuoso 7.2.x,
    #: measured: a cross product ran on past 40 s); with ``ExecutionTimeout = N`` it is
    #: answered 500 "SR171: Transaction timed out" after N s and Virtuoso stops working
    #: on it. The SPARQL-to-SQL compilation is not bounded by it (a query whose nested
    #: BINDs blow up in the compiler runs on).
    deadline: int = 0
    tuned: bool = False

    def ini(self) -> str:
        dirs = ", ".join([".", str(self.folder), *(str(d) for d in self.dirs_allowed)])
        extra = {k: v.format(connections=self.connections) if self.tuned else ""
                 for k, v in TUNING.items()}
        return INI.format(d=self.folder, sql=self.sql_port, http=self.http_port, dirs=dirs,
                          buffers=self.buffers, dirty=self.dirty_buffers,
                          connections=self.connections, max_rows=self.max_rows,
                          max_seconds=self.max_seconds,
                          deadline=(f"ExecutionTimeout = {self.deadline}\n"
                                    if self.deadline > 0 else ""), **extra)


@dataclass
class Virtuoso(Spawned):
    """A started Virtuoso: ``root`` (http://127.0.0.1:PORT), ``sql`` (127.0.0.1:PORT for
    isql-vt), its process (leader of its own process group) and its folder."""

    sql_port: int = 0
    http_port: int = 0

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        return self.root + "/sparql"

    @property
    def sql(self) -> str:
        return f"127.0.0.1:{self.sql_port}"

    def wait(self, timeout: float = 120.0) -> None:
        """Return once the SPARQL endpoint answers (EngineStartError otherwise)."""
        self.wait_http(self.root + ASK, timeout)


def program(name: str = "virtuoso-t") -> str:
    found = shutil.which(name)
    if found is None:
        raise VirtuosoError(f"{name} is not installed: apt-get install virtuoso-opensource")
    return found


def start(config: VirtuosoConfig, log: Path | None = None) -> Virtuoso:
    """Write ``config``'s ini into its folder and start ``virtuoso-t`` in the foreground,
    in a new process group, its output appended to ``log`` (default: engine.log in the
    folder). Does not wait: see :meth:`Virtuoso.wait`, or use :func:`running`."""
    exe = program()
    config.folder.mkdir(parents=True, exist_ok=True)
    ini = config.folder / INI_FILE
    ini.write_text(config.ini(), encoding="utf-8")
    proc = spawn([exe, "+foreground", "+configfile", str(ini)], config.folder, log)
    return Virtuoso(proc, config.folder, "virtuoso", config.sql_port, config.http_port)


@contextlib.contextmanager
def running(config: VirtuosoConfig, timeout: float = 120.0) -> Iterator[Virtuoso]:
    """A started and answering Virtuoso, always stopped at the end (also on an error)."""
    server = start(config)
    try:
        server.wait(timeout)
        yield server
    finally:
        server.stop()


def bulk_load(server: Virtuoso, directory: Path, pattern: str, graph: str,
              timeout: float = 3600.0, user: str = "dba", password: str = "dba") -> float:
    """Virtuoso's bulk loader: ``ld_dir(directory, pattern, graph)`` (``graph`` is for
    triples; N-Quads keep their own), ``rdf_loader_run()`` and a checkpoint, through
    ``isql-vt`` on the SQL port. ``directory`` must be in the ini's DirsAllowed. Returns
    the seconds it took; VirtuosoError with isql's output when it fails."""
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if isql is None:
        raise VirtuosoError("isql-vt is not installed: apt-get install virtuoso-opensource")
    script = (f"ld_dir('{directory}', '{pattern}', '{graph}'); rdf_loader_run(); "
              "checkpoint;")
    started = time.perf_counter()
    try:
        done = subprocess.run([isql, server.sql, user, password, f"exec={script}"],
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise VirtuosoError(f"the bulk load took more than {timeout:.0f} s") from None
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise VirtuosoError(f"the bulk load failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    return time.perf_counter() - started


__all__ = ["Virtuoso", "VirtuosoConfig", "VirtuosoError", "bulk_load", "program", "running",
           "start"]
