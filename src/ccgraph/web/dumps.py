"""``/dumps/``: the whole-graph dumps as files (ETag, Last-Modified, Range, conditional)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, send_file

from ..formats import Format, content_type
from . import http

bp = Blueprint("dumps", __name__)

#: file name -> (media type, what it holds)
FILES: dict[str, tuple[str, str]] = {
    "ccgraph.ttl": ("text/turtle", "union of all graphs, Turtle"),
    "ccgraph.nt.gz": ("application/gzip", "union of all graphs, N-Triples, gzip"),
    "ccgraph.nq.gz": ("application/gzip", "every named graph, N-Quads, gzip"),
    "ccgraph.jsonld": ("application/ld+json", "union of all graphs, JSON-LD"),
}
#: the JSON listing; a single offer, not a second format table.
LISTING_JSON = Format("json-listing", "application/json", ".json", "page")
DUMP_MAX_AGE = 3600


def _ext() -> Any:
    return current_app.extensions["ccgraph"]


def listing() -> list[dict[str, Any]]:
    ext = _ext()
    out = []
    for name, (media_type, what) in FILES.items():
        path = ext.build.dumps_dir / name
        if not path.is_file():
            continue
        stat = path.stat()
        out.append({
            "name": name, "href": f"/dumps/{name}", "mediaType": media_type.split(";")[0],
            "description": what, "bytes": stat.st_size,
            "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds"),
        })
    return out


@bp.route("/dumps/")
@bp.route("/dumps")
def index() -> Response:
    try:
        fmt = http.choose([http.PAGE, LISTING_JSON])
    except http.NotAcceptable as exc:
        return http.text_error(406, str(exc))
    tag = http.etag("dumps-" + fmt.name)
    if (hit := http.not_modified(tag)) is not None:
        return hit
    files = listing()
    if fmt is LISTING_JSON:
        resp = jsonify({"version": _ext().meta.version, "created": _ext().meta.created,
                        "dumps": files})
    else:
        resp = Response(render_template("dumps.html", files=files),
                        content_type=http.PAGE.content_type)
    return http.finish(resp, tag)


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    ext = _ext()
    if name not in FILES:
        abort(404, description=f"no dump {name}; see /dumps/")
    path = ext.build.dumps_dir / name
    if not path.is_file():
        abort(404, description=f"this build has no {name}")
    media_type, _ = FILES[name]
    resp = send_file(path, mimetype=media_type, conditional=True,
                     etag=f"{ext.meta.version[:32]}-{name}", max_age=DUMP_MAX_AGE,
                     download_name=name)
    # send_file appends a charset to text/* itself; the header is set once, from formats
    resp.headers["Content-Type"] = content_type(media_type)
    resp.headers["Cache-Control"] = f"public, max-age={DUMP_MAX_AGE}"
    return resp
