"""Storage full or disabled, in Debian Chromium with scorm-again and Ralph (issue 7): localStorage.setItem
throwing QuotaExceededError, or any use of localStorage throwing SecurityError (what a browser does when
storage is blocked), from before the page's scripts run. The runtime keeps working without a page error:
the SCORM state still goes to the LMS, the statements wait in memory and are delivered while the page
lives, and when the LMS also refuses, the learner is told that closing the window may lose work."""
from __future__ import annotations

import urllib.parse

import faults
import pytest
import sco
from test_xapi_durability import check_exactly_once
from xapi_session import Learner, Session, new_tab, stored

STAGE = "social-worker"
BLOCKED = {
    "full": ("QuotaExceededError", ("Storage.prototype.setItem = function () {"
                                    " throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };")),
    "disabled": ("SecurityError", ("Object.defineProperty(window, 'localStorage', { configurable: true, get() {"
                                   " throw new DOMException('Access is denied for this document.', 'SecurityError');"
                                   " } });")),
}
TRY_STORAGE = "() => { try { localStorage.setItem('probe', '1'); return 'stored'; } catch (e) { return e.name; } }"


def status_text(frame) -> str:
    return frame.locator("[data-status]").inner_text().strip()


@pytest.mark.parametrize("mode", ["disabled"])  # both modes without a page: tests/js/storage.test.js
def test_scorm_and_statements_without_storage(xapi_packages, server, fresh_lrs, lms, learner_context, mode,
                                              record_property):
    error, script = BLOCKED[mode]
    learner_context.add_init_script(script)
    tab = new_tab(learner_context)
    learner = Learner("scorm2004", STAGE, server, fresh_lrs, lms)
    query = urllib.parse.urlencode({"endpoint": fresh_lrs.endpoint, "auth": fresh_lrs.authorization})
    frame = faults.launch(tab, server, learner.package, "scorm2004", query=f"?{query}")
    frame.wait_for_function("() => window.Elearn && Elearn.active")
    assert frame.evaluate(TRY_STORAGE) == error
    learner.registration = frame.evaluate("Elearn.active.conn.registration")
    expected: list = []
    session = Session(learner, frame, expected)
    strings = session.data["strings"]
    session.started("self-assessment")
    rated = session.self_assess()
    assert status_text(frame) == strings["lms_connected"]  # the LMS keeps everything: nothing to worry about

    faults.fault(tab, commit="391")  # and now the LMS refuses too: the learner must keep the window open
    pages = session.content_pages()
    session.visit(pages[:2])
    assert status_text(frame) == strings["save_failed_volatile"]
    assert frame.locator("[data-status]").get_attribute("role") == "status"
    faults.fault(tab, commit=None)
    frame.wait_for_function("t => document.querySelector('[data-status]').textContent === t",
                            arg=strings["save_recovered"], timeout=45_000)
    session.visit(pages[2:4])
    session.drained()
    session.exit()
    assert status_text(frame) == strings["saved_exit"]
    session.drained()

    got = stored(fresh_lrs, learner.registration)
    check_exactly_once(got, session.made(), expected, learner)
    cmi = faults.committed(tab)
    assert sco.check_interactions(cmi, "scorm2004", [rated]) == len(rated)
    assert cmi["location"] == pages[3]
    record_property("interactions in the LMS", len(rated))
    record_property("statements stored", len(got))
    print(f"storage {mode}: {len(rated)} interactions and the bookmark in the LMS; {len(got)} statements kept in "
          "memory and stored once each")


@pytest.mark.parametrize("mode", BLOCKED)
def test_standalone_without_storage_says_so(page, server, variants, mode):
    error, script = BLOCKED[mode]
    page.context.add_init_script(script)
    frame = sco.open_standalone(page, server, "runtime-variants-types-scorm2004")
    assert frame.evaluate(TRY_STORAGE) == error
    data = sco.course_data(frame)
    assert status_text(frame) == data["strings"]["no_lms_no_storage"]
    sco.go(frame, "assessment")  # still works, for this visit
    assert frame.locator('[data-nav-page="assessment"]').get_attribute("aria-current") == "page"
    frame.locator('[data-action="exit"]').first.click()
    assert status_text(frame) == data["strings"]["exit_no_storage"]  # not "saved"
