"""Real servers for tests, on free loopback ports: werkzeug's threaded server around
``create_app``, and ``ccgraph serve`` (gunicorn) in a child process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server

from ccgraph.settings import Settings
from ccgraph.web import create_app


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def werkzeug_server(build: Path, **overrides: Any) -> Iterator[str]:
    """The app on werkzeug's threaded server, a free loopback port."""
    settings = Settings.load({"store": build, **overrides}, environ={})
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        writer = app.extensions["ccgraph"].writer
        if writer is not None:
            writer.close()
        # werkzeug cannot recycle a process: let timed-out queries finish before going on
        runner = app.extensions["ccgraph"].runner
        deadline = time.monotonic() + 120
        while runner.abandoned() and time.monotonic() < deadline:
            time.sleep(0.1)


@contextmanager
def gunicorn_server(build: Path, log: Path, **settings: str) -> Iterator[dict[str, Any]]:
    """``ccgraph serve`` (gunicorn) in its own session, so that the whole process group (the
    master, its workers and their write workers) can be killed at once."""
    port = free_port()
    env = {**os.environ, "CCGRAPH_HOST": "127.0.0.1", "CCGRAPH_PORT": str(port),
           "CCGRAPH_STORE": str(build),
           **{"CCGRAPH_" + k.upper(): v for k, v in settings.items()}}
    code = ("from ccgraph.serve import serve; from ccgraph.settings import Settings; "
            "serve(Settings.load())")
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # still booting
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n"
                                   + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield {"url": url, "proc": proc, "log": log}
    finally:
        stop_group(proc, signal.SIGTERM)


def stop_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Signal the process group led by ``proc`` (started with start_new_session) and reap."""
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # stragglers of the group (write workers) after the leader is gone
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
