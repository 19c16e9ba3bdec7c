"""`elearn validate` warns on interaction and option ids Moodle would refuse, located to the launch page's course
data; one defect per package."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from locations import REPO_ROOT
from elearn_builder.cli.commands import main
from elearn_builder.check.validate import check_package
from elearn_builder.render.stage import json_for_script

DATA = re.compile(r'(<script type="application/json" id="elearn-data">)(.*?)(</script>)', re.DOTALL)
CODES = {"scorm.interaction-id-refused", "scorm.option-id-refused"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ids")
    args = ["build", "--source", str(REPO_ROOT / "content"), "--templates", str(REPO_ROOT / "templates"),
            "-o", str(out), "-q", "-f", "scorm12", "-f", "scorm2004", "-f", "cmi5"]
    result = CliRunner().invoke(main, args, env={"ELEARN_SCHEMAS": None, "SOURCE_DATE_EPOCH": None})
    assert result.exit_code == 0, result.output
    return out


def original(built: Path, fmt: str, stage: str = "experienced-social-worker") -> Path:
    (path,) = built.glob(f"*supervision-{stage}-{fmt}.zip")
    return path


def with_data(source: Path, target: Path, change) -> tuple[Path, int]:
    """A copy of ``source`` whose course data went through ``change(data)``; returns it and the data's line."""
    with zipfile.ZipFile(source) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    page = files["index.html"].decode()
    found = DATA.search(page)
    data = json.loads(found.group(2))
    change(data)
    files["index.html"] = (page[:found.start(2)] + json_for_script(data) + page[found.end(2):]).encode()
    with zipfile.ZipFile(target, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return target, page.count("\n", 0, found.start(2)) + 1


def question(data: dict, qtype: str) -> dict:
    return next(q for q in data["assessment"]["questions"] if q["type"] == qtype)


def found(report) -> list:
    return [f for f in report.findings if f.code in CODES]


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004", "cmi5"])
def test_our_packages_give_no_id_warning(built, fmt):
    for stage in ("social-worker", "experienced-social-worker", "manager"):
        assert found(check_package(original(built, fmt, stage))) == []


def test_one_hyphenated_option_id_in_a_2004_package(built, tmp_path):
    def change(data):
        question(data, "matching")["targets"][0]["lmsId"] = "evidence-base"

    target, line = with_data(original(built, "scorm2004"), tmp_path / "one.zip", change)
    (finding,) = found(check_package(target))
    assert (finding.code, finding.member, finding.line, finding.severity) == (
        "scorm.option-id-refused", "index.html", line, "warning")
    assert '"evidence-base"' in finding.message and "error 406" in finding.message
    assert '"esw-amira-functions"' in finding.message  # the author's question id, to find it in the source
    result = CliRunner().invoke(main, ["validate", str(target)], env={"ELEARN_SCHEMAS": None})
    assert result.exit_code == 0, result.output  # a warning; --strict fails
    assert f"{target}:index.html:{line}: warning [scorm.option-id-refused]" in result.output
    strict = CliRunner().invoke(main, ["validate", "--strict", str(target)], env={"ELEARN_SCHEMAS": None})
    assert strict.exit_code == 1


def test_an_interaction_id_with_a_space(built, tmp_path):
    def change(data):
        data["selfAssessment"]["statements"][2]["lmsId"] = "sa rp"

    for fmt in ("scorm12", "scorm2004"):
        target, line = with_data(original(built, fmt), tmp_path / f"{fmt}.zip", change)
        (finding,) = found(check_package(target))
        assert (finding.code, finding.line) == ("scorm.interaction-id-refused", line)
        assert '"sa rp"' in finding.message and ("SCORM 1.2" if fmt == "scorm12" else "SCORM 2004") in finding.message


def test_a_package_without_lms_ids_gets_one_warning_per_question_moodle_2004_would_refuse(built, tmp_path):
    """What an older build (or another tool writing author ids) gives Moodle: the defect this check exists for."""
    def strip(data):
        for q in data["assessment"]["questions"]:
            q.pop("lmsId")
            for key in ("choices", "sources", "targets"):
                for option in q.get(key, []):
                    option.pop("lmsId")
        for s in data["selfAssessment"]["statements"]:
            s.pop("lmsId")

    target, _ = with_data(original(built, "scorm2004"), tmp_path / "old.zip", strip)
    with zipfile.ZipFile(target) as zf:
        data = json.loads(DATA.search(zf.read("index.html").decode()).group(2))
    expected = {q["id"] for q in data["assessment"]["questions"]
                if any("-" in o["id"] for k in ("choices", "sources", "targets") for o in q.get(k, []))}
    findings = found(check_package(target))
    assert expected and {f.code for f in findings} == {"scorm.option-id-refused"}
    assert sorted(re.search(r'question "([^"]+)"', f.message).group(1) for f in findings) == sorted(expected)
    # SCORM 1.2 sends options as letters, and its interaction ids may hold hyphens: nothing to say
    target12, _ = with_data(original(built, "scorm12"), tmp_path / "old12.zip", strip)
    assert found(check_package(target12)) == []


def test_cmi5_ids_go_to_an_lrs_and_are_not_checked(built, tmp_path):
    def change(data):
        question(data, "matching")["targets"][0]["lmsId"] = "evidence-base"

    target, _ = with_data(original(built, "cmi5"), tmp_path / "cmi5.zip", change)
    assert found(check_package(target)) == []


def test_unreadable_course_data_is_no_finding(built, tmp_path):
    with zipfile.ZipFile(original(built, "scorm2004")) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    files["index.html"] = files["index.html"].replace(b'id="elearn-data">{', b'id="elearn-data">{{', 1)
    target = tmp_path / "broken.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    assert found(check_package(target)) == []
