"""Faults of the LMS, in Debian Chromium against scorm-again (issue 7): SetValue and Commit refused with
SCORM error codes for a while, Commit alone refused, the API gone mid-session, and the tab closed while an
asynchronous commit is on its way. In each, the learner is told in the status line (role=status), their
work waits in the browser (the backup of elearn-save.js), and the LMS ends with every answer (counted
interaction by interaction), the bookmark and the status. Refused calls never reach scorm-again
(faults.py), so what the LMS holds is what it accepted; ``faults.committed`` is what it had at its last
successful commit, the data a relaunch gets."""
from __future__ import annotations

import json
import time

import faults
import pytest
import sco
from xapi_session import new_tab

# Each fault runs here in one edition, the page and its status line being the same in both: tests/js/save.test.js
# gives every fault to elearn-save.js and both adapters against scorm-again wrapped as faults.py wraps it.
PACKAGE = "runtime-variants-types-{}"
REFUSALS = {"scorm12": {"set": "101", "commit": "301"}, "scorm2004": {"set": "351", "commit": "391"}}
"""Error codes the LMS gives: 1.2 general exception and not initialised; 2004 general set and commit failures."""


def wait_status(frame, text: str, timeout: float = 45_000) -> None:
    frame.wait_for_function("t => document.querySelector('[data-status]').textContent === t", arg=text,
                            timeout=timeout)


def told(frame, text: str, level: str) -> None:
    """The status line shows ``text`` to everyone: visible, role=status (read out politely), its level."""
    assert faults.status_line(frame) == (text, "status", level)
    assert frame.locator("[data-status]").is_visible()


def content_pages(data: dict) -> list[str]:
    return [p["id"] for p in data["pages"] if p["kind"] == "content"]


def interactions(cmi: dict | None) -> int:
    return len((cmi or {}).get("interactions") or {})


def expected_status(fmt: str, passed: bool, score: int) -> tuple:
    verdict = "passed" if passed else "failed"
    return (verdict, str(score)) if fmt == "scorm12" else ("completed", verdict, str(score))


def first_attempt(frame, data) -> tuple[list, list, int]:
    """The self-assessment, every content page, then a failed attempt; returns (ratings, answers, score)."""
    rated = sco.ratings(data, seed=2)
    sco.rate(frame, rated)
    for page_id in content_pages(data) + ["assessment"]:
        sco.go(frame, page_id)
    a = data["assessment"]
    answers, score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
    sco.answer_and_submit(frame, answers)
    return rated, answers, score


def passing_attempt_and_exit(frame, data) -> tuple[list, int]:
    a = data["assessment"]
    frame.click('[data-action="retry"]')
    answers, score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=True)
    sco.answer_and_submit(frame, answers)
    frame.locator('[data-action="exit"]').first.click()
    return answers, score


@pytest.mark.parametrize("fmt", ["scorm2004"])  # the other edition: tests/js/save.test.js
def test_lms_refusing_writes_and_commits_for_a_while_then_recovering(page, server, variants, fmt, record_property):
    package = PACKAGE.format(fmt)
    frame = faults.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    strings = data["strings"]
    before = faults.committed(page)  # the first page, shown before the fault
    faults.fault(page, **REFUSALS[fmt])
    rated, failing, fail_score = first_attempt(frame, data)
    told(frame, strings["save_failed"], "warning")
    assert faults.committed(page) == before and interactions(sco.lms_cmi(page, fmt)) == 0  # nothing got through
    assert sco.bookmark(page, fmt) == "self-assessment"
    kept = faults.backup(frame)
    assert len(kept["interactions"]) == len(rated) + len(failing)
    assert kept["want"]["setLocation"] == ["assessment"]
    refused = faults.refused(page)
    assert {c["code"] for c in refused} <= set(REFUSALS[fmt].values()) and refused

    faults.fault(page, set=None, commit=None)
    back = time.monotonic()
    wait_status(frame, strings["save_recovered"])  # the runtime's own retry: the learner does nothing
    waited = time.monotonic() - back
    cmi = faults.committed(page)
    assert sco.check_interactions(cmi, fmt, [rated, failing]) == len(rated) + len(failing)
    assert sco.bookmark(page, fmt) == "assessment"
    assert sco.status(cmi, fmt) == expected_status(fmt, False, fail_score)
    assert cmi["suspend_data"] == kept["want"]["setSuspendData"][0]

    passing, score = passing_attempt_and_exit(frame, data)
    told(frame, strings["saved_exit"], "info")
    final = faults.committed(page)
    count = sco.check_interactions(final, fmt, [rated, failing, passing])
    assert sco.status(final, fmt) == expected_status(fmt, True, score)
    assert (final["core"]["lesson_location"] if fmt == "scorm12" else final["location"]) == "assessment"
    record_property("answers kept during the outage", len(rated) + len(failing))
    record_property("interactions in the LMS at the end", count)
    record_property("calls refused", len(refused))
    record_property("seconds from recovery to saved", round(waited, 1))
    print(f"{package}: {len(rated)}+{len(failing)} answers made while the LMS refused ({len(refused)} calls refused), "
          f"all in the LMS {waited:.1f} s after it recovered; {count} interactions at exit")


