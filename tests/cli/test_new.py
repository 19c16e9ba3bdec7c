"""``elearn new``: the scaffold builds as it is, teaches the format, and never overwrites a folder."""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from elearn_builder.build import BuildOptions, build
from elearn_builder.cli.commands import main
from elearn_builder.cli.new import course_id, course_title, new_course, scaffold_files


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_new_then_build_strict_succeeds_without_warnings(tmp_path, monkeypatch):
    result = run("new", str(tmp_path / "my-course"))
    assert result.exit_code == 0, result.output
    assert "wrote a new course into" in result.output and "elearn build" in result.output
    monkeypatch.chdir(tmp_path / "my-course")
    monkeypatch.delenv("ELEARN_SCHEMAS", raising=False)
    built = run("build", "--strict")  # the defaults: content/, templates/, build/
    assert built.exit_code == 0, built.output
    assert "warning" not in built.output and "error" not in built.output
    names = sorted(p.name for p in (tmp_path / "my-course" / "build").glob("*.zip"))
    assert names == sorted(f"my-course-{stage}-{fmt}.zip" for stage in ("social-worker", "experienced-social-worker",
                                                                       "manager") for fmt in ("scorm12", "scorm2004"))


def test_the_scaffold_has_every_part_of_the_format(tmp_path):
    new_course(tmp_path / "course")
    content = tmp_path / "course" / "content"
    programme = yaml.safe_load((content / "programme.yaml").read_text())
    assert programme["id"] == "course" and programme["title"] == "Course"
    assert len(programme["stages"]) == 3 and len(programme["modules"]) == 2
    areas = {a["id"] for a in programme["key_areas"]}
    statements = yaml.safe_load((content / "self-assessment.yaml").read_text())["statements"]
    assert {s["key_area"] for s in statements} == areas and len(areas) == 4
    types = set()
    for stage in programme["stages"]:
        assessment = yaml.safe_load((content / stage["assessment"]).read_text())
        questions = assessment.get("questions") or [q for bank in assessment["banks"] for q in bank["questions"]]
        types |= {q["type"] for q in questions}
    assert len(types) >= 6, types
    assert any(content.joinpath("media").iterdir())
    assert "index.html.j2" in (tmp_path / "course" / "templates" / "README.md").read_text()


def test_every_source_file_explains_itself_with_comments():
    """Every YAML file and the first module's front matter carry # comments: the scaffold teaches the format."""
    files = scaffold_files()
    yaml_files = [name for name in files if name.startswith("content/") and name.endswith(".yaml")]
    assert len(yaml_files) == 5
    for name in yaml_files:
        comments = [line for line in files[name].decode("utf-8").splitlines() if "#" in line.split(":", 1)[-1] or
                    line.lstrip().startswith("#")]
        assert len(comments) >= 2, name
    module = files["content/modules/01-reflection.md"].decode("utf-8")
    front_matter = re.split(r"^---$", module, flags=re.M)[1]
    assert front_matter.count("  # ") >= 4 and "level-1 heading" in module and "alt text" in module


@pytest.mark.schemas
def test_the_scaffold_passes_the_official_validator(tmp_path, schemas_dir):
    """Built with the official XSDs, every package of the new course passes validate.py."""
    new_course(tmp_path / "course")
    result = build(BuildOptions(source=tmp_path / "course" / "content", output=tmp_path / "out",
                                templates=tmp_path / "course" / "templates", schemas=schemas_dir, strict=True))
    assert len(result.packages) == 6
    for info in result.packages:
        with zipfile.ZipFile(info.path) as zf:
            assert "imsmanifest.xml" in zf.namelist()
        proc = subprocess.run([sys.executable, str(schemas_dir / "validate.py"), str(info.path)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and proc.stdout.startswith("VALID"), proc.stdout + proc.stderr


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    target = tmp_path / "existing"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["new", str(target)])
    assert result.exit_code == 1
    assert f'"{target}" is not empty' in result.output and "nothing was changed" in result.output
    assert [p.name for p in target.iterdir()] == ["notes.txt"] and (target / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]  # no staging folder left behind


def test_new_refuses_a_file(tmp_path):
    target = tmp_path / "course.txt"
    target.write_text("x")
    result = CliRunner().invoke(main, ["new", str(target)])
    assert result.exit_code == 1 and "is not a folder" in result.output and target.read_text() == "x"


def test_new_fills_an_empty_folder_and_creates_parents(tmp_path):
    (tmp_path / "empty").mkdir()
    assert run("new", str(tmp_path / "empty")).exit_code == 0
    assert (tmp_path / "empty" / "content" / "programme.yaml").is_file()
    written = new_course(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b" / "templates" / "README.md") in written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "empty"]


def test_a_write_failure_leaves_nothing_behind(tmp_path, monkeypatch):
    def refuse(self, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "rename", refuse)
    result = CliRunner().invoke(main, ["new", str(tmp_path / "course")])
    assert result.exit_code == 1 and "cannot write the course" in result.output and "Permission denied" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, expected", [("my-course", "my-course"), ("My Course 2", "my-course-2"),
                                            ("Équipe__Nord", "quipe-nord"), ("___", "my-course")])
def test_the_programme_id_comes_from_the_folder_name(tmp_path, name, expected):
    assert course_id(tmp_path / name) == expected
    assert course_title("my-course-2") == "My course 2"
