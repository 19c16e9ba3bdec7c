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
    """The course data as the runtime reads it: #elearn-data with the format's settings (assets/package.js)."""
    return frame.evaluate("Object.assign(JSON.parse(document.getElementById('elearn-data').textContent), "
                          "window.Elearn.package)")


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


# ---- the assessment: answers of every type ----

TEXT_TYPES = ("fill-in", "long-fill-in")
WRITTEN = "I would start with what happened on the visit,\nthen ask how it felt: \"what stayed with you?\""


def norm(text: str, case_matters: bool) -> str:
    text = " ".join(text.split())
    return text if case_matters else text.lower()


@dataclass(frozen=True)
class Answer:
    """One question as answered in one attempt. ``response``: choice ids (choice, multiple-response,
    true-false), (source, target) pairs (matching), item ids in order (sequencing) or the text."""

    question: dict
    response: tuple | str

    @property
    def options(self) -> list[str]:
        return [c["id"] for c in self.question.get("choices", [])]

    @property
    def correct(self) -> bool | None:
        q = self.question
        if not q["scored"]:
            return None
        if q["type"] == "matching":
            return sorted(self.response) == sorted(tuple(p) for p in q["correct"])
        if q["type"] == "sequencing":
            return list(self.response) == q["correct"]
        if q["type"] == "fill-in":
            return norm(self.response, q["caseMatters"]) in {norm(a, q["caseMatters"]) for a in q["accepted"]}
        return set(self.response) == set(q["correct"])

    def expected(self, fmt: str) -> dict:
        return expected_interaction(self, fmt)


def right_response(q: dict) -> tuple | str:
    """The correct answer, typed loosely where the question allows it (spaces, case)."""
    if q["type"] == "matching":
        return tuple(tuple(p) for p in q["correct"])
    if q["type"] == "fill-in":
        answer = q["accepted"][-1]
        return answer if q["caseMatters"] else f"  {answer.upper()} "
    if q["type"] == "long-fill-in":
        return WRITTEN
    return tuple(q["correct"])


def wrong_response(q: dict) -> tuple | str:
    """A wrong answer from the question's own options (a case slip where case matters)."""
    if q["type"] == "matching":
        pairs = [tuple(p) for p in q["correct"]]
        targets = [t for _, t in pairs]
        return tuple((s, targets[(i + 1) % len(targets)]) for i, (s, _) in enumerate(pairs))
    if q["type"] == "sequencing":
        return tuple(reversed(q["correct"]))
    if q["type"] == "fill-in":
        return q["accepted"][0].lower() if q["caseMatters"] and q["accepted"][0].lower() != q["accepted"][0] else "not it"
    if q["type"] == "long-fill-in":
        return WRITTEN
    options = [c["id"] for c in q["choices"]]
    correct = set(q["correct"])
    wrong = [o for o in options if o not in correct]
    if q["type"] == "multiple-response":
        return tuple(wrong) if wrong else tuple(sorted(correct)[:-1])
    return (wrong[0],)


def drawn(frame, assessment: dict) -> list[dict]:
    """The questions of the current attempt, in the order shown."""
    by_id = {q["id"]: q for q in assessment["questions"]}
    ids = frame.eval_on_selector_all(
        "[data-assessment] .el-question", "qs => qs.filter(q => !q.hidden).map(q => q.dataset.questionId)")
    return [by_id[i] for i in ids]


def half_up(x: float) -> int:
    """JavaScript's Math.round."""
    return math.floor(x + 0.5)


def plan(questions: list[dict], pass_mark: int, passing: bool) -> tuple[list[Answer], int]:
    """Answers for one attempt and the score they earn over the scored questions: all wrong, or right
    in order until the pass mark. Written answers are never scored."""
    total = sum(q["weight"] for q in questions if q["scored"])
    answers, got = [], 0.0
    for q in questions:
        right = q["scored"] and passing and 100 * got / total < pass_mark
        answers.append(Answer(q, right_response(q) if right else wrong_response(q)))
        got += q["weight"] if right else 0
    return answers, half_up(100 * got / total) if total else 100


