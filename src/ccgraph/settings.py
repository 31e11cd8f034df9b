"""The one definition of every setting: flag, environment variable, default and help.

The CLI builds its flags from this table and the Flask app reads the same values, so a
setting is declared once. Precedence: explicit value (flag or ``create_app`` argument),
then the environment, then the default.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from . import iris, shipped


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    type: type = str
    flag: str | None = None  # defaults to --name-with-dashes

    @property
    def env(self) -> str:
        return "CCGRAPH_" + self.name.upper()

    @property
    def option(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")


TABLE: tuple[Setting, ...] = (
    Setting("store", "build", "build directory holding the store, dumps and reports", Path),
    Setting("sources", "../shared/sources",
            "directory of source documents (profiles, members table) used by build and tests",
            Path),
    Setting("sources_cache", "",
            "directory `ccgraph fetch` downloads the public sources into, and where build and "
            "tests look after `sources` (default: ${XDG_CACHE_HOME:-~/.cache}/ccgraph/sources)",
            str, flag="--into"),
    Setting("sources_mirror", "",
            "base URL (or local directory) to download the sources from, each file by its "
            "name (default: each file's own URL in data/sources.csv)", str, flag="--from"),
    Setting("fetch_timeout", 30.0, "seconds a download waits for the server before it gives up",
            float, flag="--timeout"),
    Setting("data", "", "directory of curated data (default: the data/ folder of the project)",
            str),
    Setting("base", iris.DEFAULT_BASE, "base IRI of every minted identifier", str),
    Setting("host", "127.0.0.1", "address the server binds to", str),
    Setting("port", 8080, "port the server listens on", int),
    Setting("workers", 3, "number of server worker processes", int),
    Setting("threads", 8, "request threads of each server worker process", int),
    Setting("query_timeout", 10.0, "seconds a SPARQL query may run before it is stopped", float),
    Setting("query_slots", 2,
            "SPARQL queries each worker process runs at once; more wait their turn within "
            "their timeout (0: no bound)", int),
    Setting("result_cap", 10000, "most rows (or triples) a query may return", int),
    Setting("max_query_length", 100_000, "longest SPARQL query accepted, in characters", int),
    Setting("result_cache_mb", 64.0,
            "memory bound of each worker's cache of finished answers, in MB (0: no cache)",
            float),
    Setting("memory_quads", 500_000,
            "largest build (quads in its named graphs) each worker copies into memory to "
            "answer queries from, in the background after opening it (0: always the store on "
            "disk)", int),
    Setting("public_url", "",
            "the server's public URL, when behind a proxy (default: from the request)", str),
    Setting("update_token", "",
            "bearer token that enables writes (SPARQL Update on /sparql, Graph Store on "
            "/graph-store); empty: the server is read-only", str),
    Setting("max_body_bytes", 16 << 20, "largest request body accepted, in bytes", int),
    Setting("backend", "",
            "SPARQL 1.1 query endpoint the server reads from instead of the embedded store "
            "(the build published there with `publish --to`; pages, dumps and ETags still come "
            "from `store`); empty: the embedded store", str),
    Setting("health_timeout", 2.0,
            "seconds /healthz waits for the store (over a backend: one ASK to the engine) "
            "before it answers 503", float),
    Setting("engine", "oxigraph", "the triplestore `publish --to` loads into: oxigraph or "
            "virtuoso", str),
    Setting("engine_user", "dba", "account on the triplestore for `publish --to` (environment "
            "only, with engine_password)", str),
    Setting("engine_password", "", "password of engine_user (environment only: never a flag, "
            "which `ps` would show)", str),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in TABLE}


def _convert(setting: Setting, value: Any) -> Any:
    if value is None or isinstance(value, setting.type):
        return value
    try:
        return setting.type(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"setting {setting.name} ({setting.env}): {value!r} is not a {setting.type.__name__}"
        ) from exc


@dataclass(frozen=True)
class Settings:
    """Resolved settings, one typed attribute per row of :data:`TABLE` (same names, same
    types, checked when this module loads). Build with :func:`Settings.load`; the table
    stays the one home of each setting's default, environment variable and help."""

    store: Path
    sources: Path
    sources_cache: str
    sources_mirror: str
    fetch_timeout: float
    data: str
    base: str
    host: str
    port: int
    workers: int
    threads: int
    query_timeout: float
    query_slots: int
    result_cap: int
    max_query_length: int
    result_cache_mb: float
    memory_quads: int
    public_url: str
    update_token: str
    max_body_bytes: int
    backend: str
    health_timeout: float
    engine: str
    engine_user: str
    engine_password: str

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        given = dict(overrides or {})
        unknown = set(given) - set(BY_NAME)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for s in TABLE:
            if given.get(s.name) is not None:
                values[s.name] = _convert(s, given[s.name])
            elif s.env in env:
                values[s.name] = _convert(s, env[s.env])
            else:
                values[s.name] = _convert(s, s.default)
        return cls(**values)

    @property
    def values(self) -> dict[str, Any]:
        """Every setting by name."""
        return {s.name: getattr(self, s.name) for s in TABLE}

    def replace(self, **changes: Any) -> Settings:
        unknown = set(changes) - set(BY_NAME)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **{key: _convert(BY_NAME[key], value)
                                            for key, value in changes.items()})


def _check_against_table() -> None:
    """The attributes of Settings are the rows of TABLE, with the table's types."""
    declared = {f.name: f.type for f in fields(Settings)}
    table = {s.name: s.type.__name__ for s in TABLE}
    if declared != table:
        raise TypeError(f"Settings and settings.TABLE disagree: {declared} != {table}")


_check_against_table()


def data_dir(settings: Settings) -> Path:
    """The curated data the build reads: the ``data`` setting, else the shipped data."""
    return Path(settings.data) if settings.data else shipped.data()


__all__ = ["BY_NAME", "TABLE", "Setting", "Settings", "data_dir", "fields"]
