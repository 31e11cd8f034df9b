"""gunicorn's access log, the same lines for less work (``logger_class`` in serve.py).

gunicorn's own ``Logger.access`` builds, for every request, a dictionary of ~20 atoms plus
one entry per request header, response header and WSGI environ variable, escapes each
value, and formats the date with ``strftime``. Sampled with py-spy in a worker answering a
cached SPARQL query (4 clients), that was 18 % of the time the worker held the GIL — as
much as the SPARQL view itself. With gunicorn's default ``access_log_format`` this logger
writes the same line from the atoms that format uses; any other format goes the usual way.
"""

from __future__ import annotations

import datetime
import time
import traceback
from typing import Any

from gunicorn.glogging import Logger

#: gunicorn's default access_log_format (Apache's combined log format)
COMBINED = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def _safe(value: str) -> str:
    """As gunicorn's SafeAtoms writes a value: double quotes escaped."""
    return value.replace('"', '\\"') if '"' in value else value


class AccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's Logger, with a fast path for the combined access log format."""

    _stamp: tuple[int, str] = (-1, "")

    def now(self) -> str:
        """The date in Apache's Common Log Format, made once a second."""
        second = int(time.time())
        stamp = self._stamp
        if stamp[0] != second:
            stamp = (second, time.strftime("[%d/%b/%Y:%H:%M:%S %z]",
                                           time.localtime(second)))
            self._stamp = stamp
        return stamp[1]

    def access(self, resp: Any, req: Any, environ: dict[str, Any],
               request_time: datetime.timedelta) -> None:
        if not self.access_log_enabled:
            return
        if self.cfg.access_log_format != COMBINED:
            super().access(resp, req, environ, request_time)
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        user = self._get_user(environ) if "HTTP_AUTHORIZATION" in environ else None
        request = (f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} "
                   f"{environ['SERVER_PROTOCOL']}")
        line = (f"{_safe(environ.get('REMOTE_ADDR', '-'))} - {_safe(user or '-')} "
                f'{self.now()} "{_safe(request)}" {status} '
                f"{(sent is not None and str(sent)) or '-'} "
                f'"{_safe(environ.get("HTTP_REFERER", "-"))}" '
                f'"{_safe(environ.get("HTTP_USER_AGENT", "-"))}"')
        try:
            self.access_log.info("%s", line)
        except Exception:
            self.error(traceback.format_exc())