def fill(frame, answers: list[Answer]) -> None:
    """Give the answers with the mouse-free playwright helpers (check, select, fill)."""
    for a in answers:
        q, box = a.question, frame.locator(f'[data-question-id="{a.question["id"]}"]')
        if q["type"] == "matching":
            for s, t in a.response:
                box.locator(f'select[data-source="{s}"]').select_option(t)
        elif q["type"] == "sequencing":
            for position, item in enumerate(a.response):
                box.locator(f'select[data-position="{position}"]').select_option(item)
        elif q["type"] in TEXT_TYPES:
            box.locator("[data-text]").fill(a.response)
        else:
            for option in a.options:
                control = box.locator(f'input[value="{option}"]')
                if option in a.response:
                    control.check()
                elif control.get_attribute("type") == "checkbox":
                    control.uncheck()


def answer_and_submit(frame, answers: list[Answer]) -> None:
    fill(frame, answers)
    frame.locator('[data-action="submit"]').click()


def shown_response(frame, q: dict) -> tuple | str:
    """What the form shows for a question, in Answer.response's form (empty when unanswered)."""
    box = frame.locator(f'[data-question-id="{q["id"]}"]')
    if q["type"] == "matching":
        values = [box.locator(f'select[data-source="{s["id"]}"]').input_value() for s in q["sources"]]
        return tuple((s["id"], v) for s, v in zip(q["sources"], values) if v)
    if q["type"] == "sequencing":
        values = [box.locator(f'select[data-position="{p}"]').input_value() for p in range(len(q["choices"]))]
        return tuple(values) if all(values) else ()
    if q["type"] in TEXT_TYPES:
        return box.locator("[data-text]").input_value()
    return tuple(box.locator("input:checked").evaluate_all("xs => xs.map(x => x.value)"))


def same_response(a: Answer, shown) -> bool:
    if isinstance(shown, str):
        return shown == a.response
    if a.question["type"] == "sequencing":
        return tuple(shown) == tuple(a.response)
    return sorted(shown) == sorted(a.response)


# ---- the self-assessment and the gap profile ----

@dataclass(frozen=True)
class Rating:
    """One self-assessment statement as rated: a likert interaction."""

    statement: dict
    point: int

    def expected(self, fmt: str) -> dict:
        want = {"id": self.statement.get("lmsId", self.statement["id"]), "type": "likert", "result": "neutral", "correct_responses": {},
                "weighting": ""}
        if fmt == "scorm12":
            return {**want, "student_response": str(self.point)}
        return {**want, "learner_response": str(self.point),
                "description": self.statement.get("lmsDescription", self.statement["description"])}


def ratings(data: dict, seed: int = 0, top: bool = False) -> list[Rating]:
    """A spread of ratings over the scale (every point used), or the top point for every statement."""
    sa = data["selfAssessment"]
    n = len(sa["scale"])
    return [Rating(s, n if top else (i * 3 + seed) % n + 1) for i, s in enumerate(sa["statements"])]


def rate(frame, rated: list[Rating]) -> None:
    for r in rated:
        frame.locator(f'#sa-{r.statement["id"]}-{r.point}').check()
    frame.locator('[data-action="sa-submit"]').click()


def gap_profile(data: dict, rated: list[Rating]) -> list[dict]:
    """The profile as docs/format.md defines it: per key area the mean rating to one decimal (half up),
    the stage's expectation, the difference when the expectation is higher, whether that counts as a gap (at
    least the self-assessment's gapThreshold) and, only then, the modules to study."""
    out = []
    for area in data["keyAreas"]:
        points = [r.point for r in rated if r.statement["keyArea"] == area["id"]]
        score = half_up(10 * sum(points) / len(points)) / 10
        gap = max(half_up(10 * (area["expected"] - score)) / 10, 0)
        is_gap = gap > 0 and gap >= data["selfAssessment"]["gapThreshold"]
        out.append({"id": area["id"], "title": area["title"], "score": score, "expected": area["expected"], "gap": gap,
                    "is_gap": is_gap, "pages": [m["page"] for m in area["modules"]] if is_gap else []})
    return out


