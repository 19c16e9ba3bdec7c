"""Fixtures for the real-LMS tests: Debian Chromium, the packages built once, scormhost and wagtail-lms
each started once per test session in its own venv (see servers.py). Without Chromium or an LMS's venv
the tests skip, unless ``CI=true``: then they fail, so CI cannot pass without running them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))  # sco.py: how the browser tests drive a SCO

CHROMIUM = Path("/usr/bin/chromium")
STAGE = "experienced-social-worker"
"""The stage walked in each LMS: its matching and choice questions have hyphenated option ids."""


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reallms)


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"real-LMS tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def lms_browser(request):
    """The session's Chromium (tests/conftest.py ``chromium``, shared with the browser tests)."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    return request.getfixturevalue("chromium")


@pytest.fixture(scope="session")
def lms_packages(tmp_path_factory) -> dict[str, Path]:
    """The SCORM zips of STAGE, built with the real ``elearn build``: {format: zip}."""
    out = tmp_path_factory.mktemp("reallms-build")
    proc = subprocess.run([sys.executable, "-m", "elearn_builder.cli", "build", "--source", str(REPO / "content"),
                           "--templates", str(REPO / "templates"), "-o", str(out), "-q", "-f", "scorm12",
                           "-f", "scorm2004"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {fmt: next(out.glob(f"*-{STAGE}-{fmt}.zip")) for fmt in ("scorm12", "scorm2004")}
