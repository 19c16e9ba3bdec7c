"""One learner's three sessions in a real LMS, in Chromium, checked against what the LMS stored.

1. Rate the self-assessment, read every content page, Save and exit.
2. Relaunch: back at the bookmark with the self-assessment kept; fail the assessment, pass it, go on to
   the CPD record, Save and exit.
3. Relaunch: back at the CPD record with both attempts counted; nothing taken back.

Each session runs in a new browser context (a learner on another computer, with no copy of their
progress in the browser), so whatever is resumed came from the LMS. After each exit the test waits
until the LMS has answered every request, then reads what it stored (its own files or database) and
counts the interactions against what the learner did: none refused, lost, overwritten or written
twice. Neither scormhost nor wagtail-lms has a review mode (``cmi.mode`` is ``""`` or ``normal``), so
"nothing written in review mode" is for the LMS profiles (tests/browser); here session 3 must leave
status, score and interactions as they were.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable, Protocol

import sco


class Lms(Protocol):
    name: str
    api: str
    """A part of the URL of every request the LMS's API makes (to wait until it has answered all)."""

    def login(self, context) -> None: ...

    def launch(self, page):
        """Open the package as the learner and return the SCO's frame."""

    def stored(self) -> dict[str, str]:
        """The learner's CMI elements as the LMS stored them, flat (``cmi.interactions.0.id``...)."""

    player_errors: tuple[str, ...]
    """Errors the LMS's own player script may throw that say nothing of the package (the checks of what the
    LMS stored decide whether anything was lost)."""


def sco_frame(page, url_part: str):
    """The frame whose URL holds ``url_part``, once the runtime inside it has started."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for frame in page.frames:
            if url_part in frame.url and frame.evaluate(
                    "() => !!(document.documentElement && document.documentElement.dataset.elearnAdapter)"):
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no started SCO in a frame at {url_part}: {[f.url for f in page.frames]}")


class Session:
    """A browser context of its own, with the LMS API's requests counted so the test can wait for them."""

    def __init__(self, browser, lms: Lms):
        self.lms, self.pending, self.errors = lms, set(), []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda r: self.pending.add(r) if lms.api in r.url else None)
        for event in ("requestfinished", "requestfailed"):
            self.page.on(event, lambda r: self.pending.discard(r))
        # The LMS has stored the value once it answers (both save before they reply): a keepalive request's
        # body may never be reported finished.
        self.page.on("response", lambda response: self.pending.discard(response.request))
        lms.login(self.context)

    def settle(self, quiet_ms: int = 500, timeout: float = 30) -> None:
        """Wait until the LMS has answered every API request and none came for ``quiet_ms``."""
        deadline, quiet_since = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(25)
            if self.pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                return
        if self.pending and all(r.method == "PUT" for r in self.pending) and self.lms_has_stopped_changing():
            self.pending.clear()  # the answer to a keepalive PUT that Chromium never reported
            return
        raise AssertionError(f"{len(self.pending)} LMS request(s) still open after {timeout} s: "
                             f"{[(r.method, r.url) for r in self.pending]}")

    def lms_has_stopped_changing(self, seconds: float = 2) -> bool:
        """Whether what the LMS stores is the same ``seconds`` apart. scormhost PUTs the whole CMI with
        ``fetch(..., {keepalive: true})`` at Commit and again at Terminate, and Chromium does not always report
        the answer to such a request (seen in about half the 2004 runs, at exit): the LMS has the data once it
        stops changing, and the test's checks of what it stored decide the rest."""
        before = self.lms.stored()
        self.page.wait_for_timeout(seconds * 1000)
        return self.lms.stored() == before

    def close(self) -> None:
        self.context.close()
        errors = [e for e in self.errors if e not in self.lms.player_errors]
        assert not errors, "\n".join(errors)


# ---- what the LMS should hold: the expected records, with the ids the LMS is given (lmsId) ----