def check_gap_profile(frame, data: dict, rated: list[Rating]) -> list[dict]:
    """The self-assessment page shows the profile (not the form) with the figures computed here."""
    strings, points = data["strings"], len(data["selfAssessment"]["scale"])
    box = frame.locator("#page-self-assessment [data-gap-profile]")
    assert box.is_visible() and frame.locator("[data-self-assessment]").is_hidden()
    profile = gap_profile(data, rated)
    label = box.locator("[data-gap-chart]").get_attribute("aria-label")
    for area in profile:
        row = box.locator(f'tr[data-area="{area["id"]}"]')
        cells = [row.locator(f'[data-cell="{c}"]').inner_text() for c in ("score", "expected", "gap")]
        gap = f'{area["gap"]:.1f}' if area["is_gap"] else strings["gap_none"]
        assert cells == [f'{area["score"]:.1f}', str(area["expected"]), gap], (area, cells)
        links = row.locator("a[data-goto-page]").evaluate_all(
            "xs => xs.filter(x => x.offsetParent !== null).map(x => x.dataset.gotoPage)")  # the visible ones
        assert links == area["pages"]
        bar = box.locator(f'.el-bar-row[data-area="{area["id"]}"]')
        assert bar.locator("[data-bar-value]").inner_text() == f'{area["score"]:.1f}'
        width = bar.locator("[data-bar]").evaluate("b => b.getBoundingClientRect().width / b.parentNode.clientWidth")
        assert abs(width - area["score"] / points) < 0.02, (area, width)
        assert strings["gap_chart_row"].format(area=area["title"], score=f'{area["score"]:.1f}',
                                               expected=area["expected"]) in label
    gaps = sum(a["is_gap"] for a in profile)
    summary = box.locator("[data-gap-summary]").inner_text()
    assert summary == (strings["gap_summary_gaps"].format(n=gaps, total=len(profile)) if gaps
                       else strings["gap_summary_none"])
    return profile


# ---- what the LMS should hold ----

def one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)


def expected_interaction(a: Answer, fmt: str) -> dict:
    """The interaction record the runtime must write for one answer (docs/runtime.md, the format table)."""
    q, kind = a.question, a.question["type"]
    lms = {o["id"]: o.get("lmsId", o["id"]) for o in q.get("choices", []) + q.get("sources", []) + q.get("targets", [])}
    result = "neutral" if a.correct is None else ("correct" if a.correct else ("wrong" if fmt == "scorm12" else "incorrect"))
    weighting = str(q["weight"]).removesuffix(".0") if q["scored"] else ""
    if fmt == "scorm12":
        letter = lambda ids, i: LETTERS[ids.index(i)]  # noqa: E731
        sources = [s["id"] for s in q.get("sources", [])]
        targets = [t["id"] for t in q.get("targets", [])]

        def encode(value):
            if kind == "true-false":
                return ",".join("t" if i == "true" else "f" for i in value)
            if kind == "matching":
                return ",".join(f"{letter(sources, s)}.{letter(targets, t)}" for s, t in value)
            if kind in TEXT_TYPES:
                return one_line(value)[:255]
            return ",".join(letter(a.options, i) for i in value)
        if kind == "fill-in":
            patterns = q["accepted"]
        elif kind == "long-fill-in":
            patterns = []
        else:
            patterns = [encode(tuple(map(tuple, q["correct"])) if kind == "matching" else q["correct"])]
        return {"id": q.get("lmsId", q["id"]), "type": "fill-in" if kind == "long-fill-in" else q["interactionType"],
                "student_response": encode(a.response), "result": result, "weighting": weighting,
                "correct_responses": {str(k): {"pattern": p} for k, p in enumerate(patterns)}}

    def encode04(value):  # options by the id the LMS is given (lmsId)
        if kind == "true-false":
            return value[0]
        if kind == "matching":
            return "[,]".join(f"{lms[s]}[.]{lms[t]}" for s, t in value)
        if kind in TEXT_TYPES:
            return re.sub(r"[ \t]*\n+[ \t]*", " \u00b6 ", value)
        return "[,]".join(lms[i] for i in value)
    if kind == "fill-in":
        patterns = [f"{{case_matters={'true' if q['caseMatters'] else 'false'}}}{p}" for p in q["accepted"]]
    elif kind == "long-fill-in":
        patterns = []
    else:
        patterns = [encode04(tuple(map(tuple, q["correct"])) if kind == "matching" else q["correct"])]
    return {"id": q.get("lmsId", q["id"]), "type": q["interactionType"], "learner_response": encode04(a.response), "result": result,
            "weighting": weighting, "description": " ".join(q.get("lmsDescription", q["description"]).split())[:250],
            "correct_responses": {str(k): {"pattern": p} for k, p in enumerate(patterns)}}


