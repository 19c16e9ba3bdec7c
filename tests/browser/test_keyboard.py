"""Keyboard alone: the self-assessment, every question type, the CPD record and a retake, with Tab,
Shift+Tab, Space, Enter, the arrow keys and typing. No mouse click anywhere."""
from __future__ import annotations

import pytest

import sco


class Keys:
    """Presses keys in the test LMS page and checks where the focus is inside the course frame."""

    def __init__(self, page, frame):
        self.page, self.frame, self.presses = page, frame, 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.presses += len(text)

    def focused(self, selector: str) -> bool:
        return self.frame.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)

    def tab_to(self, selector: str, backwards: bool = False, limit: int = 400) -> None:
        for _ in range(limit):
            if self.focused(selector):
                return
            self.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"Tab never reached {selector}")


def rate_by_keyboard(keys: Keys, rated: list[sco.Rating]) -> None:
    """Tab into each statement's radio group (unset: focus on its first point), Space, then arrows."""
    for r in rated:
        keys.tab_to(f'input[name="sa-{r.statement["id"]}"]')
        keys.press("Space")
        keys.press("ArrowRight", r.point - 1)
    keys.tab_to('[data-action="sa-submit"]')
    keys.press("Enter")


def option_index(frame, select: str, value: str) -> int:
    """Where an option is in a select's (shuffled) list, to reach it with ArrowDown from "Choose…"."""
    return frame.eval_on_selector(select, "(s, v) => Array.from(s.options).findIndex(o => o.value === v)", value)


def answer_by_keyboard(keys: Keys, frame, x: sco.Answer) -> None:
    q = x.question
    box = f'[data-question-id="{q["id"]}"]'
    if q["type"] in ("choice", "true-false"):
        keys.tab_to(f"{box} input")  # the group's first radio, in the (shuffled) order shown
        keys.press("Space")
        shown = frame.eval_on_selector_all(f"{box} input", "xs => xs.map(x => x.value)")
        keys.press("ArrowDown", shown.index(x.response[0]))
    elif q["type"] == "multiple-response":
        for option in x.options:
            keys.tab_to(f'{box} input[value="{option}"]')
            if option in x.response:
                keys.press("Space")
    elif q["type"] in ("matching", "sequencing"):
        picks = [(f'{box} select[data-source="{s}"]', t) for s, t in x.response] if q["type"] == "matching" else \
            [(f'{box} select[data-position="{p}"]', item) for p, item in enumerate(x.response)]
        for select, value in picks:
            keys.tab_to(select)
            keys.press("ArrowDown", option_index(frame, select, value))
    else:
        keys.tab_to(f"{box} [data-text]")
        keys.type(x.response)
    assert sco.same_response(x, sco.shown_response(frame, q)), q["id"]


@pytest.mark.parametrize("fmt", ["scorm2004"])  # the keys are the page's; both editions' records: tests/js/scorm-adapters.test.js
def test_every_type_by_keyboard_alone(page, server, variants, fmt):
    package = f"runtime-variants-types-{fmt}"
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    a, strings = data["assessment"], data["strings"]
    keys = Keys(page, frame)

    rated = sco.ratings(data, seed=1)
    rate_by_keyboard(keys, rated)
    sco.check_gap_profile(frame, data, rated)
    assert keys.focused("#gap-profile-title")
    while sco.visible_pages(frame) != ["assessment"]:
        keys.tab_to('[data-action="next"]')
        keys.press("Enter")
        assert keys.focused("h1")  # each page starts at its heading

    drawn = sco.drawn(frame, a)
    answers, score = sco.plan(drawn, 100, passing=True)
    for x in answers:
        answer_by_keyboard(keys, frame, x)
    # Shift+Tab goes back from the written answer to the short answer before it, unchanged.
    keys.tab_to("textarea[data-text]")
    keys.press("Shift+Tab")
    assert keys.focused('[data-question-id="t-acronym"] [data-text]')
    keys.tab_to('[data-action="submit"]')
    keys.press("Enter")
    assert keys.focused("[data-assessment-result]")
    assert strings["passed"] in frame.inner_text("[data-assessment-result]") and score == 100

    # The CPD record and a retake of the self-assessment, by keyboard too.
    keys.tab_to('[data-action="next"]')
    keys.press("Enter")
    assert sco.visible_pages(frame) == ["cpd-record"]
    keys.tab_to('[data-action="retake-self-assessment"]')
    keys.press("Space")
    assert sco.visible_pages(frame) == ["self-assessment"] and keys.focused("#title-self-assessment")
    again = sco.ratings(data, seed=2)
    rate_by_keyboard(keys, again)
    sco.check_gap_profile(frame, data, again)
    keys.tab_to('[data-action="exit"]', backwards=True)
    keys.press("Enter")
    assert frame.inner_text("[data-status]").strip() == strings["saved_exit"]

    content = sum(p["kind"] == "content" for p in data["pages"])
    made = sco.check_calls(sco.calls(page), fmt, pages_shown=content + 4, submissions=3)
    cmi = sco.lms_cmi(page, fmt)
    sco.check_interactions(cmi, fmt, [rated, answers, again])
    assert sco.status(cmi, fmt) == (("passed", "100") if fmt == "scorm12" else ("completed", "passed", "100"))
    print(f"{package}: {len(rated) * 2} ratings and {len(answers)} questions "
          f"({', '.join(sorted({x.question['type'] for x in answers}))}) by keyboard in {keys.presses} key presses; "
          f"{made['calls']} API calls, all GetLastError 0")
