"""Driving one SCO inside the test LMS (host.html + scorm-again) and reading what the LMS recorded."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

API = {"scorm12": "API", "scorm2004": "API_1484_11"}
COMMIT = {"scorm12": "LMSCommit", "scorm2004": "Commit"}
INITIALIZE = {"scorm12": "LMSInitialize", "scorm2004": "Initialize"}
FINISH = {"scorm12": "LMSFinish", "scorm2004": "Terminate"}
LEARNER = {"id": "learner-0042", "name": "Okafor, Ada"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def launch(page, server: str, package: str, fmt: str, cmi: dict | None = None, entry: str = "ab-initio", **options):
    """Open the host page as an LMS would and load ``package`` in its iframe; returns the SCO's frame.
    ``options`` go to host.html's startLms (e.g. ``refuseInitialize=True``)."""
    page.goto(f"{server}/host/host.html")
    page.evaluate("config => startLms(config)", {
        "format": fmt, "sco": f"/packages/{package}/index.html", "learner": LEARNER, "entry": entry, "cmi": cmi,
        **options})
    page.wait_for_function("() => { const d = document.getElementById('sco').contentDocument;"
                           " return d && d.documentElement && d.documentElement.dataset.elearnAdapter; }")
    return page.frame(name="sco")


def open_standalone(page, server: str, package: str):
    """Open a package's launch page on its own, with no LMS around it."""
    page.goto(f"{server}/packages/{package}/index.html")
    page.wait_for_selector("html[data-elearn-adapter]", state="attached")
    return page.main_frame


def course_data(frame) -> dict:
    return frame.evaluate("JSON.parse(document.getElementById('elearn-data').textContent)")


def visible_pages(frame) -> list[str]:
    return frame.eval_on_selector_all(
        ".el-page", "sections => sections.filter(s => !s.hidden && s.offsetParent !== null).map(s => s.dataset.pageId)")


def lms_cmi(page, fmt: str) -> dict:
    """What the LMS holds (renderCMIToJSONObject: direct reads of write-only elements throw)."""
    return page.evaluate(f"{API[fmt]}.renderCMIToJSONObject().cmi")


def bookmark(page, fmt: str) -> str:
    cmi = lms_cmi(page, fmt)
    return cmi["core"]["lesson_location"] if fmt == "scorm12" else cmi["location"]


def calls(page) -> list[dict]:
    """Every API call the SCO made: {name, args, result, error (GetLastError after it; None for error calls)}."""
    return page.evaluate("window.__calls")


def resume_cmi(cmi: dict, fmt: str) -> dict:
    """The data an LMS keeps for the next launch: everything but the write-only session values."""
    kept = {k: v for k, v in cmi.items() if k not in ("exit", "session_time", "entry")}
    if fmt == "scorm12":
        kept["core"] = {k: v for k, v in cmi["core"].items() if k not in ("exit", "session_time", "entry")}
    return kept


# ---- the assessment ----

@dataclass(frozen=True)
class Answer:
    """One question as answered in one attempt, and what the LMS should hold for it."""

    question: dict
    response: tuple[str, ...]

    @property
    def options(self) -> list[str]:
        return [c["id"] for c in self.question["choices"]]

    @property
    def correct(self) -> bool:
        return set(self.response) == set(self.question["correct"])


def wrong_response(question: dict) -> tuple[str, ...]:
    """A response that is not the correct one, from the question's own choices."""
    options = [c["id"] for c in question["choices"]]
    correct = set(question["correct"])
    wrong = [o for o in options if o not in correct]
    if question["type"] == "multiple-response":
        return tuple(wrong) if wrong else tuple(sorted(correct)[:-1])
    return (wrong[0],)


def drawn(frame, assessment: dict) -> list[dict]:
    """The questions of the current attempt, in the order shown."""
    by_id = {q["id"]: q for q in assessment["questions"]}
    ids = frame.eval_on_selector_all(
        "[data-assessment] .el-question", "qs => qs.filter(q => !q.hidden).map(q => q.dataset.questionId)")
    return [by_id[i] for i in ids]


