"""One write service for the whole server: a process that runs every write of every
gunicorn worker, reached over a Unix socket.

Without it each server worker had its own write worker (writer.py), and each of those read
the live version, prepared what writes keep (the framed cities, the dumps' blocks: ~12
CPU-s) and, before each of its writes, caught up with the versions the other workers' write
workers had made (the same work again per version). With one service: one write worker,
one queue (writes from every server worker are grouped together, group.py), no catching
up. ``ccgraph serve`` (serve.py) starts it before gunicorn forks its workers and gives them
the socket's path; each worker's :class:`ServiceWriter` sends a write and waits for its
answer. The service runs the :class:`~ccgraph.writes.Writer` the workers ran before, so
the guarantees are the same (one write at a time under ``write.lock``, fsync before the
answer, a crashed write worker's writes get an error answer).

Protocol: one request per connection: a JSON header line (``op``: ``write`` with the
request's fields and ``payload`` bytes following, or ``queued``), answered by one JSON line
(a :class:`WriteResult`'s fields, or ``{"queued": n}``). A client whose connection breaks
before the answer answers its write ERROR (it may or may not have been committed).

    python -m ccgraph.writes.service --socket PATH --store DIR --base IRI
                                     [--timeout S] [--cap N]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import socket
import socketserver
import struct
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .request import ERROR, Limits, Request, WriteResult
from .writer import Writer

log = logging.getLogger(__name__)
#: seconds a client waits for the service beyond the writer's own limits
CLIENT_GRACE = 30.0
#: seconds between the service's checks that the process that started it is alive
PARENT_CHECK = 0.5


def _send(sock: socket.socket, message: dict[str, Any], payload: bytes = b"") -> None:
    sock.sendall(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n" + payload)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        line = self.rfile.readline()
        if not line:
            return
        header = json.loads(line)
        writer = self.server.writer
        if header.get("op") == "queued":
            answer: dict[str, Any] = {"queued": writer.queued()}
        else:
            payload = self.rfile.read(int(header.get("payload") or 0))
            req = Request(kind=str(header["kind"]), update=str(header.get("update") or ""),
                          graph=header.get("graph"), payload=payload,
                          media_type=str(header.get("media_type") or ""))
            try:
                result = writer.submit(req)
            except Exception:
                log.exception("a write failed in the write service")
                result = WriteResult(ERROR, "the write could not be run; nothing was changed")
            log.info("write from server worker %s: %s %s %s", _peer_pid(self.connection),
                     result.status, result.version,
                     json.dumps(result.seconds, separators=(",", ":")))
            answer = dataclasses.asdict(result)
        self.wfile.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")
        self.wfile.flush()


def _peer_pid(conn: socket.socket) -> int:
    """The process id of the client of a Unix socket (SO_PEERCRED); 0 when unknown."""
    try:
        raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return 0
    pid: int = struct.unpack("3i", raw)[0]
    return pid


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, writer: Writer) -> None:
        self.writer = writer
        super().__init__(path, _Handler)


def run_service(path: Path, root: Path, base: str, limits: Limits) -> int:
    """Serve writes on the Unix socket ``path`` until the process that started this one
    exits (checked every PARENT_CHECK seconds) or SIGTERM."""
    path = Path(path)
    path.unlink(missing_ok=True)
    writer = Writer(root, base, limits)
    server = _Server(str(path), writer)
    os.chmod(path, 0o600)
    parent = os.getppid()

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        server.shutdown()

    def warm() -> None:
        t0 = time.monotonic()
        if writer.warm():
            log.info("write worker warm after %.1f s: ready for writes", time.monotonic() - t0)

    threading.Thread(target=watch_parent, name="ccgraph-write-parent", daemon=True).start()
    threading.Thread(target=warm, name="ccgraph-write-warm", daemon=True).start()
    log.info("listening on %s", path)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        writer.close()
        path.unlink(missing_ok=True)
    return 0


class ServiceWriter:
    """What a server worker holds instead of a :class:`Writer` when the server has a
    write service: the same calls, run by the service."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = Path(path)
        self.limits = limits

    def _connect(self, timeout: float) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(str(self.path))
        except OSError:
            sock.close()
            raise
        return sock

    @staticmethod
    def _answer(sock: socket.socket) -> dict[str, Any]:
        with sock.makefile("rb") as stream:
            line = stream.readline()
        if not line.endswith(b"\n"):
            raise ConnectionError("the write service closed the connection")
        message: dict[str, Any] = json.loads(line)
        return message

    def submit(self, req: Request) -> WriteResult:
        """Have the service run ``req``; its outcome."""
        limits = self.limits
        wait = limits.lock_timeout + limits.commit_timeout + limits.timeout + CLIENT_GRACE
        header = {"op": "write", "kind": req.kind, "update": req.update, "graph": req.graph,
                  "media_type": req.media_type, "payload": len(req.payload)}
        try:
            sock = self._connect(wait)
        except OSError as exc:
            log.error("write service at %s: %s", self.path, exc)
            return WriteResult(ERROR, "the write service is not running; nothing was changed")
        try:
            _send(sock, header, req.payload)
            answer = self._answer(sock)
        except (OSError, ValueError) as exc:
            log.error("write service at %s: %s", self.path, exc)
            return WriteResult(ERROR, "the write service stopped before answering; the write "
                                      "may or may not have been committed: read the data "
                                      "again before retrying")
        finally:
            sock.close()
        return WriteResult(**answer)

    def queued(self) -> int:
        """How many writes wait in the service's queue."""
        with self._connect(10.0) as sock:
            _send(sock, {"op": "queued"})
            return int(self._answer(sock)["queued"])

    def warm_in_background(self) -> None:
        """Nothing: the service warms its write worker up when it starts."""

    def close(self) -> None:
        """Nothing: the service outlives each server worker."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ccgraph.writes.service",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--timeout", type=float, default=Limits.timeout)
    parser.add_argument("--cap", type=int, default=Limits.cap)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="[%(asctime)s] [%(process)d] [write-service] %(message)s")
    return run_service(args.socket, args.store, args.base,
                       Limits(timeout=args.timeout, cap=args.cap))


__all__ = ["ServiceWriter", "main", "run_service"]

if __name__ == "__main__":
    sys.exit(main())
