"""SCORM 2004 4th Edition manifest builder: structure and sequencing by XPath, XSD validation."""
from __future__ import annotations

import re

import pytest
from factories import PACKAGE_FILES, make_programme, write_package
from lxml import etree

from elearn_builder.standards.controlfiles import control_files
from elearn_builder.standards import registry
from elearn_builder.standards.scorm2004 import STANDARD, build_manifest, normalized_measure

NS = {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1", "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
      "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3", "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
      "imsss": "http://www.imsglobal.org/xsd/imsss", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")


def manifest(programme=None, stage_index=0, files=PACKAGE_FILES) -> bytes:
    programme = programme or make_programme()
    out = build_manifest(programme, programme.stages[stage_index], list(files))
    assert list(out) == ["imsmanifest.xml"]
    return out["imsmanifest.xml"]


def xp(node, expr):
    return node.xpath(expr, namespaces=NS)


def children(node) -> list[str]:
    return [etree.QName(e).localname for e in node if isinstance(e.tag, str)]


@pytest.fixture
def root():
    return etree.fromstring(manifest())


def test_standard_is_registered():
    assert registry()["scorm2004"] is STANDARD
    assert (STANDARD.label, STANDARD.adapter, STANDARD.schemas.folder) == (
        "SCORM 2004 4th Edition", "adapter-scorm2004.js", "scorm2004_4th")
    assert (STANDARD.descriptor, STANDARD.state_limit, STANDARD.xapi_only) == ("imsmanifest.xml", 64000, False)


def test_namespaces_and_schema_location(root):
    assert root.tag == "{%s}manifest" % NS["cp"]
    assert root.nsmap == {None: NS["cp"], **{k: v for k, v in NS.items() if k != "cp"}}
    pairs = root.get("{%s}schemaLocation" % NS["xsi"]).split()
    assert dict(zip(pairs[::2], pairs[1::2])) == {
        NS["cp"]: "imscp_v1p1.xsd", NS["adlcp"]: "adlcp_v1p3.xsd", NS["adlseq"]: "adlseq_v1p3.xsd",
        NS["adlnav"]: "adlnav_v1p3.xsd", NS["imsss"]: "imsss_v1p0.xsd"}


def test_metadata_and_identifier(root):
    assert xp(root, "cp:metadata/cp:schema/text()") == ["ADL SCORM"]
    assert xp(root, "cp:metadata/cp:schemaversion/text()") == ["2004 4th Edition"]
    assert root.get("identifier") == "mini.social-worker.scorm2004.v1.0.0"
    assert etree.fromstring(manifest(stage_index=1)).get("identifier") == "mini.manager.scorm2004.v1.0.0"


def test_organization(root):
    (org,) = xp(root, "cp:organizations/cp:organization")
    assert org.get("identifier") == xp(root, "cp:organizations/@default")[0]
    assert org.get("{%s}objectivesGlobalToSystem" % NS["adlseq"]) == "false"
    assert org.get("{%s}sharedDataGlobalToSystem" % NS["adlcp"]) == "false"
    assert xp(org, "cp:title/text()") == ["Mini course – Social worker"]
    assert children(org) == ["title", "item", "sequencing"]  # sequencing after the items
    (mode,) = xp(org, "imsss:sequencing/imsss:controlMode")
    assert (mode.get("choice"), mode.get("flow")) == ("true", "true")


def test_item_completion_and_sequencing(root):
    (item,) = xp(root, "//cp:item")
    assert item.get("isvisible") == "true"  # the Open edX SCORM XBlock hides items without it
    assert children(item) == ["title", "completionThreshold", "sequencing"]
    (threshold,) = xp(item, "adlcp:completionThreshold")
    assert (threshold.get("completedByMeasure"), threshold.get("minProgressMeasure")) == ("true", "1.0")
    (seq,) = xp(item, "imsss:sequencing")
    assert children(seq) == ["objectives", "deliveryControls"]  # XSD order
    (primary,) = xp(seq, "imsss:objectives/imsss:primaryObjective")
    assert primary.get("satisfiedByMeasure") == "true"
    assert "social-worker-check" in primary.get("objectiveID")
    (delivery,) = xp(seq, "imsss:deliveryControls")
    assert delivery.get("completionSetByContent") == delivery.get("objectiveSetByContent") == "true"


@pytest.mark.parametrize("index, measure", [(0, "0.8"), (1, "0.75")])
def test_min_normalized_measure_is_pass_mark_over_100(index, measure):
    root = etree.fromstring(manifest(make_programme(), index))
    assert xp(root, "//imsss:primaryObjective/imsss:minNormalizedMeasure/text()") == [measure]


@pytest.mark.parametrize("mark, text", [(0, "0"), (50, "0.5"), (67, "0.67"), (100, "1")])
def test_normalized_measure_format(mark, text):
    assert normalized_measure(mark) == text


def test_launch_resource_first_and_lists_every_file(root):
    launch = xp(root, "cp:resources/cp:resource")[0]
    assert launch.get("href") == "index.html" and launch.get("type") == "webcontent"
    assert launch.get("{%s}scormType" % NS["adlcp"]) == "sco"
    assert launch.get("{%s}scormtype" % NS["adlcp"]) is None
    listed = xp(root, "cp:resources/cp:resource/cp:file/@href")
    assert sorted(listed) == sorted(PACKAGE_FILES) and len(listed) == len(set(listed))
    assert xp(root, "//cp:item/@identifierref") == [launch.get("identifier")]


def test_identifiers_unique_and_xml_ids(root):
    ids = xp(root, "//@identifier")
    assert len(ids) == len(set(ids)) == 4
    assert all(NCNAME.match(i) for i in ids)


def test_deterministic():
    assert manifest() == manifest()
    assert manifest().startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")


@pytest.mark.schemas
@pytest.mark.parametrize("index", [0, 1])
def test_validates_against_the_official_schemas(tmp_path, schemas_dir, run_validator, index):
    data = manifest(make_programme(), index)
    write_package(tmp_path, {"imsmanifest.xml": data, **control_files(data, schemas_dir, "scorm2004_4th")},
                  stubs=PACKAGE_FILES)
    code, output = run_validator(tmp_path)
    assert code == 0, output
    assert "VALID" in output and "INVALID" not in output
