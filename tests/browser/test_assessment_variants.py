"""The assessment settings the programme may not use, on a small course (course-variants/):
a random draw that survives resume, weights, summary and no feedback, unlimited and used-up attempts."""
from __future__ import annotations

import pytest

import sco

FORMATS = ["scorm12", "scorm2004"]


def result_text(frame) -> str:
    return frame.locator("[data-assessment-result]").inner_text()


def lms_status(cmi: dict, fmt: str):
    if fmt == "scorm12":
        return cmi["core"]["lesson_status"], cmi["core"]["score"]["raw"]
    return cmi["completion_status"], cmi["success_status"], cmi["score"]["raw"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_draw_survives_resume_and_weights_count(page, server, variants, fmt):
    package = f"runtime-variants-drawn-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    a, strings = data["assessment"], data["strings"]
    frame.click('[data-nav-page="assessment"]')  # skip the second content page
    assert sco.visible_pages(frame) == ["assessment"]
    first_draw = sco.drawn(frame, a)
    assert len(first_draw) == a["draw"] == 3
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
    # One content page was never shown, so the course is not complete although the check is passed.
    if fmt == "scorm12":
        assert lms_status(cmi, fmt) == ("incomplete", str(score))
    else:
        assert lms_status(cmi, fmt) == ("incomplete", "passed", str(score))
        assert float(cmi["progress_measure"]) == pytest.approx(2 / 3, abs=1e-4)
        assert float(cmi["score"]["scaled"]) == pytest.approx(score / 100)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_feedback_and_attempts_used_up(page, server, variants, fmt):
    package = f"runtime-variants-quiet-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    a, strings = data["assessment"], data["strings"]
    for _ in data["pages"][1:]:
        frame.click('[data-action="next"]')
    questions = sco.drawn(frame, a)
    assert len(questions) == len(a["questions"]) == 2

    frame.click('[data-action="submit"]')  # nothing answered: refused, nothing recorded
    error = frame.locator("[data-form-error]")
    assert error.is_visible() and error.inner_text() == strings["answer_all"].format(numbers="1, 2")
    assert not any(c["name"].endswith("SetValue") and "interactions" in c["args"][0] for c in sco.calls(page))

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

    sco.check_calls(sco.calls(page), fmt, pages_shown=len(data["pages"]), submissions=len(attempts))
    cmi = sco.lms_cmi(page, fmt)
    sco.check_interactions(cmi, fmt, attempts)
    expected = ("failed", "0") if fmt == "scorm12" else ("completed", "failed", "0")
    assert lms_status(cmi, fmt) == expected

    frame = sco.launch(page, server, package, fmt, cmi=sco.resume_cmi(cmi, fmt), entry="resume")
    assert sco.visible_pages(frame) == ["assessment"]
    assert strings["no_attempts_left"] in result_text(frame)
    assert frame.locator('[data-action="retry"]').is_hidden()