def lms_answer(a: sco.Answer) -> sco.Answer:
    """The answer as the LMS sees it: question and option ids replaced by their ``lmsId``."""
    q = a.question
    ids = {o["id"]: o["lmsId"] for key in ("choices", "sources", "targets") for o in q.get(key, [])}
    mapped = {**q, "id": q["lmsId"]}
    for key in ("choices", "sources", "targets"):
        if key in q:
            mapped[key] = [{**o, "id": o["lmsId"]} for o in q[key]]
    if q["type"] == "matching":
        mapped["correct"] = [[ids[s], ids[t]] for s, t in q["correct"]]
        response = tuple((ids[s], ids[t]) for s, t in a.response)
    elif q["type"] in sco.TEXT_TYPES:
        response = a.response
    else:
        mapped["correct"] = [ids[i] for i in q["correct"]]
        response = tuple(ids[i] for i in a.response)
    return sco.Answer(mapped, response)


def lms_rating(r: sco.Rating) -> sco.Rating:
    return sco.Rating({**r.statement, "id": r.statement["lmsId"]}, r.point)


def interactions(elements: dict[str, str]) -> dict[int, dict]:
    """``cmi.interactions.N.*`` elements as records like scorm-again's JSON (correct_responses nested)."""
    out: dict[int, dict] = {}
    for key, value in elements.items():
        found = re.match(r"^cmi\.interactions\.(\d+)\.(.+)$", key)
        if not found:
            continue
        record = out.setdefault(int(found.group(1)), {"correct_responses": {}})
        pattern = re.match(r"^correct_responses\.(\d+)\.pattern$", found.group(2))
        if pattern:
            record["correct_responses"][pattern.group(1)] = {"pattern": value}
        else:
            record[found.group(2)] = value
    return out


def check_interactions(elements: dict[str, str], fmt: str, done: list) -> dict:
    """Every rating and answer once, in order, as expected; returns the counts for the report."""
    want = [item.expected(fmt) for item in done]
    got = interactions(elements)
    lost = [n for n in range(len(want)) if n not in got]
    wrong = [n for n in range(len(want)) if n in got and {k: got[n].get(k, "") if k != "correct_responses"
                                                           else got[n]["correct_responses"] for k in want[n]} != want[n]]
    extra = sorted(set(got) - set(range(len(want))))
    detail = {n: (want[n], got.get(n)) for n in (lost + wrong)[:3]}
    assert not (lost or wrong or extra), (f"{len(want)} interactions done, {len(got)} stored: {len(lost)} lost, "
                                          f"{len(wrong)} different (refused or overwritten), {len(extra)} extra; "
                                          f"first differences: {detail}")
    return {"done": len(want), "stored": len(got)}


# ---- the three sessions ----

@dataclass
class Walk:
    data: dict
    rated: list
    attempts: list
    score: int = 0


def walk_to(session: "Session", frame, data: dict, stop: str) -> int:
    """Read each page with Next up to ``stop``: a learner spends longer on a page than the LMS takes to
    answer what showing it sent."""
    pages = [p["id"] for p in data["pages"]]
    shown = 0
    for page_id in pages[pages.index(sco.visible_pages(frame)[0]) + 1:pages.index(stop) + 1]:
        frame.click('[data-action="next"]')
        shown += 1
        assert sco.visible_pages(frame) == [page_id]
        session.settle(quiet_ms=100)
    return shown


def exit_saved(session: Session, frame, strings: dict) -> None:
    """Save and exit: the learner is told their progress was saved (and it must have been)."""
    frame.click('[data-action="exit"]')
    session.settle()
    assert frame.inner_text("[data-status]").strip() == strings["saved_exit"]


