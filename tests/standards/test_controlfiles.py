"""Control files: schemas named by a manifest, their includes, imports and DTDs, read unchanged."""
from __future__ import annotations

import pytest
from factories import PACKAGE_FILES, make_programme, write_package

from elearn_builder.standards.controlfiles import ControlFileError, control_files
from elearn_builder.standards import scorm12, scorm2004

XS_HEAD = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:{ns}">'
SCORM12_SET = ["adlcp_rootv1p2.xsd", "ims_xml.xsd", "imscp_rootv1p1p2.xsd"]
SCORM2004_SET = sorted(["XMLSchema.dtd", "adlcp_v1p3.xsd", "adlnav_v1p3.xsd", "adlseq_v1p3.xsd", "datatypes.dtd",
                        "imscp_v1p1.xsd", "xml.xsd"] + [f"imsss_v1p0{p}.xsd" for p in (
                            "", "auxresource", "control", "delivery", "limit", "objective", "random", "rollup",
                            "seqrule", "util")])


def manifest_naming(*locations: str) -> bytes:
    pairs = " ".join(f"urn:ns{i} {loc}" for i, loc in enumerate(locations))
    return (f'<manifest xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{pairs}"/>').encode()


def schema(ns: str, *refs: str, doctype: str = "") -> bytes:
    body = "".join(refs)
    return f'<?xml version="1.0"?>\n{doctype}{XS_HEAD.format(ns=ns)}{body}</xs:schema>\n'.encode()


@pytest.fixture
def fake_set(tmp_path):
    """A small schema set exercising includes, sub-folders, a remote import, comments and DTDs."""
    base = tmp_path / "set"
    write_package(base, {
        "root.xsd": schema("root", '<xs:include schemaLocation="part.xsd"/>',
                           '<xs:import namespace="urn:sub" schemaLocation="common/sub.xsd"/>',
                           '<xs:import namespace="urn:x" schemaLocation="http://www.w3.org/2001/xml.xsd"/>',
                           '<xs:import namespace="urn:y" schemaLocation="http://example.org/remote-only.xsd"/>',
                           '<!-- <xs:include schemaLocation="commented.xsd"/> -->'),
        "part.xsd": schema("root", '<xs:include schemaLocation="root.xsd"/>'),  # a cycle
        "common/sub.xsd": schema("sub", '<xs:include schemaLocation="leaf.xsd"/>'),
        "common/leaf.xsd": schema("sub"),
        "xml.xsd": schema("xml", doctype='<!DOCTYPE xs:schema PUBLIC "-//W3C//DTD XMLSCHEMA 200102//EN" '
                                         '"XMLSchema.dtd" >\n'),
        "XMLSchema.dtd": b"<!-- <!ENTITY % c SYSTEM 'gone.dtd'> -->\n"
                         b"<!ENTITY % xs-datatypes PUBLIC 'datatypes' 'datatypes.dtd' >\n",
        "datatypes.dtd": b"<!-- datatypes -->\n",
        "unused.xsd": schema("unused"),
    })
    return tmp_path


def test_transitive_closure_with_relative_paths(fake_set):
    files = control_files(manifest_naming("root.xsd"), fake_set, "set")
    assert list(files) == ["XMLSchema.dtd", "common/leaf.xsd", "common/sub.xsd", "datatypes.dtd", "part.xsd",
                           "root.xsd", "xml.xsd"]
    for name, data in files.items():
        assert data == (fake_set / "set" / name).read_bytes()


def test_no_schema_location_means_no_control_files(fake_set):
    assert control_files(b"<manifest/>", fake_set, "set") == {}


def test_missing_schema_is_a_clear_error(fake_set):
    with pytest.raises(ControlFileError, match=r"missing\.xsd.*not found"):
        control_files(manifest_naming("root.xsd", "missing.xsd"), fake_set, "set")
    (fake_set / "set" / "common" / "leaf.xsd").unlink()
    with pytest.raises(ControlFileError, match=r"leaf\.xsd.*common/sub\.xsd"):
        control_files(manifest_naming("root.xsd"), fake_set, "set")


def test_missing_subdir_is_a_clear_error(tmp_path):
    with pytest.raises(ControlFileError, match="nowhere"):
        control_files(manifest_naming("a.xsd"), tmp_path, "nowhere")


def test_missing_dtd_is_skipped(fake_set):
    (fake_set / "set" / "datatypes.dtd").unlink()
    assert "datatypes.dtd" not in control_files(manifest_naming("root.xsd"), fake_set, "set")


def test_location_outside_the_set_is_refused(fake_set):
    with pytest.raises(ControlFileError, match="outside"):
        control_files(manifest_naming("../escape.xsd"), fake_set, "set")


def built(standard, programme=None) -> bytes:
    programme = programme or make_programme()
    return standard.build_manifest(programme, programme.stages[0], list(PACKAGE_FILES))["imsmanifest.xml"]


@pytest.mark.schemas
def test_scorm12_set(schemas_dir):
    files = control_files(built(scorm12), schemas_dir, "scorm12")
    assert list(files) == SCORM12_SET
    assert files["ims_xml.xsd"] == (schemas_dir / "scorm12" / "ims_xml.xsd").read_bytes()


@pytest.mark.schemas
def test_scorm2004_set(schemas_dir):
    files = control_files(built(scorm2004), schemas_dir, "scorm2004_4th")
    assert list(files) == SCORM2004_SET
    assert all(data == (schemas_dir / "scorm2004_4th" / name).read_bytes() for name, data in files.items())
    assert control_files(built(scorm2004), schemas_dir, "scorm2004_4th") == files  # deterministic


@pytest.mark.schemas
@pytest.mark.parametrize("standard, subdir, drop", [(scorm12, "scorm12", "adlcp_rootv1p2.xsd"),
                                                    (scorm2004, "scorm2004_4th", "imsss_v1p0.xsd")])
def test_validator_reports_a_missing_control_file(tmp_path, schemas_dir, run_validator, standard, subdir, drop):
    data = built(standard)
    files = control_files(data, schemas_dir, subdir)
    del files[drop]
    write_package(tmp_path, {"imsmanifest.xml": data, **files}, stubs=PACKAGE_FILES)
    code, output = run_validator(tmp_path)
    assert code == 1, output
    assert "INVALID" in output and drop in output
