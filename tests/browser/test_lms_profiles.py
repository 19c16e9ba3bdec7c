"""Three learner sessions under each LMS profile (lms_profiles.py: Moodle, scormhost, wagtail-lms, the Open edX
XBlock), both SCORM editions, in Debian Chromium (issue 13):

1. rate the self-assessment, read every content page, save and exit;
2. relaunch: back at the bookmark with the ratings kept; fail the assessment, pass it, save and exit;
3. relaunch: back at the CPD record, passed, the attempts used still counted; exit.

Checked in every session: it resumes instead of restarting; every rating and answer reaches the LMS as one
interaction at its own index, none refused, none written twice, none over an earlier session's; GetLastError
only after a call answered "false"; the learner is told "saved" at exit; what the LMS keeps (status, score,
bookmark, suspend data) is what was earned; Moodle's review mode gets no write and no commit."""
from __future__ import annotations

import pytest

import lms_profiles as lp
import sco

STAGE = "experienced-social-worker"  # every question type but fill-in: sequencing, matching, long-fill-in
PACKAGE = "reflective-supervision-{stage}-{fmt}"
CASES = [("moodle", "scorm2004"), ("scormhost", "scorm12"), ("wagtail", "scorm12"), ("xblock", "scorm2004")]
"""Each profile in one edition here (both editions between them; wagtail-lms has only 1.2): tests/js/profiles.test.js
runs every profile in both editions in Node, lms-profiles.js as it is, through the adapters and elearn-save.js: three
sessions, nothing refused, each interaction once at a fresh index, the status kept, Moodle's review writing nothing;
and wagtail-lms's 1.2 object given to 2004 content (no Initialize: no session, nothing reaches it), whose page then runs
standalone as test_standalone_and_access.py's refused Initialize and standalone resume show."""

READ_TO = """async (stop) => {
  for (let shown = 0; ; shown += 1) {
    if (document.querySelector('.el-page:not([hidden])').dataset.pageId === stop) return shown;
    [...document.querySelectorAll('[data-action="next"]')].find((b) => !b.disabled && b.offsetParent).click();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}"""


def status_line(frame) -> str:
    return frame.inner_text("[data-status]").strip()


def exit_saved(frame, strings) -> None:
    frame.locator('[data-action="exit"]').first.click()
    assert status_line(frame) == strings["saved_exit"], "the learner is told their work was saved"


def check_session(made: list[dict], fmt: str, new: range, lacks_finish: bool = False) -> None:
    """This session wrote each of its interactions once, at the indexes ``new`` (after every earlier one), and
    nothing was refused (GetLastError only after a "false" is checked once the three sessions are over); the
    session was ended once (``lacks_finish``: wagtail-lms has no LMSFinish, so no call of it can be seen)."""
    assert lp.refused(made) == [], "calls the LMS refused"
    assert lp.interaction_writes(made) == list(new), "one id write per interaction, at fresh indexes"
    finishes = [c for c in made if c["name"] in (sco.FINISH[fmt], "LMSTerminate")]
    assert len(finishes) == (0 if lacks_finish else 1), "save and exit ends the session, once"


def kept_status(held: dict, fmt: str) -> tuple:
    """(status..., raw score) as the LMS holds them."""
    if fmt == "scorm12":
        return held["core"]["lesson_status"], held["core"]["score"]["raw"]
    return held["completion_status"], held["success_status"], held["score"]["raw"]


