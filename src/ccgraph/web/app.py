"""The Flask application factory. One read-only store per process (per gunicorn worker)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from .. import __version__, formats, writes
from ..settings import Settings
from ..store import Build, BuildMeta, current_link, open_build, remove_leftovers
from . import docs, dumps, graph_store, http, meta, pages, releases, resources, sparql
from .cache import ResultCache
from .sparql import QueryRunner

EXTENSION = "ccgraph"
log = logging.getLogger(__name__)


@dataclass
class Ccgraph:
    """What the blueprints share, kept on ``app.extensions["ccgraph"]``."""

    settings: Settings
    build: Build
    runner: QueryRunner
    graphs: frozenset[str]
    cache: dict[str, Any] = field(default_factory=dict)
    #: finished answers (SPARQL results, /doc bodies), keyed with the data's version
    results: ResultCache = field(default_factory=lambda: ResultCache(0))
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: where ``<store>/current`` pointed when ``build`` was opened (None: not versioned)
    live: str | None = None
    writer: writes.Writer | None = None

    def refresh(self) -> None:
        """Reopen the store when a write (or a rebuild) made a new version current: one
        readlink per request. Requests already running keep the store they started with."""
        root = Path(self.settings.store)
        link = current_link(root)
        if link is None or link == self.live:
            return
        with self.lock:
            if current_link(root) == self.live:
                return
            try:
                build = open_build(root)
            except Exception:  # keep serving what is open; the next request tries again
                log.exception("reopening the store at %s failed", root)
                return
            self.graphs = frozenset(g.value for g in build.store.named_graphs()
                                    if isinstance(g, ox.NamedNode))
            self.build = build
            self.live = f"{build.path.parent.name}/{build.path.name}"
            self.cache = {}

    @property
    def store(self) -> ox.Store:
        return self.build.store

    @property
    def meta(self) -> BuildMeta:
        return self.build.meta

    @property
    def base(self) -> str:
        base = self.meta.base or self.settings.base
        return base if base.endswith("/") else base + "/"

    @property
    def path(self) -> Path:
        return self.build.path

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key not in self.cache:
                self.cache[key] = make()
            return self.cache[key]


def create_app(settings: Settings | None = None, *,
               on_stuck: Callable[[], None] | None = None) -> Flask:
    """The publishing server for the build at ``settings.store``.

    ``on_stuck`` is called (once) when a timed-out query is still running long after its
    deadline; the gunicorn runner passes a function that recycles the worker process.
    Raises ``store.NoBuild`` when the directory holds no build.
    """
    settings = settings or Settings.load()
    build = open_build(settings.store)
    app = Flask(__name__)
    app.config["JSON_SORT_KEYS"] = False
    app.config["MAX_CONTENT_LENGTH"] = int(settings.max_body_bytes)
    app.url_map.strict_slashes = False
    runner = QueryRunner(timeout=float(settings.query_timeout), on_stuck=on_stuck)
    graphs = frozenset(g.value for g in build.store.named_graphs()
                       if isinstance(g, ox.NamedNode))
    app.extensions[EXTENSION] = Ccgraph(
        settings=settings, build=build, runner=runner, graphs=graphs,
        results=ResultCache(int(float(settings.result_cache_mb) * 2**20)))
    ext: Ccgraph = app.extensions[EXTENSION]
    ext.live = f"{build.path.parent.name}/{build.path.name}" if current_link(
        settings.store) else None
    if settings.update_token:  # writes on: clear what crashed writes left behind
        remove_leftovers(Path(settings.store))
        ext.writer = writes.Writer(Path(settings.store), ext.base, writes.Limits(
            timeout=float(settings.query_timeout), cap=int(settings.result_cap)))

    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(dumps.bp)
    app.register_blueprint(meta.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(docs.bp)
    releases.install(app)
    app.before_request(ext.refresh)
    pages.install(app)
    http.install(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        ext: Ccgraph = app.extensions[EXTENSION]
        return {"ccgraph_version": __version__, "build": ext.meta, "base": ext.base}

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if formats.negotiate(request.headers.get("Accept"),
                                  [http.PAGE]) is not None and _wants_html():
            body = render_template("error.html", status=status, title=exc.name,
                                   message=exc.description)
            return Response(body, status=status, content_type=http.PAGE.content_type)
        return http.text_error(status, f"{status} {exc.name}: {exc.description}")

    return app


def _wants_html() -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept
