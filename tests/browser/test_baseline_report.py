"""The baseline report in Chromium, as a board would see it: screenshots at 1280 px and of the A4 print layout
(PDF pages), no horizontal scroll, no machine ids or IRIs in the text, axe-core clean, small groups left out.

The screenshots go to ``tmp_path``, or to the folder ``ELEARN_SCREENSHOTS`` names, for a person to look at.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportdata import REPO, SMALL, programme_statements

from elearn_builder.cli.commands import main
from elearn_builder.xapi.generate import json_lines

IDS = re.compile(r"https?://|\bscore_\d|share_with_gap|learners_reassessed|\(all\)|experienced-social-worker|"
                 r"social-worker|reflective-practice|supervision-skills|principles-policies-procedures|\bpcf\b| · ")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # as test_axe_every_package.py
A4_CONTENT_PX = round((210 - 2 * 12) / 25.4 * 96)
"""The width of an A4 page less the print stylesheet's 12 mm margins, in CSS pixels (703)."""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    source = folder / "statements.jsonl"
    source.write_text("".join(json_lines(programme_statements())), encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "baseline", str(source), "--html", str(folder / "baseline.html"),
                                       "--programme", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    return folder / "baseline.html"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("ELEARN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()


def test_report_on_a_1280_px_screen(tab, report, shots, axe_script, record_property):
    tab.goto(report.as_uri())
    tab.screenshot(path=str(shots / "baseline-1280.png"), full_page=True)
    record_property("screenshot", str(shots / "baseline-1280.png"))
    assert tab.requests == [report.as_uri()]  # self-contained: nothing else loaded
    assert tab.evaluate("document.scripts.length") == 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280  # no horizontal scroll
    overflowing = tab.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(el => el.getBoundingClientRect().right > document.querySelector('main').getBoundingClientRect().right + 1)
        .map(el => el.tagName + ' ' + el.textContent.slice(0, 40))""")
    assert overflowing == []

    text = tab.inner_text("body")
    assert not IDS.findall(text), IDS.findall(text)[:10]
    for words in ("Experienced social worker", "Principles, policies and procedures", "9. Professional leadership",
                  "Small groups are not shown", "Module that teaches it"):
        assert words in text

    small = tab.locator("section[aria-labelledby=start] .block", has=tab.locator(f"h3:text-is('{SMALL}')"))
    assert small.locator("tr", has_text="Manager").inner_text().split("\t")[-1].strip() == (
        "Not shown: fewer than 5 learners")
    assert "6 learners" in small.locator("tr", has_text="Social worker").inner_text()

    tab.add_script_tag(path=str(axe_script))
    result = tab.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
    record_property("axe rules passed", len(result["passes"]))


def test_report_prints_on_a4(tab, report, shots, record_property):
    tab.goto(report.as_uri())
    pdf = tab.pdf(format="A4")
    (shots / "baseline-print.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf))
    assert 2 <= pages <= 12 and boxes and all(abs(float(w) - 595.9) < 1 and abs(float(h) - 842) < 1.5
                                                for w, h in boxes), (pages, boxes)
    record_property("A4 pages", pages)
    if shutil.which("pdftoppm"):  # the pages as images, for a person to look at
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(shots / "baseline-print.pdf"), str(shots / "print")],
                       check=True, timeout=120)
        assert len(list(shots.glob("print-*.png"))) == pages

    tab.emulate_media(media="print")
    tab.set_viewport_size({"width": A4_CONTENT_PX, "height": 1100})
    tab.screenshot(path=str(shots / "baseline-print-layout.png"), full_page=True)
    assert tab.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT_PX  # nothing cut at the page edge
    cell = tab.locator("table.matrix td[style]").first
    assert cell.evaluate("el => getComputedStyle(el).printColorAdjust") == "exact"  # the colours print
    assert tab.locator("nav").evaluate("el => getComputedStyle(el).display") == "none"
