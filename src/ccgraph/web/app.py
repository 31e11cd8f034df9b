"""The Flask application factory. One read-only store per process (per gunicorn worker)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from .. import __version__, writes
from ..remote_store import EngineTimeout, RemoteError
from ..settings import Settings
from ..store import current_link, remove_leftovers
from . import (
    docs,
    dumps,
    engine_queries,
    graph_store,
    http,
    meta,
    negotiate,
    pages,
    releases,
    resources,
    sparql,
)
from .cache import ResultCache
from .negotiate import PAGE
from .runner import QueryRunner
from .state import EXTENSION, Ccgraph, named_graphs, open_serving


def create_app(settings: Settings | None = None, *,
               on_stuck: Callable[[], None] | None = None,
               write_service: Path | None = None) -> Flask:
    """The publishing server for the build at ``settings.store``.

    ``on_stuck`` is called (once) when a timed-out query is still running long after its
    deadline; the gunicorn runner passes a function that recycles the worker process.
    ``write_service``: the Unix socket of the server's write service (serve.py), which then
    runs this app's writes. Raises ``store.NoBuild`` when the directory holds no build.
    """
    settings = settings or Settings.load()
    if settings.backend and settings.update_token:
        raise ValueError("--backend serves what was published to the engine, read-only: "
                         "leave --update-token empty (write to the build, then publish --to)")
    build = open_serving(settings)
    app = Flask(__name__)
    app.config["JSON_SORT_KEYS"] = False
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.url_map.strict_slashes = False
    ext = Ccgraph(
        settings=settings, build=build,
        runner=QueryRunner(timeout=settings.query_timeout, on_stuck=on_stuck,
                           slots=settings.query_slots),
        graphs=named_graphs(build.store),
        results=ResultCache(int(settings.result_cache_mb * 2**20)),
        html_views=pages.HTML_VIEWS)
    app.extensions[EXTENSION] = ext
    ext.live = f"{build.path.parent.name}/{build.path.name}" if current_link(
        settings.store) else None
    ext.start_memory_copy()
    if settings.update_token:  # writes on: clear what crashed writes left behind
        remove_leftovers(settings.store)
        limits = writes.Limits(timeout=settings.query_timeout, cap=settings.result_cap)
        # under gunicorn, the server's one write service (serve.py); else a write worker here
        ext.writer = (writes.ServiceWriter(write_service, limits) if write_service
                      else writes.Writer(settings.store, ext.base, limits))
        ext.writer.warm_in_background()  # the first write then costs what others do

    for blueprint in (sparql.bp, resources.bp, dumps.bp, meta.bp, graph_store.bp, docs.bp,
                      *pages.BLUEPRINTS):
        app.register_blueprint(blueprint)
    releases.install(app)
    pages.install(app)
    app.before_request(ext.refresh)
    http.install(app)
    if settings.backend:
        engine_queries.install(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"ccgraph_version": __version__, "build": ext.meta, "base": ext.base}

    @app.errorhandler(RemoteError)
    def _engine_down(exc: RemoteError) -> Response:  # --backend: the engine failed us
        if isinstance(exc, EngineTimeout):  # up, but out of time: never a part as the whole
            resp = http.text_error(503, f"503 Service Unavailable: {exc}")
            resp.headers["Retry-After"] = "5"
            return resp
        resp = http.text_error(502, f"502 Bad Gateway: {exc}")
        resp.headers["Retry-After"] = "5"
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if negotiate.best_offer(request.headers.get("Accept"), [PAGE]) is not None \
                and _wants_html():
            body = render_template("error.html", status=status, title=exc.name,
                                   message=exc.description)
            return Response(body, status=status, content_type=PAGE.content_type)
        return http.text_error(status, f"{status} {exc.name}: {exc.description}")

    return app


def _wants_html() -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept
