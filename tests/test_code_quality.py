"""ruff and mypy, as configured in pyproject.toml, are part of the test suite; so is the
tests' own layout (they share code through tests/support/ only)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff_is_clean() -> None:
    done = _run("ruff", "check", "src", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def _imported_modules(path: Path) -> set[str]:
    """The modules a file imports (absolute imports), and ``importlib`` loads by path."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute | ast.Name) and "spec_from_file_location" in (
                node.attr if isinstance(node, ast.Attribute) else node.id):
            found.add("importlib: a file loaded by path")
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_test_modules_share_code_only_through_tests_support() -> None:
    """A test module imports no other test module (nor conftest), and loads no file by path:
    what tests share lives in tests/support/."""
    tests = ROOT / "tests"
    own = {p.stem for p in tests.glob("*.py")}
    offending: dict[str, list[str]] = {}
    for path in sorted(tests.rglob("*.py")):
        bad = sorted(m for m in _imported_modules(path)
                     if m.split(".")[0] in own - {"__init__"}
                     or m.startswith(("tests.test_", "tests.conftest", "importlib: ")))
        if bad:
            offending[str(path.relative_to(ROOT))] = bad
    assert not offending, offending
