"""Temporary homes for the suite (tests/conftest.py makes one per session and one per test)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

HOME_VARIABLES = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
"""Where a program (ours, Chromium, node, an LMS) keeps per-user state: each points into a temporary home."""
REAL_HOME = Path(os.path.expanduser("~"))
"""The home the suite was started from: nothing in the suite may write there."""


def point_home(patch: pytest.MonkeyPatch, home: Path) -> None:
    """Make ``home`` the home and its ``.cache``, ``.config``, ``.local/share`` and ``.local/state`` the XDG folders."""
    for name, sub in zip(HOME_VARIABLES, ("", ".cache", ".config", ".local/share", ".local/state")):
        patch.setenv(name, str(home / sub) if sub else str(home))
