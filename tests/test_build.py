"""The build use case on a small course and on the bundled programme."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn_builder.build import BuildOptions, build
from elearn_builder.cli.commands import main
from elearn_builder.render.stage import package_data

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = Path(__file__).parent / "courses" / "minimal"


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.zip"))}


def course_data(zf: zipfile.ZipFile) -> dict:
    """``#elearn-data`` with the format's settings from ``assets/package.js``, as the runtime merges them."""
    data = package_data({name: zf.read(name) for name in ("index.html", "assets/package.js")})
    assert data["stage"] and data["format"]
    return data


def test_minimal_course_builds_every_stage_and_format(tmp_path):
    result = build(BuildOptions(source=MINIMAL, output=tmp_path, templates=None))
    assert [(p.stage, p.format) for p in result.packages] == [
        ("social-worker", "scorm12"), ("manager", "scorm12"), ("social-worker", "scorm2004"), ("manager", "scorm2004")]
    with zipfile.ZipFile(tmp_path / "mini-manager-scorm2004.zip") as zf:
        names = zf.namelist()
        assert {"imsmanifest.xml", "index.html", "assets/theme.css", "assets/elearn.js",
                "assets/package.js", "assets/adapter-standalone.js",
                "media/diagram.svg", "media/logo.svg"} <= set(names)
        assert not any(n.startswith("assets/adapter-scorm") for n in names)
        adapter = zf.read("assets/package.js")
        data = course_data(zf)
    assert data["format"] == "scorm2004" and data["stateLimit"] == 64000 and data["stage"]["id"] == "manager"
    assert b").scorm2004 = function" in adapter and b").scorm12 = function" not in adapter
    assert [p["id"] for p in data["pages"]] == ["self-assessment", "one-1", "one-2", "two-1", "assessment",
                                                "cpd-record"]
    assert data["assessment"]["passMark"] == 100
    assert data["assessment"]["questions"][0]["correct"] == ["true"]


def test_each_stage_gets_its_own_assessment(tmp_path):
    build(BuildOptions(source=MINIMAL, output=tmp_path, templates=None, formats=("scorm12",)))
    with zipfile.ZipFile(tmp_path / "mini-social-worker-scorm12.zip") as zf:
        questions = course_data(zf)["assessment"]["questions"]
        page = zf.read("index.html").decode()
    assert [q["id"] for q in questions] == ["sw-q1", "sw-q2"]
    assert questions[1]["correct"] == ["experience", "observation"]
    assert "mgr-q1" not in page and 'data-question-id="sw-q2"' in page


def test_two_builds_are_byte_identical(tmp_path):
    build(BuildOptions(source=MINIMAL, output=tmp_path / "a", templates=None))
    build(BuildOptions(source=MINIMAL, output=tmp_path / "b", templates=None))
    first, second = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert len(first) == 4 and first == second


def test_stage_and_format_selection(tmp_path):
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path), "--stage", "manager",
                                       "--format", "scorm12"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.glob("*.zip")] == ["mini-manager-scorm12.zip"]
    assert "built 1 package(s)" in result.output


def test_author_template_overrides_the_theme(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text(
        '<section class="el-page" id="page-{{ page.id }}" data-page-id="{{ page.id }}" hidden>'
        '<h1>{{ page.title }}</h1><p class="author-mark">overridden</p>{{ page.html|safe }}</section>\n')
    build(BuildOptions(source=MINIMAL, output=tmp_path / "out", templates=templates, formats=("scorm12",)))
    with zipfile.ZipFile(tmp_path / "out" / "mini-manager-scorm12.zip") as zf:
        assert zf.read("index.html").decode().count('class="author-mark"') == 3


def test_broken_author_template_is_reported(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html.j2").write_text("{% if %}\n")
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "out"),
                                       "-t", str(templates)])
    assert result.exit_code == 1
    assert "page.html.j2:1: template syntax error" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_without_schemas_the_build_says_so_once(tmp_path, monkeypatch):
    monkeypatch.delenv("ELEARN_SCHEMAS", raising=False)
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output.count("no schema folder given") == 1
    with zipfile.ZipFile(tmp_path / "mini-manager-scorm2004.zip") as zf:
        assert not [n for n in zf.namelist() if n.endswith(".xsd")]


