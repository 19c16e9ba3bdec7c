"""Ids every LMS accepts: the author's ids mapped one to one onto [A-Za-z0-9_.], carried as ``lmsId`` in the
course data; the author's ids stay in descriptions and xAPI."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.fields import ID_RE, QUESTION_ID_RE
from elearn_builder.standards.lmsids import LMS_ID_RE, author_id, lms_description, lms_id, moodle_refuses_interaction, moodle_refuses_option
from elearn_builder.sources.course import load_course
from elearn_builder.render.stage import load_strings, stage_data

ROOT = Path(__file__).resolve().parents[2]
AUTHOR_IDS = st.from_regex(QUESTION_ID_RE, fullmatch=True) | st.from_regex(ID_RE, fullmatch=True)


@pytest.mark.parametrize("author, mapped", [
    ("evidence-base", "evidence_base"), ("check-in", "check_in"), ("esw-amira-first-response", "esw_amira_first_response"),
    ("q_1", "q_.1"), ("a-_b", "a__.b"), ("a_-b", "a_._b"), ("plain", "plain"), ("true", "true"), ("Q7", "Q7"),
])
def test_mapping_examples(author, mapped):
    assert lms_id(author) == mapped
    assert author_id(mapped) == author


@given(AUTHOR_IDS)
def test_every_author_id_maps_to_an_id_every_lms_accepts_and_back(ident):
    mapped = lms_id(ident)
    assert LMS_ID_RE.match(mapped)
    assert not moodle_refuses_option(mapped)
    assert not moodle_refuses_interaction(mapped, "scorm12")
    assert not moodle_refuses_interaction(mapped, "scorm2004")
    assert author_id(mapped) == ident  # one to one: two author ids never share an LMS id


@given(AUTHOR_IDS, AUTHOR_IDS)
def test_no_collisions(a, b):
    assert (lms_id(a) == lms_id(b)) == (a == b)


@pytest.mark.parametrize("bad", ["", "a b", "a.b", "é", "x" * 65, "a[,]b", "a\n"])
def test_only_author_ids_are_mapped(bad):
    with pytest.raises(ValueError):
        lms_id(bad)


def test_lms_description_names_the_author_id_on_one_line_within_250():
    assert lms_description("esw-amira-cycle", "Put Gibbs'\n  cycle in order.") == "esw-amira-cycle: Put Gibbs' cycle in order."
    long = lms_description("q-1", "word " * 100)
    assert len(long) <= 250 and long.startswith("q-1: word") and not long.endswith(" ")


@pytest.mark.parametrize("value, refused", [
    ("evidence-base", True),  # the defect Moodle showed: error 406 on a hyphen
    ("evidence_base", False), ("a.b", False), ("", True), ("x" * 251, True), ("é", True), ("a b", True),
])
def test_moodle_short_identifier(value, refused):
    assert moodle_refuses_option(value) is refused


@pytest.mark.parametrize("value, edition, refused", [
    ("esw-amira-cycle", "scorm2004", False),  # CMILongIdentifier takes hyphens
    ("urn:bad", "scorm2004", True), ("a b", "scorm2004", True), ("", "scorm2004", True),
    ("esw-amira-cycle", "scorm12", False), ("a b", "scorm12", True), ("é", "scorm12", True), ("", "scorm12", True),
    ("x" * 256, "scorm12", True),
])
def test_moodle_interaction_ids(value, edition, refused):
    assert moodle_refuses_interaction(value, edition) is refused


@pytest.fixture(scope="module")
def programme():
    diags = Diagnostics()
    p = load_course(ROOT / "content", diags)
    assert p is not None, diags
    return p


def test_course_data_carries_an_lms_id_for_everything_that_reaches_the_lms(programme):
    strings = load_strings(programme.language)
    hyphenated = 0
    for stage in programme.stages:
        data = stage_data(programme, stage, strings)
        things = list(data["selfAssessment"]["statements"])
        for q in data["assessment"]["questions"]:
            things.append(q)
            things += q.get("choices", []) + q.get("sources", []) + q.get("targets", [])
        for thing in things:
            assert thing["lmsId"] == lms_id(thing["id"])
            if "description" in thing:  # statements and questions: the interaction description names the author id
                assert thing["lmsDescription"].startswith(thing["id"] + ": ") and len(thing["lmsDescription"]) <= 250
            assert not moodle_refuses_option(thing["lmsId"])
            hyphenated += "-" in thing["id"]
        # the author's ids stay where people read them: correct answers name options by author id
        for q in data["assessment"]["questions"]:
            options = {o["id"] for o in q.get("choices", []) + q.get("sources", []) + q.get("targets", [])}
            flat = [x for pair in q["correct"] for x in (pair if isinstance(pair, list) else [pair])]
            if options:
                assert set(flat) <= options
    assert hyphenated > 50  # the bundled programme has many ids Moodle would refuse unmapped


def test_the_author_ids_stay_where_people_and_the_lrs_read_them(programme):
    """``id`` (what the xAPI statements and the page use) and the description are the author's; only ``lmsId``
    is mapped."""
    q = programme.assessment_for(programme.stages[1].id).questions[0]
    assert "-" in q.id
    data = stage_data(programme, programme.stages[1], load_strings(programme.language))
    (shown,) = [x for x in data["assessment"]["questions"] if x["id"] == q.id]
    assert shown["description"] == q.prompt_text[:250]  # what xAPI describes the activity with: unchanged
    assert shown["lmsDescription"] == " ".join(f"{q.id}: {q.prompt_text}".split())[:250].rstrip()
    assert shown["lmsId"] == q.id.replace("-", "_") and re.fullmatch(r"[A-Za-z0-9_.]+", shown["lmsId"])
    authored = {c.id for c in q.choices} | {c.id for c in q.sources} | {c.id for c in q.targets}
    listed = {o["id"] for o in shown.get("choices", []) + shown.get("sources", []) + shown.get("targets", [])}
    assert listed == authored
