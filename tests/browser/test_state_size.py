"""The largest state each package can produce fits: every page visited, both self-assessments at the
top of the scale, every drawn question answered at its longest with typed text that JSON escapes
(quotes, backslashes, newlines, tabs) and control characters that must be dropped. The saved
cmi.suspend_data stays within the edition's limit and the worst case the build computed, and resumes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import sco

PROGRAMME = yaml.safe_load((Path(__file__).resolve().parents[2] / "content" / "programme.yaml").read_text(encoding="utf-8"))
PACKAGES = [(f"{PROGRAMME['id']}-manager-scorm12", "content"), ("runtime-variants-types-scorm2004", "variants")]
"""The page's own path to its largest state, in the package nearest its limit (the manager stage in 1.2's 4096
characters) and in the one with every question type; tests/js/state.test.js encodes the largest state of every
SCORM package of both courses and checks it against the limit and the build's worst case, and that it resumes."""
HEAVY = {"long-fill-in": '"\\\n\t\x01', "fill-in": '"\\\x02'}
"""Typed characters that JSON escapes (each costs two) and control characters the runtime drops."""


def heaviest(q: dict) -> sco.Answer:
    """The longest response the state can hold for a question."""
    if q["type"] in HEAVY:
        unit = HEAVY[q["type"]]
        return sco.Answer(q, unit * (q["maxLength"] // len(unit) + 10))
    if q["type"] == "matching":
        last = q["targets"][-1]["id"]
        return sco.Answer(q, tuple((s["id"], last) for s in q["sources"]))
    if q["type"] == "sequencing":
        return sco.Answer(q, tuple(reversed(q["correct"])))
    ids = [c["id"] for c in q["choices"]]
    return sco.Answer(q, tuple(ids) if q["type"] == "multiple-response" else (ids[-1],))


def kept(text: str, limit: int) -> str:
    """What the runtime keeps of typed text: control characters but newline and tab dropped, cut at the limit."""
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)[:limit]


@pytest.mark.parametrize("package,course", PACKAGES)
def test_largest_state_fits(page, server, built, package, course):
    built.need(course)
    fmt = package.rsplit("-", 1)[1]
    frame = sco.launch(page, server, package, fmt)
    data = sco.course_data(frame)
    a, limit, worst = data["assessment"], data["stateLimit"], data["stateWorstCase"]
    assert limit == {"scorm12": 4096, "scorm2004": 64000}[fmt] and worst <= limit
    top = sco.ratings(data, top=True)
    sco.rate(frame, top)
    sco.go(frame, "cpd-record")
    frame.click('[data-action="retake-self-assessment"]')
    sco.rate(frame, top)
    for p in data["pages"]:
        if p["kind"] == "content":
            frame.click('[data-action="next"]')
    sco.go(frame, "assessment")
    answers = [heaviest(q) for q in sco.drawn(frame, a)]
    sco.fill(frame, [x for x in answers if x.question["type"] not in HEAVY])
    for x in answers:  # past the field's maxlength, as a script or an odd paste could: the runtime cuts
        if x.question["type"] in HEAVY:
            frame.locator(f'[data-question-id="{x.question["id"]}"] [data-text]').evaluate(
                "(el, text) => { el.value = text; el.dispatchEvent(new Event('input', {bubbles: true})); }", x.response)
    for x in answers:
        if x.question["type"] in HEAVY:
            shown = frame.locator(f'[data-question-id="{x.question["id"]}"] [data-text]').input_value()
            assert shown == kept(x.response, x.question["maxLength"]), "typed text is cleaned and cut"
    sizes = {}
    sco.go(frame, "cpd-record")  # a page change saves the answers in progress
    sizes["in progress"] = len(sco.lms_cmi(page, fmt)["suspend_data"])
    sco.go(frame, "assessment")
    frame.click('[data-action="submit"]')
    assert frame.locator("[data-assessment-result]").inner_text()
    sizes["submitted"] = len(sco.lms_cmi(page, fmt)["suspend_data"])
    frame.click('[data-action="exit"]')
    content = sum(p["kind"] == "content" for p in data["pages"])
    sco.check_calls(sco.calls(page), fmt, pages_shown=content + 6, submissions=3)
    cmi = sco.lms_cmi(page, fmt)
    saved = json.loads(cmi["suspend_data"])
    assert saved["p"] == "f" * (content // 4) + (format((1 << content % 4) - 1, "x") if content % 4 else "")
    assert saved["s"] == {"b": "".join(str(r.point) for r in top), "l": "".join(str(r.point) for r in top)}
    for where, size in sizes.items():
        assert size <= min(limit, worst), f"{where}: {size} characters; limit {limit}, worst case {worst}"
    if fmt == "scorm12" and "comments" in cmi:
        assert len(cmi["comments"]) <= 4096

    frame = sco.launch(page, server, package, fmt, cmi=sco.resume_cmi(cmi, fmt), entry="resume")
    assert sco.visible_pages(frame) == ["assessment"]
    for x in answers:
        shown = sco.shown_response(frame, x.question)
        want = kept(x.response, x.question["maxLength"]) if x.question["type"] in HEAVY else x.response
        assert sco.same_response(sco.Answer(x.question, want), shown), x.question["id"]
    frame.click('[data-action="exit"]')
    sco.check_calls(sco.calls(page), fmt, pages_shown=1)
    print(f"{package}: suspend data {sizes['in progress']} characters in progress, {sizes['submitted']} submitted; "
          f"worst case {worst}, limit {limit} ({100 * max(sizes.values()) / worst:.0f}% of the worst case)")
