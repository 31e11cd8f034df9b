"""A bounded, thread-safe LRU of finished response bodies, one per worker process.

Keys always carry the dataset version (build.json ``version``, or whatever version the
served data has now): an answer computed for one version is never served for another, and
the first lookup or store under a new version drops everything kept for the old one. The
bound is on bytes (bodies plus a small per-entry overhead); an entry larger than
``max_entry`` is never kept. ``max_bytes=0`` turns the cache off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

#: what an entry costs besides its body (key, headers, bookkeeping), roughly
ENTRY_OVERHEAD = 512


@dataclass(frozen=True)
class Cached:
    """A response as it leaves the application (before CORS and compression)."""

    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        return len(self.body) + ENTRY_OVERHEAD + sum(len(k) + len(v) for k, v in self.headers)


@dataclass
class Stats:
    hits: int = 0
    misses: int = 0
    stores: int = 0
    evictions: int = 0
    resets: int = 0


class ResultCache:
    """LRU of :class:`Cached` responses keyed by (version, key), bounded in bytes."""

    def __init__(self, max_bytes: int, max_entry: int | None = None) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self.max_entry = self.max_bytes // 8 if max_entry is None else int(max_entry)
        self._entries: OrderedDict[Hashable, Cached] = OrderedDict()
        self._bytes = 0
        self._version: str | None = None
        self._lock = threading.Lock()
        self.stats = Stats()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _switch(self, version: str) -> None:
        if version != self._version:
            if self._entries:
                self.stats.resets += 1
            self._entries.clear()
            self._bytes = 0
            self._version = version

    def get(self, version: str, key: Hashable) -> Cached | None:
        if not self.max_bytes:
            return None
        with self._lock:
            self._switch(version)
            entry = self._entries.get(key)
            if entry is None:
                self.stats.misses += 1
                return None
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return entry

    def put(self, version: str, key: Hashable, entry: Cached) -> bool:
        """Keep ``entry``; False when it is too large to be kept (or the cache is off)."""
        size = entry.size
        if not self.max_bytes or size > self.max_entry or size > self.max_bytes:
            return False
        with self._lock:
            self._switch(version)
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += size
            self.stats.stores += 1
            while self._bytes > self.max_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size
                self.stats.evictions += 1
            return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


__all__ = ["ENTRY_OVERHEAD", "Cached", "ResultCache", "Stats"]