def test_missing_schema_folder_is_an_error(tmp_path):
    result = CliRunner().invoke(main, ["build", "-s", str(MINIMAL), "-o", str(tmp_path / "o"),
                                       "--schemas", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "schema folder" in result.output and not (tmp_path / "o").exists()


@pytest.mark.schemas
def test_packages_pass_the_official_validator(tmp_path, schemas_dir):
    """With the official XSDs, every package has its control files and passes validate.py in package mode."""
    result = build(BuildOptions(source=MINIMAL, output=tmp_path, templates=None, schemas=schemas_dir))
    for info in result.packages:
        with zipfile.ZipFile(info.path) as zf:
            assert ("imscp_v1p1.xsd" if info.format == "scorm2004" else "imscp_rootv1p1p2.xsd") in zf.namelist()
        run = subprocess.run([sys.executable, str(schemas_dir / "validate.py"), str(info.path)],
                             capture_output=True, text=True, check=False)
        assert run.returncode == 0 and run.stdout.startswith("VALID"), run.stdout


BUNDLED_FORMATS = ("scorm12", "scorm2004", "cmi5", "xapi")
BUNDLED_STAGES = ("social-worker", "experienced-social-worker", "manager")


def test_bundled_programme_builds_twelve_packages(tmp_path):
    """By default every stage in every format: SCORM 1.2, SCORM 2004, cmi5 and xAPI (tincan)."""
    result = build(BuildOptions(source=ROOT / "content", output=tmp_path, templates=ROOT / "templates"))
    names = sorted(p.path.name for p in result.packages)
    assert names == sorted(f"reflective-supervision-{s}-{f}.zip" for s in BUNDLED_STAGES for f in BUNDLED_FORMATS)
    assert sorted(p.name for p in tmp_path.glob("*.zip")) == names
    assert not [d for d in result.diagnostics if d.severity == "error"]
    control = {"scorm12": "imsmanifest.xml", "scorm2004": "imsmanifest.xml", "cmi5": "cmi5.xml", "xapi": "tincan.xml"}
    for info in result.packages:
        with zipfile.ZipFile(info.path) as zf:
            assert control[info.format] in zf.namelist(), info.path.name
            assert course_data(zf)["format"] == info.format


@pytest.mark.schemas
def test_bundled_programme_validates(tmp_path, schemas_dir):
    result = build(BuildOptions(source=ROOT / "content", output=tmp_path, templates=ROOT / "templates",
                                schemas=schemas_dir))
    assert sorted((p.stage, p.format) for p in result.packages) == sorted(
        (s, f) for s in BUNDLED_STAGES for f in BUNDLED_FORMATS)
    for info in result.packages:
        run = subprocess.run([sys.executable, str(schemas_dir / "validate.py"), str(info.path)],
                             capture_output=True, text=True, check=False)
        assert run.returncode == 0 and run.stdout.startswith("VALID"), run.stdout


def test_bundled_programme_is_reproducible(tmp_path):
    for name in ("a", "b"):
        build(BuildOptions(source=ROOT / "content", output=tmp_path / name, templates=ROOT / "templates"))
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert len(digest(tmp_path / "a")) == len(BUNDLED_STAGES) * len(BUNDLED_FORMATS)


def test_verify_refuses_a_package_naming_a_missing_file():
    from elearn_builder.render.packages import verify
    from elearn_builder.diagnostics import ElearnError

    verify("ok.zip", {"cmi5.xml": b'<c xmlns="x"><au><url>index.html</url></au></c>', "index.html": b""})
    for files in ({"imsmanifest.xml": b'<m><resource href="gone.html"/></m>'}, {"index.html": b""},
                  {"cmi5.xml": b"<c/>", "tincan.xml": b"<t/>"}):
        with pytest.raises(ElearnError):
            verify("bad.zip", files)
