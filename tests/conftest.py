"""Shared pytest fixtures."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from homes import REAL_HOME, point_home
from locations import REPO_ROOT, find_schemas

pytest_plugins = ["lrs.fixtures"]  # a real LRS (Ralph) and a test-side cmi5 LMS: see tests/lrs/

@pytest.fixture(scope="session", autouse=True)
def session_home(tmp_path_factory):
    """A temporary home for what starts once per session (Chromium, Ralph, the real LMSs), so nothing the suite
    starts writes into the real one. pip's download cache stays where it was: it holds no state of ours, and
    the README test's fresh venv would otherwise download every package again."""
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(REAL_HOME / ".cache" / "pip")
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("session-home")
        point_home(patch, home)
        patch.setenv("PIP_CACHE_DIR", pip_cache)
        yield home


@pytest.fixture(autouse=True)
def isolated_home(session_home, tmp_path_factory, monkeypatch) -> Path:
    """A fresh home and XDG folders for every test: no test sees what another kept (the tool's template cache in
    ``$XDG_CACHE_HOME/elearn-builder``, anything under ``~``), and none writes into the real home."""
    home = tmp_path_factory.mktemp("home")
    point_home(monkeypatch, home)
    return home


@pytest.fixture(scope="session")
def schemas_dir() -> Path:
    """The schema folder (with validate.py); skips the test when it is absent."""
    found = find_schemas()
    if found is None:
        where = os.environ.get("ELEARN_SCHEMAS") or REPO_ROOT.parent / "shared" / "schemas"
        pytest.skip(f"official schemas not found at {where} (set ELEARN_SCHEMAS to a folder with validate.py)")
    return found


@pytest.fixture
def run_validator(schemas_dir):
    """Run the schema folder's ``validate.py`` on a package folder; returns (exit code, output)."""

    def run(package_dir: Path) -> tuple[int, str]:
        proc = subprocess.run([sys.executable, str(schemas_dir / "validate.py"), str(package_dir)],
                              capture_output=True, text=True, timeout=120)
        return proc.returncode, proc.stdout + proc.stderr

    return run


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole session, shared by the browser and the real-LMS tests:
    playwright's sync API runs one event loop per thread, so a second ``sync_playwright()`` beside a live
    one fails. The ``browser`` and ``lms_browser`` fixtures decide first whether the tests may run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