@pytest.mark.parametrize("fmt", ["scorm12"])  # the other edition: tests/js/save.test.js
def test_commit_failing_is_retried_and_then_commits_as_usual(page, server, variants, fmt, record_property):
    package = PACKAGE.format(fmt)
    frame = faults.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    strings = data["strings"]
    before = faults.committed(page)  # the first page, shown before the fault
    faults.fault(page, commit=REFUSALS[fmt]["commit"])
    rated = sco.ratings(data, seed=3)
    sco.rate(frame, rated)
    pages = content_pages(data)
    sco.go(frame, pages[0])
    told(frame, strings["save_failed"], "warning")
    assert faults.committed(page) == before  # the LMS has persisted nothing since
    page.wait_for_function("name => window.__refused.filter((c) => c.name === name).length >= 3", arg=sco.COMMIT[fmt],
                           timeout=10_000)  # the runtime's own retry (2 s after) is refused too
    refused = [c for c in faults.refused(page) if c["name"] == sco.COMMIT[fmt]]
    assert len(refused) >= 3

    faults.fault(page, commit=None)
    wait_status(frame, strings["save_recovered"])
    cmi = faults.committed(page)
    assert sco.check_interactions(cmi, fmt, [rated]) == len(rated)
    assert sco.bookmark(page, fmt) == pages[0]
    shown = 2
    for page_id in pages[1:] + ["assessment"]:
        sco.go(frame, page_id)
        shown += 1
    a = data["assessment"]
    answers, score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=True)
    sco.answer_and_submit(frame, answers)
    frame.locator('[data-action="exit"]').first.click()
    # Every call that reached the LMS succeeded, initialise first and finish last, and no more commits than
    # one per page shown, per submission and at exit (the retry that succeeded among them).
    counts = sco.check_calls(sco.calls(page), fmt, pages_shown=shown, submissions=2)
    final = faults.committed(page)
    assert sco.check_interactions(final, fmt, [rated, answers]) == len(rated) + len(answers)
    assert sco.status(final, fmt) == expected_status(fmt, True, score)
    record_property("commits refused", len(refused))
    record_property("commits once it worked", counts["commits"])
    print(f"{package}: {len(refused)} commits refused, then {counts['commits']} commits for {shown} pages, "
          f"2 submissions and exit; {len(rated) + len(answers)} interactions")


@pytest.mark.parametrize("fmt", ["scorm2004"])  # the other edition: tests/js/save.test.js
def test_lms_api_gone_mid_session_then_relaunched(page, server, variants, fmt, record_property):
    package = PACKAGE.format(fmt)
    frame = faults.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    strings = data["strings"]
    rated = sco.ratings(data, seed=1)
    sco.rate(frame, rated)
    before = faults.committed(page)
    assert sco.check_interactions(before, fmt, [rated]) == len(rated)

    faults.fault(page, gone=True)  # every method throws, and window.API / API_1484_11 is gone
    pages = content_pages(data)
    for page_id in pages + ["assessment"]:
        sco.go(frame, page_id)
    a = data["assessment"]
    failing, fail_score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
    sco.answer_and_submit(frame, failing)
    told(frame, strings["save_failed"], "warning")
    frame.locator('[data-action="exit"]').first.click()
    told(frame, strings["exit_pending"], "warning")  # exit waits for the LMS, and says why
    assert faults.committed(page) == before
    kept = faults.backup(frame)
    assert len(kept["interactions"]) == len(rated) + len(failing)

    # The next launch, with an LMS that works and has what it kept: the backup is restored and written.
    frame = faults.launch(page, server, package, fmt, cmi=sco.resume_cmi(before, fmt), entry="resume")
    assert sco.visible_pages(frame) == ["assessment"]
    wait_status(frame, strings["save_restored"], timeout=10_000)
    cmi = faults.committed(page)
    assert sco.check_interactions(cmi, fmt, [rated, failing]) == len(rated) + len(failing)
    assert sco.status(cmi, fmt) == expected_status(fmt, False, fail_score)
    assert sco.bookmark(page, fmt) == "assessment"
    assert frame.locator("[data-nav-page][data-visited]").count() == len(data["pages"]) - 1  # all but the record
    passing, score = passing_attempt_and_exit(frame, data)
    final = faults.committed(page)
    count = sco.check_interactions(final, fmt, [rated, failing, passing])
    assert sco.status(final, fmt) == expected_status(fmt, True, score)
    record_property("answers made while the API was gone", len(failing))
    record_property("interactions in the LMS at the end", count)
    print(f"{package}: API gone after {len(rated)} ratings; {len(pages) + 1} pages and {len(failing)} answers kept "
          f"in the browser and written at the next launch; {count} interactions at the end")


