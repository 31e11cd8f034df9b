"""Shared test fixtures: where the sources are, built stores and Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support.backends import Engines, running_engines
from tests.support.browser import chromium
from tests.support.builds import make_build

ROOT = Path(__file__).resolve().parents[1]

#: fixtures that make every test using them (directly or through another fixture) slow: the
#: whole-network build takes 30-80 s here, Chromium a few seconds per test
SLOW_FIXTURES = frozenset({"network_build", "browser"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that needs a fixture of SLOW_FIXTURES, wherever it is: the
    quick loop (``-m "not slow"``) never builds the whole network nor starts Chromium."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def search_dirs() -> list[Path]:
    """Where the tests look for sources, in order: CCGRAPH_SOURCES (else ../shared/sources),
    then the cache ``ccgraph fetch`` downloads into (ccgraph.locate)."""
    from ccgraph.locate import search_dirs as dirs
    from ccgraph.settings import Settings

    return [d.resolve() for d in dirs(Settings.load(), relative_to=ROOT)]


def find_source(name: str) -> Path:
    """The first copy of source ``name``; a missing source fails the test (never a skip),
    saying how to get it."""
    from ccgraph.fetch import read_manifest
    from ccgraph.locate import find

    dirs = search_dirs()
    found = find(name, dirs)
    if found is not None:
        return found
    entries = {e.name: e for e in read_manifest(ROOT / "data" / "sources.csv")}
    entry = entries.get(name)
    if entry is not None and entry.fetchable:
        how = "run `.venv/bin/ccgraph fetch` (it needs the network) or set CCGRAPH_SOURCES"
    elif entry is not None:
        how = entry.note
    else:
        how = "set CCGRAPH_SOURCES to the directory holding it"
    pytest.fail(f"source {name} not found in {', '.join(map(str, dirs))}: {how}",
                pytrace=False)


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The directory holding the shared sources (the seed profile among them). Missing
    sources fail the tests; they are never skipped."""
    return find_source("sapporo-profile.txt").parent


@pytest.fixture(scope="session")
def seed_profile() -> Path:
    return find_source("sapporo-profile.txt")


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    return find_source("uccn-profiles-2024-10-01.json")


@pytest.fixture(scope="session")
def members_table() -> Path:
    """The shared members table that data/members.csv is derived from."""
    return find_source("uccn-members.csv")


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory, seed_profile: Path) -> Path:
    """A real build of the Sapporo seed profile (shared by the tests of a session)."""
    return make_build(tmp_path_factory.mktemp("seed") / "build", [seed_profile])


@pytest.fixture(scope="session")
def bare_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build with no source documents: curated data and members only."""
    return make_build(tmp_path_factory.mktemp("bare") / "build", [])


@pytest.fixture(scope="session")
def network_build(tmp_path_factory: pytest.TempPathFactory, seed_profile: Path,
                  corpus_path: Path) -> Path:
    """A real build of the whole network: the seed, the JSON corpus and the members table."""
    return make_build(tmp_path_factory.mktemp("network") / "build", [seed_profile, corpus_path])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium for the tests of one module (tests/support/browser.py)."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def engines() -> Iterator[Engines]:
    """Oxigraph server and Virtuoso, each started once per build a test module serves over
    it (tests/support/backends.py), all stopped at the end of the session."""
    with running_engines() as found:
        yield found
