"""What the programme itself may not use, on a small course (course-variants/): a random draw that
survives resume, weights, summary and no feedback, unlimited and used-up attempts, every question
type in banks with a case and a transcript, the self-assessment retaken, printing the CPD record,
and saved state from another version of the course."""
from __future__ import annotations

import json

import pytest

import sco

FORMATS = ["scorm12", "scorm2004"]


def result_text(frame) -> str:
    return frame.locator("[data-assessment-result]").inner_text()


def progress(data: dict, visited: int, self_assessed: bool, submitted: bool) -> float:
    content = sum(p["kind"] == "content" for p in data["pages"])
    return (visited + self_assessed + submitted) / (content + 2)


@pytest.mark.parametrize("fmt", ["scorm2004"])  # with progress_measure; 1.2's values: tests/js/scorm-adapters.test.js
def test_draw_survives_resume_and_weights_count(page, server, variants, fmt):
    package = f"runtime-variants-drawn-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    a, strings = data["assessment"], data["strings"]
    sco.go(frame, "assessment")  # neither the self-assessment nor any content page
    first_draw = sco.drawn(frame, a)
    assert len(first_draw) == a["banks"][0]["draw"] == 3
    numbers = frame.locator(".el-question:visible [data-question-number]").all_inner_texts()
    assert numbers == [strings["question_number"].format(number=n) for n in (1, 2, 3)]

    frame.click('[data-action="exit"]')
    frame = sco.launch(page, server, package, fmt, cmi=sco.resume_cmi(sco.lms_cmi(page, fmt), fmt), entry="resume")
    assert sco.visible_pages(frame) == ["assessment"]
    assert sco.drawn(frame, a) == first_draw

    failing, score = sco.plan(first_draw, a["passMark"], passing=False)
    sco.answer_and_submit(frame, failing)
    assert f"{score}%" in result_text(frame)
    assert strings["attempts_left"].split("{")[0] not in result_text(frame)  # unlimited attempts
    assert frame.locator("[data-feedback]:visible").count() == 0  # summary: no per-question feedback
    frame.click('[data-action="retry"]')
    second_draw = sco.drawn(frame, a)
    assert len(second_draw) == 3
    passing, score = sco.plan(second_draw, a["passMark"], passing=True)
    sco.answer_and_submit(frame, passing)
    assert strings["passed"] in result_text(frame) and f"{score}%" in result_text(frame)
    frame.click('[data-action="exit"]')

    sco.check_calls(sco.calls(page), fmt, pages_shown=1, submissions=2)
    cmi = sco.lms_cmi(page, fmt)
    sco.check_interactions(cmi, fmt, [failing, passing])
    weights = {q["id"]: q["weight"] for q in a["questions"]}
    assert [weights[q["id"]] for q in a["questions"]] == [2, 1, 1, 1]
    # The self-assessment and the content pages were skipped: passed, but not complete.
    if fmt == "scorm12":
        assert sco.status(cmi, fmt) == ("incomplete", str(score))
    else:
        assert sco.status(cmi, fmt) == ("incomplete", "passed", str(score))
        assert float(cmi["progress_measure"]) == pytest.approx(progress(data, 0, False, True), abs=1e-4)
        assert float(cmi["score"]["scaled"]) == pytest.approx(score / 100)


