"""``python3 dev.py``: when a prerequisite cannot be installed it stops with a plain message
naming what to run (never a stack trace), before it changes anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dev(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False, cwd=script.parent)
    assert "Traceback" not in done.stdout + done.stderr
    return done


def test_a_chromium_setting_that_names_nothing_stops_setup(tmp_path: Path) -> None:
    missing = tmp_path / "no-chromium"
    env = {**os.environ, "CCGRAPH_CHROMIUM": str(missing)}
    done = dev(ROOT / "dev.py", "setup", env=env)
    assert done.returncode == 1
    assert f"CCGRAPH_CHROMIUM={missing} is not an executable" in done.stderr
    assert "unset it to use Debian's /usr/bin/chromium" in done.stderr


def test_without_npm_nor_apt_it_names_the_commands(tmp_path: Path) -> None:
    """A checkout without axe-core, on a PATH with neither npm nor apt-get."""
    project = tmp_path / "checkout"
    project.mkdir()
    shutil.copy(ROOT / "dev.py", project / "dev.py")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCGRAPH_")}
    env.update(PATH=str(bin_dir), CCGRAPH_CHROMIUM=sys.executable)  # an executable: not tested
    done = dev(project / "dev.py", "setup", env=env)
    assert done.returncode == 1
    assert ("npm (for installing axe-core, used by the accessibility checks) is missing, "
            "and this system has no apt-get") in done.stderr
    assert not (project / ".venv").exists() and not (project / ".cache").exists()


def test_without_roqet_nor_apt_it_names_the_package(tmp_path: Path) -> None:
    """axe-core is there (CCGRAPH_AXE), roqet is not on PATH, and there is no apt-get."""
    project = tmp_path / "checkout"
    project.mkdir()
    shutil.copy(ROOT / "dev.py", project / "dev.py")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    axe = tmp_path / "axe.min.js"
    axe.write_text("/* stand-in file: only its presence is checked before roqet */\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCGRAPH_")}
    env.update(PATH=str(bin_dir), CCGRAPH_CHROMIUM=sys.executable, CCGRAPH_AXE=str(axe))
    done = dev(project / "dev.py", "setup", env=env)
    assert done.returncode == 1
    assert "rasqal-utils (for the SPARQL client test" in done.stderr
    assert "this system has no apt-get" in done.stderr
    assert not (project / ".venv").exists()
