"""A package with no LMS around it, an LMS found through window.opener, and axe-core on the small course's pages
with no LMS: the self-assessment and its gap profile, every question type, and the CPD record."""
from __future__ import annotations

import json
import pytest

import sco

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.mark.parametrize("fmt", ["scorm12"])  # the key and resume in both editions: tests/js/standalone.test.js
def test_standalone_says_so_navigates_and_resumes_from_local_storage(page, server, variants, fmt):
    frame = sco.open_standalone(page, server, f"runtime-variants-quiet-{fmt}")
    data = sco.course_data(frame)
    pages, strings, a = data["pages"], data["strings"], data["assessment"]
    assert frame.evaluate("document.documentElement.dataset.elearnAdapter") == "standalone"
    assert frame.inner_text("[data-status]").strip() == strings["no_lms"]
    assert sco.visible_pages(frame) == [pages[0]["id"]]
    assert frame.locator('[data-action="prev"]').is_disabled()
    frame.click('[data-action="next"]')
    assert sco.visible_pages(frame) == [pages[1]["id"]]
    frame.click('[data-action="prev"]')
    assert sco.visible_pages(frame) == [pages[0]["id"]]
    frame.click('[data-nav-page="assessment"]')
    assert sco.visible_pages(frame) == ["assessment"]
    assert frame.evaluate("document.activeElement.id") == "title-assessment"
    answers, _ = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
    sco.answer_and_submit(frame, answers)
    assert strings["failed"] in frame.inner_text("[data-assessment-result]")

    page.reload()  # pagehide saves; the next visit resumes from localStorage
    page.wait_for_selector("html[data-elearn-adapter]", state="attached")
    assert sco.visible_pages(page.main_frame) == ["assessment"]
    assert strings["failed"] in page.inner_text("[data-assessment-result]")
    assert page.locator('[data-action="retry"]').is_visible()
    # Content pages seen are kept; so is the assessment, being submitted (the self-assessment was not).
    visited = page.eval_on_selector_all("[data-nav-page][data-visited]", "ls => ls.map(l => l.dataset.navPage)")
    assert visited == [pages[1]["id"], "assessment"]
    stored = page.evaluate("Object.keys(localStorage)")
    assert stored == [f"elearn:runtime-variants:quiet:0.1.0:{fmt}"]


@pytest.mark.parametrize("fmt", ["scorm2004"])  # both editions' adapters: tests/js/standalone.test.js
def test_lms_that_refuses_to_initialise_leaves_the_course_standalone(page, server, variants, fmt):
    frame = sco.launch(page, server, f"runtime-variants-quiet-{fmt}", fmt, refuseInitialize=True)
    data = sco.course_data(frame)
    assert frame.evaluate("document.documentElement.dataset.elearnAdapter") == "standalone"
    assert frame.inner_text("[data-status]").strip() == data["strings"]["lms_error"]
    frame.click('[data-action="next"]')
    assert sco.visible_pages(frame) == [data["pages"][1]["id"]]
    frame.click('[data-action="exit"]')
    made = [c["name"] for c in sco.calls(page) if c["error"] is not None]
    assert made == [sco.INITIALIZE[fmt]]  # nothing but the refused Initialize


def test_api_found_through_window_opener(page, server, variants):
    """An LMS that opens the SCO in a new window: discovery goes up from window.opener."""
    page.goto(f"{server}/host/host.html")
    with page.expect_popup() as popup_info:
        page.evaluate("config => startLms(config)", {
            "format": "scorm2004", "sco": "/packages/runtime-variants-quiet-scorm2004/index.html",
            "learner": sco.LEARNER, "entry": "ab-initio", "cmi": None, "window": "popup"})
    popup = popup_info.value
    popup.wait_for_selector("html[data-elearn-adapter]", state="attached")
    assert popup.evaluate("document.documentElement.dataset.elearnAdapter") == "scorm2004"
    popup.click('[data-action="next"]')
    popup.click('[data-action="exit"]')
    sco.check_calls(sco.calls(page), "scorm2004", pages_shown=2)
    assert sco.bookmark(page, "scorm2004") == data_page(popup, 1)


def data_page(frame, index: int) -> str:
    return sco.course_data(frame)["pages"][index]["id"]


# axe over every content page, each stage's assessment, the gap profile and the CPD record of the programme, with the
# same rules (best practice included): test_axe_every_package.py. Here the small course's every question type, and its
# gap profile and record, in a package with no LMS around it.


def test_every_question_type_passes_axe(page, server, variants, axe_script):
    """Every type (banks with a case and a transcript), unanswered, refused, answered and marked."""
    page.emulate_media(reduced_motion="reduce")
    frame = sco.open_standalone(page, server, "runtime-variants-types-scorm2004")
    page.add_script_tag(path=str(axe_script))
    a = sco.course_data(frame)["assessment"]
    page.click('[data-nav-page="assessment"]')
    found = {"assessment": axe(page)}
    page.click('[data-action="submit"]')
    assert page.locator("[data-assessment] [data-form-error]").is_visible()
    found["assessment (refused)"] = axe(page)
    answers, _ = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
    sco.fill(frame, answers)
    found["assessment (answered)"] = axe(page)
    page.click('[data-action="submit"]')
    assert page.locator("[data-feedback]:visible").count() == len(answers)
    found["assessment (marked)"] = axe(page)
    problems = {where: v for where, v in found.items() if v}
    assert not problems, json.dumps(problems, indent=1)


@pytest.mark.parametrize("package", ["runtime-variants-types-scorm12"])
def test_self_assessment_gap_profile_and_cpd_record_pass_axe(page, server, variants, axe_script, package):
    page.emulate_media(reduced_motion="reduce")
    frame = sco.open_standalone(page, server, package)
    page.add_script_tag(path=str(axe_script))
    data = sco.course_data(frame)
    a = data["assessment"]
    found = {"self-assessment": axe(page)}
    page.click('[data-action="sa-submit"]')
    assert page.locator("[data-self-assessment] [data-form-error]").is_visible()
    found["self-assessment (refused)"] = axe(page)
    sco.rate(frame, sco.ratings(data, seed=3))
    sco.check_gap_profile(frame, data, sco.ratings(data, seed=3))
    found["gap profile"] = axe(page)
    page.click('[data-nav-page="assessment"]')
    answers, _ = sco.plan(sco.drawn(frame, a), a["passMark"], passing=True)
    sco.answer_and_submit(frame, answers)
    page.click('[data-nav-page="cpd-record"]')
    assert page.locator('[data-cpd="result"]').inner_text() == data["strings"]["cpd_passed"]
    found["CPD record"] = axe(page)
    page.click('[data-action="retake-self-assessment"]')
    found["self-assessment (retake)"] = axe(page)
    sco.rate(frame, sco.ratings(data, seed=1))
    page.click('[data-nav-page="cpd-record"]')
    found["CPD record (two self-assessments)"] = axe(page)
    problems = {where: v for where, v in found.items() if v}
    assert not problems, json.dumps(problems, indent=1)


def axe(page) -> list[dict]:
    """axe-core's violations on the page as shown: [{id, impact, help, targets}]."""
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
