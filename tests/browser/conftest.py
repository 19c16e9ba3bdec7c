"""Fixtures for the browser tests: Debian Chromium (playwright), scorm-again as the LMS, built packages.

Every package is built once per session with the real ``elearn build``, unzipped, and served with
the host page and ``node_modules`` from one 127.0.0.1 server, so the SCO in the host page's iframe
finds the LMS API through ``window.parent``. Without Chromium or ``npm ci`` the tests skip, unless
``CI=true``: then they fail, so CI cannot pass without running them.
"""
from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCORM_AGAIN = REPO / "node_modules" / "scorm-again" / "dist" / "scorm-again.js"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
COURSES = {"content": REPO / "content", "variants": HERE / "course-variants"}
"""Courses the browser tests build: the programme itself, and a small one with draws and other feedback."""


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    if not SCORM_AGAIN.exists():
        return f"{SCORM_AGAIN.relative_to(REPO)} not found (run npm ci in the repository)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "python playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser(request):
    """The session's headless Debian Chromium (tests/conftest.py ``chromium``), once the tools are there."""
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    return request.getfixturevalue("chromium")


def watched_page(browser, width: int, height: int):
    """A fresh page of that size in its own context (own localStorage); console errors fail the test."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    tab.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    yield tab
    context.close()
    assert not errors, "\n".join(errors)


@pytest.fixture
def page(browser):
    """A page 1280 px wide (watched_page)."""
    yield from watched_page(browser, 1280, 900)


@pytest.fixture
def phone(browser):
    """A page 390 px wide (a phone), watched like ``page``."""
    yield from watched_page(browser, 390, 844)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves fixed folders under fixed prefixes; nothing else."""

    roots: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, root in self.roots.items():
            if path.startswith(prefix):
                target = (root / path[len(prefix):]).resolve()
                if target == root or root in target.parents:
                    return str(target)
        return str(HERE / "does-not-exist")

    def log_message(self, *args) -> None:  # keep test output clean
        pass


class Builds:
    """Courses built with ``elearn build`` on first use and unzipped into ``packages/<zip stem>/``."""

    def __init__(self, root: Path):
        self.root, self.packages, self.done = root, root / "packages", set()

    def need(self, course: str) -> None:
        if course in self.done:
            return
        target = self.root / course
        templates = REPO / "templates" if course == "content" else self.root / "no-author-templates"
        proc = subprocess.run([sys.executable, "-m", "elearn_builder.cli", "build", "--source", str(COURSES[course]),
                               "--output", str(target), "--templates", str(templates)],
                              cwd=REPO, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            pytest.fail(f"elearn build of {COURSES[course]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        for zip_path in sorted(target.glob("*.zip")):
            with zipfile.ZipFile(zip_path) as zf:
                zf.extractall(self.packages / zip_path.stem)
        self.done.add(course)


@pytest.fixture(scope="session")
def built(browser, tmp_path_factory) -> Builds:
    return Builds(tmp_path_factory.mktemp("build"))


@pytest.fixture
def content(built) -> None:
    """The programme in content/, built and served under /packages/."""
    built.need("content")


@pytest.fixture
def variants(built) -> None:
    """The course in course-variants/, built and served under /packages/."""
    built.need("variants")


@pytest.fixture(scope="session")
def server(built):
    """Base URL of a threaded server on 127.0.0.1: /host/, /node_modules/ and /packages/<zip stem>/."""
    built.packages.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (_Handler,), {"roots": {
        "/host/": HERE, "/node_modules/": REPO / "node_modules", "/packages/": built.packages}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        pytest.skip("node_modules/axe-core not found (run npm ci in the repository)")
    return AXE


from xapi_session import fresh_lrs, learner_context, lms, lrs, xapi_packages  # noqa: F401  (test_xapi_*.py)
