"""What a learner sees, at 1280 px and at 390 px (issue 15's screenshots): the rating scale's layout, the ticks in
the contents, rules said once, the right options after marking, the gap chart's legend, the modules to study and
the gap threshold."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import sco

REPO = Path(__file__).resolve().parents[2]
PROGRAMME = yaml.safe_load((REPO / "content" / "programme.yaml").read_text(encoding="utf-8"))
STAGES = [s["id"] for s in PROGRAMME["stages"]]
CHOICE_TYPES = ("choice", "multiple-response", "true-false")


def package(stage: str, fmt: str = "scorm2004") -> str:
    return f"{PROGRAMME['id']}-{stage}-{fmt}"


def boxes(frame, selector: str) -> list[dict]:
    """The boxes of the first statement's elements that match ``selector`` (the statement itself for '')."""
    return frame.evaluate("s => { const st = document.querySelector('#page-self-assessment .el-statement');"
                          " return (s ? Array.from(st.querySelectorAll(s)) : [st]).map(x => {"
                          " const r = x.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right}; }); }",
                          selector)


def test_the_five_point_scale_is_one_row_at_1280_px_and_one_column_at_390_px(page, phone, server, content):
    wide = sco.open_standalone(page, server, package(STAGES[0]))
    points = boxes(wide, ".el-point")
    assert len(points) == 5
    assert len({round(p["top"]) for p in points}) == 1, points  # one row: not 4 + 1
    statement = boxes(wide, "")[0]
    assert points[-1]["right"] <= statement["right"]
    narrow = sco.open_standalone(phone, server, package(STAGES[0]))
    points = boxes(narrow, ".el-point")
    assert len({round(p["left"]) for p in points}) == 1, points  # one under the other, in order
    assert [p["top"] for p in points] == sorted(p["top"] for p in points) and len({p["top"] for p in points}) == 5
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling


def test_the_contents_tick_the_self_assessment_and_the_assessment_only_once_submitted(page, server, content):
    frame = sco.open_standalone(page, server, package(STAGES[0]))
    data = sco.course_data(frame)
    ticked = lambda: frame.eval_on_selector_all("[data-nav-page][data-visited]", "ls => ls.map(l => l.dataset.navPage)")
    assert sco.visible_pages(frame) == ["self-assessment"] and ticked() == []  # open, but not done
    sco.rate(frame, sco.ratings(data))
    assert ticked() == ["self-assessment"]
    assert frame.locator('[data-nav-page="self-assessment"] .el-sr-only').inner_text().strip() == data["strings"]["done"]
    sco.go(frame, "assessment")
    assert "assessment" not in ticked()
    answers, _ = sco.plan(sco.drawn(frame, data["assessment"]), data["assessment"]["passMark"], passing=False)
    sco.answer_and_submit(frame, answers)
    assert ticked()[-1] == "assessment"


@pytest.mark.parametrize("stage", STAGES)
def test_the_pass_mark_and_select_all_that_apply_are_said_once(page, server, content, stage):
    frame = sco.open_standalone(page, server, package(stage))
    data = sco.course_data(frame)
    sco.go(frame, "assessment")
    shown = frame.locator("#page-assessment").inner_text()
    assert shown.count(f"You need {data['assessment']['passMark']}% to pass") == 1, shown
    hint = data["strings"]["select_all"].lower()
    multiple = [q["id"] for q in data["assessment"]["questions"] if q["type"] == "multiple-response"]
    assert multiple
    for qid in multiple:  # every question of the banks, drawn this time or not
        text = frame.locator(f'[data-question-id="{qid}"]').text_content().lower()
        assert text.count(hint) == 1, (qid, text)


@pytest.mark.parametrize("stage", STAGES)
def test_after_marking_each_question_shows_what_was_right(page, server, content, stage):
    frame = sco.open_standalone(page, server, package(stage))
    data = sco.course_data(frame)
    strings, a = data["strings"], data["assessment"]
    sco.go(frame, "assessment")
    assert a["attempts"] >= 1
    for left in range(a["attempts"] - 1, -1, -1):  # fail every attempt: the key is shown after the last
        questions = sco.drawn(frame, a)
        answers, _ = sco.plan(questions, a["passMark"], passing=False)  # every scored answer wrong
        sco.answer_and_submit(frame, answers)
        if left:
            if a.get("feedbackOnFail") == "revisit":  # while attempts remain, no key either (issue 16)
                assert frame.locator("[data-question-id] [data-key]").count() == 0
                assert frame.locator('[data-question-id][data-result="revisit"]').count() > 0
            frame.click('[data-action="retry"]')
    checked = set()
    for answer in answers:
        q, box = answer.question, frame.locator(f'[data-question-id="{answer.question["id"]}"]')
        if not q["scored"]:
            assert box.locator("[data-key]").count() == 0
            continue
        checked.add(q["type"])
        if q["type"] in CHOICE_TYPES:
            marked = box.locator(".el-choice[data-key]").evaluate_all(
                "cs => cs.map(c => [c.querySelector('input').value, c.dataset.key,"
                " c.querySelector('.el-key-tag').textContent])")
            chosen = set(answer.response)
            want = [[c["id"], "right" if c["id"] in q["correct"] else "wrong",
                     strings["key_right_chosen" if c["id"] in chosen else "key_right_missed"] if c["id"] in q["correct"]
                     else strings["key_wrong_chosen"]]
                    for c in q["choices"] if c["id"] in q["correct"] or c["id"] in chosen]
            shown_order = [c["id"] for c in q["choices"]]
            assert sorted(marked, key=lambda m: shown_order.index(m[0])) == want, q["id"]
            for option, _, text in want:  # in the option's accessible name, not only in colour
                assert text in box.locator(f'label[for="q-{q["id"]}-{option}"]').inner_text()
        elif q["type"] in ("matching", "sequencing"):
            texts = box.locator(".el-select-row .el-key-tag").all_inner_texts()
            if q["type"] == "matching":
                names = {t["id"]: t["text"] for t in q["targets"]}
                right = [names[t] for s, t in q["correct"] if dict(answer.response).get(s) != t]
            else:
                names = {c["id"]: c["text"] for c in q["choices"]}
                right = [names[c] for c, given in zip(q["correct"], answer.response) if c != given]
            assert texts == [strings["key_answer"].format(answer=t) for t in right] and texts, q["id"]
        elif q["type"] == "fill-in":
            assert box.locator(".el-answer-key").inner_text() == strings["key_answer"].format(answer=q["accepted"][0])
    assert checked & set(CHOICE_TYPES)


