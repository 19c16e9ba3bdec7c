"""render.py's gap profile data: the modules to study for a gap, ranked, and the gap threshold the runtime uses."""
from __future__ import annotations

from pathlib import Path

import pytest

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.course import load_course
from elearn_builder.model import GAP_THRESHOLD, MODULES_PER_GAP
from elearn_builder.render.stage import key_area_data, load_strings, stage_data, study_modules

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def programme():
    diags = Diagnostics()
    loaded = load_course(REPO / "content", diags)
    assert loaded is not None and not diags.errors
    return loaded


def test_modules_whose_main_area_it_is_come_first_the_focused_before_the_broad(programme):
    ids = {area.id: [m.id for m in study_modules(programme, area.id)] for area in programme.key_areas}
    # content/: reflective practice is the first key area of modules 01 (four areas), 02, 03 and 09 (two each).
    assert ids["reflective-practice"][:3] == ["why-reflective-supervision", "models", "action-learning"]
    assert ids["principles-policies-procedures"][0] == "principles-policies-procedures"  # its only main area
    assert ids["pcf"][0] == "pcf-and-supervision"
    for area, listed in ids.items():
        assert 1 <= len(listed) <= MODULES_PER_GAP, area
        modules = [next(m for m in programme.modules if m.id == i) for i in listed]
        ranks = [(m.key_areas.index(area), len(m.key_areas)) for m in modules]
        assert ranks == sorted(ranks) and all(area in m.key_areas for m in modules)


def test_modules_naming_the_area_second_fill_the_list_when_few_name_it_first(programme):
    # Only module 06 has principles, policies and procedures as its main area; 02 and 07 name it second.
    assert [m.id for m in study_modules(programme, "principles-policies-procedures")] == [
        "principles-policies-procedures", "why-reflective-supervision", "pcf-and-supervision"]
    # Two modules name the PCF at all: its own first, the four-area introduction after.
    assert [m.id for m in study_modules(programme, "pcf")] == ["pcf-and-supervision", "introduction"]


def test_the_stage_data_carry_the_ranked_modules_and_the_threshold(programme):
    stage = programme.stages[0]
    data = stage_data(programme, stage, load_strings("en-GB"))
    assert data["selfAssessment"]["gapThreshold"] == GAP_THRESHOLD == 0.5
    assert data["keyAreas"] == key_area_data(programme, stage)
    for area in data["keyAreas"]:
        assert [m["id"] for m in area["modules"]] == [m.id for m in study_modules(programme, area["id"])]
        assert all(m["page"] for m in area["modules"])
