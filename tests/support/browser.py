"""Chromium for the browser tests: Debian's chromium through Playwright, screenshots into
``test-artifacts/`` (gitignored) and axe-core for the accessibility checks.

Chromium (``/usr/bin/chromium``, or ``CCGRAPH_CHROMIUM``) and axe-core (``npm install
--prefix .cache/npm axe-core@4``, or ``CCGRAPH_AXE`` naming axe.min.js) are installed by
``python3 dev.py test``; when either is missing the tests fail, they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("CCGRAPH_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(os.environ.get("CCGRAPH_AXE",
                          ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed on exit; a missing Chromium fails the test."""
    if not CHROMIUM.is_file():
        pytest.fail(f"chromium not found at {CHROMIUM}: `python3 dev.py test` installs it "
                    "(apt-get install chromium), or set CCGRAPH_CHROMIUM")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def shot(page: Page, name: str, *, full: bool = True) -> Path:
    """A screenshot of ``page`` as ``test-artifacts/NAME.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    assert path.stat().st_size > 1000
    return path


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is (inject it: the context needs
    ``bypass_csp=True``, the pages' CSP forbids inline scripts)."""
    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}: `python3 dev.py test` installs it "
                    "(npm install --prefix .cache/npm axe-core@4), or set CCGRAPH_AXE")
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])