@pytest.mark.parametrize("fmt", ["scorm12"])  # the other edition: tests/js/save.test.js
def test_a_new_attempt_does_not_bring_back_the_last_one(page, server, variants, fmt):
    """The backup restores only work the LMS is behind on: a new attempt (ab-initio, nothing saved) after
    a session the LMS took whole starts afresh."""
    package = PACKAGE.format(fmt)
    frame = faults.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    sco.rate(frame, sco.ratings(data))
    sco.go(frame, content_pages(data)[0])
    frame.locator('[data-action="exit"]').first.click()
    told(frame, data["strings"]["saved_exit"], "info")
    assert faults.backup(frame)["confirmed"] is True

    frame = faults.launch(page, server, package, fmt)  # the LMS starts a new attempt
    assert sco.visible_pages(frame) == ["self-assessment"]
    assert frame.locator("[data-gap-profile]").is_hidden()
    frame.locator('[data-action="exit"]').first.click()
    assert interactions(faults.committed(page)) == 0


COMMIT_URL = "/lms/commit"


@pytest.mark.parametrize("fmt", ["scorm2004"])  # the other edition: tests/js/save.test.js
def test_tab_closed_while_a_commit_is_on_its_way(learner_context, server, variants, fmt, record_property):
    """scorm-again with asynchronous commits (Commit answers at once, the data goes by HTTP): the commits of
    the last pages and of the submission are held on their way when the tab closes (pagehide runs the exit),
    so the LMS keeps an older state; the next launch reconciles it with the backup."""
    package = PACKAGE.format(fmt)
    held: list = []
    arrived: list[dict] = []

    def lms_server(route):
        if hold:
            held.append(route)  # never answered: still on its way when the tab closes
            return
        arrived.append(json.loads(route.request.post_data))
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"result": True, "errorCode": 0}))

    settings = {"lmsCommitUrl": f"{server}{COMMIT_URL}", "useAsynchronousCommits": True}
    hold = False
    tab = new_tab(learner_context)
    tab.route(lambda url: url.endswith(COMMIT_URL), lms_server)
    frame = faults.launch(tab, server, package, fmt, settings=settings)
    data = sco.course_data(frame)
    rated = sco.ratings(data, seed=4)
    sco.rate(frame, rated)
    pages = content_pages(data)
    sco.go(frame, pages[0])
    tab.wait_for_function("() => true")
    assert arrived, "no commit reached the LMS"
    hold = True
    for page_id in pages[1:] + ["assessment"]:
        sco.go(frame, page_id)
    a = data["assessment"]
    failing, fail_score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
    sco.answer_and_submit(frame, failing)
    assert held, "no commit was on its way"
    tab.close()  # pagehide: the exit's commit and finish are held too
    lms_had = arrived[-1]["cmi"]  # what the LMS kept: the last commit that arrived
    assert interactions(lms_had) == len(rated)

    hold = False
    tab = new_tab(learner_context)
    tab.route(lambda url: url.endswith(COMMIT_URL), lms_server)
    frame = faults.launch(tab, server, package, fmt, cmi=sco.resume_cmi(lms_had, fmt), entry="resume",
                          settings=settings)
    assert sco.visible_pages(frame) == ["assessment"]
    wait_status(frame, data["strings"]["save_restored"], timeout=10_000)
    cmi = sco.lms_cmi(tab, fmt)
    assert sco.check_interactions(cmi, fmt, [rated, failing]) == len(rated) + len(failing)
    assert sco.status(cmi, fmt) == expected_status(fmt, False, fail_score)
    assert sco.bookmark(tab, fmt) == "assessment"
    record_property("commits held when the tab closed", len(held))
    record_property("interactions the LMS had / has after the relaunch", f"{len(rated)} / {interactions(cmi)}")
    print(f"{package}: {len(held)} commits on their way at close; the LMS had {len(rated)} interactions and the "
          f"bookmark {pages[0]!r}; after the relaunch {interactions(cmi)} and 'assessment'")
