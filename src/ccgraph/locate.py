"""Where the sources are looked up, in order: the ``sources`` directory (``CCGRAPH_SOURCES``,
default ``../shared/sources``), then the cache ``ccgraph fetch`` downloads into
(``CCGRAPH_SOURCES_CACHE``, default ``${XDG_CACHE_HOME:-~/.cache}/ccgraph/sources``).

A file is taken from the first directory that holds it, so a directory holding the seed
profile and the cache holding the fetched corpus make one set of sources together.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .extract.corpus import CORPUS_GLOB
from .settings import Settings


def cache_dir(settings: Settings, environ: Mapping[str, str] | None = None) -> Path:
    """The directory ``ccgraph fetch`` writes into when not given ``--into``."""
    if settings.sources_cache:
        return Path(settings.sources_cache).expanduser()
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "ccgraph" / "sources"


def search_dirs(settings: Settings, relative_to: Path | None = None,
                environ: Mapping[str, str] | None = None) -> list[Path]:
    """The directories sources are looked up in, in order (existing or not). A relative
    ``sources`` directory is taken from ``relative_to`` (default: the working directory)."""
    sources = settings.sources.expanduser()
    if not sources.is_absolute() and relative_to is not None:
        sources = relative_to / sources
    dirs = [sources, cache_dir(settings, environ)]
    unique: list[Path] = []
    for d in dirs:
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def find(name: str, dirs: list[Path]) -> Path | None:
    """The first ``dirs/name`` that is a file."""
    for d in dirs:
        if (d / name).is_file():
            return d / name
    return None


def source_files(dirs: list[Path]) -> list[Path]:
    """The profile documents a build with no PATH reads: every ``*.txt`` profile and
    ``uccn-profiles*.json`` corpus of the directories, each file name from the first
    directory that has it."""
    chosen: dict[str, Path] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.txt")) + sorted(d.glob(CORPUS_GLOB)):
            if path.is_file() and not path.name.startswith("."):
                chosen.setdefault(path.name, path)
    return sorted(chosen.values(), key=lambda p: (p.suffix != ".txt", p.name))


__all__ = ["cache_dir", "find", "search_dirs", "source_files"]
