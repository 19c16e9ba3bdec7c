"""Rendering in several processes (``--jobs``) gives the bytes one process gives, and the same errors."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from click.testing import CliRunner

from elearn_builder.build import BuildOptions, build
from elearn_builder.render.packages import render_workers
from elearn_builder.cli.commands import main

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"


def zips(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.zip"))}


def test_two_jobs_give_the_same_packages(tmp_path):
    formats = ("scorm12", "scorm2004")
    one = build(BuildOptions(source=MINIMAL, output=tmp_path / "one", templates=None, formats=formats, cache=False))
    two = build(BuildOptions(source=MINIMAL, output=tmp_path / "two", templates=None, formats=formats, cache=False,
                             jobs=2))
    assert zips(tmp_path / "one") == zips(tmp_path / "two") and len(zips(tmp_path / "one")) == 4
    assert [(p.stage, p.format) for p in one.packages] == [(p.stage, p.format) for p in two.packages]
    assert all(p.seconds > 0 for p in two.packages)


def test_workers_never_exceed_the_packages():
    assert render_workers(BuildOptions(jobs=4), 2) == 2
    assert render_workers(BuildOptions(jobs=1), 12) == 1
    assert render_workers(BuildOptions(jobs=2), 12) == 2


def test_a_template_error_in_a_worker_is_reported_without_a_traceback(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text("{{ no_such_variable.attribute }}\n")
    output = tmp_path / "out"
    output.mkdir()
    (output / "keep.zip").write_bytes(b"earlier")
    course = tmp_path / "course"
    shutil.copytree(MINIMAL, course)
    run = CliRunner().invoke(main, ["build", "-s", str(course), "-o", str(output), "-t", str(templates), "-j", "2",
                                    "--no-cache"])
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output and "template error" in run.output
    assert sorted(p.name for p in output.iterdir()) == ["keep.zip"]
