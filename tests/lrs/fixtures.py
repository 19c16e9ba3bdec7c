"""pytest fixtures for a real LRS (Ralph) and a test-side cmi5 LMS; registered for every test folder by
``tests/conftest.py`` through ``pytest_plugins = ["lrs.fixtures"]``.

- ``ralph``: one Ralph for the session (no browser origins allowed); tests that stop it start it again.
- ``clean_ralph``: the same server, running and emptied before the test.
- ``ralph_factory(origins=[...], env={...})``: another, empty Ralph (stopped at the end of the session).
- ``cmi5_lms``: one test-side cmi5 LMS for the session in front of ``ralph`` (fetch, State, Agent Profile;
  statements forwarded to Ralph); ``cmi5_lms_factory(lrs, origins=[...])`` for others.
- ``ralph_python``: the Python of Ralph's venv (for ``validate.validate_with_ralph``).

Browser pages come from another 127.0.0.1 port, so a browser conftest starts its own pair with its
page origin (a session fixture cached by pytest cannot be re-parametrised by overriding a fixture it
depends on in a sub-folder: the first value would be shared)::

    @pytest.fixture(scope="session")
    def lrs(ralph_factory, served):
        return ralph_factory(origins=[served.origin])

    @pytest.fixture(scope="session")
    def lms(cmi5_lms_factory, lrs, served):
        return cmi5_lms_factory(lrs, origins=[served.origin])

Without Ralph's venv the tests that use these skip, unless ``CI=true``: then they fail.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import pytest

from lrs.cmi5_lms import Cmi5LMS
from lrs.server import Credentials, RalphServer, RalphUnavailable, create_credentials, find_ralph_python

__all__ = ["ralph_python", "ralph_credentials", "ralph_factory", "ralph", "clean_ralph", "cmi5_lms_factory",
           "cmi5_lms", "require"]


def require(reason: str | None) -> None:
    """Skip the test for ``reason`` (when not None), or fail it in CI, where nothing may be missing."""
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot run in CI: {reason}")
        pytest.skip(reason)


def pytest_collection_modifyitems(items):
    """Mark every test that needs Ralph (directly or through another fixture) with ``lrs``."""
    for item in items:
        if "ralph_python" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.lrs)


@pytest.fixture(scope="session")
def ralph_python() -> Path:
    try:
        return find_ralph_python()
    except RalphUnavailable as error:
        require(str(error))


@pytest.fixture(scope="session")
def ralph_credentials(ralph_python, tmp_path_factory) -> Credentials:
    """One Ralph user for the whole session (made once: bcrypt takes about 2 s)."""
    return create_credentials(ralph_python, tmp_path_factory.mktemp("ralph-auth"))


@pytest.fixture(scope="session")
def ralph_factory(ralph_python, ralph_credentials, tmp_path_factory):
    """``start(origins=(), env=None) -> RalphServer``: a new, empty Ralph on a free 127.0.0.1 port."""
    started: list[RalphServer] = []

    def start(origins: Iterable[str] = (), env: dict[str, str] | None = None) -> RalphServer:
        server = RalphServer(ralph_python, ralph_credentials, tmp_path_factory.mktemp("ralph-data"),
                             origins=tuple(origins), env=dict(env or {}))
        started.append(server)
        try:
            return server.start()
        except RalphUnavailable as error:
            pytest.fail(str(error))

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def ralph(ralph_factory) -> RalphServer:
    """The session's Ralph. Tests that stop it must start it again (``ralph.start()``)."""
    return ralph_factory()


@pytest.fixture
def clean_ralph(ralph) -> RalphServer:
    """The session's Ralph, running and holding no statements."""
    ralph.start()
    ralph.reset()
    return ralph


@pytest.fixture(scope="session")
def cmi5_lms_factory():
    """``start(lrs, origins=()) -> Cmi5LMS``: a new test-side cmi5 LMS on a free port, in front of ``lrs``."""
    started: list[Cmi5LMS] = []

    def start(lrs: RalphServer, origins: Iterable[str] = ()) -> Cmi5LMS:
        lms = Cmi5LMS(lrs, origins=origins)
        started.append(lms)
        return lms.start()

    yield start
    for lms in started:
        lms.stop()


@pytest.fixture(scope="session")
def cmi5_lms(cmi5_lms_factory, ralph) -> Cmi5LMS:
    """The session's cmi5 LMS, forwarding statements to ``ralph`` (no browser origins allowed)."""
    return cmi5_lms_factory(ralph)