def rate_for_gaps(data: dict, small: str, big: str) -> list[sco.Rating]:
    """Every area at its expected level, but ``small`` one point lower on one statement (a difference of a
    fraction of a point) and ``big`` a whole point lower throughout."""
    expected = {a["id"]: a["expected"] for a in data["keyAreas"]}
    rated, lowered = [], False
    for statement in data["selfAssessment"]["statements"]:
        point = expected[statement["keyArea"]]
        if statement["keyArea"] == big:
            point -= 1
        elif statement["keyArea"] == small and not lowered:
            point, lowered = point - 1, True
        rated.append(sco.Rating(statement, point))
    return rated


def test_the_gap_profile_legend_threshold_and_modules_to_study(page, server, content):
    frame = sco.open_standalone(page, server, package(STAGES[0]))
    data = sco.course_data(frame)
    strings = data["strings"]
    areas = [a["id"] for a in data["keyAreas"]]
    small, big = areas[0], areas[-1]
    sco.rate(frame, rate_for_gaps(data, small, big))
    profile = {a["id"]: a for a in sco.check_gap_profile(frame, data, rate_for_gaps(data, small, big))}
    # A difference of a fraction of a point is not a gap; a whole point is.
    assert 0 < profile[small]["gap"] < data["selfAssessment"]["gapThreshold"] and not profile[small]["is_gap"]
    assert profile[big]["is_gap"] and [a for a in areas if profile[a]["is_gap"]] == [big]
    box = frame.locator("#page-self-assessment [data-gap-profile]")
    assert box.locator("[data-gap-threshold]").inner_text() == strings["gap_threshold"].format(
        threshold=f'{data["selfAssessment"]["gapThreshold"]:.1f}')
    assert box.locator('tr[data-area="%s"] [data-cell="gap"]' % small).inner_text() == strings["gap_none"]

    # Every colour of the chart is in its legend: the gap bar's too.
    colour = lambda selector: box.locator(selector).first.evaluate("x => getComputedStyle(x).backgroundColor")
    legend = lambda selector: box.locator(selector).evaluate("x => getComputedStyle(x, '::before').backgroundColor")
    assert colour(f'.el-bar-row[data-area="{big}"] [data-bar]') == legend(".el-key-gap")
    assert colour(f'.el-bar-row[data-area="{small}"] [data-bar]') == legend(".el-key-score")
    assert legend(".el-key-gap") != legend(".el-key-score")
    assert box.locator(".el-key-gap").inner_text() == strings["gap_legend_gap"]

    # Modules to study: only for the gap, at most three, the most relevant first; "None needed" elsewhere.
    for area in areas:
        row = box.locator(f'tr[data-area="{area}"]')
        links = row.locator("a[data-goto-page]:visible").all_inner_texts()
        if area == big:
            assert links == [m["title"] for m in next(a for a in data["keyAreas"] if a["id"] == big)["modules"]]
            assert 1 <= len(links) <= 3 and row.locator("[data-no-modules]").is_hidden()
        else:
            assert links == [] and row.locator("[data-no-modules]").inner_text() == strings["gap_no_modules"]
    first = box.locator(f'tr[data-area="{big}"] a[data-goto-page]').first
    target = first.get_attribute("data-goto-page")
    first.click()
    assert sco.visible_pages(frame) == [target]


def test_the_gap_profile_fits_a_phone_and_stays_a_table(phone, server, content, axe_script):
    """At 390 px the profile table stacks a block per key area (it was 499 px wide: sideways scrolling) and keeps
    its table semantics (roles) for screen readers; axe-core finds nothing."""
    frame = sco.open_standalone(phone, server, package(STAGES[-1]))
    data = sco.course_data(frame)
    areas = [a["id"] for a in data["keyAreas"]]
    sco.rate(frame, rate_for_gaps(data, areas[0], areas[-1]))
    box = frame.locator("#page-self-assessment [data-gap-profile]")
    assert box.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    table = box.locator(".el-gap-table")
    assert table.evaluate("t => t.getBoundingClientRect().right") <= 390
    rows = table.locator("tbody tr")
    assert rows.count() == len(areas)
    cells = rows.first.locator("th, td").evaluate_all("cs => cs.map(c => c.getBoundingClientRect().left)")
    assert len(set(cells)) == 1  # stacked, not side by side
    assert rows.first.locator('[data-cell="gap"]').evaluate(
        "c => getComputedStyle(c, '::before').content").startswith('"' + data["strings"]["gap_gap"])
    phone.emulate_media(reduced_motion="reduce")
    phone.add_script_tag(path=str(axe_script))
    result = phone.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
