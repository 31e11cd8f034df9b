"""What a write is and what becomes of it: the request, its kinds, the statuses of its
result, its limits, and the payload formats a Graph Store request may send."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import formats

#: request kinds
UPDATE, PUT, POST, DELETE = "update", "put", "post", "delete"
#: outcome statuses
COMMITTED = "committed"
UNCHANGED = "unchanged"
INVALID = "invalid"  # SHACL violations: 422
BAD_REQUEST = "bad_request"  # 400
NOT_FOUND = "not_found"  # 404
TOO_LARGE = "too_large"  # 413
FORBIDDEN = "forbidden"  # 403
TIMEOUT = "timeout"  # 503
BUSY = "busy"  # 503
CONFLICT = "conflict"  # 409
ERROR = "error"  # 500
#: payload formats a Graph Store request may send
PAYLOAD_FORMATS = formats.of_kind("graph")


class WriteError(Exception):
    """A write refused before anything was committed."""

    def __init__(self, status: str, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Request:
    """One write. ``graph`` None means the default graph (Graph Store ``?default``)."""

    kind: str
    update: str = ""
    graph: str | None = None
    payload: bytes = b""
    media_type: str = ""


@dataclass
class WriteResult:
    """What became of one write: its status (above), counts, the version it made."""

    status: str
    message: str = ""
    inserted: int = 0
    deleted: int = 0
    version: str = ""
    created: bool = False  # the named graph did not exist before
    report_text: str = ""
    report_turtle: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds the change itself may take (query_timeout)
    cap: int = 10_000  # most quads one write may insert plus delete (result_cap)
    commit_timeout: float = 300.0  # seconds for validation and writing the new version
    lock_timeout: float = 120.0  # seconds a write waits for the one before it
    group: int = 32  # most queued writes committed together as one version (group.py)


def payload_format(media_type: str) -> formats.Format | None:
    mtype = media_type.split(";")[0].strip().lower()
    for fmt in PAYLOAD_FORMATS:
        if mtype in (fmt.media_type, *fmt.aliases):
            return fmt
    return None
