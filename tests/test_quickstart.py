"""The README's quick start for authors, run as written on a fresh copy in a fresh venv (part of the acceptance).

The commands are taken from README.md itself, so the test fails when they stop working. A copy of the
sources stands for a fresh clone; ``pip install`` fetches the dependencies from PyPI (the pip cache makes
it quicker). ``elearn preview`` is polled over HTTP and stopped with Ctrl-C (SIGINT), as a person would.
"""
from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.quickstart  # deselect locally with -m "not quickstart"; CI runs it (acceptance)

REPO = Path(__file__).resolve().parents[1]
SECTION = re.compile(r"^## Quick start for authors\n.*?^```sh\n(.*?)^```", re.S | re.M)
INSTALL_TIMEOUT = 900


def quick_start_commands() -> list[str]:
    found = SECTION.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert found, "README.md has no '## Quick start for authors' section with a sh block"
    return [line for line in found.group(1).splitlines() if line.strip()]


def fresh_clone(target: Path) -> Path:
    """What a clone holds that ``pip install .`` reads: the project file, the README and the sources."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, target / name)
    shutil.copytree(REPO / "src", target / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return target


def fresh_environment() -> dict[str, str]:
    """This machine's environment without the test run's venv or settings: as a person's shell would be."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELEARN_", "VIRTUAL_ENV", "PYTHON"))}
    venv_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def test_the_commands_are_the_ones_documented():
    commands = quick_start_commands()
    assert any("pip install" in c for c in commands) and commands[-1].startswith("elearn preview")
    assert [c.split()[0:2] for c in commands if c.startswith("elearn")][:1] == [["elearn", "new"]]


def test_the_quick_start_works_as_written(tmp_path):
    commands = quick_start_commands()
    clone = fresh_clone(tmp_path / "elearn-builder")
    script = "set -e\n" + "\n".join(commands) + "\n"
    started = time.monotonic()
    proc = subprocess.Popen(["bash", "-c", script], cwd=clone, env=fresh_environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen, marks, url = [], {}, None
    try:
        while url is None:
            line = lines.get(timeout=max(1.0, INSTALL_TIMEOUT - (time.monotonic() - started)))
            assert line is not None, "the quick start ended before the preview served:\n" + "".join(seen)
            seen.append(line)
            if line.startswith("wrote a new course"):
                marks["install"] = time.monotonic() - started
            if line.startswith("built ") and "into build" in line:
                marks["new+build"] = time.monotonic() - started - marks["install"]
            found = re.search(r"Serving the preview on (http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found else None
        marks["preview up"] = time.monotonic() - started - marks["install"] - marks["new+build"]
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and b'<iframe id="sco"' in page.read()
        with urllib.request.urlopen(f"{url}api/state", timeout=10) as response:
            state = json.load(response)
        assert state["ok"] and state["title"] == "My course" and len(state["launches"]) == 6
        first = state["launches"][0]["package"]
        with urllib.request.urlopen(f"{url}pkg/{first}/index.html", timeout=10) as response:
            assert response.status == 200 and b"Thinking about practice" in response.read()
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal: the whole foreground group
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    while (line := lines.get(timeout=10)) is not None:
        seen.append(line)
    output = "".join(seen)
    print(f"\nquick start: install {marks['install']:.1f} s, new+build {marks['new+build']:.1f} s, "
          f"preview serving after {marks['preview up']:.1f} s")
    assert proc.returncode == 0, output
    assert "preview stopped" in output and "Traceback" not in output, output
    course = tmp_path / "my-course"
    assert sorted(p.name for p in (course / "build").glob("*.zip")) == sorted(
        f"my-course-{s}-{f}.zip" for s in ("social-worker", "experienced-social-worker", "manager")
        for f in ("scorm12", "scorm2004"))