@pytest.mark.parametrize("fmt", ["scorm12"])  # 2004's values: tests/js/scorm-adapters.test.js
def test_no_feedback_and_attempts_used_up(page, server, variants, fmt):
    package = f"runtime-variants-quiet-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    a, strings = data["assessment"], data["strings"]
    rated = sco.ratings(data)
    sco.rate(frame, rated)
    content = [p["id"] for p in data["pages"] if p["kind"] == "content"]
    for _ in [*content, "assessment"]:
        frame.click('[data-action="next"]')
    assert sco.visible_pages(frame) == ["assessment"]
    questions = sco.drawn(frame, a)
    assert len(questions) == len(a["questions"]) == 2

    frame.click('[data-action="submit"]')  # nothing answered: refused, nothing recorded
    error = frame.locator("[data-assessment] [data-form-error]")
    assert error.is_visible() and error.inner_text() == strings["answer_all"].format(numbers="1, 2")
    ids = [c["args"][1] for c in sco.calls(page) if c["name"].endswith("SetValue") and c["args"][0].endswith(".id")]
    assert ids == [r.statement["lmsId"] for r in rated]  # the self-assessment's likert interactions only

    attempts = []
    for attempt in (1, 2):
        answers, score = sco.plan(questions, a["passMark"], passing=False)
        sco.answer_and_submit(frame, answers)
        attempts.append(answers)
        text = result_text(frame)
        assert strings["submitted"] in text and strings["failed"] in text
        assert "%" not in text  # feedback: none shows no score
        assert frame.locator("[data-feedback]:visible").count() == 0
        if attempt == 1:
            assert strings["attempts_left"].format(n=1) in text
            frame.click('[data-action="retry"]')
    assert strings["no_attempts_left"] in result_text(frame)
    assert frame.locator('[data-action="retry"]').is_hidden()
    assert frame.locator('[data-action="submit"]').is_hidden()
    frame.click('[data-action="exit"]')

    sco.check_calls(sco.calls(page), fmt, pages_shown=len(content) + 2, submissions=1 + len(attempts))
    cmi = sco.lms_cmi(page, fmt)
    sco.check_interactions(cmi, fmt, [rated, *attempts])
    assert sco.status(cmi, fmt) == (("failed", "0") if fmt == "scorm12" else ("completed", "failed", "0"))

    frame = sco.launch(page, server, package, fmt, cmi=sco.resume_cmi(cmi, fmt), entry="resume")
    assert sco.visible_pages(frame) == ["assessment"]
    assert strings["no_attempts_left"] in result_text(frame)
    assert frame.locator('[data-action="retry"]').is_hidden()