@pytest.mark.parametrize("profile,fmt", CASES)
def test_three_sessions(page, server, content, profile, fmt, record_property):
    package = PACKAGE.format(stage=STAGE, fmt=fmt)
    popup = profile == "moodle"  # Moodle's "new window" setting: the API is in the opener
    frame = lp.launch(page, server, package, fmt, profile, popup=popup)
    data = sco.course_data(frame)
    strings, a = data["strings"], data["assessment"]
    contents = [p["id"] for p in data["pages"] if p["kind"] == "content"]
    assert status_line(frame) == strings["lms_connected"]

    # Session 1: rate, read every content page, exit.
    assert sco.visible_pages(frame) == ["self-assessment"]
    rated = sco.ratings(data, seed=5)
    sco.rate(frame, rated)
    sco.check_gap_profile(frame, data, rated)
    shown = 1 + frame.evaluate(READ_TO, contents[-1])
    exit_saved(frame, strings)
    first = lp.calls(page)
    check_session(first, fmt, range(len(rated)), profile == "wagtail")
    store = lp.settle(page)
    held = lp.cmi(store, profile)
    bookmark = held["core"]["lesson_location"] if fmt == "scorm12" else held["location"]
    assert bookmark == contents[-1]
    sco.check_interactions(held, fmt, [rated])

    # Session 2: back at the bookmark with the ratings; fail, pass, exit.
    frame = lp.launch(page, server, package, fmt, profile, stored=store, popup=popup)
    assert sco.visible_pages(frame) == [contents[-1]], "resumed at the bookmark, not restarted"
    assert frame.locator("[data-state-notice]").is_hidden()
    sco.go(frame, "self-assessment")
    sco.check_gap_profile(frame, data, rated)
    sco.go(frame, "assessment")
    failing, fail_score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
    sco.answer_and_submit(frame, failing)
    frame.click('[data-action="retry"]')
    passing, score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=True)
    sco.answer_and_submit(frame, passing)
    assert frame.locator("[data-assessment-result]").get_attribute("data-passed") == "true"
    frame.click('[data-action="next"]')
    assert sco.visible_pages(frame) == ["cpd-record"]
    exit_saved(frame, strings)
    second = lp.calls(page)
    answered = len(failing) + len(passing)
    check_session(second, fmt, range(len(rated), len(rated) + answered), profile == "wagtail")
    store = lp.settle(page)
    held = lp.cmi(store, profile)
    if profile == "xblock":  # only the bookmark and suspend data came back: this session's interactions only
        got = held["interactions"]
        assert sorted(map(int, got)) == list(range(len(rated), len(rated) + answered)), "none over session 1's"
        for n, want in enumerate([x.expected(fmt) for x in failing + passing], start=len(rated)):
            assert {k: got[str(n)][k] for k in want} == want, f"interaction {n}"
    else:
        sco.check_interactions(held, fmt, [rated, failing, passing])
    earned = ("passed", str(score)) if fmt == "scorm12" else ("completed", "passed", str(score))
    assert kept_status(held, fmt) == earned
    state = lp.suspend(held)
    assert (state["a"]["n"], state["a"]["s"]) == (2, score), "attempts used and score in the suspend data"

    # Session 3: back at the record, passed, two attempts used; nothing taken back.
    frame = lp.launch(page, server, package, fmt, profile, stored=store, popup=popup)
    assert sco.visible_pages(frame) == ["cpd-record"], "resumed at the bookmark, not restarted"
    record = frame.locator("[data-cpd-record]")
    assert record.locator('[data-cpd="result"]').inner_text() == strings["cpd_passed"]
    assert record.locator('[data-cpd="score"]').inner_text() == f"{score}%"
    assert record.locator('[data-cpd="attempts"]').inner_text() == strings["cpd_of"].format(n=2, total=a["attempts"])
    sco.go(frame, "assessment")
    assert frame.locator('[data-action="retry"]').is_hidden() and frame.locator('[data-action="submit"]').is_hidden()
    sco.go(frame, "cpd-record")
    exit_saved(frame, strings)
    third = lp.calls(page)
    check_session(third, fmt, range(0), profile == "wagtail")
    review = page.evaluate("window.__mode") == "review"
    writes = [c for c in third if c["name"].endswith(("SetValue", "Commit"))]
    if profile == "moodle":
        assert review, "Moodle relaunches a completed attempt in review mode"
        assert writes == [], "nothing written in review mode"
    after = lp.cmi(lp.settle(page), profile)
    if profile == "xblock":  # it gave "" for the status: the course told it again; the score is not asked for
        assert kept_status({**after, "score": {"raw": str(score)}, "core": {**after.get("core", {}),
                            "score": {"raw": str(score)}}}, fmt) == earned
    else:
        assert kept_status(after, fmt) == earned
    assert lp.suspend(after) == state
    if fmt == "scorm2004":
        assert after.get("progress_measure", "1") == "1"
    assert lp.popup_errors(page) == []
    for made in (first, second, third):
        assert lp.error_calls_without_cause(made) == [], "GetLastError only after a call answered false"
    calls = [len(first), len(second), len(third)]
    record_property("API calls per session", calls)
    print(f"{profile} {package}: {shown}+4+3 pages; {len(rated)}+{answered}+0 interactions, none refused or "
          f"rewritten; {'+'.join(map(str, calls))} API calls; {len(writes)} writes in session 3"
          f"{' (review)' if review else ''}; final {earned}")


@pytest.mark.parametrize("profile,fmt", [("xblock", "scorm2004")])  # scormhost 1.2 too: tests/js/profiles.test.js
def test_attempt_limit_holds_across_launches(page, server, content, profile, fmt):
    """One failed attempt per launch: the counter comes from the suspend data, not from a status the LMS
    reads back as "" (the XBlock) or a count it does not keep, so the last launch has no attempt left."""
    package = PACKAGE.format(stage=STAGE, fmt=fmt)
    store, written = None, 0
    for n in range(1, 4):
        frame = lp.launch(page, server, package, fmt, profile, stored=store)
        data = sco.course_data(frame)
        strings, a = data["strings"], data["assessment"]
        sco.go(frame, "assessment")
        if n > 1:
            assert strings["attempts_left"].format(n=a["attempts"] - n + 1) in frame.inner_text("[data-assessment-result]")
            frame.click('[data-action="retry"]')
        answers, _ = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
        sco.answer_and_submit(frame, answers)
        exit_saved(frame, strings)
        check_session(lp.calls(page), fmt, range(written, written + len(answers)), profile == "wagtail")
        written += len(answers)
        store = lp.settle(page)
    assert a["attempts"] == 3
    frame = lp.launch(page, server, package, fmt, profile, stored=store)
    sco.go(frame, "assessment")
    assert strings["no_attempts_left"] in frame.inner_text("[data-assessment-result]")
    assert frame.locator('[data-action="retry"]').is_hidden() and frame.locator('[data-action="submit"]').is_hidden()
