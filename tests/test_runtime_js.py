"""The runtime's page-free logic under Node's built-in test runner (tests/js/*.test.mjs and *.test.js: the
marking, the statement queue, the cmi5 launch, the statements' context), with fakes for fetch and the page:
cheaper than a browser for what needs no page, and run by CI through pytest."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).resolve().parent / "js"


def test_node_test_runner_passes_the_runtime_tests():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the runtime's logic tests need it (scripts/test.sh installs npm packages)")
    files = sorted(str(p) for p in [*JS_TESTS.glob("*.test.mjs"), *JS_TESTS.glob("*.test.js")])
    assert files, f"no JS tests in {JS_TESTS}"
    proc = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120, check=False)
    summary = [line for line in proc.stdout.splitlines() if line.startswith(("# pass", "# fail", "not ok"))]
    assert proc.returncode == 0, "\n".join(summary) + "\n" + proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout and "# pass 0" not in proc.stdout
