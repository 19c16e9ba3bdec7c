"""Every question type loads into the model; bad questions give located, coded diagnostics."""
from __future__ import annotations

from pathlib import Path

import pytest

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.markdown import MediaRefs, Renderer
from elearn_builder.model import Location
from elearn_builder.sources.questions import QuestionReader
from elearn_builder.sources.reader import parse_yaml

HEAD = "id: q1\nkey_area: pcf\nprompt: Which?\n"


def read(text: str, tmp_path: Path, ids=None):
    diags = Diagnostics()
    node = parse_yaml(text, "a.yaml", diags)
    reader = QuestionReader("a.yaml", {"pcf"}, Renderer(tmp_path, diags, MediaRefs()),
                            {} if ids is None else ids, diags)
    return reader.read(node, "bank-1"), diags


def test_matching(tmp_path):
    q, diags = read(HEAD + "type: matching\npairs:\n"
                    "  - {source: {id: a, text: A}, target: {id: x, text: X}}\n"
                    "  - {source: {id: b, text: B}, target: {id: y, text: Y}}\n"
                    "distractors: [{id: z, text: Z}]\n", tmp_path)
    assert not diags.items
    assert [s.id for s in q.sources] == ["a", "b"] and [t.id for t in q.targets] == ["x", "y", "z"]
    assert q.pairs == (("a", "x"), ("b", "y")) and q.interaction_type == "matching" and q.bank == "bank-1"


def test_sequencing_keeps_the_correct_order(tmp_path):
    q, diags = read(HEAD + "type: sequencing\nitems:\n  - {id: one, text: One}\n  - {id: two, text: Two}\n"
                    "  - {id: three, text: Three}\n", tmp_path)
    assert not diags.items and q.correct_ids == ("one", "two", "three")


def test_fill_in_normalises_accepted_answers(tmp_path):
    q, diags = read(HEAD + "type: fill-in\naccepted: [' 90 ', ninety, 90  minutes, 90]\nmax_length: 20\n", tmp_path)
    assert not diags.items
    assert q.accepted == ("90", "ninety", "90 minutes", "90") and q.case_matters is False and q.max_length == 20


def test_long_fill_in_is_not_scored(tmp_path):
    q, diags = read(HEAD + "type: long-fill-in\nguidance: Say *why*.\ncriteria: [Says why]\n", tmp_path)
    assert not diags.items and q.scored is False and q.max_length == 1000
    assert q.guidance_html == "<p>Say <em>why</em>.</p>"


@pytest.mark.parametrize("body, code, line", [
    ("type: fill-in\naccepted: []\n", "question.no-correct-answer", 1),
    ("type: fill-in\naccepted: [a very long answer]\nmax_length: 5\n", "field.value", 5),
    ("type: long-fill-in\nmax_length: 5000\n", "field.value", 5),
    ("type: matching\npairs:\n  - {source: {id: a, text: A}, target: {id: x, text: X}}\n", "question.pair-count", 6),
    ("type: matching\npairs:\n  - {source: {id: a, text: A}}\n  - {source: {id: b, text: B}, target: {id: x, text: X}}\n",
     "field.missing", 6),
    ("type: sequencing\nitems:\n  - {id: one, text: One}\n  - {id: one, text: Again}\n", "id.duplicate", 7),
    ("type: essay\n", "question.unknown-type", 4),
])
def test_bad_questions(tmp_path, body, code, line):
    q, diags = read(HEAD + body, tmp_path)
    assert q is None
    assert (diags.errors[0].code, diags.errors[0].location.line) == (code, line), [str(d) for d in diags.items]


def test_ids_unique_across_files(tmp_path):
    ids = {"q1": Location("other.yaml", 3, 5)}
    q, diags = read(HEAD + "type: true-false\nanswer: true\n", tmp_path, ids)
    assert q is None
    assert str(diags.items[0]) == 'a.yaml:1:5: error [id.duplicate] question id "q1" is already used at other.yaml:3:5'
