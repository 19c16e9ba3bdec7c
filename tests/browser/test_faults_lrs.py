"""Faults of the LRS, in Debian Chromium against Ralph (issue 7): answers of 500 or 401 for a while, the tab
closed while statements are on their way (Ralph stored them, the answers never came), an answer of success that
names no statement. (A request with no answer within the runtime's 20 s timeout is abandoned and sent again:
tests/js/queue-delivery.test.js; Ralph keeping one copy of what it stored without answering: the tab-closed case.) Faults are injected with playwright's ``route`` on the statements resource
(CORS preflights and, outside a fault, every request go through to the real LRS). In each, the learner is
told in the status line, the statements wait in the browser, and once the LRS works again every statement
made is stored in Ralph exactly once (ids counted), in the order the course data calls for.

cmi5 allows one call to the fetch URL per launch (cmi5 section 8.2.3), so a 401 cannot be answered with a
new token: the statements stay queued ("needs attention", retried with the next statement and every 60 s)
and the learner is told."""
from __future__ import annotations

import pytest
from test_xapi_durability import check_exactly_once
from xapi_session import Learner, Session, new_tab, stored

STAGE = "social-worker"
STATEMENTS = "/xAPI/statements"


class FaultyLrs:
    """A route in front of the statements resource: ``mode`` None passes everything to the LRS; "500" and
    "401" answer with that status (CORS headers included, so the page sees the status); "success" answers
    200 ``{"success": true}`` and stores nothing; "lost" forwards the POST to the LRS, which stores it, and
    never gives the page its answer. ``methods``: the requests faulted (POST; PUT too when set)."""

    def __init__(self, tab, origin: str):
        self.origin, self.mode, self.faulted, self.lost = origin, None, 0, []
        self.methods = ("POST",)  # the requests a fault applies to
        tab.route(lambda url: url.split("?")[0].endswith(STATEMENTS), self.handle)

    def handle(self, route) -> None:
        request = route.request
        if self.mode is None or request.method not in (self.methods):
            route.fallback()
            return
        self.faulted += 1
        if self.mode == "success":  # an LMS's {"success": true}: a 200 that names no statement id
            route.fulfill(status=200, content_type="application/json", body='{"success": true}',
                          headers={"Access-Control-Allow-Origin": self.origin, "X-Experience-API-Version": "1.0.3"})
            return
        if self.mode == "lost":
            route.fetch()  # the LRS stores them ...
            self.lost.append(route)  # ... and the answer never arrives
            return
        route.fulfill(status=int(self.mode), content_type="application/json", body='{"error": "injected"}',
                      headers={"Access-Control-Allow-Origin": self.origin, "X-Experience-API-Version": "1.0.3"})


def status_text(frame) -> str:
    return frame.locator("[data-status]").inner_text().strip()


@pytest.mark.parametrize("fmt,status", [("cmi5", "401"), ("scorm2004", "500")])  # every answer: tests/js/queue-delivery.test.js
def test_lrs_refusing_for_a_while(xapi_packages, server, fresh_lrs, lms, learner_context, fmt, status, record_property):
    learner = Learner(fmt, STAGE, server, fresh_lrs, lms)
    expected: list = []
    tab = new_tab(learner_context)
    lrs = FaultyLrs(tab, server)
    lrs.mode = status
    session = Session(learner, learner.open(tab), expected)
    strings = session.data["strings"]
    session.started("self-assessment")
    session.self_assess()
    pages = session.content_pages()
    session.visit(pages[:3])
    made_during = session.made()
    tab.wait_for_timeout(300)
    assert session.pending() == len(made_during)  # every statement kept, none acknowledged
    line = session.frame.locator("[data-status]")
    assert status_text(session.frame) == strings["lrs_waiting" if status == "500" else "lrs_attention"]
    assert line.get_attribute("role") == "status" and line.is_visible()
    assert stored(fresh_lrs, learner.registration) == []

    lrs.mode = None  # the LRS works again: 500 retried on its back-off timer, 401 with the next statement
    session.visit(pages[3:5])
    session.drained(timeout=70_000)
    assert status_text(session.frame) == strings["lrs_sent"]
    session.exit()
    session.drained()
    got = stored(fresh_lrs, learner.registration)
    check_exactly_once(got, session.made(), expected, learner)
    record_property("statements made while the LRS refused", len(made_during))
    record_property("requests refused", lrs.faulted)
    record_property("stored", len(got))
    print(f"{fmt} {status}: {len(made_during)} statements made while refused ({lrs.faulted} requests refused); "
          f"{len(got)} stored once each")


