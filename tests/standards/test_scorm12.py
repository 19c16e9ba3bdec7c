"""SCORM 1.2 manifest builder: structure by XPath, determinism and XSD validation."""
from __future__ import annotations

import re

import pytest
from factories import PACKAGE_FILES, make_programme, write_package
from lxml import etree

from elearn_builder.standards.controlfiles import control_files
from elearn_builder.standards import registry
from elearn_builder.standards.scorm12 import STANDARD, build_manifest

NS = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")


def manifest(programme=None, stage_index=0, files=PACKAGE_FILES) -> bytes:
    programme = programme or make_programme()
    out = build_manifest(programme, programme.stages[stage_index], list(files))
    assert list(out) == ["imsmanifest.xml"]
    return out["imsmanifest.xml"]


def xp(root, expr):
    return root.xpath(expr, namespaces=NS)


@pytest.fixture
def root():
    return etree.fromstring(manifest())


def test_standard_is_registered():
    assert registry()["scorm12"] is STANDARD
    assert (STANDARD.label, STANDARD.adapter, STANDARD.schemas.folder) == ("SCORM 1.2", "adapter-scorm12.js", "scorm12")
    assert (STANDARD.descriptor, STANDARD.state_limit, STANDARD.xapi_only) == ("imsmanifest.xml", 4096, False)


def test_xml_declaration_and_pretty_utf8():
    data = manifest()
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<manifest")
    assert "Mini course – Social worker".encode("utf-8") in data
    assert b"\n  <metadata>" in data


def test_namespaces_and_schema_location(root):
    assert root.tag == "{%s}manifest" % NS["cp"]
    assert root.nsmap == {None: NS["cp"], "adlcp": NS["adlcp"], "xsi": NS["xsi"]}
    pairs = root.get("{%s}schemaLocation" % NS["xsi"]).split()
    assert dict(zip(pairs[::2], pairs[1::2])) == {NS["cp"]: "imscp_rootv1p1p2.xsd",
                                                  NS["adlcp"]: "adlcp_rootv1p2.xsd"}


def test_metadata(root):
    assert xp(root, "cp:metadata/cp:schema/text()") == ["ADL SCORM"]
    assert xp(root, "cp:metadata/cp:schemaversion/text()") == ["1.2"]


def test_manifest_identifier_is_derived_and_stable():
    programme = make_programme()
    ids = [etree.fromstring(manifest(programme, i)).get("identifier") for i in (0, 1)]
    assert ids == ["mini.social-worker.scorm12.v1.0.0", "mini.manager.scorm12.v1.0.0"]
    odd = make_programme(version="2024 spring/β", id="9lives")
    ident = etree.fromstring(manifest(odd)).get("identifier")
    assert NCNAME.match(ident) and "9lives" in ident and "2024-spring" in ident


def test_organization_and_item(root):
    org_id = xp(root, "cp:organizations/@default")[0]
    (org,) = xp(root, "cp:organizations/cp:organization")
    assert org.get("identifier") == org_id
    assert xp(org, "cp:title/text()") == ["Mini course – Social worker"]
    (item,) = xp(org, "cp:item")
    assert xp(item, "cp:title/text()") == ["Mini course – Social worker"]
    assert item.get("identifierref") == xp(root, "cp:resources/cp:resource[1]/@identifier")[0]
    assert item.get("isvisible") == "true"  # the Open edX SCORM XBlock hides items without it


@pytest.mark.parametrize("index, mark", [(0, "80"), (1, "75")])
def test_masteryscore_is_the_stage_pass_mark(index, mark):
    root = etree.fromstring(manifest(make_programme(), index))
    assert xp(root, "//cp:item/adlcp:masteryscore/text()") == [mark]
    # ADL extensions follow the item title
    assert [etree.QName(e).localname for e in xp(root, "//cp:item/*")] == ["title", "masteryscore"]


def test_launch_resource_first_and_lists_every_file(root):
    resources = xp(root, "cp:resources/cp:resource")
    launch = resources[0]
    assert launch.get("href") == "index.html"
    assert launch.get("type") == "webcontent"
    assert launch.get("{%s}scormtype" % NS["adlcp"]) == "sco"
    listed = xp(root, "cp:resources/cp:resource/cp:file/@href")
    assert sorted(listed) == sorted(PACKAGE_FILES) and len(listed) == len(set(listed))


def test_identifiers_unique_and_xml_ids(root):
    ids = xp(root, "//@identifier")
    assert len(ids) == len(set(ids)) == 4
    assert all(NCNAME.match(i) for i in ids)


def test_deterministic():
    assert manifest() == manifest()
    assert manifest(make_programme()) == manifest(make_programme())


def test_launch_page_required():
    with pytest.raises(ValueError, match="index.html"):
        manifest(files=["assets/elearn.js"])


@pytest.mark.schemas
@pytest.mark.parametrize("index", [0, 1])
def test_validates_against_the_official_schemas(tmp_path, schemas_dir, run_validator, index):
    data = manifest(make_programme(), index)
    write_package(tmp_path, {"imsmanifest.xml": data, **control_files(data, schemas_dir, "scorm12")},
                  stubs=PACKAGE_FILES)
    code, output = run_validator(tmp_path)
    assert code == 0, output
    assert "VALID" in output and "INVALID" not in output
