"""Every stage of the programme, in both SCORM editions, against scorm-again in Debian Chromium:
walk every page, fail the assessment, pass it, exit, relaunch and resume."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import sco

PROGRAMME = yaml.safe_load((Path(__file__).resolve().parents[2] / "content" / "programme.yaml").read_text(encoding="utf-8"))
STAGES = [s["id"] for s in PROGRAMME["stages"]]
FORMATS = ["scorm12", "scorm2004"]
SESSION_TIME = {"scorm12": re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$"),
                "scorm2004": re.compile(r"^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$")}


def status(frame) -> str:
    return frame.inner_text("[data-status]").strip()


def walk(page, frame, data, fmt) -> int:
    """Show every page with Next; each becomes the only visible page and the bookmark. Returns pages shown."""
    pages = data["pages"]
    for i, p in enumerate(pages):
        assert sco.visible_pages(frame) == [p["id"]]
        assert frame.locator("h1:visible").count() == 1
        assert frame.locator(f'[data-nav-page="{p["id"]}"]').get_attribute("aria-current") == "page"
        assert sco.bookmark(page, fmt) == p["id"]
        next_button = frame.locator('[data-action="next"]')
        if i == len(pages) - 1:
            assert next_button.is_disabled()
        else:
            next_button.click()
    assert frame.locator("[data-nav-page][data-visited]").count() == len(pages)
    return len(pages)


def check_result(frame, strings, score, passed, feedback):
    result = frame.locator("[data-assessment-result]")
    assert result.get_attribute("data-passed") == ("true" if passed else "false")
    text = result.inner_text()
    assert (strings["passed"] if passed else strings["failed"]) in text
    if feedback != "none":
        assert f"{score}%" in text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stage", STAGES)
def test_walk_fail_pass_exit_and_resume(page, server, content, stage, fmt):
    package = f"{PROGRAMME['id']}-{stage}-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    strings, assessment = data["strings"], data["assessment"]
    assert data["format"] == fmt and data["stage"]["id"] == stage
    assert frame.evaluate("document.documentElement.dataset.elearnAdapter") == fmt
    assert status(frame) == strings["lms_connected"]

    shown = walk(page, frame, data, fmt)
    assert sco.visible_pages(frame) == ["assessment"]

    attempts = []
    if assessment["attempts"] != 1:  # one attempt leaves no room to fail first
        answers, score = sco.plan(sco.drawn(frame, assessment), assessment["passMark"], passing=False)
        sco.answer_and_submit(frame, answers)
        assert score < assessment["passMark"]
        check_result(frame, strings, score, False, assessment["feedback"])
        if assessment["feedback"] == "immediate":
            assert frame.locator('[data-feedback="incorrect"]:visible').count() == len(answers)
        attempts.append(answers)
        frame.click('[data-action="retry"]')
        assert frame.locator("[data-assessment] input:checked").count() == 0
        assert frame.locator("[data-assessment-result]").inner_text().strip() == ""

    answers, score = sco.plan(sco.drawn(frame, assessment), assessment["passMark"], passing=True)
    sco.answer_and_submit(frame, answers)
    made = [c for c in sco.calls(page) if c["error"] is not None]
    assert made[-1]["name"] == sco.COMMIT[fmt], "a result is committed at once"
    check_result(frame, strings, score, True, assessment["feedback"])
    assert frame.locator('[data-action="retry"]').is_hidden()
    assert frame.locator('[data-action="submit"]').is_hidden()
    attempts.append(answers)

    frame.click('[data-action="exit"]')
    assert status(frame) == strings["saved_exit"]
    frame.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")  # no second exit
    recorded = sco.calls(page)
    first = sco.check_calls(recorded, fmt, pages_shown=shown, submissions=len(attempts))
    session_time = [c["args"][1] for c in recorded if c["name"].endswith("SetValue") and c["args"][0].endswith("session_time")]
    assert len(session_time) == 1 and SESSION_TIME[fmt].match(session_time[0]), session_time
    cmi = sco.lms_cmi(page, fmt)
    count = sco.check_interactions(cmi, fmt, attempts)
    if fmt == "scorm12":
        core = cmi["core"]
        assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("passed", str(score), "suspend")
        assert (core["score"]["min"], core["score"]["max"]) == ("0", "100")
        assert core["lesson_location"] == "assessment"
        assert len(cmi["suspend_data"]) <= 4096
    else:
        assert (cmi["completion_status"], cmi["success_status"], cmi["exit"]) == ("completed", "passed", "suspend")
        assert float(cmi["score"]["scaled"]) == pytest.approx(score / 100)
        assert (cmi["score"]["raw"], cmi["progress_measure"], cmi["location"]) == (str(score), "1", "assessment")

    # The next launch resumes at the bookmark and shows the passed result, answers in place.
    frame = sco.launch(page, server, package, fmt, cmi=sco.resume_cmi(cmi, fmt), entry="resume")
    assert status(frame) == strings["lms_connected"]
    assert sco.visible_pages(frame) == ["assessment"]
    check_result(frame, strings, score, True, assessment["feedback"])
    assert frame.locator('[data-action="submit"]').is_hidden()
    assert frame.locator('[data-action="retry"]').is_hidden()
    for a in answers:
        fieldset = frame.locator(f'[data-question-id="{a.question["id"]}"]')
        assert fieldset.locator("input").evaluate_all("xs => xs.every(x => x.matches(':disabled'))")
        checked = fieldset.locator("input:checked").evaluate_all("xs => xs.map(x => x.value)")
        assert sorted(checked) == sorted(a.response)
    assert frame.locator("[data-nav-page][data-visited]").count() == len(data["pages"])
    frame.click('[data-action="exit"]')
    second = sco.check_calls(sco.calls(page), fmt, pages_shown=1)
    after = sco.lms_cmi(page, fmt)
    assert sco.check_interactions(after, fmt, attempts) == count
    if fmt == "scorm12":
        assert after["core"]["lesson_status"] == "passed"
    else:
        assert (after["completion_status"], after["success_status"]) == ("completed", "passed")
    print(f"{package}: {shown} pages walked; {first['calls']}+{second['calls']} API calls, all GetLastError 0; "
          f"{first['commits']}+{second['commits']} commits; {count} interactions; score {score}%")
