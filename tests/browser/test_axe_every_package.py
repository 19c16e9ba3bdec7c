"""axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules, and best practice) on every page the programme builds: each of
the three stages in one format (CASES), launched the way its LMS launches it (cmi5 through the test cmi5 LMS, xAPI
with a tincan launch URL, SCORM in the scorm-again host page), walked by one
learner in one browser tab: the self-assessment (empty, refused, answered: the gap profile), every
content page (each shown in turn, then all at once for one axe run), the assessment (unanswered,
refused, marked as failed, passed), the CPD record with two self-assessments, and the course after exit.

axe runs inside the package's own document (the frame the course runs in), not the test LMS around it.
Reduced motion is on, so no page is caught half-way through its fade-in (and the setting is honoured).
"""
from __future__ import annotations

import json

import pytest
import yaml
from sco import (
    answer_and_submit,
    course_data,
    drawn,
    go,
    plan,
    rate,
    ratings,
    visible_pages,
)
from xapi_session import REPO, Learner, new_tab

STAGES = [s["id"] for s in yaml.safe_load((REPO / "content" / "programme.yaml").read_text(encoding="utf-8"))["stages"]]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


class Axe:
    """axe-core loaded into the course's frame; ``check(where)`` runs it on the page as shown."""

    def __init__(self, frame, script):
        self.frame, self.found, self.checked = frame, {}, []
        frame.add_script_tag(path=str(script))

    def check(self, where: str) -> None:
        result = self.frame.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
        self.checked.append(where)
        violations = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                       "targets": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
        if violations:
            self.found[where] = violations


CASES = [("cmi5", STAGES[0]), ("xapi", STAGES[1]), ("scorm2004", STAGES[2])]
"""Every stage once, each in another format: a stage's page and assets are byte-identical in the four formats but for
assets/package.js, the format's settings and adapter (tests/test_runtime_js.py checks it on every build), so axe sees
the same page whatever the format; each launch goes the way its LMS launches it (SCORM 1.2's, like every format's, in
test_xapi_sessions.py)."""
assert {s for _, s in CASES} == set(STAGES)


@pytest.mark.parametrize("fmt,stage", CASES)
def test_every_page_passes_axe(axe_script, xapi_packages, server, fresh_lrs, lms, learner_context, fmt, stage,
                               record_property):
    learner = Learner(fmt, stage, server, fresh_lrs, lms)
    tab = new_tab(learner_context)
    tab.emulate_media(reduced_motion="reduce")
    frame = learner.open(tab)
    data = course_data(frame)
    axe = Axe(frame, axe_script)
    content = [p["id"] for p in data["pages"] if p["kind"] == "content"]
    assessment = data["assessment"]

    assert visible_pages(frame) == ["self-assessment"]
    axe.check("self-assessment")
    frame.click('[data-action="sa-submit"]')
    assert frame.locator("[data-self-assessment] [data-form-error]").is_visible()
    axe.check("self-assessment (refused)")
    rate(frame, ratings(data, seed=2))
    assert frame.locator("#page-self-assessment [data-gap-profile]").is_visible()
    axe.check("gap profile")

    # Every content page shown in turn through the table of contents (one round trip), then all of them at
    # once for one axe run: the same elements, checked in a fraction of the time of 47 runs.
    frame.evaluate("ids => ids.forEach(id => document.querySelector(`[data-nav-page=\"${id}\"]`).click())", content)
    assert visible_pages(frame) == content[-1:]
    assert frame.eval_on_selector_all("[data-nav-page][data-visited]", "ls => ls.map(l => l.dataset.navPage)") == [
        "self-assessment", *content]
    frame.evaluate("ids => ids.forEach(id => { document.getElementById(`page-${id}`).hidden = false; })", content)
    assert visible_pages(frame) == content
    axe.check("every content page")

    go(frame, "assessment")
    axe.check("assessment")
    frame.click('[data-action="submit"]')
    assert frame.locator("[data-assessment] [data-form-error]").is_visible()
    axe.check("assessment (refused)")
    answers, _ = plan(drawn(frame, assessment), assessment["passMark"], passing=False)
    answer_and_submit(frame, answers)
    assert data["strings"]["failed"] in frame.inner_text("[data-assessment-result]")
    axe.check("assessment (failed, with feedback)")
    frame.click('[data-action="retry"]')
    answers, _ = plan(drawn(frame, assessment), assessment["passMark"], passing=True)
    answer_and_submit(frame, answers)
    assert data["strings"]["passed"] in frame.inner_text("[data-assessment-result]")
    axe.check("assessment (passed)")

    go(frame, "cpd-record")
    assert frame.locator('[data-cpd="result"]').inner_text() == data["strings"]["cpd_passed"]
    frame.click('[data-action="retake-self-assessment"]')
    assert frame.locator("[data-self-assessment]").is_visible()
    rate(frame, ratings(data, seed=4))
    go(frame, "cpd-record")
    axe.check("CPD record (two self-assessments)")
    frame.locator('[data-action="exit"]').first.click()
    axe.check("after exit")

    pages = {p["id"] for p in data["pages"]}
    assert pages == {"self-assessment", "assessment", "cpd-record", *content}
    assert len(axe.checked) == 10
    assert not axe.found, json.dumps(axe.found, indent=1)
    record_property("pages_checked", len(pages))
    record_property("axe_runs", len(axe.checked))
