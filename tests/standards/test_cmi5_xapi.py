"""cmi5.xml and tincan.xml: structure by XPath, and validity against the official XSDs."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.course import load_course
from elearn_builder.standards import cmi5, xapi

ALL_TYPES = Path(__file__).parents[1] / "courses" / "all-types"
C5 = {"c": cmi5.NS}
TC = {"t": xapi.NS}


@pytest.fixture(scope="module")
def programme():
    diags = Diagnostics()
    p = load_course(ALL_TYPES, diags)
    assert not diags.errors
    return p


def parse(files: dict[str, bytes], name: str):
    assert list(files) == [name]
    return etree.fromstring(files[name])


def test_cmi5_course_and_au(programme):
    root = parse(cmi5.build_manifest(programme, programme.stage("manager"), ["index.html"]), "cmi5.xml")
    assert root.xpath("c:course/@id", namespaces=C5) == ["https://example.org/xapi/mini/stages/manager"]
    (au,) = root.xpath("c:au", namespaces=C5)
    assert au.get("id") == "https://example.org/xapi/mini/stages/manager/au"
    assert (au.get("moveOn"), au.get("masteryScore"), au.get("launchMethod")) == ("CompletedAndPassed", "0.6",
                                                                                 "AnyWindow")
    assert au.xpath("c:url/text()", namespaces=C5) == ["index.html"]
    assert au.xpath("c:title/c:langstring/@lang", namespaces=C5) == ["en-GB"]


def test_mastery_score_is_exact():
    assert [cmi5.mastery_score(m) for m in (0, 75, 80, 100)] == ["0", "0.75", "0.8", "1"]


def test_tincan_lists_course_modules_assessment_and_questions(programme):
    root = parse(xapi.build_manifest(programme, programme.stage("manager"), ["index.html"]), "tincan.xml")
    launchable = root.xpath("//t:activity[t:launch]", namespaces=TC)
    assert [a.get("id") for a in launchable] == ["https://example.org/xapi/mini/stages/manager"]
    types = root.xpath("//t:activity/@type", namespaces=TC)
    assert types.count("http://adlnet.gov/expapi/activities/module") == 2
    assert types.count("http://adlnet.gov/expapi/activities/cmi.interaction") == 6
    pattern = lambda qid: root.xpath(f"//t:activity[@id='https://example.org/xapi/mini/questions/{qid}']"
                                     "/t:correctResponsePatterns/t:correctResponsePattern/text()", namespaces=TC)
    assert pattern("mgr-match") == ["normative[.]standards[,]formative[.]learning[,]restorative[.]support"]
    assert pattern("mgr-order") == ["experience[,]observation[,]conceptualisation[,]experimentation"]
    assert pattern("mgr-minutes") == ["{case_matters=false}90", "{case_matters=false}ninety",
                                      "{case_matters=false}90 minutes"]
    assert pattern("mgr-reflection") == []
    assert root.xpath("//t:activity[@id='https://example.org/xapi/mini/questions/mgr-match']/t:target/t:component/t:id"
                      "/text()", namespaces=TC) == ["standards", "learning", "support", "rota"]


@pytest.mark.schemas
@pytest.mark.parametrize("module, name", [(cmi5, "cmi5.xml"), (xapi, "tincan.xml")])
def test_valid_against_official_xsd(programme, module, name, schemas_dir, tmp_path):
    for stage in programme.stages:
        (tmp_path / name).write_bytes(module.build_manifest(programme, stage, ["index.html"])[name])
        (tmp_path / "index.html").write_text("<!doctype html>")
        run = subprocess.run([sys.executable, str(schemas_dir / "validate.py"), str(tmp_path)],
                             capture_output=True, text=True)
        assert run.returncode == 0 and run.stdout.startswith("VALID"), run.stdout


@pytest.mark.schemas
def test_validator_can_fail(schemas_dir, tmp_path, programme):
    data = cmi5.build_manifest(programme, programme.stage("manager"), ["index.html"])["cmi5.xml"]
    (tmp_path / "cmi5.xml").write_bytes(data.replace(b'moveOn="CompletedAndPassed"', b'moveOn="Whenever"'))
    run = subprocess.run([sys.executable, str(schemas_dir / "validate.py"), str(tmp_path)], capture_output=True,
                         text=True)
    assert run.returncode == 1 and "INVALID" in run.stdout
