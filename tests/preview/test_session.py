"""``elearn preview``: in-memory builds, rebuild on change, diagnostics, the page's server and its LRS."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from previewing import running_preview

from elearn_builder.diagnostics import ElearnError
from elearn_builder.cli.new import new_course
from elearn_builder.preview.session import Preview, PreviewOptions, launches, source_stamp
from elearn_builder.preview.server import open_server

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("social-worker", "experienced-social-worker", "manager")


@pytest.fixture
def course(tmp_path) -> Path:
    new_course(tmp_path / "course")
    return tmp_path / "course"


@pytest.fixture(autouse=True)
def closing(monkeypatch):
    """Every Preview made in a test is closed at its end (what it kept in memory dropped)."""
    made = []
    original = Preview.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Preview, "__init__", init)
    yield made
    for preview in made:
        preview.close()
        assert preview.caches.renders.entries == {} and preview.caches.templates.entries == {}


def options(course: Path, **more) -> PreviewOptions:
    return PreviewOptions(source=course / "content", templates=course / "templates", profile=course / "xapi_profiles",
                          interval=0.05, **more)


@pytest.fixture
def served(course):
    """A preview of the new course, built, watched and served on 127.0.0.1; yields (preview, base URL)."""
    with running_preview(options(course)) as running:
        yield running


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def send(url: str, method: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_generation(preview: Preview, generation: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while preview.snapshot.generation < generation:
        assert time.monotonic() < deadline, f"no build {generation} within {timeout} s"
        preview.wait(preview.version, 0.5)


def test_builds_every_stage_in_both_scorm_formats_in_memory(course):
    snapshot = Preview(options(course)).rebuild()
    assert snapshot.ok and snapshot.generation == 1 and snapshot.title == "Course" and not snapshot.diagnostics
    expected = [(s, f) for s in STAGES for f in ("scorm2004", "scorm12")]
    assert [(l.stage, l.format) for l in snapshot.launches] == expected
    assert [l.stage_title for l in snapshot.launches][::2] == ["Social worker", "Experienced social worker", "Manager"]
    assert not any(l.xapi for l in snapshot.launches)  # the new course has no xAPI profile
    assert b"Thinking about practice" in snapshot.packages["course-manager-scorm12"]["index.html"]
    assert not (course / "build").exists()


def test_stage_and_format_options_narrow_the_build(course):
    snapshot = Preview(options(course, stages=("manager",), formats=("scorm12",))).rebuild()
    assert sorted(snapshot.packages) == ["course-manager-scorm12"]


def test_a_course_with_a_profile_sends_statements():
    snapshot = Preview(PreviewOptions(source=ROOT / "content", templates=ROOT / "templates",
                                      profile=ROOT / "xapi_profiles", stages=("manager",),
                                      formats=("scorm2004",))).rebuild()
    assert snapshot.ok and [(l.package, l.xapi) for l in snapshot.launches] == [
        ("reflective-supervision-manager-scorm2004", True)]


def test_after_a_change_the_package_shown_is_built_first(course):
    preview = Preview(options(course, quiet=0.2))
    first = preview.rebuild()
    preview.focus = "course-manager-scorm12"
    module = course / "content" / "modules" / "02-supervision.md"
    module.write_text(module.read_text().replace("# Preparing for a session", "# Getting ready"))
    seen = []
    preview.on_build = seen.append
    final = preview.rebuild()
    assert [(s.generation, s.built) for s in seen] == [(2, 1), (3, 6)] and final is seen[-1]
    quick = seen[0]
    assert b"Getting ready" in quick.packages["course-manager-scorm12"]["index.html"]
    assert quick.packages["course-manager-scorm2004"] is first.packages["course-manager-scorm2004"]  # not yet
    digests = [{l.package: l.digest for l in s.launches} for s in (first, quick, final)]
    assert digests[1]["course-manager-scorm12"] == digests[2]["course-manager-scorm12"]  # reproducible: no 2nd reload
    assert digests[0]["course-manager-scorm12"] != digests[1]["course-manager-scorm12"]
    assert all(digests[0][p] != digests[2][p] for p in digests[0])


def test_a_broken_source_keeps_the_last_good_build_and_says_why(course):
    preview = Preview(options(course))
    good = preview.rebuild()
    assessment = course / "content" / "assessments" / "manager.yaml"
    assessment.write_text(assessment.read_text().replace("pass_mark: 100", "pass_mark: 180"))
    broken = preview.rebuild()
    assert not broken.ok and broken.generation == 2
    assert broken.packages is good.packages and broken.launches == good.launches
    assert any(re.match(r"assessments/manager\.yaml:\d+:\d+: error \[[a-z.-]+\] .*180", line)
               for line in broken.diagnostics), broken.diagnostics
    assert broken.diagnostics[-1].startswith("build failed: 1 error(s)")


def test_a_course_broken_from_the_start_is_served_with_its_diagnostics(course):
    (course / "content" / "self-assessment.yaml").write_text("id: [unclosed\n")
    snapshot = Preview(options(course)).rebuild()
    assert not snapshot.ok and snapshot.launches == () and snapshot.packages == {}
    assert snapshot.diagnostics[0].startswith("self-assessment.yaml:") and "[yaml.syntax]" in snapshot.diagnostics[0]


def test_when_the_shown_stage_is_gone_the_whole_course_reports_why(course):
    preview = Preview(options(course, quiet=0.0))
    preview.rebuild()
    preview.focus = "course-manager-scorm2004"
    programme = course / "content" / "programme.yaml"
    programme.write_text(programme.read_text().replace("id: manager", "id: team-manager"))
    seen = []
    preview.on_build = seen.append
    final = preview.rebuild()
    assert final.ok and [s.generation for s in seen] == [2]  # the failed quick build was not published
    assert "course-team-manager-scorm2004" in final.packages and "course-manager-scorm2004" not in final.packages


def test_an_unexpected_failure_is_reported_in_the_page_not_raised(course, monkeypatch, capsys):
    import elearn_builder.preview.session as module

    def boom(*_args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(module, "build_in_memory", boom)
    snapshot = Preview(options(course)).rebuild()
    assert not snapshot.ok and "internal error while building: RuntimeError('disk on fire')" in snapshot.diagnostics[0]
    assert "Traceback" in capsys.readouterr().err


def test_the_stamp_changes_on_edit_add_and_remove(course):
    opts = options(course)
    first = source_stamp(opts)
    assert any(path.endswith("programme.yaml") for path, _, _ in first)
    (course / "templates" / "page.html.j2").write_text("x")
    second = source_stamp(opts)
    assert second != first
    (course / "templates" / "page.html.j2").unlink()
    assert source_stamp(opts) == first


def test_launch_order_is_stage_then_format():
    def files(stage, fmt):
        data = json.dumps({"programme": {"title": "T"}, "stage": {"id": stage, "title": stage.upper()}, "format": fmt})
        return {"index.html": f'<script type="application/json" id="elearn-data">{data}</script>'.encode()}

    packages = {f"p-{s}-{f}": files(s, f) for f in ("scorm12", "scorm2004") for s in ("a", "b")}
    title, found = launches(packages, ("scorm2004", "scorm12"))
    assert title == "T"
    assert [l.package for l in found] == ["p-a-scorm2004", "p-a-scorm12", "p-b-scorm2004", "p-b-scorm12"]


def test_server_serves_the_page_the_state_and_the_packages(served):
    preview, url = served
    assert url.startswith("http://127.0.0.1:")
    status, kind, body = get(url)
    assert status == 200 and kind.startswith("text/html") and b'<iframe id="sco"' in body
    for name, kind_prefix in (("lms.js", "text/javascript"), ("preview.js", "text/javascript"),
                              ("preview.css", "text/css")):
        status, kind, _ = get(f"{url}static/{name}")
        assert status == 200 and kind.startswith(kind_prefix), name
    state = json.loads(get(f"{url}api/state")[2])
    assert state["ok"] and state["generation"] == 1 and len(state["launches"]) == 6
    package = state["launches"][0]["package"]
    status, kind, body = get(f"{url}pkg/{package}/index.html?endpoint=x")
    assert status == 200 and kind.startswith("text/html") and b'id="elearn-data"' in body
    status, kind, _ = get(f"{url}pkg/{package}/media/cycle.svg")
    assert status == 200 and kind == "image/svg+xml"
    assert get(f"{url}pkg/{package}/nothing.js")[0] == 404
    assert get(f"{url}static/../preview.py")[0] == 404 and get(f"{url}elsewhere")[0] == 404


def test_an_edit_rebuilds_and_is_announced_on_the_event_stream(served, course):
    preview, url = served
    stream = urllib.request.urlopen(f"{url}events", timeout=20)
    module = course / "content" / "modules" / "01-reflection.md"
    module.write_text(module.read_text().replace("# Why reflect?", "# Why reflect at all?"))
    wait_generation(preview, 2)
    assert b"Why reflect at all?" in preview.snapshot.packages["course-social-worker-scorm2004"]["index.html"]
    events = []
    while "data: 2" not in events:
        events.append(stream.readline().decode().strip())
    stream.close()
    assert "event: build" in events and "data: 1" in events  # the current build first, then each new one
    assert json.loads(get(f"{url}api/state")[2])["generation"] == 2


def test_a_broken_edit_shows_diagnostics_and_a_fix_recovers(served, course):
    preview, url = served
    programme = course / "content" / "programme.yaml"
    text = programme.read_text()
    programme.write_text(text.replace("pcf_level: advanced", "pcf_level: senior"))
    wait_generation(preview, 2)
    state = json.loads(get(f"{url}api/state")[2])
    assert not state["ok"] and len(state["launches"]) == 6
    assert any(line.startswith("programme.yaml:") and "senior" in line for line in state["diagnostics"])
    programme.write_text(text)
    wait_generation(preview, 3)
    assert json.loads(get(f"{url}api/state")[2])["ok"]


def test_the_lrs_endpoint_stores_statements(served):
    preview, url = served
    first = {"id": "6f0b3f0e-35b4-4d51-9d77-5a5b1b0a5f01", "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"}}
    status, body = send(f"{url}xapi/statements", "POST", json.dumps([first, {"verb": {"id": "v"}}]).encode())
    ids = json.loads(body)
    assert status == 200 and ids[0] == first["id"] and re.fullmatch(r"[0-9a-f-]{36}", ids[1])
    again = send(f"{url}xapi/statements", "POST", json.dumps(first).encode())
    assert again == (200, json.dumps([first["id"]]).encode())
    put = "0e8e3c1c-5a51-4f4e-8d3e-1d2c3b4a5f60"
    assert send(f"{url}xapi/statements?statementId={put}", "PUT", b'{"verb": {"id": "v"}}')[0] == 204
    assert send(f"{url}xapi/statements", "PUT", b'{"verb": {"id": "v"}}')[0] == 400
    assert send(f"{url}xapi/statements", "POST", b"{not json")[0] == 400
    assert send(f"{url}xapi/statements", "POST", b"[1, 2]")[0] == 400
    stored = json.loads(get(f"{url}xapi/statements")[2])["statements"]
    assert [s["id"] for s in stored] == [first["id"], ids[1], put] and all("stored" in s for s in stored)
    assert json.loads(get(f"{url}api/statements")[2]) == stored
    assert send(f"{url}api/statements", "DELETE")[0] == 204 and preview.statements == []
    assert send(f"{url}api/focus", "POST", b"course-manager-scorm12")[0] == 204
    assert preview.focus == "course-manager-scorm12"


def test_a_taken_port_is_refused_unless_falling_back(course):
    preview = Preview(options(course))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ElearnError, match=f"port {port} on 127.0.0.1 is in use"):
            open_server(preview, port, fallback=False)
        server = open_server(preview, port, fallback=True)
        assert server.server_address[0] == "127.0.0.1" and server.server_address[1] != port
        server.server_close()


def test_the_command_serves_and_stops_cleanly_on_ctrl_c(course):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "elearn_builder.cli.commands", "preview", "--port", "0"], cwd=course,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        while not (lines and "Serving the preview on" in lines[-1]):
            line = proc.stdout.readline()
            assert line, f"preview ended early: {lines} {proc.stderr.read()}"
            lines.append(line)
        url = re.search(r"http://127\.0\.0\.1:\d+/", lines[-1]).group(0)
        assert get(url)[0] == 200 and json.loads(get(f"{url}api/state")[2])["ok"]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "preview stopped" in out and "Traceback" not in err, err
    assert not (course / "build").exists()
