"""The write worker's own read-write RocksDB store, kept open from one write to the next
(writes/fast.py).

A write used to open two RocksDB stores: the live version's read-only (to back it up into
the staging directory) and the staging copy read-write (to apply the change), then flush
and close it. Each open reads the manifest, opens every table file afresh and starts with
cold caches, and the reads that follow on the new store (the VoID description's checks,
the cities framed again) paid for those cold caches. Measured in the soak (network build,
12 readers, 3 writers; py-spy, 50 Hz): the two opens alone were ~18 % of the write worker's
time in ``write_fast``.

Kept open instead: a store in a staging directory of the worker's own (``new_staging``, so
``remove_leftovers`` removes it once the worker is gone), holding the version the worker
last wrote. A write applies its change to it, and the version's store is a checkpoint of
it (``Store.backup``: its memtables flushed, its table files hard-linked). When the live
version is not the one it holds (the first write, a rebuild, a write that failed half-way)
it is made again from the live version's store, as a write did before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from ..store import STORE_DIR, new_staging


class WorkStore:
    """A read-write copy of one version's store, kept open (module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._folder: Path | None = None
        self._store: ox.Store | None = None
        #: the name of the version directory whose store ``_store`` holds (None: none)
        self.holds: str | None = None

    def open(self, version_dir: Path) -> ox.Store:
        """The kept store, holding what ``version_dir``'s store holds, to change. Until
        :meth:`written` names the version made of it, it holds no version (a change
        applied to it but not written leaves it to be made again)."""
        if self._store is None or self.holds != version_dir.name:
            self.drop()
            folder = new_staging(self.root)
            live = ox.Store.read_only(str(version_dir / STORE_DIR))
            live.backup(str(folder / STORE_DIR))
            del live
            self._folder, self._store = folder, ox.Store(str(folder / STORE_DIR))
        self.holds = None
        return self._store

    def backup(self, target: Path) -> None:
        """A checkpoint of the kept store at ``target`` (a directory not there yet)."""
        if self._store is None:
            raise RuntimeError("no store is open: call open() first")
        self._store.backup(str(target))

    def written(self, version_name: str) -> None:
        """The store holds the version called ``version_name`` now."""
        self.holds = version_name

    def drop(self) -> None:
        """Close the kept store and remove its files (made again on the next open)."""
        self._store = None  # the last reference: RocksDB closes here
        self.holds = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


__all__ = ["WorkStore"]
