"""The self-assessment file: scale, statements per key area, ids shared with questions."""
from __future__ import annotations

from pathlib import Path

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.markdown import MediaRefs, Renderer
from elearn_builder.model import Location
from elearn_builder.sources.selfassessment import load_self_assessment

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"


def load(root: Path, text: str | None = None, ids=None):
    if text is not None:
        (root / "sa.yaml").write_text(text)
    diags = Diagnostics()
    sa = load_self_assessment(root, "sa.yaml" if text is not None else "self-assessment.yaml",
                              Location("programme.yaml", 32, 18), {"pcf", "reflective-practice"},
                              Renderer(root, diags, MediaRefs()), {} if ids is None else ids, diags)
    return sa, diags


def test_minimal_self_assessment():
    sa, diags = load(MINIMAL)
    assert not diags.items
    assert sa.scale == ("New to this", "Developing", "Competent", "Confident", "Expert")
    assert [(s.id, s.key_area, s.pcf_domains) for s in sa.statements] == [
        ("sa-rp-1", "reflective-practice", (6,)), ("sa-rp-2", "reflective-practice", (1, 6)), ("sa-pcf-1", "pcf", (1,))]


def test_every_key_area_needs_a_statement(tmp_path):
    sa, diags = load(tmp_path, "id: sa\ntitle: S\nscale: [a, b]\nstatements:\n"
                     "  - {id: s1, key_area: pcf, text: T}\n")
    assert sa is None
    assert str(diags.errors[0]) == ("sa.yaml:5:3: error [self-assessment.area-without-statements] "
                                    "self-assessment: no statement in key area(s) reflective-practice")


def test_scale_size(tmp_path):
    sa, diags = load(tmp_path, "id: sa\ntitle: S\nscale: [" + ", ".join("p%d" % i for i in range(10)) + "]\n"
                     "statements: []\n")
    assert sa is None and diags.errors[0].code == "field.value" and diags.errors[0].location.line == 3


def test_statement_ids_share_the_question_id_space(tmp_path):
    sa, diags = load(tmp_path, "id: sa\ntitle: S\nscale: [a, b]\nstatements:\n"
                     "  - {id: q1, key_area: pcf, text: T}\n  - {id: s2, key_area: reflective-practice, text: U}\n",
                     ids={"q1": Location("assessments/x.yaml", 8, 9)})
    assert sa is None
    assert diags.errors[0].message == 'statement id "q1" is already used at assessments/x.yaml:8:9'
