"""An engine process this process started (virtuoso_ini.py, oxigraph_server.py): its own
process group, its output in a log file of its folder, a bounded wait until it answers
HTTP, and a stop of the whole group (SIGTERM, SIGKILL when it lingers)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LOG_FILE = "engine.log"


class EngineStartError(RuntimeError):
    """The engine is not installed or did not start (the message says why)."""


def spawn(command: list[str], folder: Path, log: Path | None = None
          ) -> subprocess.Popen[bytes]:
    """Start ``command`` in ``folder``, in a new process group, output appended to ``log``
    (default: engine.log in ``folder``)."""
    with (log or folder / LOG_FILE).open("ab") as out:
        return subprocess.Popen(command, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


@dataclass
class Spawned:
    proc: subprocess.Popen[bytes]
    folder: Path
    what: str

    def log(self, chars: int = 3000) -> str:
        path = self.folder / LOG_FILE
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def wait_http(self, url: str, timeout: float) -> None:
        """Return once ``url`` answers below 500; EngineStartError (with the log's tail)
        when the process exits or ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                try:
                    with urllib.request.urlopen(url, timeout=2) as answer:
                        answer.read()
                    return
                except urllib.error.HTTPError as exc:
                    if exc.code < 500:
                        return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise EngineStartError(f"{self.what} did not start within {timeout:.0f} s "
                                       f"(see {self.folder / LOG_FILE}):\n{self.log()}")
            time.sleep(0.1)

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM to the process group, SIGKILL after ``timeout`` seconds."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


__all__ = ["LOG_FILE", "EngineStartError", "Spawned", "spawn"]
