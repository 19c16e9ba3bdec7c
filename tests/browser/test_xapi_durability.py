"""Nothing lost, nothing duplicated: statements wait in the browser until the LRS (Ralph) has them.

- The LRS is stopped for a whole session, then started: after the next launch every statement of both
  sessions is stored exactly once (the same ids, the same count), in the order the course data calls for.
- The tab is closed mid-session (pagehide runs: suspended and terminated are made and sent with
  keepalive, and sent again, harmlessly, by the next launch; a cmi5 page sends only what is queued, since
  pagehide may be a reload that carries on the session, and the LMS abandons a session closed for good),
  or the browser is killed (its pagehide
  never runs; simulated by stopping the event before the course hears it, as Chromium's own crash
  URL and CDP's Page.crash are unusable here): after the next launch, every statement made before
  is stored once.
"""
from __future__ import annotations

import pytest
from xapi_session import (
    Learner,
    Session,
    cmi5_problems,
    new_tab,
    problems,
    stored,
    verbs_and_objects,
    whole_session,
)

from elearn_builder.xapi.profile import load_profile

PROFILE = load_profile()
NO_PAGEHIDE = ("addEventListener('pagehide', (event) => { if (window.__killed) event.stopImmediatePropagation(); },"
               " true);")
"""Runs before the page's own scripts, so its listener comes first and can keep the course from hearing pagehide."""
STAGE = "social-worker"


def check_exactly_once(got: list[dict], made: list[str], expected: list, learner) -> None:
    ids = [s["id"] for s in got]
    assert len(ids) == len(set(ids)), "a statement is stored twice"
    assert sorted(ids) == sorted(made), "statements lost or unexpected"
    assert verbs_and_objects(got) == expected
    assert not problems(got, PROFILE)
    if learner.fmt == "cmi5":
        assert not cmi5_problems(got, learner.launches)
        assert not learner.lms.violations


@pytest.mark.parametrize("fmt", ["cmi5"])  # the queue is the same in all: tests/js/queue-delivery.test.js
def test_lrs_down_for_a_whole_session(xapi_packages, server, fresh_lrs, lms, learner_context, fmt, record_property):
    learner = Learner(fmt, STAGE, server, fresh_lrs, lms)
    expected: list = []
    fresh_lrs.stop()
    try:
        tab = new_tab(learner_context)
        first = whole_session(learner, tab, expected)
        made = first.made()
        first.frame.wait_for_function("() => Elearn.active.queue.state() === 'waiting'")  # the exit's sending failed
        assert first.pending() == len(made)  # every statement kept, none acknowledged
        assert first.frame.evaluate("Elearn.active.queue.state()") == "waiting"
        learner.left(tab)
        tab.close()  # pagehide: one more try with keepalive, refused too
    finally:
        fresh_lrs.start()
    assert stored(fresh_lrs, learner.registration) == []

    tab = new_tab(learner_context)
    second = Session(learner, learner.open(tab), expected)
    second.started("assessment", resumed=True)  # the bookmark: where the learner left
    second.exit()
    second.drained()
    got = stored(fresh_lrs, learner.registration)
    check_exactly_once(got, made + second.made(), expected, learner)
    record_property("kept during the outage", len(made))
    record_property("stored", len(got))


@pytest.mark.parametrize("fmt,how", [("cmi5", "close"), ("cmi5", "killed"), ("xapi", "close")])  # tests/js/launch.test.js
def test_tab_gone_mid_session(xapi_packages, server, fresh_lrs, lms, learner_context, fmt, how, record_property):
    learner = Learner(fmt, STAGE, server, fresh_lrs, lms)
    expected: list = []
    learner_context.add_init_script(NO_PAGEHIDE)
    tab = new_tab(learner_context)
    first = Session(learner, learner.open(tab), expected)
    first.started("self-assessment")
    first.self_assess()
    pages = first.content_pages()
    half = len(pages) // 2
    first.visit(pages[:half - 2])
    if how == "killed":  # the last statements are on their way when the tab dies: the LRS never sees them
        first.drained()
        tab.route(lambda url: url.endswith("/xAPI/statements"), lambda route: None)
    first.visit(pages[half - 2:half])
    made = first.made()
    if how == "killed":
        assert first.pending() >= 2
    learner.left(tab)  # what the LMS had committed (SCORM)
    ends_at_close = how == "close" and fmt != "cmi5"  # cmi5: pagehide may be a reload, the session goes on
    if how == "close":
        tab.close()  # pagehide: suspended and terminated, sent with keepalive and kept for the next launch
        if ends_at_close:
            expected += [(first.verbs["suspended"], first.course), (first.verbs["terminated"], first.course)]
    else:
        for frame in tab.frames:
            frame.evaluate("window.__killed = true")
        tab.close()  # as if killed: no pagehide, so no suspended or terminated, and nothing sent at the end

    tab = new_tab(learner_context)
    second = Session(learner, learner.open(tab), expected)
    second.started(pages[half - 1], resumed=True)
    second.visit(pages[half:] + ["assessment"])
    second.attempt(passing=False, completes=True)
    second.attempt(passing=True, retry=True)
    second.exit()
    second.drained()
    got = stored(fresh_lrs, learner.registration)
    at_close = len(got) - len(made) - len(second.made())
    assert at_close == (2 if ends_at_close else 0)
    made_at_close = [s["id"] for s in got if s["id"] not in made and s["id"] not in second.made()]
    check_exactly_once(got, made + made_at_close + second.made(), expected, learner)
    assert second.frame.evaluate("Object.keys(localStorage).filter(k => k.startsWith('elearn-xapi-queue:') "
                                 "&& localStorage.getItem(k) !== '[]')") == []
    record_property("stored", len(got))
