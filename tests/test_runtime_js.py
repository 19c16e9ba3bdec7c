"""The runtime's page-free logic under Node's built-in test runner: every tests/js/*.test.mjs and *.test.js (the
adapters against the real scorm-again and the LMS profiles, elearn-save.js, the suspend data, the statement
queue, the LRS connection, the xAPI statements and the cmi5 launch), with fakes for fetch and the page:
cheaper than a browser for what needs no page, and run by CI through pytest.

The tests that need real course data get it from the programme in content/ and the browser tests' small
course (tests/browser/course-variants), built here with ``elearn build`` and handed over as one JSON file
(ELEARN_JS_COURSES): {package name: the course data its launch page carries}."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
JS_TESTS = TESTS / "js"
DATA = re.compile(r'<script type="application/json" id="elearn-data">(.*?)</script>', re.DOTALL)
PACKAGE = re.compile(r"\.package = (\{.*?\});")
COURSES = {"content": (REPO / "content", REPO / "templates", ("scorm12", "scorm2004", "cmi5", "xapi")),
           "variants": (TESTS / "browser" / "course-variants", None, ("scorm12", "scorm2004"))}


def build_courses(root: Path) -> Path:
    """Every SCORM and xAPI package of both courses, built with the real CLI; their course data in one JSON file."""
    out: dict[str, dict] = {}
    for name, (source, templates, formats) in COURSES.items():
        target = root / name
        command = [sys.executable, "-m", "elearn_builder.cli", "build", "--source", str(source), "--output", str(target),
                   "--templates", str(templates or root / "no-author-templates"), "--no-cache"]
        for fmt in formats:
            command += ["--format", fmt]
        proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, f"elearn build of {source} failed:\n{proc.stdout}\n{proc.stderr}"
        for zip_path in sorted(target.glob("*.zip")):
            with zipfile.ZipFile(zip_path) as zf:
                page = zf.read("index.html").decode("utf-8")
                settings = PACKAGE.search(zf.read("assets/package.js").decode("utf-8"))
            data = json.loads(DATA.search(page).group(1))
            out[zip_path.stem] = {**data, **json.loads(settings.group(1))}
    path = root / "courses.json"
    path.write_text(json.dumps(out), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def courses_json(tmp_path_factory) -> Path:
    return build_courses(tmp_path_factory.mktemp("js-courses"))


def test_node_test_runner_passes_the_runtime_tests(courses_json):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the runtime's logic tests need it (scripts/test.sh installs npm packages)")
    files = sorted(str(p) for p in [*JS_TESTS.glob("*.test.mjs"), *JS_TESTS.glob("*.test.js")])
    assert files, f"no JS tests in {JS_TESTS}"
    env = {**os.environ, "ELEARN_JS_COURSES": str(courses_json)}
    proc = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=300, check=False, env=env,
                          cwd=REPO)
    summary = [line for line in proc.stdout.splitlines() if line.startswith(("# pass", "# fail", "not ok"))]
    assert proc.returncode == 0, "\n".join(summary) + "\n" + proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout and "# pass 0" not in proc.stdout


def test_a_stage_is_the_same_page_in_every_format_but_its_settings_and_adapter(courses_json):
    """Every file of a stage's packages but the manifests and assets/package.js (the format's settings and adapter) is
    byte-identical in the four formats: what a page shows (and axe checks: test_axe_every_package.py runs each stage in
    one format) does not depend on the format."""
    root = courses_json.parent / "content"
    stages = sorted({p.stem.rsplit("-", 1)[0] for p in root.glob("*.zip")})
    assert len(stages) == 3, stages
    for stage in stages:
        seen: dict[str, dict[str, bytes]] = {}
        for fmt in ("scorm12", "scorm2004", "cmi5", "xapi"):
            with zipfile.ZipFile(root / f"{stage}-{fmt}.zip") as zf:
                seen[fmt] = {n: zf.read(n) for n in zf.namelist() if n == "index.html" or n.startswith(("assets/", "media/"))}
        base = seen["scorm12"]
        assert "index.html" in base and "assets/elearn.js" in base
        for fmt, files in seen.items():
            assert set(files) == set(base), (stage, fmt)
            differ = sorted(n for n in base if files[n] != base[n])
            assert differ == ([] if fmt == "scorm12" else ["assets/package.js"]), (stage, fmt, differ)
