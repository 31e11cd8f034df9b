"""The Flask application factory. One read-only store per process (per gunicorn worker)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from .. import __version__, formats
from ..settings import Settings
from ..store import Build, BuildMeta, open_build
from . import dumps, http, meta, resources, sparql
from .sparql import QueryRunner

EXTENSION = "ccgraph"


@dataclass
class Ccgraph:
    """What the blueprints share, kept on ``app.extensions["ccgraph"]``."""

    settings: Settings
    build: Build
    runner: QueryRunner
    graphs: frozenset[str]
    cache: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

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
    app.url_map.strict_slashes = False
    runner = QueryRunner(timeout=float(settings.query_timeout), on_stuck=on_stuck)
    graphs = frozenset(g.value for g in build.store.named_graphs()
                       if isinstance(g, ox.NamedNode))
    app.extensions[EXTENSION] = Ccgraph(settings=settings, build=build, runner=runner,
                                        graphs=graphs)

    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(dumps.bp)
    app.register_blueprint(meta.bp)
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
