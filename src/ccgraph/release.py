"""Releases: a validated build turned into an immutable, citable, checksummed directory.

``ccgraph release --name NAME`` writes ``<build>/releases/NAME/``::

    ccgraph.nq.gz           every named graph (all but graph/void), N-Quads, blank node
                            labels made from content (quaddiff.py): the change files apply to it
    ccgraph.ttl, ccgraph.nt.gz, ccgraph.jsonld    the union of those graphs
    ccgraph-open.nq.gz      the open dump: the same without the quotations (rights.py)
    changes/added.nq.gz, changes/removed.nq.gz    the change set since the previous release
    changes.json, CHANGES.md                      the same for people (changelog.py)
    NOTES.md                --notes, when given
    release.ttl             DCAT/VoID description (release_rdf.py): version, issued, each
                            file's size, SHA-256 and media type, the inputs with checksums
    release.json            the same facts for the server
    store/                  an Oxigraph store of the release (for /sparql?release=NAME)

A harvester holding release N-1's ``ccgraph.nq.gz`` removes the lines of
``changes/removed.nq.gz`` and adds those of ``changes/added.nq.gz``: it has release N's
``ccgraph.nq.gz``, byte for byte once sorted. The first release has no change files.

The release is written aside (``releases/.tmp-…``), its files made read-only, and renamed
into place; a name that exists is refused, so a release never changes once published.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import changelog, iris, quaddiff, rights
from .inputs import describe_inputs, sha256_file
from .store import NoBuild, fsync_dir, fsync_tree, is_versioned, open_build, write_lock
from .version import union_ntriples, write_dumps, write_gzip

RELEASES_DIR = "releases"
META_FILE = "release.json"
DESCRIPTION_FILE = "release.ttl"
STORE_DIR = "store"
NQ = "ccgraph.nq.gz"
OPEN_NQ = "ccgraph-open.nq.gz"
ADDED = "changes/added.nq.gz"
REMOVED = "changes/removed.nq.gz"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

#: file -> (media type, what it holds, gzip-compressed); the order of the listings
FILES: dict[str, tuple[str, str, bool]] = {
    NQ: ("application/n-quads", "every named graph, N-Quads, gzip (blank node labels made "
                                "from content: the change files apply to it)", True),
    "ccgraph.ttl": ("text/turtle", "union of the named graphs, Turtle", False),
    "ccgraph.nt.gz": ("application/n-triples", "union of the named graphs, N-Triples, gzip",
                      True),
    "ccgraph.jsonld": ("application/ld+json", "union of the named graphs, JSON-LD", False),
    OPEN_NQ: ("application/n-quads", "open dump: every named graph without the quotations "
                                     "of UNESCO's texts, CC BY 4.0 as a whole; N-Quads, gzip",
              True),
    ADDED: ("application/n-quads", "quads added since the previous release, N-Quads, gzip",
            True),
    REMOVED: ("application/n-quads", "quads removed since the previous release, N-Quads, gzip",
              True),
    "CHANGES.md": ("text/markdown", "what changed since the previous release, for people",
                   False),
    "changes.json": ("application/json", "what changed since the previous release, as data",
                     False),
    "NOTES.md": ("text/markdown", "the release notes", False),
    DESCRIPTION_FILE: ("text/turtle", "this release described in DCAT and VoID", False),
}


class ReleaseError(Exception):
    """A release cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    bytes: int
    sha256: str
    media_type: str
    description: str
    compressed: bool


@dataclass(frozen=True)
class Release:
    name: str
    number: int  # 1 for the first release of a build directory, then 2, 3 …
    issued: str  # ISO 8601 UTC
    version: str  # SHA-256 (16 hex) of ccgraph.nq.gz's content
    build_version: str
    base: str
    previous: str | None
    quads: int
    triples: int
    files: list[ReleaseFile] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    path: Path = Path()

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("path")
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)

    @classmethod
    def load(cls, path: Path) -> Release:
        data = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        files = [ReleaseFile(**f) for f in data.pop("files", [])]
        return cls(files=files, path=path, **data)

    def file(self, name: str) -> ReleaseFile | None:
        return next((f for f in self.files if f.name == name), None)

    @property
    def store_path(self) -> Path:
        return self.path / STORE_DIR

    @property
    def date(self) -> str:
        return self.issued[:10]


