"""Paths: nothing in the sources makes the build read outside the course folder or write outside the output.

Each case lays a hostile path (``..``, absolute, a link out, Windows-style, URL-ish, NUL, too long) over
tests/courses/minimal and builds it with the command line: a located diagnostic with a stable code,
exit status 1, the output folder unchanged, and the outside file's bytes in no package.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn_builder.cli.commands import main

COURSES = Path(__file__).parents[1] / "courses"
SECRET = "SECRET-OUTSIDE-THE-COURSE-7f3a"
MODULE = f"---\nid: secret\ntitle: {SECRET}\n---\n# {SECRET}\n\n{SECRET}\n"
SVG = f'<svg xmlns="http://www.w3.org/2000/svg"><title>{SECRET}</title></svg>\n'
ASSESSMENT_FILE = (COURSES / "minimal" / "assessments" / "manager.yaml").read_text().replace("mgr", SECRET.lower())


@pytest.fixture
def course(tmp_path) -> Path:
    """The minimal course in tmp_path/course, with an outside folder of valid but secret files beside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(MODULE)
    (outside / "secret.svg").write_text(SVG)
    (outside / "secret.yaml").write_text(ASSESSMENT_FILE)
    shutil.copytree(COURSES / "minimal", tmp_path / "course")
    return tmp_path / "course"


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n"), start=1) if needle in line)


def link(at: Path, target: Path) -> None:
    at.unlink() if at.is_symlink() or at.is_file() else shutil.rmtree(at) if at.exists() else None
    at.symlink_to(target)


def build_fails(course: Path, *expected: str) -> str:
    """Build ``course``; expect exit 1, each expected line prefix, no traceback and an unchanged output."""
    output = course.parent / "build"
    output.mkdir(exist_ok=True)
    (output / "mini-manager-scorm12.zip").write_bytes(b"an earlier build")
    before = snapshot(output)
    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(output)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    for prefix in expected:
        assert any(line.startswith(prefix) for line in lines), f"no line starts with {prefix!r} in:\n{result.output}"
    assert snapshot(output) == before
    assert sorted(os.listdir(course.parent)) == ["build", "course", "outside"] or \
        set(os.listdir(course.parent)) - {"build", "course", "outside"} == {".elearn-cache"}
    return result.output


# ---------------------------------------------------------------- module, assessment and self-assessment paths

@pytest.mark.parametrize("rel", ["../outside/secret.md", "modules/../../outside/secret.md", "/etc/passwd",
                                 "//server/share/one.md", "C:/course/one.md"])
def test_module_path_outside_the_course(course, rel):
    programme = course / "programme.yaml"
    replace(programme, "  - modules/two.md", f'  - "{rel}"')
    line = line_of(programme, rel)
    build_fails(course, f'programme.yaml:{line}:5: error [path.outside] "{rel}" points outside the course folder')


@pytest.mark.parametrize("rel, message", [
    ("modules\\\\two.md", 'the path "modules\\two.md" uses "\\": write course paths with "/"'),
    ("C:\\\\course\\\\two.md", 'the path "C:\\course\\two.md" uses "\\": write course paths with "/"'),
    ("modules/two.md\\0", "the path 'modules/two.md\\x00' contains a control character"),
    ("x" * 300 + ".md", f'the path "{"x" * 60}..." is too long for the file system'),
])
def test_module_path_that_no_file_system_should_see(course, rel, message):
    programme = course / "programme.yaml"
    replace(programme, "  - modules/two.md", f'  - "{rel}"')
    line = line_of(programme, rel[:20])
    build_fails(course, f"programme.yaml:{line}:5: error [path.invalid] {message}")


@pytest.mark.parametrize("rel", ["https://example.org/modules/two.md", "file:///etc/passwd", "~/two.md"])
def test_url_like_module_paths_are_course_relative_and_not_found(course, rel):
    programme = course / "programme.yaml"
    replace(programme, "  - modules/two.md", f'  - "{rel}"')
    build_fails(course, f'programme.yaml:{line_of(programme, rel)}:5: error [file.missing] file "{rel}" not found')


def test_module_that_is_a_link_out_of_the_course(course):
    link(course / "modules" / "two.md", course.parent / "outside" / "secret.md")
    line = line_of(course / "programme.yaml", "modules/two.md")
    build_fails(course, f'programme.yaml:{line}:5: error [path.outside] "modules/two.md" points outside the course folder')


def test_module_folder_that_is_a_link_out_of_the_course(course):
    shutil.copyfile(course / "modules" / "one.md", course.parent / "outside" / "one.md")
    shutil.copyfile(course / "modules" / "two.md", course.parent / "outside" / "two.md")
    link(course / "modules", course.parent / "outside")
    output = build_fails(course, f"programme.yaml:{line_of(course / 'programme.yaml', 'modules/one.md')}:5: error "
                                 '[path.outside] "modules/one.md" points outside the course folder')
    assert '"modules/two.md" points outside' in output


def test_link_inside_the_course_is_followed(course, tmp_path):
    """A link that stays inside the course is fine: only escapes are refused."""
    (course / "shared").mkdir()
    shutil.move(course / "modules" / "two.md", course / "shared" / "two.md")
    link(course / "modules" / "two.md", course / "shared" / "two.md")
    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(tmp_path / "build"),
                                       "--format", "scorm12", "--stage", "manager"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "mini-manager-scorm12.zip").is_file()


def test_link_loop_is_reported_not_followed(course):
    (course / "modules" / "two.md").unlink()
    (course / "modules" / "two.md").symlink_to("two.md")
    line = line_of(course / "programme.yaml", "modules/two.md")
    build_fails(course, f'programme.yaml:{line}:5: error [path.invalid] "modules/two.md" is a link that leads back to itself')


