"""Broken sources: every case gives its located, coded diagnostics, exit status 1, and leaves build/ untouched.

Each folder in tests/courses/errors/ holds the files that differ from tests/courses/minimal/, an
``expect.txt`` (the diagnostics that must appear, one per line, each a prefix of an output line) and
optionally ``args.txt`` (extra command-line arguments, one per line).
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn_builder.cli.commands import main

COURSES = Path(__file__).parent / "courses"
CASES = sorted(p.name for p in (COURSES / "errors").iterdir() if p.is_dir())


def course_with(case: str, tmp_path: Path) -> Path:
    """The minimal course with the case's files laid over it."""
    course = tmp_path / "course"
    shutil.copytree(COURSES / "minimal", course)
    case_dir = COURSES / "errors" / case
    for src in case_dir.rglob("*"):
        if src.is_file() and src.name not in ("expect.txt", "args.txt"):
            target = course / src.relative_to(case_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    return course


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_there_are_at_least_ten_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES)
def test_broken_source_is_reported_and_nothing_written(case, tmp_path):
    course = course_with(case, tmp_path)
    output = tmp_path / "build"
    output.mkdir()
    (output / "mini-social-worker-scorm12.zip").write_bytes(b"an earlier build")
    before = snapshot(output)
    case_dir = COURSES / "errors" / case
    extra = (case_dir / "args.txt").read_text().split() if (case_dir / "args.txt").exists() else []

    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(output), *extra])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.splitlines()
    for expected in (case_dir / "expect.txt").read_text().splitlines():
        assert any(line.startswith(expected) for line in lines), f"missing {expected!r} in:\n{result.output}"
    assert lines[-1].startswith("Error: build failed:") and lines[-1].endswith("nothing was written")
    assert snapshot(output) == before


def test_all_problems_are_reported_together(tmp_path):
    """Errors in several files come out in one run, in source order."""
    course = course_with("many-errors", tmp_path)
    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(tmp_path / "out")])
    errors = [line for line in result.output.splitlines() if ": error [" in line]
    assert len(errors) == 4
    assert errors == sorted(errors, key=lambda l: (l.split(":")[0], int(l.split(":")[1])))
    assert not (tmp_path / "out").exists()


def test_warning_alone_does_not_fail_without_strict(tmp_path):
    course = course_with("unknown-key-strict", tmp_path)
    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert 'warning [field.unknown] programme: unknown key "publsher"' in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "mini-manager-scorm12.zip", "mini-manager-scorm2004.zip",
        "mini-social-worker-scorm12.zip", "mini-social-worker-scorm2004.zip"]


def test_json_diagnostics(tmp_path):
    import json

    course = course_with("bad-image", tmp_path)
    result = CliRunner().invoke(main, ["build", "--json", "--source", str(course), "--output", str(tmp_path / "o")])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["diagnostics"][0] | {"message": ""} == {
        "path": "modules/one.md", "line": 13, "col": 20, "severity": "error", "code": "image.missing", "message": ""}


def test_missing_course_folder(tmp_path):
    result = CliRunner().invoke(main, ["build", "--source", str(tmp_path / "nope"), "--output", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "error [source.missing]" in result.output
