"""The access log's fast path (access_log.py) writes what gunicorn's own Logger writes."""

from __future__ import annotations

import base64
import datetime
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from ccgraph.access_log import COMBINED, AccessLogger


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _logged(logger_class: type[Logger], environ: dict[str, Any], status: Any,
            sent: int | None) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = logger_class(cfg)
    lines = _Lines()
    logger.access_log.handlers = [lines]
    resp = SimpleNamespace(status=status, sent=sent,
                           headers=[("Content-Type", "text/plain"), ("ETag", 'W/"x"')])
    req = SimpleNamespace(headers=[("HOST", "127.0.0.1"), ("ACCEPT", "text/turtle")])
    logger.access(resp, req, environ, datetime.timedelta(microseconds=1234))
    assert len(lines.lines) == 1
    return lines.lines[0]


@pytest.mark.parametrize(("extra", "status", "sent"), [
    ({}, "200 OK", 1234),
    ({"HTTP_REFERER": 'http://x/"q"', "HTTP_USER_AGENT": 'wrk "4"'}, "304 Not Modified", None),
    ({"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"curator:pw").decode()}, 503, 0),
    ({"RAW_URI": '/sparql?query=SELECT%20"x"'}, "400 BAD REQUEST", 17),
])
def test_the_fast_access_log_line_is_gunicorns(extra: dict[str, str], status: Any,
                                               sent: int | None) -> None:
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/sparql?query=ASK%7B%7D",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "PATH_INFO": "/sparql", "QUERY_STRING": "query=ASK%7B%7D", **extra}
    assert Config().access_log_format == COMBINED
    ours = _logged(AccessLogger, environ, status, sent)
    theirs = _logged(Logger, environ, status, sent)
    # the date may have ticked over between the two calls: compare around it
    assert ours.split("[")[0] == theirs.split("[")[0]
    assert ours.split("]", 1)[1] == theirs.split("]", 1)[1]
    assert ours.count("[") == theirs.count("[")
    if extra.get("HTTP_AUTHORIZATION"):
        assert " curator [" in ours
