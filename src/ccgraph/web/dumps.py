"""``/dumps/``: the whole-graph dumps as files (ETag, Last-Modified, Range, conditional).
The files are those of :mod:`ccgraph.dumpfiles`; werkzeug's ``send_file`` answers the
conditional and range requests of a file itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, send_file

from ..dumpfiles import BY_NAME, DUMPS
from ..formats import Format, content_type
from . import negotiate
from .negotiate import PAGE
from .state import state

bp = Blueprint("dumps", __name__)

#: the JSON listing; a single offer, not a second format table.
LISTING_JSON = Format("json-listing", "application/json", ".json", "page")
DUMP_MAX_AGE = 3600


def listing() -> list[dict[str, Any]]:
    ext = state()
    out = []
    for dump in DUMPS:
        path = ext.build.dumps_dir / dump.name
        if not path.is_file():
            continue
        stat = path.stat()
        out.append({
            "name": dump.name, "href": f"/dumps/{dump.name}", "mediaType": dump.served_type,
            "description": dump.description, "bytes": stat.st_size,
            "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds"),
        })
    return out


@bp.route("/dumps/")
@bp.route("/dumps")
def index() -> Response:
    reply = negotiate.reply([PAGE, LISTING_JSON], lambda f: "dumps-" + f.name)
    files = listing()
    if reply.fmt is LISTING_JSON:
        meta = state().meta
        return reply.finish(jsonify({"version": meta.version, "created": meta.created,
                                     "dumps": files}))
    return reply.respond(render_template("dumps.html", files=files))


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    ext = state()
    if name not in BY_NAME:
        abort(404, description=f"no dump {name}; see /dumps/")
    path = ext.build.dumps_dir / name
    if not path.is_file():
        abort(404, description=f"this build has no {name}")
    media_type = BY_NAME[name].served_type
    resp = send_file(path, mimetype=media_type, conditional=True,
                     etag=f"{ext.meta.version[:32]}-{name}", max_age=DUMP_MAX_AGE,
                     download_name=name)
    # send_file appends a charset to text/* itself; the header is set once, from formats
    resp.headers["Content-Type"] = content_type(media_type)
    resp.headers["Cache-Control"] = f"public, max-age={DUMP_MAX_AGE}"
    return resp
