"""The write worker's kept store (writes/workstore.py): it holds a version only once a write
named the version made of it; a version's store, a checkpoint of it, does not follow the
changes made to it afterwards; and a change never written is not carried into the next
write."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ccgraph.store import STORE_DIR, TMP_PREFIX, VERSIONS_DIR, resolve_build
from ccgraph.writes import WorkStore
from tests.support.writehelp import RDFS_COMMENT, SAPPORO, copy_build

NOTES = ox.NamedNode("https://example.org/notes")


def _note(text: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(SAPPORO), ox.NamedNode(RDFS_COMMENT), ox.Literal(text), NOTES)


def _quads(path: Path) -> set[ox.Quad]:
    store = ox.Store.read_only(str(path))
    return set(store)


def _kept_folders(root: Path) -> list[str]:
    return sorted(e.name for e in (root / VERSIONS_DIR).iterdir()
                  if e.name.startswith(TMP_PREFIX))


def test_a_change_not_written_is_not_carried_into_the_next(seed_build: Path,
                                                           tmp_path: Path) -> None:
    root = copy_build(seed_build, tmp_path / "build")
    live = resolve_build(root)
    work = WorkStore(root)
    try:
        store = work.open(live)
        store.add(_note("never written"))  # a write that failed after its change
        again = work.open(live)
        assert _note("never written") not in again
        assert set(again) == _quads(live / STORE_DIR)
    finally:
        work.drop()
    assert _kept_folders(root) == []


def test_a_version_is_a_checkpoint_that_stays_as_written(seed_build: Path,
                                                         tmp_path: Path) -> None:
    root = copy_build(seed_build, tmp_path / "build")
    live = resolve_build(root)
    work = WorkStore(root)
    try:
        store = work.open(live)
        store.add(_note("first"))
        written = tmp_path / "00000000000000000001-0123456789abcdef"
        written.mkdir()
        work.backup(written / STORE_DIR)
        work.written(written.name)
        assert _quads(written / STORE_DIR) == _quads(live / STORE_DIR) | {_note("first")}

        kept = work.open(written)  # the version it holds: the same store, not made again
        assert kept is store
        kept.add(_note("second"))
        kept.remove(_note("first"))
        assert _note("first") in _quads(written / STORE_DIR)
        assert _note("second") not in _quads(written / STORE_DIR)

        # another version went live meanwhile (another worker, a rebuild): made from it
        assert work.open(live) is not store
        assert _note("second") not in work.open(live)
    finally:
        work.drop()
    assert _kept_folders(root) == []
