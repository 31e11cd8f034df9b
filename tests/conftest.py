"""Shared test fixtures: where the sources are, and built stores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _sources() -> Path:
    configured = os.environ.get("CCGRAPH_SOURCES")
    path = Path(configured) if configured else ROOT.parent / "shared" / "sources"
    return path.resolve()


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The shared sources. Missing sources fail the tests; they are never skipped."""
    path = _sources()
    if not (path / "sapporo-profile.txt").is_file():
        pytest.fail(f"shared sources not found at {path}; set CCGRAPH_SOURCES")
    return path


@pytest.fixture(scope="session")
def seed_profile(sources_dir: Path) -> Path:
    return sources_dir / "sapporo-profile.txt"


@pytest.fixture(scope="session")
def corpus_path(sources_dir: Path) -> Path:
    return sources_dir / "uccn-profiles-2024-10-01.json"


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory, seed_profile: Path) -> Path:
    """A real build of the Sapporo seed profile (shared by the tests of a session)."""
    from builds import make_build

    return make_build(tmp_path_factory.mktemp("seed") / "build", [seed_profile])


@pytest.fixture(scope="session")
def bare_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build with no source documents: curated data and members only."""
    from builds import make_build

    return make_build(tmp_path_factory.mktemp("bare") / "build", [])


@pytest.fixture(scope="session")
def network_build(tmp_path_factory: pytest.TempPathFactory, sources_dir: Path) -> Path:
    """A real build of the whole network: the seed, the JSON corpus and the members table."""
    from builds import make_build

    return make_build(tmp_path_factory.mktemp("network") / "build",
                      [sources_dir / "sapporo-profile.txt",
                       sources_dir / "uccn-profiles-2024-10-01.json"])