def releases_dir(root: Path | str) -> Path:
    return Path(root) / RELEASES_DIR


def list_releases(root: Path | str) -> list[Release]:
    """The releases of a build directory, newest first."""
    folder = releases_dir(root)
    if not folder.is_dir():
        return []
    found = [Release.load(p) for p in folder.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / META_FILE).is_file()]
    return sorted(found, key=lambda r: (r.number, r.issued, r.name), reverse=True)


def find_release(root: Path | str, name: str) -> Release | None:
    if not NAME.fullmatch(name):
        return None
    path = releases_dir(root) / name
    return Release.load(path) if (path / META_FILE).is_file() else None


def check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise ReleaseError(
            f"bad release name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. 2026.12)")


def validated(build_path: Path) -> bool:
    """The build's validation report says it conforms (publish and writes only install
    conforming data, and always write the report)."""
    report = build_path / "reports" / "validation.txt"
    if not report.is_file():
        return False
    first = report.read_text(encoding="utf-8").splitlines()[:1]
    return bool(first) and first[0].startswith("Validation: conforms")


def make_release(root: Path | str, name: str, notes: Path | None = None,
                 progress: Callable[[str], None] | None = None) -> Release:
    """Make release ``name`` of the live build in ``root``. Raises ReleaseError."""
    say = progress or (lambda _m: None)
    root = Path(root)
    check_name(name)
    try:
        build = open_build(root)
    except NoBuild as exc:
        raise ReleaseError(str(exc)) from None
    if not is_versioned(root):  # its next build would replace the directory, releases and all
        raise ReleaseError(f"{root} holds a build from before versioned build directories; "
                           f"run `ccgraph build --out {root}` again, then release")
    if not validated(build.path):
        raise ReleaseError(
            f"the build in {root} did not validate (see {build.path / 'reports'}); "
            "fix the data and run `ccgraph build` again before releasing")
    note_text = None
    if notes is not None:
        try:
            note_text = Path(notes).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ReleaseError(f"cannot read the notes {notes}: {exc}") from None
    folder = releases_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    with write_lock(folder):
        remove_interrupted(folder)
        if (folder / name).exists():
            raise ReleaseError(f"release {name} exists already in {folder}; releases are "
                               "immutable: choose another name")
        earlier = list_releases(root)
        previous = earlier[0] if earlier else None
        staging = folder / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"
        staging.mkdir()
        try:
            _write(staging, name, build, previous, len(earlier) + 1, note_text, say)
            _freeze(staging)
            fsync_tree(staging)
            os.rename(staging, folder / name)
            fsync_dir(folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Release.load(folder / name)


def remove_interrupted(folder: Path) -> list[str]:
    """Remove what interrupted ``ccgraph release`` runs left (``.tmp-<pid>-…`` folders
    whose process is gone). Call with the releases' lock held."""
    removed = []
    for entry in folder.iterdir():
        parts = entry.name.split("-")
        if not entry.name.startswith(".tmp-") or len(parts) < 3 or not parts[1].isdigit():
            continue
        pid = int(parts[1])
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry.name)
    return removed


