"""The quick loop, as CONTRIBUTING.md documents it: ``python3 dev.py test --quick`` leaves out
exactly the tests marked slow, among them every test that needs the whole-network build or
Chromium (marked by tests/conftest.py wherever they are)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # two collections of the whole suite


def collected(*args: str) -> set[str]:
    done = subprocess.run([*args, "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_quick_is_everything_not_slow() -> None:
    quick = collected(sys.executable, str(ROOT / "dev.py"), "test", "--quick")
    pytest_ = [sys.executable, "-m", "pytest"]
    everything = collected(*pytest_)
    slow = collected(*pytest_, "-m", "slow")
    assert quick and slow
    assert quick == everything - slow
    # the fixtures that make a test slow wherever it is used, and a module marked as a whole
    assert "tests/test_queries.py::test_gallery_has_fifteen_documented_queries" in quick
    assert any(t.startswith("tests/test_queries.py::test_query_answers") for t in slow)
    assert not [t for t in quick if t.startswith(("tests/test_browser.py::",
                                                  "tests/test_maps.py::test_maps_in_chromium"))]
