"""Limits: the largest content the standards allow builds valid packages, or fails with a clear, located message.

Titles (SCORM 1.2's titleType and 2004's smallest permitted maximum: 200 characters), question ids
(interaction ids: CMIIdentifier 255 in 1.2, 4000 in 2004; ours stop at 64), many questions, many
pages and the largest saved state (suspend data: 4,096 characters in 1.2, 64,000 in 2004).
Packages that build are checked against the official XSDs (``ELEARN_SCHEMAS``; skipped without).
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree

from elearn_builder.build import BuildOptions, build
from elearn_builder.diagnostics import SourceErrors
from elearn_builder.sources.course import MAX_TITLE

COURSES = Path(__file__).parent / "courses"


@pytest.fixture
def course(tmp_path) -> Path:
    shutil.copytree(COURSES / "minimal", tmp_path / "course")
    return tmp_path / "course"


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10 ** 6))


def run(course: Path, *formats: str, stage: str = "manager"):
    return build(BuildOptions(source=course, output=course.parent / "build", templates=None, formats=formats,
                              stages=(stage,), profile=None))


def refused(course: Path, *formats: str, stage: str = "manager") -> list[str]:
    output = course.parent / "build"
    before = sorted((p.name, p.read_bytes()) for p in output.iterdir()) if output.exists() else None
    with pytest.raises(SourceErrors) as caught:
        run(course, *formats, stage=stage)
    assert (sorted((p.name, p.read_bytes()) for p in output.iterdir()) if output.exists() else None) == before
    return [str(d) for d in caught.value.diagnostics if d.severity == "error"]


def assert_valid(result, run_validator) -> None:
    assert result.packages
    for package in result.packages:
        code, out = run_validator(package.path)
        assert code == 0, out


def choice_question(i: int, prefix: str = "q") -> dict:
    return {"id": f"{prefix}{i}", "type": "choice", "key_area": "pcf", "prompt": f"Question {i}?",
            "choices": [{"id": "yes", "text": "Yes", "correct": True}, {"id": "no", "text": "No"}]}


# ---------------------------------------------------------------- titles

def test_package_title_of_exactly_200_characters_is_valid(course, run_validator):
    title = "T" * (MAX_TITLE - len(" – ") - len("Social worker"))
    edit_yaml(course / "programme.yaml", lambda d: d.update(title=title))
    result = run(course, "scorm12", "scorm2004", stage="social-worker")
    assert_valid(result, run_validator)
    for package in result.packages:
        with zipfile.ZipFile(package.path) as zf:
            root = etree.fromstring(zf.read("imsmanifest.xml"))
        titles = root.xpath("//*[local-name()='organization']/*[local-name()='title']/text()")
        assert [len(t) for t in titles] == [MAX_TITLE]


def test_package_title_over_200_characters_is_a_located_error(course):
    """190 + " – " + "Manager" is 200 characters (fine); with "Social worker" it is 206, at that stage."""
    edit_yaml(course / "programme.yaml", lambda d: d.update(title="T" * 190))
    text = (course / "programme.yaml").read_text().split("\n")
    line = next(i for i, ln in enumerate(text, start=1) if ln.endswith("id: social-worker"))
    col = text[line - 1].index("id:") + 1
    assert refused(course, "scorm12") == [
        (f'programme.yaml:{line}:{col}: error [title.too-long] stage "social-worker": the package title (programme '
         'title, "–", stage title) has 206 characters; SCORM allows 200: shorten the programme or stage title')]


def test_long_module_page_and_question_text_is_fine(course, run_validator):
    """Only the package title has a length limit; a 1 MB page and a 10,000-character prompt build."""
    module = course / "modules" / "two.md"
    module.write_text(module.read_text() + "\n# A long page\n\n" + ("word " * 200_000) + "\n")
    edit_yaml(course / "assessments" / "manager.yaml",
              lambda d: d["questions"][0].update(prompt="Why " * 2500 + "?"))
    assert_valid(run(course, "scorm12", "scorm2004"), run_validator)


# ---------------------------------------------------------------- question ids

def test_question_id_of_64_characters_builds_valid_packages(course, run_validator):
    qid = "Q" + "x" * 63
    edit_yaml(course / "assessments" / "manager.yaml", lambda d: d["questions"][0].update(id=qid))
    result = run(course, "scorm12", "scorm2004")
    assert_valid(result, run_validator)


@pytest.mark.parametrize("length", [65, 255, 4000, 4001])
def test_longer_question_ids_are_refused_where_they_stand(course, length):
    """Ids stop at 64 characters, well inside CMIIdentifier (255) and long_identifier_type (4000)."""
    qid = "Q" * length
    edit_yaml(course / "assessments" / "manager.yaml", lambda d: d["questions"][0].update(id=qid))
    errors = refused(course, "scorm12")
    assert len(errors) == 1
    assert errors[0].startswith("assessments/manager.yaml:") and "error [id.invalid] question: \"id\" is" in errors[0]
    assert errors[0].endswith("expected a value matching ^[A-Za-z][A-Za-z0-9_-]{0,63}$")


# ---------------------------------------------------------------- many questions, many pages

def test_500_questions_build_valid_packages(course, run_validator):
    """500 questions (each one an interaction) still fit SCORM 1.2's 4,096-character suspend data."""
    edit_yaml(course / "assessments" / "manager.yaml",
              lambda d: d.update(questions=[choice_question(i) for i in range(500)]))
    assert_valid(run(course, "scorm12", "scorm2004"), run_validator)


def test_1000_pages_build_valid_packages(course, run_validator):
    module = course / "modules" / "two.md"
    module.write_text(module.read_text() + "".join(f"\n# Page {i}\n\nText {i}.\n" for i in range(999)))
    result = run(course, "scorm12", "scorm2004")
    assert_valid(result, run_validator)
    assert all(p.files > 3 for p in result.packages)


# ---------------------------------------------------------------- the largest saved state

def long_answer(max_length: int):
    def change(data):
        data["questions"].append({"id": "essay", "type": "long-fill-in", "key_area": "pcf", "prompt": "Write.",
                                  "max_length": max_length})
    return change


def test_longest_written_answer_fits_scorm2004_but_not_scorm12(course, run_validator):
    edit_yaml(course / "assessments" / "manager.yaml", long_answer(4000))
    assert_valid(run(course, "scorm2004"), run_validator)
    (error,) = refused(course, "scorm12")
    assert "error [state.too-large]" in error and "over the 4,096 that SCORM 1.2 keeps in cmi.suspend_data" in error
    assert "the longest typed answer is essay (max_length 4000 at assessments/manager.yaml:" in error


def test_long_answers_up_to_the_scorm2004_limit(course):
    """Many 4,000-character answers overflow even 64,000 characters: refused with the figures."""
    def change(data):
        for i in range(20):
            long_answer(4000)(data)
            data["questions"][-1]["id"] = f"essay{i}"
    edit_yaml(course / "assessments" / "manager.yaml", change)
    (error,) = refused(course, "scorm2004")
    assert "error [state.too-large]" in error and "over the 64,000 that SCORM 2004" in error


def test_max_length_beyond_the_standard_is_a_located_error(course):
    edit_yaml(course / "assessments" / "manager.yaml", long_answer(4001))
    (error,) = refused(course, "scorm2004")
    assert error.startswith("assessments/manager.yaml:") and "error [field.value]" in error
    assert error.endswith('question "essay": max_length 4001 must be 1-4000 for long-fill-in')
