"""Issue 16 in one SCORM 2004 package under scorm-again (course-variants, stage "valid"): options in a
new order each attempt and the same order after resume, the same option ids in the interaction
whatever the order, a word limit that refuses three words, partial credit and an accepted other
order, the module to revisit instead of the key after a failed attempt, and the learner's check of a
written answer against its criteria, recorded and kept across resume."""
from __future__ import annotations

import sco

from elearn_builder.standards.lmsids import lms_id

FMT = "scorm2004"
PACKAGE = f"runtime-variants-valid-{FMT}"


def shown(frame, qid: str) -> list[str]:
    """The option ids of a question in the order on screen."""
    return frame.locator(f'[data-question-id="{qid}"] input').evaluate_all("xs => xs.map(x => x.value)")


def orders(frame) -> dict[str, list[str]]:
    return {qid: shown(frame, qid) for qid in ("v-choice", "v-multi", "v-fixed")}


def relaunch(page, server, frame, pages: int = 1, submissions: int = 0):
    """Exit (every API call of the session answered with error 0) and launch again."""
    frame.click('[data-action="exit"]')
    sco.check_calls(sco.calls(page), FMT, pages_shown=pages, submissions=submissions)
    return sco.launch(page, server, PACKAGE, FMT, cmi=sco.resume_cmi(sco.lms_cmi(page, FMT), FMT), entry="resume")


def answer(frame, picks: dict) -> None:
    for qid, value in picks.items():
        box = frame.locator(f'[data-question-id="{qid}"]')
        if qid in ("v-choice", "v-fixed"):
            box.locator(f'input[value="{value}"]').check()
        elif qid == "v-multi":
            for x in box.locator("input").all():
                x.set_checked(x.get_attribute("value") in value)
        elif qid == "v-match":
            for source, target in value.items():
                box.locator(f'select[data-source="{source}"]').select_option(target)
        elif qid == "v-order":
            for position, item in enumerate(value):
                box.locator(f'select[data-position="{position}"]').select_option(item)
        else:
            box.locator("[data-text]").fill(value)


def interactions(page) -> list[dict]:
    recorded = sco.lms_cmi(page, FMT)["interactions"]
    return [recorded[k] for k in sorted(recorded, key=int)]


