"""A release directory (``build/releases/NAME``) served as ``--store``: the immutable,
checksummed state that ``ccgraph publish --to`` loaded into an engine.

``ccgraph serve --store build/releases/2026.12 --backend URL`` answers from the engine and
takes from the release everything that is not a query: its version (the SHA-256 of its
``ccgraph.nq.gz``, so ETags are keyed by the release published, not by the build it came
from), its base, its graphs and its dump files (at the top of the release directory).
Without ``--backend`` the release's own ``store/`` answers (it holds the union as its
default graph). A release never changes: writes are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import release as releases
from .store import Build, BuildMeta, NoBuild


def is_release(path: Path | str) -> bool:
    return (Path(path) / releases.META_FILE).is_file()


@dataclass
class ReleaseBuild(Build):
    """A release opened as a build: its dumps are the release's own files."""

    release: releases.Release | None = None

    @property
    def dumps_dir(self) -> Path:
        return self.path


def release_meta(release: releases.Release) -> BuildMeta:
    return BuildMeta(version=release.version, created=release.issued, base=release.base,
                     quads=release.quads, graphs=dict(release.graphs),
                     sources=[str(i.get("name", "")) for i in release.inputs],
                     extra={"release": release.name, "build_version": release.build_version,
                            "inputs": list(release.inputs)})


def open_release(path: Path | str) -> ReleaseBuild:
    """Open the release in ``path`` read-only. Raises NoBuild when it is not complete."""
    path = Path(path)
    try:
        release = releases.Release.load(path)
    except (OSError, ValueError, TypeError) as exc:
        raise NoBuild(f"{path / releases.META_FILE} cannot be read ({exc}): the release is "
                      "damaged; serve another one") from None
    if not release.store_path.is_dir():
        raise NoBuild(f"{release.store_path} is missing: the release is incomplete")
    store = ox.Store.read_only(str(release.store_path))
    return ReleaseBuild(path=path, store=store, meta=release_meta(release), release=release)
