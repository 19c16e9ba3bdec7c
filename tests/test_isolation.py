"""The suite's own hygiene: every test runs with a temporary home and XDG folders (tests/conftest.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from homes import HOME_VARIABLES, REAL_HOME

from elearn_builder.cache import templates

MINIMAL = Path(__file__).parent / "courses" / "minimal"


def test_home_and_xdg_folders_point_into_this_tests_temporary_home(isolated_home):
    assert Path(os.environ["HOME"]) == isolated_home != REAL_HOME
    for name in HOME_VARIABLES:
        assert Path(os.environ[name]).is_relative_to(isolated_home), name
    assert templates.folder().is_relative_to(isolated_home / ".cache")


def test_a_build_keeps_its_template_cache_in_the_temporary_home_only(isolated_home, tmp_path):
    real = REAL_HOME / ".cache" / "elearn-builder"
    before = sorted(real.rglob("*")) if real.exists() else None
    env = {k: v for k, v in os.environ.items() if k != templates.ENV}
    run = subprocess.run([sys.executable, "-m", "elearn_builder.cli", "build", "-s", str(MINIMAL), "-o",
                          str(tmp_path / "out"), "--no-cache"], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert any((isolated_home / ".cache" / "elearn-builder" / "jinja").rglob("*")), "the build kept no templates"
    assert (sorted(real.rglob("*")) if real.exists() else None) == before


@pytest.mark.parametrize("turn", ["first", "second"])
def test_no_test_sees_what_another_left_in_its_home(isolated_home, turn):
    """Both turns leave a file in the home and the tool's cache folder: a shared home fails the second turn."""
    left = [Path(os.environ["HOME"]) / ".elearn-left-behind", templates.folder() / "left-behind"]
    assert not any(path.exists() for path in left), f"{turn}: found what an earlier test left"
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(turn)
