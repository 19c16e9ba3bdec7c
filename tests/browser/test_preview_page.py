"""``elearn preview`` in Chromium: the course in the LMS frame, live reload, diagnostics and the side panel."""
from __future__ import annotations

import json
import statistics
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from previewing import running_preview
from sco import Answer, answer_and_submit, course_data, go, right_response

from elearn_builder.cli.new import new_course
from elearn_builder.preview.session import PreviewOptions

REPO = Path(__file__).resolve().parents[2]
RELOAD_BUDGET = 2.0
"""Seconds from saving a source to seeing the change in the page (the issue's acceptance figure)."""


@pytest.fixture
def serve_preview(page):
    """Start a preview (built, watched, served on 127.0.0.1) of the given options; returns its base URL.
    At the end the page leaves first, so that no request of it meets a stopped server."""
    with ExitStack() as running:
        yield lambda options: running.enter_context(running_preview(options))[1]
        page.goto("about:blank")


@pytest.fixture
def course(tmp_path) -> Path:
    new_course(tmp_path / "course")
    return tmp_path / "course"


@pytest.fixture
def opened(page, course, serve_preview):
    """The preview page of a new course, with the first package running in its frame; returns the frame."""
    url = serve_preview(PreviewOptions(source=course / "content", templates=course / "templates",
                                       profile=course / "xapi_profiles", interval=0.1))
    page.goto(url)
    wait_for_adapter(page, "scorm2004")
    return page.frame(name="sco")


def wait_for_adapter(page, fmt: str) -> None:
    """Until the frame holds a package that has connected through ``fmt``'s adapter."""
    page.wait_for_function("fmt => { const d = document.getElementById('sco').contentDocument;"
                           " return !!d && !!d.documentElement && d.documentElement.dataset.elearnAdapter === fmt; }",
                           arg=fmt, timeout=20_000)


def frame_text(page) -> str:
    return page.evaluate("document.getElementById('sco').contentDocument.body.innerText")


def test_the_page_shows_each_stage_in_the_lms_frame(page, opened):
    assert page.title() == "Preview: Course"
    options = page.locator("#launch option").all_inner_texts()
    assert options == [f"{stage} ({fmt})" for stage in ("Social worker", "Experienced social worker", "Manager")
                       for fmt in ("SCORM 2004", "SCORM 1.2")]
    assert "Self-assessment: where are you now?" in frame_text(page)
    assert course_data(opened)["stage"]["id"] == "social-worker"
    assert page.locator("#lms-session").inner_text().startswith("running, launch 1")
    assert page.locator("#diagnostics").is_hidden()
    page.select_option("#launch", "course-manager-scorm12")
    wait_for_adapter(page, "scorm12")
    assert course_data(opened)["stage"]["id"] == "manager"
    page.wait_for_function("() => document.getElementById('lms-status').textContent === 'incomplete'")


def test_a_source_edit_appears_within_two_seconds_without_a_reload(page, opened, course):
    """Five saves, each timed from the write until the new text is in the frame. The budget holds for the
    median; a single save may take longer when the machine is starved (2 shared cores), never twice as long."""
    page.evaluate("window.__notReloaded = true")
    intro = course / "content" / "self-assessment.yaml"
    timings = []
    for word in ("today", "this week", "at the moment", "this month", "these days"):
        text = intro.read_text()
        before = text[text.index("describes you"):].split("\n", 1)[0]
        started = time.monotonic()
        intro.write_text(text.replace(before, f"describes you **{word}**. There are no right or wrong answers."))
        page.wait_for_function("word => { const d = document.getElementById('sco').contentDocument;"
                               " return !!d && !!d.body && d.body.innerText.includes(`describes you ${word}.`); }",
                               arg=word, timeout=10_000)
        timings.append(time.monotonic() - started)
    print(f"\npreview reload latency (save -> visible in the frame): {', '.join(f'{t:.2f} s' for t in timings)}")
    assert page.evaluate("window.__notReloaded") is True  # the page itself was never reloaded
    assert statistics.median(timings) < RELOAD_BUDGET and max(timings) < 2 * RELOAD_BUDGET, timings
    # Each edit relaunched the package as an LMS would after a suspend: it resumed where the learner was.
    page.wait_for_function("() => document.getElementById('lms-session').textContent.startsWith('running, launch 6')")
    assert page.locator("#lms-session").inner_text() == 'running, launch 6, entry "resume"'
    assert page.locator("#lms-location").inner_text() == "self-assessment"


def test_a_broken_edit_shows_its_diagnostic_escaped_and_a_fix_clears_it(page, opened, course):
    source = course / "content" / "self-assessment.yaml"
    good = source.read_text()
    source.write_text(good.replace("key_area: supervision-skills", "key_area: <img src=x id=injected>", 1))
    page.wait_for_selector("#diagnostics", state="visible", timeout=10_000)
    lines = page.locator("#diagnostic-list li").all_inner_texts()
    assert any(line.startswith("self-assessment.yaml:") and "<img src=x id=injected>" in line for line in lines), lines
    assert page.locator("#injected").count() == 0  # shown as text, never as markup
    assert "failed" in page.locator("#build").inner_text()
    assert "Self-assessment: where are you now?" in frame_text(page)  # the last good build is still there
    source.write_text(good)
    page.wait_for_selector("#diagnostics", state="hidden", timeout=10_000)
    assert "failed" not in page.locator("#build").inner_text() and page.locator("#diagnostic-list li").count() == 0
    # The fixed build is byte-identical to the one in the frame: no relaunch was needed.
    assert page.locator("#lms-session").inner_text().startswith("running, launch 1")


