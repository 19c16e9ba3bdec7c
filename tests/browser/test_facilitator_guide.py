"""The facilitator guides (``elearn guide``) in Debian Chromium: each prints on A4 pages and passes axe-core."""
from __future__ import annotations

import re

import pytest
from conftest import REPO

from elearn_builder.render.guide import GuideOptions, build_guides

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
A4_POINTS = (595.28, 841.89)
"""210 x 297 mm in PDF points; Chromium writes them rounded to 1/25 of a point or so."""


@pytest.fixture(scope="module")
def guides(tmp_path_factory):
    out = tmp_path_factory.mktemp("guide")
    return build_guides(GuideOptions(source=REPO / "content", output=out, templates=REPO / "templates"))


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_every_guide_prints_on_a4_with_each_master_class_on_its_own_pages(page, guides):
    assert len(guides) == 3
    for path in guides:
        page.goto(path.as_uri())
        # The guide's own @page rule sets the size: without it Chromium prints on US Letter.
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        boxes = media_boxes(pdf)
        assert boxes and all(abs(w - A4_POINTS[0]) < 1.5 and abs(h - A4_POINTS[1]) < 1.5 for w, h in boxes), \
            (path.name, set(boxes))
        assert len(boxes) >= 4, (path.name, len(boxes), "the overview, then a page break before each class")
        page.emulate_media(media="print")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path.name, overflow)
        page.emulate_media(media="screen")


def test_every_guide_passes_axe(page, guides, axe_script):
    for path in guides:
        page.goto(path.as_uri())
        page.add_script_tag(path=str(axe_script))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert not violations, (path.name, violations)
        assert len(result["passes"]) > 10, "axe checked the page"