@pytest.mark.parametrize("fmt", ["cmi5", "scorm12"])  # xapi's pagehide is scorm12's: tests/js/launch.test.js
def test_tab_closed_while_statements_are_on_their_way(xapi_packages, server, fresh_lrs, lms, learner_context, fmt,
                                                      record_property):
    """The statements of the last pages, and the exit's keepalive request, reach Ralph but their answers never
    reach the page: the tab closes first. The next launch sends them again; Ralph keeps one of each."""
    learner = Learner(fmt, STAGE, server, fresh_lrs, lms)
    expected: list = []
    tab = new_tab(learner_context)
    lrs = FaultyLrs(tab, server)
    first = Session(learner, learner.open(tab), expected)
    first.started("self-assessment")
    first.self_assess()
    pages = first.content_pages()
    first.visit(pages[:2])
    first.drained()
    acknowledged = len(stored(fresh_lrs, learner.registration))
    lrs.mode = "lost"
    first.visit(pages[2:4])
    tab.wait_for_timeout(300)
    assert first.pending() >= 2 and lrs.lost
    assert len(stored(fresh_lrs, learner.registration)) > acknowledged  # they reached the LRS
    made = first.made()
    learner.left(tab)
    tab.close()  # pagehide: suspended and terminated go with keepalive, their answer lost too
    ends = fmt != "cmi5"  # a cmi5 pagehide may be a reload that carries on the session: no terminated
    if ends:
        expected += [(first.verbs["suspended"], first.course), (first.verbs["terminated"], first.course)]

    tab = new_tab(learner_context)
    second = Session(learner, learner.open(tab), expected)
    second.started(pages[3], resumed=True)
    second.exit()
    second.drained()
    got = stored(fresh_lrs, learner.registration)
    at_close = [s["id"] for s in got if s["id"] not in made and s["id"] not in second.made()]
    assert len(at_close) == (2 if ends else 0)
    check_exactly_once(got, made + at_close + second.made(), expected, learner)
    record_property("requests whose answer was lost", lrs.faulted)
    record_property("stored", len(got))
    print(f"{fmt}: {lrs.faulted} requests stored without an answer before the tab closed; after the next "
          f"launch {len(got)} statements stored once each")


@pytest.mark.parametrize("fmt", ["xapi"])  # the queue's PUT mode: tests/js/queue.test.js
def test_a_success_that_names_no_statement_deletes_nothing(xapi_packages, server, fresh_lrs, lms, learner_context, fmt,
                                                           record_property):
    """An LRS (or an LMS in front of it) answering 200 {"success": true} without storing: first to POST only, and
    the statements go again one by one with PUT, which the LRS confirms (204); then to PUT as well, and they wait,
    the status line says so, until the LRS confirms them."""
    learner = Learner(fmt, STAGE, server, fresh_lrs, lms)
    expected: list = []
    tab = new_tab(learner_context)
    lrs = FaultyLrs(tab, server)
    lrs.mode = "success"
    session = Session(learner, learner.open(tab), expected)
    strings = session.data["strings"]
    session.started("self-assessment")
    session.visit(session.content_pages()[:2])
    session.drained()  # confirmed by the PUTs' 204
    assert session.frame.evaluate("Elearn.active.queue.mode()") == "put"
    swallowed = lrs.faulted
    assert swallowed >= 1 and len(stored(fresh_lrs, learner.registration)) == len(session.made())

    lrs.methods = ("POST", "PUT")
    pages = session.content_pages()
    session.visit(pages[2:4])
    session.frame.wait_for_function("() => Elearn.active.queue.state() === 'needs-attention'")
    assert session.pending() >= 2  # nothing deleted on a success without ids
    assert status_text(session.frame) == strings["lrs_unconfirmed"]
    lrs.mode = None
    session.visit(pages[4:5])  # the next statement tries again
    session.drained(timeout=70_000)
    assert status_text(session.frame) == strings["lrs_sent"]
    session.exit()
    session.drained()
    got = stored(fresh_lrs, learner.registration)
    check_exactly_once(got, session.made(), expected, learner)
    record_property("answered success without ids", lrs.faulted)
    print(f"{fmt}: {lrs.faulted} answers of {{'success': true}}; {len(got)} statements stored once each")