def three_sessions(browser, lms: Lms, fmt: str, status: Callable[[dict], tuple], earned: Callable[[int], tuple],
                   location: str) -> dict:
    """Run the three sessions; ``status(elements)`` reads status and score from what the LMS stored,
    ``earned(score)`` is what it should say after the pass, ``location`` the bookmark element."""
    report = {}
    # Session 1: rate, read, exit.
    s = Session(browser, lms)
    frame = lms.launch(s.page)
    data = sco.course_data(frame)
    strings, a = data["strings"], data["assessment"]
    assert sco.visible_pages(frame) == ["self-assessment"]
    walk = Walk(data, sco.ratings(data, seed=1), [])
    sco.rate(frame, walk.rated)
    sco.check_gap_profile(frame, data, walk.rated)
    content = [p["id"] for p in data["pages"] if p["kind"] == "content"]
    s.settle(quiet_ms=0)  # the learner reads their gap profile
    shown = 1 + walk_to(s, frame, data, content[-1])
    exit_saved(s, frame, strings)
    s.close()
    elements = lms.stored()
    report["session 1"] = check_interactions(elements, fmt, [lms_rating(r) for r in walk.rated])
    assert elements.get(location) == content[-1], f"the bookmark is the last page read, not {elements.get(location)!r}"
    report["session 1"]["pages"] = shown

    # Session 2: resume at the bookmark with the ratings kept; fail, pass, exit.
    s = Session(browser, lms)
    frame = lms.launch(s.page)
    assert sco.visible_pages(frame) == [content[-1]], "resumed at the bookmark, not restarted"
    assert strings["state_reset"] not in frame.inner_text("[data-status]")
    sco.go(frame, "self-assessment")
    sco.check_gap_profile(frame, data, walk.rated)  # the self-assessment is kept, not asked again
    sco.go(frame, "assessment")
    failing, fail_score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=False)
    sco.answer_and_submit(frame, failing)
    assert frame.locator("[data-assessment-result]").get_attribute("data-passed") == "false"
    s.settle(quiet_ms=0)  # the learner reads their result
    frame.click('[data-action="retry"]')
    passing, walk.score = sco.plan(sco.drawn(frame, a), a["passMark"], passing=True)
    sco.answer_and_submit(frame, passing)
    assert frame.locator("[data-assessment-result]").get_attribute("data-passed") == "true"
    s.settle(quiet_ms=0)
    walk.attempts = [failing, passing]
    frame.click('[data-action="next"]')
    assert sco.visible_pages(frame) == ["cpd-record"]
    exit_saved(s, frame, strings)
    s.close()
    done = [lms_rating(r) for r in walk.rated] + [lms_answer(x) for attempt in walk.attempts for x in attempt]
    elements = lms.stored()
    report["session 2"] = check_interactions(elements, fmt, done)
    assert status(elements) == earned(walk.score), f"final status and score as earned, not {status(elements)}"
    assert elements.get(location) == "cpd-record", f"bookmark {elements.get(location)!r}"
    report["score"] = f"{fail_score}% then {walk.score}%"

    # Session 3: resume at the record; both attempts counted, the pass and the ratings kept.
    s = Session(browser, lms)
    frame = lms.launch(s.page)
    assert sco.visible_pages(frame) == ["cpd-record"], "resumed at the bookmark, not restarted"
    record = frame.locator("[data-cpd-record]")
    assert record.locator('[data-cpd="attempts"]').inner_text() == strings["cpd_of"].format(n=2, total=a["attempts"])
    assert record.locator('[data-cpd="result"]').inner_text() == strings["cpd_passed"]
    sco.go(frame, "assessment")
    assert frame.locator("[data-assessment-result]").get_attribute("data-passed") == "true"
    assert frame.locator('[data-action="retry"]').is_hidden() and frame.locator('[data-action="submit"]').is_hidden()
    sco.go(frame, "self-assessment")
    sco.check_gap_profile(frame, data, walk.rated)
    exit_saved(s, frame, strings)
    s.close()
    after = lms.stored()
    report["session 3"] = check_interactions(after, fmt, done)
    assert status(after) == earned(walk.score), f"nothing taken back at the third launch: {status(after)}"
    return report