TIME_12 = re.compile(r"^\d{2}:\d{2}:\d{2}$")
TIMESTAMP_2004 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,2})?Z$")


def check_interactions(cmi: dict, fmt: str, groups: list[list]) -> int:
    """Assert one interaction per rating or answer, group after group (each self-assessment or attempt),
    in order, exactly as expected; returns how many."""
    recorded = cmi["interactions"]
    expected = [item.expected(fmt) for group in groups for item in group]
    assert sorted(recorded, key=int) == [str(i) for i in range(len(expected))]
    for n, want in enumerate(expected):
        got = recorded[str(n)]
        assert {k: got[k] for k in want} == want, f"interaction {n}"
        if fmt == "scorm12":
            assert TIME_12.match(got["time"]), got["time"]
            assert len(got["student_response"]) <= 255
        else:
            assert TIMESTAMP_2004.match(got["timestamp"]), got["timestamp"]
    return len(expected)


ALWAYS_READ = {"scorm2004": ("cmi.location", "cmi.suspend_data")}
"""Read at every launch whatever cmi.entry says (LMSs answer "ab-initio" or "" and still hold them, issue 13);
on a spec LMS's first launch they are not initialised yet, and scorm-again answers "" with 403 (RTE 4th 3.1.7.6)."""


def uninitialised_read(call: dict, fmt: str) -> bool:
    return call["name"] == "GetValue" and call["error"] == "403" and call["args"][0] in ALWAYS_READ.get(fmt, ())


def check_calls(recorded: list[dict], fmt: str, pages_shown: int, submissions: int = 0) -> dict:
    """Assert the session's API use: initialise first, finish last, error 0 after every call but a first read
    of what may not be initialised yet (ALWAYS_READ),
    at most one commit per page shown, one per submission and one at exit. Returns counts for the report."""
    made = [c for c in recorded if c["error"] is not None]
    failed = [c for c in made if c["error"] != "0" and not uninitialised_read(c, fmt)]
    assert not failed, f"calls with GetLastError != 0: {failed}"
    assert made[0]["name"] == INITIALIZE[fmt]
    assert made[-1]["name"] == FINISH[fmt] and made[-2]["name"] == COMMIT[fmt]
    assert sum(c["name"] == INITIALIZE[fmt] for c in made) == 1
    assert sum(c["name"] == FINISH[fmt] for c in made) == 1
    commits = sum(c["name"] == COMMIT[fmt] for c in made)
    limit = pages_shown + submissions + 1
    assert 1 <= commits <= limit, f"{commits} commits for {pages_shown} page(s) shown and {submissions} submission(s)"
    return {"calls": len(made), "commits": commits}


def status(cmi: dict, fmt: str) -> tuple:
    """(lesson_status, raw score) in 1.2; (completion, success, raw score) in 2004."""
    if fmt == "scorm12":
        return cmi["core"]["lesson_status"], cmi["core"]["score"]["raw"]
    return cmi["completion_status"], cmi["success_status"], cmi["score"]["raw"]


def go(frame, page_id: str) -> None:
    """Show a page through the table of contents."""
    frame.locator(f'[data-nav-page="{page_id}"]').click()
    assert visible_pages(frame) == [page_id]