def displayed(frame) -> list[str]:
    """Page sections the current media shows (print CSS ignores `hidden` for the CPD record)."""
    return frame.eval_on_selector_all(
        ".el-page", "ss => ss.filter(s => getComputedStyle(s).display !== 'none').map(s => s.dataset.pageId)")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_question_type_retake_and_print(page, server, variants, fmt):
    """Banks with a case, a draw and a transcript; every type answered wrong then right; interactions
    exactly as the contract says; the self-assessment retaken from the CPD record, which is printed."""
    package = f"runtime-variants-types-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    a, strings = data["assessment"], data["strings"]
    first_rating = sco.ratings(data, seed=2)
    sco.rate(frame, first_rating)
    first_profile = sco.check_gap_profile(frame, data, first_rating)
    content = [p["id"] for p in data["pages"] if p["kind"] == "content"]
    for _ in [*content, "assessment"]:
        frame.click('[data-action="next"]')

    # Banks: the case and the transcript head their questions; one of the two sequences is drawn.
    case = frame.locator('[data-bank-id="case-sam"]')
    assert case.locator("h2").inner_text() == "Case study: Sam" and "six months" in case.locator(".el-case").inner_text()
    orders = frame.locator('[data-bank-id="orders"] .el-question:visible').evaluate_all("qs => qs.map(q => q.dataset.questionId)")
    assert len(orders) == 1 and orders[0] in ("t-order-kolb", "t-order-gibbs")
    assert frame.locator('[data-bank-id="transcript"] h2').is_visible()
    drawn = sco.drawn(frame, a)
    assert {q["type"] for q in drawn} == {"choice", "multiple-response", "true-false", "matching", "sequencing",
                                          "fill-in", "long-fill-in"}
    for q in drawn:  # options never listed in the answer's order
        box = frame.locator(f'[data-question-id="{q["id"]}"]')
        if q["type"] == "sequencing":
            listed = box.locator('select[data-position="0"] option').evaluate_all("os => os.map(o => o.value).filter(Boolean)")
            assert sorted(listed) == sorted(q["correct"]) and listed != q["correct"]
        if q["type"] == "matching":
            listed = box.locator("select").first.locator("option").evaluate_all("os => os.map(o => o.value).filter(Boolean)")
            assert sorted(listed) == sorted(t["id"] for t in q["targets"]) and listed != [t["id"] for t in q["targets"]]
    written = next(q for q in drawn if q["type"] == "long-fill-in")
    count = frame.locator(f'[data-question-id="{written["id"]}"] [data-char-count]')
    assert count.inner_text() == strings["characters_used"].format(n=0, max=written["maxLength"])

    wrong, score = sco.plan(drawn, a["passMark"], passing=False)
    sco.answer_and_submit(frame, wrong)
    assert score == 0 and strings["written_awaiting"] in result_text(frame)
    assert count.inner_text() == strings["characters_used"].format(n=len(sco.WRITTEN), max=written["maxLength"])
    verdicts = frame.locator(".el-question:visible").evaluate_all("qs => qs.map(q => q.dataset.result)")
    assert verdicts == ["review" if q["type"] == "long-fill-in" else "incorrect" for q in drawn]
    assert frame.locator('.el-question:visible [data-feedback="review"]:visible').count() == 1
    frame.click('[data-action="retry"]')
    drawn2 = sco.drawn(frame, a)
    right, score = sco.plan(drawn2, 100, passing=True)
    assert all(x.correct in (True, None) for x in right)
    sco.answer_and_submit(frame, right)
    assert score == 100 and strings["passed"] in result_text(frame)
    verdicts = frame.locator(".el-question:visible").evaluate_all("qs => qs.map(q => q.dataset.result)")
    assert verdicts == ["review" if q["type"] == "long-fill-in" else "correct" for q in drawn2]

    # The CPD record offers a retake: an empty form; the new ratings become the latest.
    frame.click('[data-action="next"]')
    assert sco.visible_pages(frame) == ["cpd-record"]
    frame.click('[data-action="retake-self-assessment"]')
    assert sco.visible_pages(frame) == ["self-assessment"]
    assert frame.locator("[data-sa-retaking]").is_visible() and frame.locator("[data-gap-profile]").is_hidden()
    assert frame.locator("[data-self-assessment] input:checked").count() == 0
    latest_rating = sco.ratings(data, seed=0)
    sco.rate(frame, latest_rating)
    latest_profile = sco.check_gap_profile(frame, data, latest_rating)
    sco.go(frame, "cpd-record")
    record = frame.locator("[data-cpd-record]")
    assert record.locator('[data-cpd="sa-status"]').inner_text() == strings["cpd_sa_twice"]
    for before, after in zip(first_profile, latest_profile):
        row = record.locator(f'tr[data-area="{before["id"]}"]')
        gap = f'{after["gap"]:.1f}' if after["is_gap"] else strings["gap_none"]
        assert [row.locator(f'[data-cell="{c}"]').inner_text() for c in ("first", "latest", "gap")] == [
            f'{before["score"]:.1f}', f'{after["score"]:.1f}', gap]
    assert record.locator(".el-written-text").all_inner_texts() == [sco.WRITTEN]

    # Print: the button prints, and print media shows the record alone, from any page.
    frame.evaluate("() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }")
    frame.click('[data-action="print"]')
    assert frame.evaluate("window.__printed") == 1
    sco.go(frame, "assessment")
    page.emulate_media(media="print")
    assert displayed(frame) == ["cpd-record"]
    assert frame.locator(".el-toc").is_hidden() and frame.locator('[data-action="print"]').is_hidden()
    page.emulate_media(media="screen")
    assert displayed(frame) == ["assessment"]
    frame.click('[data-action="exit"]')

    made = sco.check_calls(sco.calls(page), fmt, pages_shown=len(content) + 7, submissions=4)
    cmi = sco.lms_cmi(page, fmt)
    n = sco.check_interactions(cmi, fmt, [first_rating, wrong, right, latest_rating])
    if fmt == "scorm12":
        assert sco.status(cmi, fmt) == ("passed", "100")
        assert cmi["comments"] == "\n".join(f'[{x.question["id"]}] {x.response}' for x in wrong + right
                                            if x.question["type"] == "long-fill-in")
    else:
        assert sco.status(cmi, fmt) == ("completed", "passed", "100")
    saved = json.loads(cmi["suspend_data"])
    digits = lambda rated: "".join(str(r.point) for r in rated)  # noqa: E731
    assert saved["s"] == {"b": digits(first_rating), "l": digits(latest_rating)}
    assert saved["h"] == data["fingerprint"] and saved["v"] == 2
    print(f"{package}: {n} interactions ({len(first_rating) * 2} likert); {made['calls']} API calls, all "
          f"GetLastError 0; {made['commits']} commits; suspend data {len(cmi['suspend_data'])} characters")


