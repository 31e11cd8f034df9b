"""Real builds for tests (the conftest fixtures and the tests that build their own)."""

from __future__ import annotations

from pathlib import Path

from ccgraph.build import build
from ccgraph.settings import Settings


def make_build(out: Path, sources: list[Path], **settings: object) -> Path:
    build(sources, out, Settings.load({"store": out, **settings}))
    return out