def test_options_feedback_credit_and_criteria(page, server, variants):
    frame = sco.launch(page, server, PACKAGE, FMT)
    data = sco.course_data(frame)
    strings = {k: v for k, v in data["strings"].items()}
    authored = {q["id"]: [c["id"] for c in q.get("choices", [])] for q in data["assessment"]["questions"]}
    sco.go(frame, "assessment")
    first = orders(frame)
    assert all(sorted(first[q]) == sorted(authored[q]) for q in first)
    assert first["v-fixed"] == authored["v-fixed"]  # shuffle: false
    assert frame.locator('[data-criteria-for="v-write"]').is_hidden()  # only after submitting

    frame = relaunch(page, server, frame, pages=2)  # the self-assessment, then the assessment
    assert sco.visible_pages(frame) == ["assessment"] and orders(frame) == first

    # Three words where two are allowed: refused, and the learner is told.
    hint = frame.locator('[data-question-id="v-words"] .el-hint').inner_text()
    assert strings["words_hint"].format(max=2) in hint
    answer(frame, {"v-choice": "reflection", "v-multi": ["values", "rota"], "v-fixed": "very",
                   "v-match": {"one": "well", "two": "missed", "three": "well"},
                   "v-order": ["checkin", "actions", "learning", "cases"],
                   "v-words": "The case record", "v-write": "I would start with the visit."})
    frame.click('[data-action="submit"]')
    refusal = frame.locator("[data-assessment] [data-form-error]")
    assert refusal.inner_text() == strings["too_many_words"].format(number=6, max=2, n=3)
    assert interactions(page) == []
    answer(frame, {"v-words": "Case record.", "v-multi": ["values"]})
    frame.click('[data-action="submit"]')

    # Credit: choice 0, multi 1/2, fixed 1, match 2/3, the accepted other order 1, typed 1: 25/6 of 6.
    result = frame.locator("[data-assessment-result]").inner_text()
    assert strings["score"].format(score=69, pass_mark=100) in result and strings["failed"] in result
    assert strings["written_to_review"].format(number=7) in result
    assert strings["revisit_summary"].format(modules="The only module; The framework") in result
    verdicts = frame.locator(".el-question").evaluate_all("qs => qs.map(q => q.dataset.result)")
    assert verdicts == ["revisit", "revisit", "correct", "revisit", "correct", "correct", "review"]
    choice = frame.locator('[data-question-id="v-choice"]')
    assert choice.locator('[data-feedback="incorrect"]').is_hidden()  # it names the key
    pointer = choice.locator('[data-feedback="revisit"]')
    assert pointer.is_visible() and pointer.locator("a").inner_text() == "The only module"
    assert orders(frame) == first  # marked in the order answered

    # The interactions name options by id, in the authored order, whatever the order on screen.
    by_id = {i["id"]: i for i in interactions(page)}  # the LMS's ids: lms_id(author id), [A-Za-z0-9_.]
    by_id = {author: by_id[lms_id(author)] for author in ("v-choice", "v-multi", "v-order", "v-match", "v-words")}
    assert by_id["v-choice"]["learner_response"] == "reflection"
    assert by_id["v-multi"]["learner_response"] == "values"
    assert by_id["v-order"]["result"] == "correct" and by_id["v-match"]["result"] == "incorrect"
    assert by_id["v-words"]["result"] == "correct"

    # The written answer checked against its criteria: recorded once, never scored, kept on resume.
    check = frame.locator('[data-criteria-for="v-write"]')
    assert check.is_visible()
    check.locator('input[value="c1"]').check()
    check.locator('input[value="c3"]').check()
    check.locator('[data-action="check-criteria"]').click()
    recorded = strings["criteria_recorded"].format(n=2, total=3)
    assert check.locator("[data-criteria-result]").inner_text() == recorded
    last = interactions(page)[-1]
    assert (last["id"], last["type"], last["learner_response"], last["result"]) == \
        (lms_id("v-write-criteria"), "choice", "c1[,]c3", "neutral")
    assert last["correct_responses"]["0"]["pattern"] == "c1[,]c2[,]c3"

    frame = relaunch(page, server, frame, submissions=2)  # the check commits at once, like a submission
    check = frame.locator('[data-criteria-for="v-write"]')
    assert check.locator("[data-criteria-result]").inner_text() == recorded
    assert check.locator("input:checked").evaluate_all("xs => xs.map(x => x.value)") == ["c1", "c3"]
    assert check.locator('[data-action="check-criteria"]').is_hidden() and orders(frame) == first

    # A new attempt: a new order (6! and 5! orders: the same for both by chance once in 86,400).
    frame.click('[data-action="retry"]')
    second = orders(frame)
    assert second["v-fixed"] == authored["v-fixed"]
    assert (second["v-choice"], second["v-multi"]) != (first["v-choice"], first["v-multi"])
    frame = relaunch(page, server, frame)
    assert orders(frame) == second
    answer(frame, {"v-choice": "experience", "v-multi": ["values", "diversity"], "v-fixed": "very",
                   "v-match": {"one": "well", "two": "missed", "three": "rushed"},
                   "v-order": ["checkin", "actions", "cases", "learning"], "v-words": "case  RECORD",
                   "v-write": "Again."})
    frame.click('[data-action="submit"]')
    result = frame.locator("[data-assessment-result]").inner_text()
    assert strings["score"].format(score=100, pass_mark=100) in result and strings["passed"] in result
    multi = [i for i in interactions(page) if i["id"] == lms_id("v-multi")]
    assert [i["learner_response"] for i in multi] == ["values", "values[,]diversity"]
