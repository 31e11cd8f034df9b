"""``ccgraph serve``: the Flask app under gunicorn (gthread workers).

Each worker process loads the app itself (no preload), so each opens the store once,
read-only, after the fork. Worker class ``gthread``: a slow query holds one thread of one
worker, never the whole worker; and a query still running long after its timeout makes
its worker exit gracefully (see :mod:`ccgraph.web.sparql`), the master starting a new one.

Three workers by default, on two cores: a keep-alive connection stays with the worker that
accepted it, and the workers race for new ones, so a few clients can all land on one worker
(measured: wrk's 4 connections all on one of 2 workers in 3 of 6 tries, 3-1 in the others),
whose Python work then queues on its one GIL while the other core idles. Side by side in one
run (bench/serve_bench.py, result cache off, load 11-20), 3 workers against 2: gallery
87/39 against 81/29 req/s at 4/16 clients, simple SELECT 1,195/1,161 against 351/280 (4
workers: 65/35 and 972/450). The machine was loaded: at 1 client, where the layout cannot
matter, the same cells gave 77 against 48, so the gallery's gain is within the noise. A
second run (load 7-12): gallery 129/118 against 113/113 at 4/16 clients, simple SELECT
976/1,151 against 990/722 (p99 at 4 clients 14 against 20 ms). To re-check on a quiet
machine: the serve_bench command in README with ``--variant w2:CCGRAPH_WORKERS=2``.

With writes on (``--update-token``), the master starts one write service
(writes/service.py) before it forks the workers, and every worker hands its writes to it
over a Unix socket in a private temporary directory: one write worker for the whole server
(one queue, one warm-up, no worker catching up with another's versions). The master
restarts the service when it exits (but not on SIGTERM: the server is stopping), and stops
it when the server stops.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .release_serving import is_release
from .settings import Settings
from .store import META_FILE, BuildMeta, is_build, resolve_build

log = logging.getLogger(__name__)
#: seconds the write service may take to listen (its imports, on a loaded machine)
SERVICE_START = 300.0
#: the write service's entry point, as ``python -c`` runs it
SERVICE_MAIN = "import sys; from ccgraph.writes.service import main; sys.exit(main())"


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    timeout = settings.query_timeout
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": max(1, settings.workers),
        "worker_class": "gthread",
        "threads": max(1, settings.threads),
        # the master kills a worker that stops heart-beating this long (the gthread main
        # loop beats while queries run in other threads)
        "timeout": int(max(30.0, 4 * timeout)),
        "graceful_timeout": int(max(10.0, 2 * timeout)),
        "keepalive": 5,
        "preload_app": False,
        "accesslog": "-",
        "logger_class": "ccgraph.access_log.AccessLogger",  # the same lines, cheaper
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "ccgraph",
        "control_socket_disable": True,  # gunicorn >= 27: no control socket in $HOME
    }


def recycle_worker() -> None:
    """Ask this gunicorn worker to finish its requests and exit; the master replaces it."""
    log.warning("recycling worker %s: a timed-out query is still running", os.getpid())
    os.kill(os.getpid(), signal.SIGTERM)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn run in-process with ``options`` (gunicorn_options), serving the WSGI app
    that ``load_app`` makes in each worker after the fork (default: ccgraph's app)."""

    def __init__(self, settings: Settings, options: dict[str, Any] | None = None,
                 load_app: Callable[[], Flask] | None = None,
                 write_socket: Path | None = None) -> None:
        self.settings = settings
        self.options = options if options is not None else gunicorn_options(settings)
        self.load_app = load_app
        self.write_socket = write_socket
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        if self.load_app is not None:
            return self.load_app()
        from .web import create_app

        app = create_app(self.settings, on_stuck=recycle_worker,
                         write_service=self.write_socket)
        # what the worker made at start (~41,000 tracked objects on the network build)
        # lives as long as it does: frozen, a full collection walks only what requests left
        gc.freeze()
        return app


def _build_here(settings: Settings) -> None:
    from .build import build  # the lead's module; imported only when a build is needed
    from .locate import search_dirs, source_files

    build(source_files(search_dirs(settings)), settings.store, settings)


def ensure_build(settings: Settings) -> Path:
    """Build into ``settings.store`` unless it already holds a build.

    The build runs in a separate (spawned) process: the gunicorn master must not open an
    Oxigraph store before it forks its workers (RocksDB's threads do not survive a fork;
    measured: workers then crash with SIGSEGV when they exit).
    """
    out = settings.store
    if is_build(out) or is_release(out):
        return out
    log.warning("no build in %s: building it first from %s", out, settings.sources)
    process = multiprocessing.get_context("spawn").Process(
        target=_build_here, args=(settings,), name="ccgraph-build")
    process.start()
    process.join()
    if process.exitcode != 0 or not is_build(out):
        raise SystemExit(f"ccgraph serve: the build of {out} failed "
                         f"(exit code {process.exitcode}); run `ccgraph build` to see why")
    return out


class WriteService:
    """The write service process (writes/service.py) of a server, kept running: started
    again when it exits, until :meth:`stop`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = Path(tempfile.mkdtemp(prefix="ccgraph-w-"))  # 0700: this user only
        self.socket = self.folder / "write.sock"
        self._stopping = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        # gunicorn forks its workers from the process that made this object: a worker that
        # exits unwinds serve()'s stack too, and must leave the master's service alone
        self._owner = os.getpid()

    def _command(self) -> list[str]:
        s = self.settings
        meta = BuildMeta.from_json((resolve_build(s.store) / META_FILE).read_text(
            encoding="utf-8"))
        base = meta.base or s.base
        base = base if base.endswith("/") else base + "/"
        # not ``-m``: the package ccgraph.writes imports the module, which runpy would then
        # run a second time as __main__ (and warn about it)
        return [sys.executable, "-c", SERVICE_MAIN, "--socket", str(self.socket),
                "--store", str(s.store), "--base", base, "--timeout", str(s.query_timeout),
                "--cap", str(s.result_cap)]

    def start(self) -> Path:
        """Start the service and return its socket's path once it listens (the workers
        may connect at once); a thread starts it again whenever it exits."""
        self._spawn()
        deadline = time.monotonic() + SERVICE_START
        while not self.socket.exists():
            proc = self._proc
            if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("ccgraph serve: the write service did not start (see the "
                                 "log above)")
            time.sleep(0.05)
        threading.Thread(target=self._keep, name="ccgraph-write-service", daemon=True).start()
        return self.socket

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self._proc = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL)

    def _keep(self) -> None:
        while not self._stopping.is_set():
            proc = self._proc
            if proc is None:
                return
            code = proc.wait()
            if self._stopping.is_set() or code == -signal.SIGTERM:
                return  # stopped on purpose (the server's process group is stopping)
            log.error("the write service exited (code %s): starting it again", code)
            time.sleep(0.5)
            self._spawn()

    def stop(self) -> None:
        """Stop the service, in the process that started it; in a forked server worker
        (exiting through the master's stack it was forked from) nothing."""
        if os.getpid() != self._owner:
            return
        self._stopping.set()
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)


def serve(settings: Settings) -> None:
    """Serve the build at ``settings.store`` on ``settings.host:settings.port`` (blocks)."""
    ensure_build(settings)
    service = None
    if settings.update_token and not settings.backend and not is_release(settings.store):
        service = WriteService(settings)
    try:
        socket = service.start() if service is not None else None
        GunicornServer(settings, write_socket=socket).run()
    finally:
        if service is not None:
            service.stop()
