"""Assessment files: settings, banks with cases and draws, and their diagnostics."""
from __future__ import annotations

from pathlib import Path

from elearn_builder.sources.assessments import load_assessment
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.markdown import MediaRefs, Renderer
from elearn_builder.model import Location

COURSES = Path(__file__).parents[1] / "courses"
TF = "{id: %s, type: true-false, key_area: pcf, prompt: P, answer: true}"


def load(root: Path, text: str | None = None, rel: str = "assessments/manager.yaml"):
    if text is not None:
        (root / "a.yaml").write_text(text)
        rel = "a.yaml"
    diags = Diagnostics()
    a = load_assessment(root, rel, Location("programme.yaml", 9, 17), {"pcf", "reflective-practice"},
                        Renderer(root, diags, MediaRefs()), {}, diags)
    return a, diags


def test_banks_keep_case_and_draw():
    a, diags = load(COURSES / "all-types")
    assert not diags.items
    assert [(b.id, b.draw, len(b.questions)) for b in a.banks] == [("transcript", 0, 3), ("standards", 1, 2),
                                                                   ("writing", 0, 1)]
    assert "<strong>Worker:</strong>" in a.banks[0].intro_html and a.banks[0].title == "A supervision transcript"
    assert [q.type for q in a.questions] == ["true-false", "matching", "sequencing", "fill-in", "choice", "long-fill-in"]
    assert {q.bank for q in a.questions} == {"transcript", "standards", "writing"}


def test_plain_questions_make_one_bank(tmp_path):
    a, diags = load(tmp_path, "id: a\ntitle: A\npass_mark: 50\ndraw: 1\nquestions:\n  - " + TF % "x" + "\n  - "
                    + TF % "y" + "\n")
    assert not diags.items and [(b.id, b.draw) for b in a.banks] == [("main", 1)]


def test_draw_larger_than_bank(tmp_path):
    a, diags = load(tmp_path, "id: a\ntitle: A\npass_mark: 50\nbanks:\n  - id: b\n    draw: 3\n    questions:\n"
                    "      - " + TF % "x" + "\n")
    assert a is None
    assert str(diags.errors[0]).startswith("a.yaml:6:11: error [field.value] draw 3 must be between 0")


def test_banks_and_questions_together_refused(tmp_path):
    a, diags = load(tmp_path, "id: a\ntitle: A\npass_mark: 50\nbanks: []\nquestions: []\n")
    assert a is None and diags.errors[0].code == "assessment.banks-and-questions"


def test_only_written_answers_cannot_be_scored(tmp_path):
    a, diags = load(tmp_path, "id: a\ntitle: A\npass_mark: 50\nquestions:\n"
                    "  - {id: w, type: long-fill-in, key_area: pcf, prompt: Write}\n")
    assert a is None and diags.errors[0].code == "assessment.nothing-scored"
