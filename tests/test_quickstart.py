"""Every command the README shows, run as written in a fresh venv made by the README's install (part of the acceptance).

"The commands the README shows" are the lines of its ``sh`` blocks (the synopses in plain blocks are formats,
not commands). They are read from README.md itself, so a test fails when one stops working, and a command
added to the README without a check here fails ``test_every_readme_command_is_run_here``. A copy of the
files git knows (tracked, and new ones not ignored) stands for a fresh clone; the README's first command makes
the one venv (``pip install .`` from PyPI, the pip cache makes it quicker) and the later commands run with it
activated: the analysts' from a folder outside the clone, the authors' quick start in ``../my-course``.
``elearn preview`` is polled over HTTP and stopped with Ctrl-C (SIGINT), as a person would.
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
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.quickstart  # deselect locally with -m "not quickstart"; CI runs it (acceptance)

REPO = Path(__file__).resolve().parents[1]
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
INSTALL = "python3 -m venv .venv && . .venv/bin/activate && pip install ."
FIRST = f"{INSTALL} && elearn build"
TEST_SH = "bash scripts/test.sh"
AUTHORS = ["elearn new ../my-course && cd ../my-course", "elearn build", "elearn preview"]
VALIDATE = {"elearn validate build/*.zip": 0, "elearn validate --strict build/*.zip": 1}
ANALYSTS = ["elearn xapi generate --seed 1 --learners 200 -o statements.jsonl", "elearn xapi check statements.jsonl",
            "elearn report baseline statements.jsonl --csv tables --html baseline.html"]
NOT_RUN_HERE = {TEST_SH: "the test suite itself: this test runs inside it (CI runs it through .ci/run)"}
STAGES = ("social-worker", "experienced-social-worker", "manager")
INSTALL_TIMEOUT = 900


def readme_commands() -> list[str]:
    """Each line of each ``sh`` block, without its comment, once, in order."""
    commands: list[str] = []
    for block in SH_BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8")):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and command not in commands:
                commands.append(command)
    return commands


def fresh_clone(target: Path) -> Path:
    """The files a clone holds: what git tracks, and new files it does not ignore (the change under test)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def fresh_environment(venv: Path | None = None) -> dict[str, str]:
    """This machine's environment without the test run's venv or settings, as a person's shell would be; with
    ``venv``, that venv activated."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELEARN_", "VIRTUAL_ENV", "PYTHON"))}
    venv_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin]
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        path.insert(0, str(venv / "bin"))
    env["PATH"] = os.pathsep.join(path)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(command: str, cwd: Path, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The README's first command, as written, in a fresh clone: the one venv every later command uses."""
    root = tmp_path_factory.mktemp("readme")
    clone = fresh_clone(root / "elearn-builder")
    started = time.monotonic()
    result = run(FIRST, clone, fresh_environment(), timeout=INSTALL_TIMEOUT)
    print(f"\nREADME's first command (venv, pip install ., elearn build): {time.monotonic() - started:.1f} s")
    return root, clone, result


def test_every_readme_command_is_run_here():
    covered = [FIRST, INSTALL, *AUTHORS, *VALIDATE, *ANALYSTS, *NOT_RUN_HERE]
    assert sorted(readme_commands()) == sorted(covered)


def test_the_first_command_writes_exactly_the_twelve_zips(installed):
    _, clone, result = installed
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    expected = sorted(f"reflective-supervision-{stage}-{fmt}.zip" for stage in STAGES
                      for fmt in ("scorm12", "scorm2004", "cmi5", "xapi"))
    assert sorted(os.listdir(clone / "build")) == expected  # no build/lib, build/bdist.* from pip install
    for name in expected:
        assert zipfile.ZipFile(clone / "build" / name).testzip() is None
    assert "elearn validate --strict" in result.stderr  # the build's note says what validate --strict will say


def test_validate_exits_as_documented_and_names_the_way_out(installed):
    _, clone, _ = installed
    env = fresh_environment(clone / ".venv")
    for command, status in VALIDATE.items():
        result = run(command, clone, env)
        assert result.returncode == status, f"{command}\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
    warnings = [line for line in result.stdout.splitlines() if "warning [scorm.control-file-missing]" in line]
    assert len(warnings) == 6 and all("`elearn build --schemas DIR` puts them there" in w for w in warnings)
    schemas = os.environ.get("ELEARN_SCHEMAS") or str(REPO.parent / "shared" / "schemas")
    if Path(schemas).is_dir():  # the way out the message names works
        result = run(f"elearn build -q --schemas {schemas} && elearn validate --strict build/*.zip", clone, env)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_analyst_commands_work_outside_the_repository(installed):
    root, clone, _ = installed
    outside = root / "analyst"
    outside.mkdir()
    env = fresh_environment(clone / ".venv")
    for command in ANALYSTS:
        result = run(command, outside, env)
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
    assert "0 problem(s)" in run(ANALYSTS[1], outside, env).stderr
    lines = (outside / "statements.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) > 2000 and all(json.loads(line)["id"] for line in lines)
    assert (outside / "baseline.html").stat().st_size > 0 and list((outside / "tables").glob("baseline-*.csv"))


def test_the_authors_quick_start_works_as_written(installed):
    root, clone, _ = installed
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Quick start for authors", 1)[1]
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in SH_BLOCK.search(section).group(1).splitlines()]
    assert lines == [INSTALL, *AUTHORS]  # the install is the first command's: its venv is used, not made again
    script = "set -e\n" + "\n".join(AUTHORS) + "\n"
    started = time.monotonic()
    proc = subprocess.Popen(["bash", "-c", script], cwd=clone, env=fresh_environment(clone / ".venv"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines_out: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            lines_out.put(line)
        lines_out.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen, url = [], None
    try:
        while url is None:
            line = lines_out.get(timeout=max(1.0, 300 - (time.monotonic() - started)))
            assert line is not None, "the quick start ended before the preview served:\n" + "".join(seen)
            seen.append(line)
            found = re.search(r"Serving the preview on (http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found else None
        serving = time.monotonic() - started
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
    while (line := lines_out.get(timeout=10)) is not None:
        seen.append(line)
    output = "".join(seen)
    print(f"\nauthors' quick start: new, build and preview serving after {serving:.1f} s")
    assert proc.returncode == 0, output
    assert "preview stopped" in output and "Traceback" not in output, output
    course = root / "my-course"
    assert sorted(os.listdir(course / "build")) == sorted(
        f"my-course-{s}-{f}.zip" for s in STAGES for f in ("scorm12", "scorm2004"))
