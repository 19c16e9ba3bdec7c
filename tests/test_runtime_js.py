"""The runtime's page-free logic under Node's built-in test runner (tests/js/*.test.mjs), so CI runs it."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).parent / "js"


def test_node_test_runner_passes():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the runtime's logic tests need it (scripts/test.sh installs npm packages)")
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.mjs"))
    assert files, "no JS tests found"
    run = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout
