"""Every stage of the programme, in both SCORM editions, against scorm-again in Debian Chromium:
the self-assessment and its gap profile, every page, a relaunch mid-assessment with the same drawn
questions and answers, a failed and a passed attempt, the CPD record, and the attempts used up."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import sco

PROGRAMME = yaml.safe_load((Path(__file__).resolve().parents[2] / "content" / "programme.yaml").read_text(encoding="utf-8"))
STAGES = [s["id"] for s in PROGRAMME["stages"]]
FORMATS = ["scorm12", "scorm2004"]
FULL = [(stage, FORMATS[(k + 1) % 2]) for k, stage in enumerate(STAGES)]
USED_UP = [(stage, FORMATS[k % 2]) for k, stage in enumerate(STAGES)]
"""Every stage in both editions, each package once: the whole three-session flow in one edition, the attempts used up
in the other. What differs between the editions is the adapter, and tests/js/scorm-adapters.test.js gives every
question of every package, right and wrong, every rating, the status, score, session time and exit to the real
scorm-again in both (tests/js/state.test.js: every package's largest state); the page is the same in both."""
SESSION_TIME = {"scorm12": re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$"),
                "scorm2004": re.compile(r"^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$")}


def status_line(frame) -> str:
    return frame.inner_text("[data-status]").strip()


def walk(page, frame, data, fmt, stop: str) -> int:
    """Show pages with Next from the current one until `stop`; each becomes the only visible page and
    the bookmark. Returns the pages shown (not counting the one showing at the start)."""
    pages = [p["id"] for p in data["pages"]]
    shown = 0
    for page_id in pages[pages.index(sco.visible_pages(frame)[0]) + 1:pages.index(stop) + 1]:
        frame.click('[data-action="next"]')
        shown += 1
        assert sco.visible_pages(frame) == [page_id]
        assert frame.locator("h1:visible").count() == 1
        assert frame.locator(f'[data-nav-page="{page_id}"]').get_attribute("aria-current") == "page"
        assert sco.bookmark(page, fmt) == page_id
    return shown


def check_result(frame, strings, score, passed, feedback):
    result = frame.locator("[data-assessment-result]")
    assert result.get_attribute("data-passed") == ("true" if passed else "false")
    text = result.inner_text()
    assert (strings["passed"] if passed else strings["failed"]) in text
    if feedback != "none":
        assert f"{score}%" in text


def check_record(frame, data, profile, score, attempts, answers):
    """The CPD record: pages, first rating, result, written answers awaiting review, PCF domains."""
    strings, a = data["strings"], data["assessment"]
    record = frame.locator("[data-cpd-record]")
    content = [p for p in data["pages"] if p["kind"] == "content"]
    assert record.locator('[data-cpd="pages"]').inner_text() == strings["cpd_of"].format(n=len(content), total=len(content))
    assert record.locator('[data-cpd="sa-status"]').inner_text() == strings["cpd_sa_once"]
    for area in profile:
        row = record.locator(f'tr[data-area="{area["id"]}"]')
        assert row.locator('[data-cell="first"]').inner_text() == f'{area["score"]:.1f}'
        assert row.locator('[data-cell="latest"]').inner_text() == strings["cpd_not_yet"]
    assert record.locator('[data-cpd="result"]').inner_text() == strings["cpd_passed"]
    assert record.locator('[data-cpd="score"]').inner_text() == f"{score}%"
    assert record.locator('[data-cpd="attempts"]').inner_text() == strings["cpd_of"].format(n=attempts, total=a["attempts"])
    written = [x for x in answers if not x.question["scored"]]
    texts = record.locator(".el-written-text").all_inner_texts()
    assert texts == [x.response for x in written]
    assert record.locator(".el-written-status").all_inner_texts() == [strings["cpd_awaiting"]] * len(written)
    domains = {d for m in data["modules"] for d in m["pcfDomains"]} | {d for x in answers for d in x.question["pcfDomains"]}
    assert record.locator('[data-cpd="domains"] li').all_inner_texts() == [strings[f"pcf_domain_{d}"] for d in sorted(domains)]


@pytest.mark.parametrize("stage,fmt", FULL)
def test_self_assessment_pages_resume_fail_pass_and_record(page, server, content, stage, fmt):
    package = f"{PROGRAMME['id']}-{stage}-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    strings, a = data["strings"], data["assessment"]
    assert data["format"] == fmt and data["stage"]["id"] == stage and data["schema"] == 2
    assert frame.evaluate("document.documentElement.dataset.elearnAdapter") == fmt
    assert status_line(frame) == strings["lms_connected"]

    # Session 1: the self-assessment comes first; its gap profile follows the submission.
    assert sco.visible_pages(frame) == ["self-assessment"]
    rated = sco.ratings(data, seed=1)
    sco.rate(frame, rated)
    profile = sco.check_gap_profile(frame, data, rated)
    assert frame.evaluate("document.activeElement.id") == "gap-profile-title"
    shown = 1 + walk(page, frame, data, fmt, "assessment")
    first_draw = sco.drawn(frame, a)
    banks = {b["id"]: b for b in a["banks"]}
    assert len(first_draw) == sum(b["draw"] or len(b["questions"]) for b in banks.values())
    failing, fail_score = sco.plan(first_draw, a["passMark"], passing=False)
    half = len(failing) // 2
    sco.fill(frame, failing[:half])  # then the learner leaves mid-assessment
    frame.click('[data-action="exit"]')
    first = sco.check_calls(sco.calls(page), fmt, pages_shown=shown, submissions=1)
    cmi = sco.lms_cmi(page, fmt)
    sco.check_interactions(cmi, fmt, [rated])
    assert sco.status(cmi, fmt)[0] == "incomplete"

    # Session 2: back at the assessment with the same questions and answers.
    frame = sco.launch(page, server, package, fmt, cmi=sco.resume_cmi(cmi, fmt), entry="resume")
    assert sco.visible_pages(frame) == ["assessment"]
    assert sco.drawn(frame, a) == first_draw
    for x in failing[:half]:
        assert sco.same_response(x, sco.shown_response(frame, x.question)), x.question["id"]
    for x in failing[half:]:
        assert not sco.shown_response(frame, x.question), x.question["id"]
    sco.answer_and_submit(frame, failing[half:])
    assert fail_score < a["passMark"]
    check_result(frame, strings, fail_score, False, a["feedback"])
    if a["feedback"] == "immediate":
        verdicts = frame.locator("[data-assessment] .el-question:visible").evaluate_all("qs => qs.map(q => q.dataset.result)")
        wrong = "revisit" if a["feedbackOnFail"] == "revisit" else "incorrect"  # attempts left: no key shown
        assert verdicts == [wrong if q["scored"] else "review" for q in first_draw]
    attempts = [failing]
    frame.click('[data-action="retry"]')
    assert frame.locator("[data-assessment-result]").inner_text().strip() == ""
    second_draw = sco.drawn(frame, a)
    assert [(q["id"], sco.shown_response(frame, q)) for q in second_draw if sco.shown_response(frame, q)] == []
    passing, score = sco.plan(second_draw, a["passMark"], passing=True)
    sco.answer_and_submit(frame, passing)
    made = [c for c in sco.calls(page) if c["error"] is not None]
    assert made[-1]["name"] == sco.COMMIT[fmt], "a result is committed at once"
    check_result(frame, strings, score, True, a["feedback"])
    if any(not q["scored"] for q in second_draw):
        assert strings["written_awaiting"] in frame.inner_text("[data-assessment-result]")
    assert frame.locator('[data-action="retry"]').is_hidden() and frame.locator('[data-action="submit"]').is_hidden()
    attempts.append(passing)
    frame.click('[data-action="next"]')
    assert sco.visible_pages(frame) == ["cpd-record"]
    check_record(frame, data, profile, score, len(attempts), passing)
    frame.click('[data-action="exit"]')
    assert status_line(frame) == strings["saved_exit"]
    frame.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")  # no second exit
    recorded = sco.calls(page)
    second = sco.check_calls(recorded, fmt, pages_shown=2, submissions=len(attempts))
    session_time = [c["args"][1] for c in recorded if c["name"].endswith("SetValue") and c["args"][0].endswith("session_time")]
    assert len(session_time) == 1 and SESSION_TIME[fmt].match(session_time[0]), session_time
    cmi = sco.lms_cmi(page, fmt)
    count = sco.check_interactions(cmi, fmt, [rated, *attempts])
    if fmt == "scorm12":
        core = cmi["core"]
        assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("passed", str(score), "suspend")
        assert (core["score"]["min"], core["score"]["max"], core["lesson_location"]) == ("0", "100", "cpd-record")
        for x in [x for attempt in attempts for x in attempt if not x.question["scored"]]:
            assert f'[{x.question["id"]}] {x.response}' in cmi["comments"]
    else:
        assert (cmi["completion_status"], cmi["success_status"], cmi["exit"]) == ("completed", "passed", "suspend")
        assert float(cmi["score"]["scaled"]) == pytest.approx(score / 100)
        assert (cmi["score"]["raw"], cmi["progress_measure"], cmi["location"]) == (str(score), "1", "cpd-record")
    assert len(cmi["suspend_data"]) <= min(data["stateLimit"], data["stateWorstCase"])

    # Session 3: resumes at the record; the gap profile and the passed result are shown again.
    frame = sco.launch(page, server, package, fmt, cmi=sco.resume_cmi(cmi, fmt), entry="resume")
    assert sco.visible_pages(frame) == ["cpd-record"]
    check_record(frame, data, profile, score, len(attempts), passing)
    sco.go(frame, "self-assessment")
    sco.check_gap_profile(frame, data, rated)
    sco.go(frame, "assessment")
    check_result(frame, strings, score, True, a["feedback"])
    for x in passing:
        fieldset = frame.locator(f'[data-question-id="{x.question["id"]}"]')
        assert fieldset.evaluate("f => f.disabled")
        assert sco.same_response(x, sco.shown_response(frame, x.question))
    assert frame.locator("[data-nav-page][data-visited]").count() == len(data["pages"])
    frame.click('[data-action="exit"]')
    third = sco.check_calls(sco.calls(page), fmt, pages_shown=3)
    after = sco.lms_cmi(page, fmt)
    assert sco.check_interactions(after, fmt, [rated, *attempts]) == count
    assert sco.status(after, fmt) == sco.status(cmi, fmt)
    types = sorted({q["type"] for q in first_draw + second_draw})
    print(f"{package}: {shown + 2 + 3} pages shown over 3 sessions; "
          f"{first['calls']}+{second['calls']}+{third['calls']} API calls, all GetLastError 0; "
          f"{first['commits']}+{second['commits']}+{third['commits']} commits; {count} interactions "
          f"({len(rated)} likert); score {fail_score}% then {score}%; suspend data {len(cmi['suspend_data'])} "
          f"of {data['stateWorstCase']} worst case; types {', '.join(types)}")


@pytest.mark.parametrize("stage,fmt", USED_UP)
def test_attempts_used_up(page, server, content, stage, fmt):
    package = f"{PROGRAMME['id']}-{stage}-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    strings, a = data["strings"], data["assessment"]
    if not a["attempts"]:
        pytest.skip("unlimited attempts")
    sco.go(frame, "assessment")
    attempts, draws = [], []
    for n in range(1, a["attempts"] + 1):
        draws.append([q["id"] for q in sco.drawn(frame, a)])
        answers, score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
        sco.answer_and_submit(frame, answers)
        attempts.append(answers)
        check_result(frame, strings, score, False, a["feedback"])
        if n < a["attempts"]:
            assert strings["attempts_left"].format(n=a["attempts"] - n) in frame.inner_text("[data-assessment-result]")
            frame.click('[data-action="retry"]')
    assert strings["no_attempts_left"] in frame.inner_text("[data-assessment-result]")
    assert frame.locator('[data-action="retry"]').is_hidden() and frame.locator('[data-action="submit"]').is_hidden()
    frame.click('[data-action="exit"]')
    calls = sco.check_calls(sco.calls(page), fmt, pages_shown=2, submissions=len(attempts))
    cmi = sco.lms_cmi(page, fmt)
    count = sco.check_interactions(cmi, fmt, attempts)
    # Not every page was seen nor the self-assessment done, so the course is not complete.
    assert sco.status(cmi, fmt) == (("incomplete", "0") if fmt == "scorm12" else ("incomplete", "failed", "0"))

    frame = sco.launch(page, server, package, fmt, cmi=sco.resume_cmi(cmi, fmt), entry="resume")
    assert sco.visible_pages(frame) == ["assessment"]
    assert strings["no_attempts_left"] in frame.inner_text("[data-assessment-result]")
    assert frame.locator('[data-action="retry"]').is_hidden()
    frame.click('[data-action="exit"]')
    sco.check_calls(sco.calls(page), fmt, pages_shown=1)
    distinct = len({tuple(d) for d in draws})
    print(f"{package}: {len(attempts)} attempts failed and used up; {calls['calls']} API calls, all GetLastError 0; "
          f"{count} interactions; {distinct} different draw(s)")