def test_assessment_that_is_a_link_out_of_the_course(course):
    link(course / "assessments" / "manager.yaml", course.parent / "outside" / "secret.yaml")
    line = line_of(course / "programme.yaml", "assessment: assessments/manager.yaml")
    build_fails(course, f'programme.yaml:{line}:17: error [path.outside] "assessments/manager.yaml" points outside')


@pytest.mark.parametrize("rel", ["../outside/secret.yaml", "/etc/hostname"])
def test_assessment_and_self_assessment_paths_outside(course, rel):
    programme = course / "programme.yaml"
    replace(programme, "assessment: assessments/manager.yaml", f"assessment: {rel}")
    replace(programme, "self_assessment: self-assessment.yaml", f"self_assessment: {rel}")
    build_fails(course,
                f'programme.yaml:{line_of(programme, "    assessment: " + rel)}:17: error [path.outside] "{rel}"',
                f'programme.yaml:{line_of(programme, "self_assessment: " + rel)}:18: error [path.outside] "{rel}"')


# ---------------------------------------------------------------- images and the logo

@pytest.mark.parametrize("ref", ["../../outside/secret.svg", "/etc/passwd", "../media/../../outside/secret.svg",
                                 "%2e%2e/%2e%2e/outside/secret.svg"])
def test_image_outside_the_course(course, ref):
    module = course / "modules" / "one.md"
    replace(module, "![A small diagram](../media/diagram.svg)", f"![A small diagram]({ref})")
    line = line_of(module, ref)
    build_fails(course, f'modules/one.md:{line}:20: error [path.outside] image "{ref}" points outside the course folder')


def test_image_that_is_a_link_out_of_the_course(course):
    link(course / "media" / "diagram.svg", course.parent / "outside" / "secret.svg")
    line = line_of(course / "modules" / "one.md", "diagram.svg")
    build_fails(course, f'modules/one.md:{line}:20: error [path.outside] image "../media/diagram.svg" points outside')


def test_image_with_a_nul_escape_is_refused(course):
    module = course / "modules" / "one.md"
    replace(module, "../media/diagram.svg", "../media/diagram.svg%00.png")
    build_fails(course, f"modules/one.md:{line_of(module, '%00')}:20: error [path.")


@pytest.mark.parametrize("logo, code", [("../outside/secret.svg", "path.outside"), ("/etc/passwd", "path.outside"),
                                        ("media\\\\logo.svg", "path.invalid")])
def test_logo_outside_the_course(course, logo, code):
    programme = course / "programme.yaml"
    replace(programme, "logo: media/logo.svg", f'logo: "{logo}"')
    build_fails(course, f"programme.yaml:{line_of(programme, 'logo:')}:9: error [{code}] theme: logo:")


def test_logo_that_is_a_link_out_of_the_course(course):
    link(course / "media" / "logo.svg", course.parent / "outside" / "secret.svg")
    build_fails(course, f"programme.yaml:{line_of(course / 'programme.yaml', 'logo:')}:9: error [path.outside] "
                        'theme: logo: "media/logo.svg" points outside the course folder')


@pytest.mark.parametrize("logo", ["./media/logo.svg", "media/../media/logo.svg", "media//logo.svg"])
def test_logo_written_oddly_becomes_one_clean_zip_entry(course, tmp_path, logo):
    """A regression: the logo path went into the zip as written ("./media/logo.svg", "media/../...")."""
    replace(course / "programme.yaml", "logo: media/logo.svg", f"logo: {logo}")
    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(tmp_path / "build"),
                                       "--format", "scorm12", "--stage", "manager"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "build" / "mini-manager-scorm12.zip") as zf:
        media = sorted(n for n in zf.namelist() if n.endswith("logo.svg"))
    assert media == ["media/logo.svg"]


# ---------------------------------------------------------------- what a successful build reads and writes

def test_external_file_urls_are_never_read(course, tmp_path):
    """``file:`` and absolute URLs are links, never files to copy: the secret stays out of every package."""
    secret = course.parent / "outside" / "secret.svg"
    replace(course / "modules" / "one.md", "Some **bold** text.",
            f"Some [text](file://{secret}) and [more](http://127.0.0.1/{secret}).")
    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(tmp_path / "build")])
    assert "Traceback" not in result.output
    for package in (tmp_path / "build").glob("*.zip") if result.exit_code == 0 else ():
        with zipfile.ZipFile(package) as zf:
            assert not any(SECRET.encode() in zf.read(name) for name in zf.namelist())
    assert result.exit_code in (0, 1)


def test_successful_build_writes_only_its_zips(course, tmp_path):
    output = tmp_path / "nested" / "build"
    sources = snapshot(course)
    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert all(name.endswith(".zip") for name in os.listdir(output))
    assert set(os.listdir(tmp_path)) - {".elearn-cache"} == {"course", "outside", "nested"}
    assert os.listdir(tmp_path / "nested") in (["build"], sorted(["build", ".elearn-cache"]))
    assert snapshot(course) == sources


# ---------------------------------------------------------------- output folder names

@pytest.mark.parametrize("name", ["a-file", "a-file/sub"])
def test_output_that_is_a_file_is_a_clear_error(tmp_path, name):
    shutil.copytree(COURSES / "minimal", tmp_path / "course")
    (tmp_path / "a-file").write_bytes(b"not a folder")
    result = CliRunner().invoke(main, ["build", "--source", str(tmp_path / "course"), "--output", str(tmp_path / name)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert (tmp_path / "a-file").read_bytes() == b"not a folder"