def old_state(data: dict, fmt: str, suspend_data: str, location: str) -> dict:
    """What an LMS holds from an earlier session: a passed, completed learner."""
    if fmt == "scorm12":
        return {"core": {"lesson_status": "passed", "lesson_location": location,
                         "score": {"raw": "90", "min": "0", "max": "100"}}, "suspend_data": suspend_data}
    return {"completion_status": "completed", "success_status": "passed", "location": location,
            "score": {"scaled": "0.9", "raw": "90", "min": "0", "max": "100"}, "suspend_data": suspend_data}


@pytest.mark.parametrize("kind,fmt", [("other fingerprint", "scorm12"), ("unreadable", "scorm2004")])
def test_state_of_another_version_restarts_cleanly(page, server, variants, fmt, kind):
    package = f"runtime-variants-types-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    frame.click('[data-action="exit"]')
    suspend = {"other fingerprint": json.dumps({"v": 2, "h": "0badf00d", "p": "f", "s": {"b": "44444"},
                                                "a": {"n": 1, "d": [0, 1], "r": [[0], [1]], "s": 50}}),
               "version 1": json.dumps({"v": 1, "p": [0, 1, 2], "a": {"n": 1, "s": 50, "r": [[0]]}}),
               "unreadable": "{not json"}[kind]
    frame = sco.launch(page, server, package, fmt, cmi=old_state(data, fmt, suspend, "assessment"), entry="resume")
    assert sco.visible_pages(frame) == [data["pages"][0]["id"]]  # from the start, not the bookmark
    notice = frame.locator("[data-state-notice]")
    assert notice.is_visible() and notice.inner_text() == data["strings"]["state_reset"]
    assert frame.locator("[data-self-assessment]").is_visible()  # nothing of the old state is used
    sco.go(frame, "assessment")
    assert frame.locator("[data-assessment-result]").inner_text().strip() == ""
    assert frame.locator("[data-assessment] input:checked").count() == 0
    frame.click('[data-action="exit"]')
    sco.check_calls(sco.calls(page), fmt, pages_shown=2)
    cmi = sco.lms_cmi(page, fmt)
    saved = json.loads(cmi["suspend_data"])
    assert saved["v"] == 2 and saved["h"] == data["fingerprint"] and saved["a"]["n"] == 0
    # What the LMS had recorded stays: a restarted state does not take back a pass.
    assert sco.status(cmi, fmt) == (("passed", "90") if fmt == "scorm12" else ("completed", "passed", "90"))


@pytest.mark.parametrize("fmt", ["scorm2004"])  # the bookmark read in both editions: tests/js/scorm-adapters.test.js
def test_bookmark_to_a_page_that_no_longer_exists_opens_the_first_page(page, server, variants, fmt):
    package = f"runtime-variants-types-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    frame.click('[data-action="exit"]')
    digits = "".join(str(r.point) for r in sco.ratings(data, seed=1))
    suspend = json.dumps({"v": 2, "h": data["fingerprint"], "p": "1", "s": {"b": digits}, "a": {"n": 0}})
    cmi = {"core": {"lesson_location": "a-page-since-removed"}, "suspend_data": suspend} if fmt == "scorm12" else \
        {"location": "a-page-since-removed", "suspend_data": suspend}
    frame = sco.launch(page, server, package, fmt, cmi=cmi, entry="resume")
    assert sco.visible_pages(frame) == [data["pages"][0]["id"]]
    assert frame.locator("[data-state-notice]").is_hidden()
    sco.check_gap_profile(frame, data, sco.ratings(data, seed=1))  # the state itself is kept
    first_content = next(p["id"] for p in data["pages"] if p["kind"] == "content")
    assert frame.locator(f'[data-nav-page="{first_content}"]').get_attribute("data-visited") == ""