def _write(staging: Path, name: str, build: Any, previous: Release | None, number: int,
           notes: str | None, say: Callable[[str], None]) -> Release:
    from .release_rdf import describe_release

    base = build.meta.base
    void = str(iris.graph("void", base))
    say(f"release {name}: canonical N-Quads")
    quads = [q for q in build.store if isinstance(q.graph_name, ox.NamedNode)
             and q.graph_name.value != void]
    nquads = quaddiff.canonical_nquads(quads)
    union, triples = union_ntriples(nquads)
    say(f"release {name}: dumps")
    write_dumps(ox.Store(), staging, base, union=union, named=nquads)
    open_lines = rights.open_quads(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    write_gzip(staging / OPEN_NQ, quaddiff.join_lines(
        (ox.serialize(open_lines, format=ox.RdfFormat.N_QUADS) or b"").splitlines()))
    graph_changes: dict[str, dict[str, int]] = {}
    if previous is not None:
        say(f"release {name}: changes since {previous.name}")
        old = gzip.decompress((previous.path / NQ).read_bytes())
        added, removed = quaddiff.diff(old, nquads)
        write_gzip(staging / ADDED, added)
        write_gzip(staging / REMOVED, removed)
        plus, minus = quaddiff.per_graph(added), quaddiff.per_graph(removed)
        graph_changes = {g: {"added": plus[g], "removed": minus[g]} for g in {*plus, *minus}}
    say(f"release {name}: store")
    store = ox.Store(str(staging / STORE_DIR))
    store.bulk_extend(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    store.bulk_extend(ox.parse(union, format=ox.RdfFormat.N_TRIPLES))  # the default graph
    store.flush()
    old_store = ox.Store.read_only(str(previous.store_path)) if previous else None
    changes = changelog.compare(old_store, store, graph_changes)
    del old_store
    issued = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    (staging / "changes.json").write_text(
        json.dumps(changes, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (staging / "CHANGES.md").write_text(changelog.markdown(
        name, issued, previous.name if previous else None, changes, notes), encoding="utf-8")
    if notes is not None:
        (staging / "NOTES.md").write_text(notes, encoding="utf-8")
    inputs = build.meta.extra.get("inputs") or _inputs_now(build.meta.sources)
    release = Release(
        name=name, number=number, issued=issued,
        version=hashlib.sha256(nquads).hexdigest()[:16], build_version=build.meta.version,
        base=base, previous=previous.name if previous else None,
        quads=len(quaddiff.parse_lines(nquads)), triples=triples,
        files=_describe_files(staging), inputs=list(inputs),
        graphs=dict(sorted(quaddiff.per_graph(nquads).items())), path=staging)
    say(f"release {name}: description")
    description = describe_release(release, previous)
    (staging / DESCRIPTION_FILE).write_bytes(description.serialize(format="turtle",
                                                                   encoding="utf-8"))
    described = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(void))
                 for t in (q.triple for q in ox.parse(
                     description.serialize(format="nt", encoding="utf-8"),
                     format=ox.RdfFormat.N_TRIPLES))]
    store.extend(described)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                 for q in described)
    store.flush()
    store.optimize()
    del store
    files = [*release.files, _file_entry(staging, DESCRIPTION_FILE)]
    release = Release(**{**release.__dict__, "files": files})
    (staging / META_FILE).write_text(release.to_json() + "\n", encoding="utf-8")
    return release


def _inputs_now(sources: list[str]) -> list[dict[str, Any]]:
    """For a build made before build.json recorded its inputs: the sources as they are now."""
    from .settings import Settings

    paths = [Path(s) for s in sources if Path(s).exists()]
    return describe_inputs(paths, Settings.load())


def _file_entry(folder: Path, name: str) -> ReleaseFile:
    media_type, what, compressed = FILES[name]
    path = folder / name
    return ReleaseFile(name=name, bytes=path.stat().st_size, sha256=sha256_file(path),
                       media_type=media_type, description=what, compressed=compressed)


def _describe_files(folder: Path) -> list[ReleaseFile]:
    return [_file_entry(folder, name) for name in FILES
            if name != DESCRIPTION_FILE and (folder / name).is_file()]


def _freeze(folder: Path) -> None:
    """Make every file of the release read-only (the store keeps its modes: Oxigraph
    opens it read-only anyway)."""
    for name in [*FILES, META_FILE]:
        path = folder / name
        if path.is_file():
            path.chmod(0o444)
