"""``/releases/``: the releases of the build directory, their files, and pinned queries.

* ``/releases/`` lists every release, newest first (HTML, or RDF: the DCAT catalogue);
* ``/releases/{name}/`` one release: its files with sizes and SHA-256, how to cite it and
  what changed (HTML), or its DCAT/VoID description (RDF);
* ``/releases/{name}/{file}`` the files, immutable: a strong ETag (the file's SHA-256),
  ``Cache-Control: immutable``, ranges and conditional requests;
* ``/sparql?release=NAME`` (:func:`target`) answers from the release's own store, opened
  read-only on first use and kept per worker process.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, render_template, request, send_file

from .. import release as rel
from ..formats import Format
from ..release_rdf import catalogue, release_page
from ..settings import Settings
from . import negotiate
from .cache import ResultCache
from .negotiate import GRAPH_FORMATS, PAGE
from .rdfbody import rdflib_triples
from .runner import QueryRunner
from .state import Ccgraph, QueryTarget, named_graphs, state

bp = Blueprint("releases", __name__)
IMMUTABLE = "public, max-age=31536000, immutable"
PIN_CACHE_SHARE = 0.25  # of --result-cache-mb, for each pinned release's answers
_LOCK = threading.Lock()


def _root() -> Path:
    return state().settings.store.resolve()


_LISTED: dict[str, tuple[tuple[int, tuple[str, ...]], list[rel.Release]]] = {}


def all_releases() -> list[rel.Release]:
    """The releases, newest first; read again only when the releases folder changed (a
    new release is renamed into it, which changes its modification time)."""
    folder = rel.releases_dir(_root())
    try:
        stamp = (folder.stat().st_mtime_ns,
                 tuple(sorted(n for n in os.listdir(folder) if not n.startswith("."))))
    except FileNotFoundError:
        return []
    with _LOCK:
        known = _LISTED.get(str(folder))
        if known is not None and known[0] == stamp:
            return known[1]
    found = rel.list_releases(_root())
    with _LOCK:
        _LISTED[str(folder)] = (stamp, found)
    return found


def fingerprint(releases: list[rel.Release] | None = None) -> str:
    """Changes whenever a release is added: part of the ETags of pages that list them."""
    found = all_releases() if releases is None else releases
    text = "|".join(f"{r.name}:{r.version}" for r in found)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def catalogue_triples() -> list[ox.Triple]:
    """The dataset's ``dcterms:hasVersion`` links and a summary of each release (for
    ``/.well-known/void`` and ``/releases/``)."""
    return rdflib_triples(catalogue(all_releases(), state().base))


def latest() -> rel.Release | None:
    found = all_releases()
    return found[0] if found else None


def citation(release: rel.Release, base: str) -> str:
    return (f"ccgraph contributors. ccgraph: the UNESCO Creative Cities Network as linked "
            f"data, release {release.name} ({release.date}). "
            f"{release_page(release.name, base)} — licensed CC BY 4.0.")


OFFERS: list[Format] = [PAGE, *GRAPH_FORMATS]


@bp.route("/releases/")
@bp.route("/releases")
def index() -> Response:
    ext = state()
    found = all_releases()
    reply = negotiate.reply(OFFERS, lambda f: f"releases-{fingerprint(found)}-{f.name}")
    if reply.fmt is PAGE:
        return reply.respond(render_template(
            "releases.html", title="Releases", releases=found,
            cite=citation(found[0], ext.base) if found else None))
    return reply.graph(rdflib_triples(catalogue(found, ext.base)), ext.base)


def _release_or_404(name: str) -> rel.Release:
    found = rel.find_release(_root(), name)
    if found is None:
        abort(404, description=f"no release {name!r}; see /releases/")
    return found


@bp.route("/releases/<name>/")
@bp.route("/releases/<name>")
def release_index(name: str) -> Response:
    ext = state()
    release = _release_or_404(name)
    reply = negotiate.reply(OFFERS, lambda f: f"release-{release.name}-{fingerprint()}-{f.name}",
                            version=release.version)
    if reply.fmt is PAGE:
        changes = json.loads((release.path / "changes.json").read_text(encoding="utf-8"))
        later = [r for r in all_releases() if r.previous == release.name]
        body = render_template("release.html", title=f"Release {release.name}",
                               release=release, changes=changes,
                               cite=citation(release, ext.base),
                               notes=_read(release.path / "NOTES.md"),
                               next=later[0] if later else None)
        return reply.respond(body)
    triples = [q.triple for q in ox.parse((release.path / rel.DESCRIPTION_FILE).read_bytes(),
                                          format=ox.RdfFormat.TURTLE)]
    return reply.graph(triples, ext.base)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


@bp.route("/releases/<name>/<path:filename>")
def release_file(name: str, filename: str) -> Response:
    release = _release_or_404(name)
    entry = release.file(filename)
    if entry is None:
        abort(404, description=f"release {name} has no file {filename}; see /releases/{name}/")
    path = release.path / entry.name
    media_type = "application/gzip" if entry.compressed else http_type(entry.media_type)
    resp = send_file(path, mimetype=media_type, conditional=True, etag=entry.sha256,
                     download_name=Path(entry.name).name, max_age=31536000)
    resp.headers["Cache-Control"] = IMMUTABLE
    return resp


def http_type(media_type: str) -> str:
    if media_type.startswith("text/") or media_type.endswith("json"):
        return f"{media_type}; charset=utf-8"
    return media_type


# ------------------------------------------------------------------ pinned queries

class PinError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass
class PinnedMeta:
    version: str


@dataclass
class Pinned:
    """What /sparql needs, for one release (a ``state.QueryTarget``, like the app's own)."""

    settings: Settings
    runner: QueryRunner
    base: str
    store: ox.Store
    graphs: frozenset[str]
    meta: PinnedMeta
    results: ResultCache = field(default_factory=lambda: ResultCache(0))


_PINNED: dict[tuple[str, str], tuple[ox.Store, frozenset[str], ResultCache]] = {}


def _open(release: rel.Release, cache_bytes: int) -> tuple[ox.Store, frozenset[str], ResultCache]:
    key = (str(release.path.resolve()), release.version)
    with _LOCK:
        found = _PINNED.get(key)
        if found is None:
            store = ox.Store.read_only(str(release.store_path))
            graphs = named_graphs(store)
            found = _PINNED[key] = (store, graphs, ResultCache(cache_bytes))
        return found


def target(ext: Ccgraph) -> QueryTarget:
    """The app's state, or a release's when the request names one (``release=NAME``).
    Raises PinError (400 for a bad name, 404 for an unknown release)."""
    name = request.values.get("release")
    if name is None or name == "":
        return ext
    if not rel.NAME.fullmatch(name):
        raise PinError(400, f"bad release name {name!r}; see /releases/ for the names")
    release = rel.find_release(ext.settings.store.resolve(), name)
    if release is None:
        raise PinError(404, f"no release {name!r}; see /releases/ for the releases")
    share = ext.settings.result_cache_mb * PIN_CACHE_SHARE
    store, graphs, cache = _open(release, int(share * 2**20))
    version = hashlib.sha256(f"{release.name}:{release.version}".encode()).hexdigest()[:20]
    return Pinned(settings=ext.settings, runner=ext.runner, base=ext.base, store=store,
                  graphs=graphs, meta=PinnedMeta(version), results=cache)


def _template_globals() -> dict[str, Any]:
    return {"latest_release": latest, "release_citation": citation}


def install(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_template_globals)


