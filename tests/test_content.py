"""The bundled programme: what the issues ask of its content, checked on the loaded model."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.load import load_course

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def programme():
    diags = Diagnostics()
    p = load_course(ROOT / "content", diags)
    assert not diags.items, [str(d) for d in diags.items]
    return p


def test_three_stages_and_at_least_eight_modules_of_several_pages(programme):
    assert [s.id for s in programme.stages] == ["social-worker", "experienced-social-worker", "manager"]
    assert len(programme.modules) >= 8
    assert all(len(m.pages) >= 3 for m in programme.modules)


def test_self_assessment_has_five_statements_per_area_each_mapped_to_pcf(programme):
    sa = programme.self_assessment
    per_area = Counter(s.key_area for s in sa.statements)
    assert set(per_area) == {a.id for a in programme.key_areas}
    assert min(per_area.values()) >= 5
    assert all(s.pcf_domains for s in sa.statements)
    for stage in programme.stages:
        assert {a for a, _ in stage.expectations} == set(per_area)


def test_every_question_carries_key_area_and_pcf_domains(programme):
    for _, assessment in programme.assessments:
        for q in assessment.questions:
            assert q.key_area and q.pcf_domains, q.id


def test_pass_marks_rise_with_the_level(programme):
    marks = [programme.assessment_for(s.id).pass_mark for s in programme.stages]
    assert marks == sorted(marks) and len(set(marks)) == 3


def types(programme, stage_id):
    return Counter(q.type for q in programme.assessment_for(stage_id).questions)


def test_three_designs_not_three_banks(programme):
    sw, esw, mgr = (types(programme, s.id) for s in programme.stages)
    # Social worker: knowledge and understanding, no written answer.
    assert {"choice", "multiple-response", "true-false", "matching"} <= set(sw) and "long-fill-in" not in sw
    # Experienced social worker: case scenarios with sequencing, matching and one written answer.
    esw_assessment = programme.assessment_for("experienced-social-worker")
    assert {"choice", "sequencing", "matching"} <= set(esw) and esw["long-fill-in"] == 1
    assert all(b.intro_html for b in esw_assessment.banks), "every bank opens with a case"
    # Manager: a transcript to critique, planning, the standards, and one written answer.
    mgr_assessment = programme.assessment_for("manager")
    assert mgr["long-fill-in"] == 1 and "sequencing" in mgr
    assert any(b.intro_html.count("<blockquote>") >= 5 for b in mgr_assessment.banks), "a transcript of exchanges"
    assert sw != esw != mgr


def test_attempts_differ_because_some_banks_draw(programme):
    for stage in programme.stages:
        assessment = programme.assessment_for(stage.id)
        assert assessment.attempts >= 2
    assert any(b.draw and b.draw < len(b.questions) for _, a in programme.assessments for b in a.banks)