def plan(questions: list[dict], pass_mark: int, passing: bool) -> tuple[list[Answer], int]:
    """Answers for one attempt and the score they earn: all wrong, or right in order until the pass mark."""
    total = sum(q["weight"] for q in questions)
    answers, got = [], 0.0
    for q in questions:
        right = passing and 100 * got / total < pass_mark
        answers.append(Answer(q, tuple(q["correct"]) if right else wrong_response(q)))
        got += q["weight"] if right else 0
    return answers, math.floor(100 * got / total + 0.5)


def answer_and_submit(frame, answers: list[Answer]) -> None:
    for a in answers:
        for option in a.options:
            box = frame.locator(f'[data-question-id="{a.question["id"]}"] input[value="{option}"]')
            if option in a.response:
                box.check()
            elif box.get_attribute("type") == "checkbox":
                box.uncheck()
    frame.click('[data-action="submit"]')


# ---- what the LMS should hold ----

def expected_interaction(a: Answer, fmt: str) -> dict:
    """The interaction record the runtime must write for one answer (docs/runtime.md, the format table)."""
    q = a.question
    if fmt == "scorm12":
        def encode(ids):
            if q["interactionType"] == "true-false":
                return ",".join("t" if i == "true" else "f" for i in ids)
            return ",".join(LETTERS[a.options.index(i)] for i in ids)
        return {"id": q["id"], "type": q["interactionType"], "student_response": encode(a.response),
                "correct_responses": {"0": {"pattern": encode(q["correct"])}},
                "result": "correct" if a.correct else "wrong"}
    return {"id": q["id"], "type": q["interactionType"], "learner_response": "[,]".join(a.response),
            "correct_responses": {"0": {"pattern": "[,]".join(q["correct"])}},
            "result": "correct" if a.correct else "incorrect",
            "description": " ".join(q["description"].split())[:250]}


TIME_12 = re.compile(r"^\d{2}:\d{2}:\d{2}$")
TIMESTAMP_2004 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,2})?Z$")


def check_interactions(cmi: dict, fmt: str, attempts: list[list[Answer]]) -> int:
    """Assert one interaction per answered question per attempt, in order; returns how many."""
    recorded = cmi["interactions"]
    expected = [expected_interaction(a, fmt) for attempt in attempts for a in attempt]
    assert sorted(recorded, key=int) == [str(i) for i in range(len(expected))]
    for n, want in enumerate(expected):
        got = recorded[str(n)]
        assert {k: got[k] for k in want} == want, f"interaction {n}"
        assert float(got["weighting"]) > 0
        if fmt == "scorm12":
            assert TIME_12.match(got["time"]), got["time"]
        else:
            assert TIMESTAMP_2004.match(got["timestamp"]), got["timestamp"]
    return len(expected)


def check_calls(recorded: list[dict], fmt: str, pages_shown: int, submissions: int = 0) -> dict:
    """Assert the session's API use: initialise first, finish last, error 0 after every call,
    at most one commit per page shown, one per submission and one at exit. Returns counts for the report."""
    made = [c for c in recorded if c["error"] is not None]
    failed = [c for c in made if c["error"] != "0"]
    assert not failed, f"calls with GetLastError != 0: {failed}"
    assert made[0]["name"] == INITIALIZE[fmt]
    assert made[-1]["name"] == FINISH[fmt] and made[-2]["name"] == COMMIT[fmt]
    assert sum(c["name"] == INITIALIZE[fmt] for c in made) == 1
    assert sum(c["name"] == FINISH[fmt] for c in made) == 1
    commits = sum(c["name"] == COMMIT[fmt] for c in made)
    limit = pages_shown + submissions + 1
    assert 1 <= commits <= limit, f"{commits} commits for {pages_shown} page(s) shown and {submissions} submission(s)"
    return {"calls": len(made), "commits": commits}
