"""``report baseline --html``: the page's figures equal the tables, in the programme's names, with small groups
left out; without sources or with broken ones the command says so."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from lxml import html
from reportdata import SMALL, programme, programme_statements

from elearn_builder.report.baseline import ALL, Baseline
from elearn_builder.report.page import hidden, render
from elearn_builder.cli.commands import main
from elearn_builder.xapi.generate import json_lines
from elearn_builder.model import GAP_THRESHOLD
from elearn_builder.render.stage import load_strings
from elearn_builder.report.charts import GAP_COLOURS, GAP_TEXT, change, gap_band, percent
from elearn_builder.report.names import Names, names_for, teaching_modules

IDS = re.compile(r"https?://|\bscore_\d|share_with_gap|learners_reassessed|\(all\)|experienced-social-worker|"
                 r"social-worker|reflective-practice|supervision-skills|principles-policies-procedures|\bpcf\b| · ")


@pytest.fixture(scope="module")
def statements() -> list[dict]:
    return programme_statements()


@pytest.fixture(scope="module")
def course():
    return programme()


@pytest.fixture(scope="module")
def baseline(statements) -> Baseline:
    return Baseline().add_all(statements)


@pytest.fixture(scope="module")
def page(baseline, course):
    text = render(baseline.tables(min_learners=5), names_for(course, load_strings("en-GB")), 5, baseline.statements)
    return html.fromstring(text)


def visible(tree) -> str:
    """Every text of the body, the captions and labels kept for screen readers too."""
    return tree.find("body").text_content()


def block(tree, section: str, organisation: str):
    """The block of a section for one organisation (by its heading)."""
    for heading in tree.xpath(f'//section[h2/@id="{section}" or div/h2/@id="{section}"]//h3'):
        if heading.text_content() == organisation:
            return heading.getparent()
    raise AssertionError(f"no {organisation} in {section}")


def test_hidden_groups_and_their_complement():
    assert hidden({ALL: 40, "a": 20, "b": 20}, 5) == set()
    assert hidden({ALL: 23, "a": 20, "b": 3}, 5) == {"a", "b"}  # a too, else 23 - 20 gives b away
    assert hidden({ALL: 33, "a": 20, "b": 3, "c": 10}, 5) == {"b", "c"}  # the next smallest
    assert hidden({ALL: 25, "a": 20, "b": 3, "c": 2}, 5) == {"b", "c"}  # two hidden: neither can be worked out
    assert hidden({ALL: 4, "a": 4}, 5) == {ALL, "a"}
    assert hidden({ALL: 20, "a": 20, "b": 0}, 5) == set()  # nobody: nothing to give away


def test_matrix_cells_equal_the_table(page, baseline, course):
    names = {s.id: s.title for s in course.stages}
    areas = [a.title for a in course.key_areas]
    table = block(page, "start", "All organisations").find(".//table")
    assert [th.text_content() for th in table.findall(".//thead//th")] == ["Stage", *areas]
    rows = {(r["stage"], r["key_area"]): r for r in baseline.scores() if r["organisation"] == ALL and r["period"] == ALL}
    checked = 0
    for tr in table.findall(".//tbody/tr"):
        stage = next(s for s, title in names.items() if tr.find("th").text == title)
        for area, td in zip(course.key_areas, tr.findall("td")):
            row = rows[(stage, area.id)]
            text = td.text_content()
            assert f"{float(row['mean']):.1f}" in text and f"{percent(row['share_with_gap'])} with a gap" in text
            assert f"expected {row['expected_level']}" in text
            assert GAP_COLOURS[gap_band(row["share_with_gap"])] in td.get("style")
            checked += 1
    assert checked == 12


def test_distribution_and_rates_equal_the_table(page, baseline, course):
    rows = {(r["stage"], r["key_area"]): r for r in baseline.scores() if r["organisation"] == "council-a"
            and r["period"] == ALL}
    titles = {a.title: a.id for a in course.key_areas}
    stage = None
    for tr in block(page, "ratings", "council-a").findall(".//tbody/tr"):
        if tr.get("class") == "group":
            stage = next(s.id for s in course.stages if s.title == tr.find("th").text)
            continue
        if tr.find("th").text == "Every key area":  # council-a's managers: hidden beside council-c's three
            assert (stage, tr.findtext("td")) == ("manager", "Not shown: would reveal a smaller group")
            continue
        row = rows[(stage, titles[tr.find("th").text])]
        counts = [int(row[f"score_{p}"]) for p in range(1, 6)]
        assert [td.text for td in tr.findall("td")[1:]] == [percent(c / sum(counts)) for c in counts] + [
            str(row["learners"])]
        widths = [float(r.get("width")) for r in tr.findall(".//rect")]
        assert sum(widths) == pytest.approx(100, abs=0.05) and len(widths) == sum(1 for c in counts if c)
    stages = {(r["stage"], r["organisation"]): r for r in baseline.stages()}
    text = page.xpath('//section[div/h2/@id="rates"]')[0].text_content()
    for (stage, org), row in stages.items():
        if org in (ALL, "council-b"):  # shown everywhere in this data
            assert f'{percent(row["completion_rate"])} ({row["completed"]} of {row["started"]})' in text


def test_human_names_and_no_machine_ids(page, baseline, course):
    text = visible(page)
    assert not IDS.findall(text), IDS.findall(text)[:10]
    for title in [s.title for s in course.stages] + [a.title for a in course.key_areas] + ["6. Critical reflection"
                                                                                             " and analysis"]:
        assert title in text
    top = baseline.wrong_questions(min_learners=5)[0]
    question = next(q for _, a in course.assessments for q in a.questions if top["question"].endswith("/" + q.id))
    assert question.prompt_text in text
    assert teaching_modules(course)[question.id] in text


def test_small_groups_are_not_shown(page, baseline):
    small = {r["stage"]: r["learners"] for r in baseline.stages() if r["organisation"] == SMALL}
    assert small == {"social-worker": 6, "manager": 3}
    council_c = block(page, "start", SMALL)
    rows = {tr.find("th").text: tr for tr in council_c.findall(".//tbody/tr")}
    assert "Not shown: fewer than 5 learners" in rows["Manager"].text_content()
    assert "6 learners" in rows["Social worker"].text_content()  # 6 >= 5: shown
    other = block(page, "start", "council-a").findall(".//tbody/tr")[2]  # the larger group beside the small one
    assert "Not shown: would reveal a smaller group" in other.text_content()
    assert [td.get("colspan") for td in rows["Manager"].findall("td")] == ["4"]  # one cell, no figure
    assert "Small groups are not shown." in page.text_content()
    ratings = block(page, "ratings", SMALL).findall(".//tbody")
    assert [len(t.findall("tr")) for t in ratings] == [5, 2]  # social workers: 4 key areas; managers: one line
    assert ratings[1].text_content() == "ManagerEvery key areaNot shown: fewer than 5 learners"
    for section in ("change", "pcf"):  # the same group left out of the other sections
        text = block(page, section, SMALL).text_content()
        assert "Manager" not in text or "Not shown" in text, section
    rates = page.xpath('//section[div/h2/@id="rates"]//tr[th="council-c"]/following-sibling::tr')
    manager = next(tr for tr in rates if tr.find("th").text == "Manager")
    assert manager.text_content() == "ManagerNot shown: fewer than 5 learners"
    social = {r["stage"]: r for r in baseline.stages() if r["organisation"] == SMALL}["social-worker"]
    assert (social["learners"], social["assessed"]) == (6, 2)  # 6 started: shown; 2 assessed: their pass rate not
    cells = next(tr for tr in rates if tr.find("th").text == "Social worker").findall("td")
    assert "(1 of 6)" in cells[0].text_content() and cells[1].text == "Not shown: fewer than 5 learners"


def test_teaching_modules(course):
    found = teaching_modules(course)
    assert found["sw-kolb-order"] == "3. Models of supervision and reflection"
    assert found["sw-session-minutes"] == "6. Principles, policies and procedures"
    assert found["sw-pcf-domains"] == "7. The Professional Capabilities Framework and supervision"
    assert len(found) == sum(len(a.questions) for _, a in course.assessments)


def test_number_formats_and_contrast():
    assert [percent(x) for x in (0, 0.004, 0.5, 0.675, 1)] == ["0%", "0%", "50%", "68%", "100%"]
    assert [change(x) for x in (0.44, -0.26, 0.01)] == ["+0.4", "\u22120.3", "0.0"]
    assert [gap_band(x) for x in (0, 0.199, 0.2, 0.6, 0.8, 1)] == [0, 0, 1, 3, 4, 4]

    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    for back, text in zip(GAP_COLOURS, GAP_TEXT):
        light, dark = sorted((luminance(back), luminance(text)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, back
    assert [luminance(c) for c in GAP_COLOURS] == sorted((luminance(c) for c in GAP_COLOURS), reverse=True)


def test_min_group_option_and_sources(statements, tmp_path, monkeypatch):
    source = tmp_path / "s.jsonl"
    source.write_text("".join(json_lines(statements)), encoding="utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", "baseline", str(source), "--html", str(out), "--min-group", "3"])
    assert result.exit_code == 0, result.output
    page = html.fromstring(out.read_text(encoding="utf-8"))
    manager = {tr.find("th").text: tr for tr in block(page, "start", SMALL).findall(".//tbody/tr")}["Manager"]
    assert "3 learners" in manager.text_content() and "Not shown" not in manager.text_content()
    assert "fewer than 3 learners" in page.text_content()
    assert f"at least {GAP_THRESHOLD:g} points below the level" in page.text_content()  # the learners' rule

    monkeypatch.chdir(tmp_path)  # no content/ here: ids as recorded, and the page and stderr say so
    result = CliRunner().invoke(main, ["report", "baseline", str(source), "--html", str(out)])
    assert result.exit_code == 0 and "no programme sources" in result.stderr and "--programme DIR" in result.stderr
    assert "The programme's sources were not found" in out.read_text(encoding="utf-8")

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "programme.yaml").write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    out.unlink()
    result = CliRunner().invoke(main, ["report", "baseline", str(source), "--html", str(out), "--programme",
                                       str(broken)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(r"programme\.yaml:\d+:\d+: error \[", result.stderr), result.stderr
    assert "no report was written" in result.stderr and not out.exists()


def test_values_an_lrs_should_not_send(statements):
    """Non-numeric scores, gaps and levels are skipped, not a traceback; hostile text is escaped."""
    bad = json.loads(json.dumps(statements[:400]))
    for s in bad:
        extensions = (s.get("result") or {}).get("extensions") or {}
        for key in list(extensions):
            if key.endswith(("/scores", "/gaps", "/expected-levels")):
                extensions[key] = {"reflective-practice": "<b>high</b>", "pcf": [1], "supervision-skills": True,
                                   **{k: v for k, v in extensions[key].items() if k == "principles-policies-procedures"}}
        s["context"]["extensions"]["https://xapi.reflective-supervision.org.uk/extensions/organisation"] = "<i>x</i>"
        if "success" in (s.get("result") or {}):
            s["object"]["definition"]["description"] = {"en-GB": "<img src=x onerror=alert(1)>?"}
    tables = Baseline().add_all(bad).tables()
    assert {r["key_area"] for r in tables["scores"]} == {"principles-policies-procedures"}
    text = render(tables, min_group=1)  # no names: the questions' text is what the statements carried
    assert "<i>x</i>" not in text and "&lt;i&gt;x&lt;/i&gt;" in text
    assert "<img" not in text and text.count("&lt;img src=x onerror=alert(1)&gt;?") == len(tables["questions"]) > 0
    titled = render(tables, names=Names(title="<script>x()</script>"), min_group=1)  # the author's title too
    assert "<script>x()" not in titled and titled.count("&lt;script&gt;x()&lt;/script&gt;") == 2  # title, h1


def test_nothing_recorded_is_not_called_suppressed(statements):
    """Without self-assessments the sections say nothing is recorded (not that groups are hidden); without a
    programme the page is titled plainly."""
    empty = html.fromstring(render(Baseline().tables()))
    assert empty.findtext(".//h1") == "Self-assessment baseline"
    others = [s for s in statements if not s["verb"]["id"].endswith(("/self-assessed", "/answered"))]
    tree = html.fromstring(render(Baseline().add_all(others).tables(), min_group=5))
    for section in ("start", "ratings", "pcf"):
        notes = [p.text for p in tree.xpath(f'//section[div/h2/@id="{section}"]//p[@class="note"]')]
        assert notes[1:] == ["Nothing recorded yet."] * 4, (section, notes)  # all, a, b and c
    assert "fewer than 5" not in tree.xpath('//section[div/h2/@id="start"]')[0].text_content()