def break_sources(course: Path) -> None:
    source = course / "content" / "self-assessment.yaml"
    source.write_text(source.read_text().replace("key_area: supervision-skills", "key_area: no-such-area", 1))


def wait_for_failed_build(url: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{url}api/state", timeout=5) as response:
            state = json.load(response)
        if not state["ok"]:
            return state
        time.sleep(0.1)
    raise AssertionError("the preview never rebuilt the broken sources")


def test_a_page_opened_while_the_sources_are_broken_shows_the_last_good_build(page, course, serve_preview):
    url = serve_preview(PreviewOptions(source=course / "content", templates=course / "templates",
                                       profile=course / "xapi_profiles", interval=0.1))
    break_sources(course)
    assert wait_for_failed_build(url)["launches"]  # the server keeps the last good packages
    page.goto(url)  # a page opened only now, while the build is failing
    page.wait_for_selector("#diagnostics", state="visible")
    wait_for_adapter(page, "scorm2004")
    assert "Self-assessment: where are you now?" in frame_text(page)
    assert page.locator("#diagnostics-kept").inner_text() == "The frame keeps the last good build."
    assert page.locator("#no-package").is_hidden()


def test_a_preview_started_broken_says_it_has_no_build_to_show(page, course, serve_preview):
    break_sources(course)
    url = serve_preview(PreviewOptions(source=course / "content", templates=course / "templates",
                                       profile=course / "xapi_profiles", interval=0.1))
    page.goto(url)
    page.wait_for_selector("#diagnostics", state="visible")
    assert page.locator("#diagnostics-kept").inner_text() == "There is no good build yet to show."
    assert page.locator("#no-package").is_visible() and page.locator("#sco").is_hidden()
    assert any("no-such-area" in line for line in page.locator("#diagnostic-list li").all_inner_texts())


def test_the_side_panel_shows_status_score_bookmark_and_interactions(page, opened):
    data = course_data(opened)
    go(opened, "assessment")
    page.wait_for_function("() => document.getElementById('lms-location').textContent === 'assessment'")
    questions = data["assessment"]["questions"]
    answer_and_submit(opened, [Answer(q, right_response(q)) for q in questions])
    page.wait_for_function("() => document.querySelectorAll('#interactions tbody tr').length === 3")
    rows = page.locator("#interactions tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == [q["lmsId"] for q in questions]  # the ids the LMS is given
    assert all(row.split("\t")[3] == "correct" for row in rows), rows
    assert page.locator("#lms-status").inner_text().startswith("incomplete / passed")  # pages still unread
    assert page.locator("#lms-score").inner_text() == "scaled 1, raw 100"
    size = int(page.locator("#lms-suspend").inner_text().split(" of ")[0].replace(",", ""))
    assert 0 < size < 64000
    assert "failed" not in page.locator("#calls").inner_html()  # every call the package made was accepted


def test_the_side_panel_shows_the_xapi_statements_sent_to_the_preview_lrs(page, serve_preview):
    """The programme has an xAPI profile, so its SCORM package sends statements to the launch's endpoint."""
    url = serve_preview(PreviewOptions(source=REPO / "content", templates=REPO / "templates",
                                       profile=REPO / "xapi_profiles", stages=("social-worker",),
                                       formats=("scorm2004",), interval=0.5))
    page.goto(url)
    page.wait_for_selector("#statements li", timeout=15_000)
    assert page.locator("#xapi-note").inner_text().startswith("Sent to the preview's LRS")
    statements = page.evaluate("fetch('/api/statements').then(r => r.json())")
    verbs = [s["verb"]["id"] for s in statements]
    assert "http://adlnet.gov/expapi/verbs/initialized" in verbs, verbs
    first = statements[0]
    assert first["actor"]["account"]["name"] == "preview-learner"
    assert page.locator("#statements li").count() == len(statements)


def test_the_preview_lms_refuses_what_an_lms_would_refuse(page, opened):
    """Our recording LMS checks values as LMSs do, and the panel marks the refused call."""
    page.select_option("#launch", "course-social-worker-scorm12")
    wait_for_adapter(page, "scorm12")
    results = page.evaluate("""() => [
        API.LMSSetValue("cmi.core.lesson_status", "finished"), API.LMSGetLastError(),
        API.LMSSetValue("cmi.core.score.raw", "150"), API.LMSGetLastError(),
        API.LMSSetValue("cmi.core.student_id", "someone-else"), API.LMSGetLastError(),
        API.LMSGetValue("cmi.core.session_time"), API.LMSGetLastError(),
        API.LMSGetValue("cmi.core.student_id"), API.LMSGetLastError()]""")
    assert results == ["false", "405", "false", "405", "false", "403", "", "404", "preview-learner", "0"]
    failed = page.locator("#calls li.failed").all_text_contents()  # in a closed <details>: not rendered
    assert failed[0] == 'LMSSetValue("cmi.core.lesson_status", "finished") = "false"  error 405'
    assert len(failed) == 4
