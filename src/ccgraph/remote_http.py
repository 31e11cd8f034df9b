"""Kept-alive HTTP connections to a remote engine (``serve --backend``), reused from
request to request instead of a new TCP connection and a new urllib opener for each query.

Measured on the loaded 2-core machine (a gallery SELECT straight to the engine, median of
30 alternating, load average 17-19): Oxigraph server 275 ms a new connection each time
against 220 ms kept alive, Virtuoso 208 ms against 188 ms.

A kept connection the engine closed meanwhile (its keep-alive timeout, a restart) fails
on its next request before any answer: that request is sent once more on a new
connection. An answer of any status is returned as it is; errors of the network are
raised as OSError (TimeoutError when the engine did not answer in time), as urllib does.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
import weakref
from dataclasses import dataclass
from email.message import Message

#: failures of a reused connection that mean the engine closed it (sent again once)
STALE = (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionResetError,
         ConnectionAbortedError, BrokenPipeError)
#: idle connections kept (a gunicorn worker runs a few threads; more are closed)
IDLE = 8
#: seconds a connection may have been idle and still be reused: well under the engines'
#: keep-alive timeouts (Virtuoso's KeepAliveTimeout is 10 s in ccgraph's ini), so a request
#: is never sent on a connection the engine is dropping at that moment (a request sent into
#: such a socket could wait for its whole deadline instead of failing fast)
MAX_IDLE_S = 4.0


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes


class Connections:
    """Kept-alive connections to one engine URL: each request takes an idle one (or opens
    one) and gives it back; at most :data:`IDLE` are kept. All are closed by :meth:`close`,
    and when the object is collected (no socket is left to the garbage collector)."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._pool = _Pool()
        weakref.finalize(self, self._pool.close)

    def close(self) -> None:
        self._pool.close()

    def post(self, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
        """POST ``body`` to the URL; the whole answer."""
        conn = self._pool.take()
        if conn is not None:
            try:
                answer = self._send(conn, body, headers, timeout)
            except STALE:
                pass  # closed by _send: a new connection below
            else:
                self._pool.give(conn)
                return answer
        conn = self._connect(timeout)
        answer = self._send(conn, body, headers, timeout)
        self._pool.give(conn)
        return answer

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return kind(self._host, self._port, timeout=timeout)

    def _send(self, conn: http.client.HTTPConnection, body: bytes, headers: dict[str, str],
              timeout: float) -> Answer:
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        try:
            conn.request("POST", self._path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except BaseException:
            conn.close()  # never reuse a connection left in the middle of an exchange
            raise
        if resp.will_close:
            conn.close()
        return Answer(resp.status, resp.msg, data)


class _Pool:
    def __init__(self) -> None:
        self._idle: list[tuple[float, http.client.HTTPConnection]] = []
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> http.client.HTTPConnection | None:
        """The most recently returned connection idle for less than :data:`MAX_IDLE_S`;
        older ones are closed."""
        fresh_since = time.monotonic() - MAX_IDLE_S
        with self._lock:
            stale = [conn for at, conn in self._idle if at < fresh_since]
            self._idle = [(at, conn) for at, conn in self._idle if at >= fresh_since]
            conn = self._idle.pop()[1] if self._idle else None
        for old in stale:
            old.close()
        return conn

    def give(self, conn: http.client.HTTPConnection) -> None:
        if conn.sock is None:
            return  # closed (the engine said so): nothing to keep
        with self._lock:
            if not self._closed and len(self._idle) < IDLE:
                self._idle.append((time.monotonic(), conn))
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for _at, conn in idle:
            conn.close()
