"""XSD validation against the official schema sets: offline, cached, with line numbers that match the file."""
from __future__ import annotations

import shutil

import pytest
from lxml import etree

from elearn_builder.check.xsd import SchemaUnavailable, compiled, schema_errors
from elearn_builder.standards import registry

pytestmark = pytest.mark.schemas


SETS = {s.schemas.name: s.schemas for s in registry().values()}
"""Each standard's schema set by the name validate gives it: scorm12, scorm2004, cmi5, tincan."""


def parse(text: str):
    return etree.fromstring(text.encode()).getroottree()


def test_each_set_compiles(schemas_dir):
    assert sorted(SETS) == ["cmi5", "scorm12", "scorm2004", "tincan"]
    for schemas in SETS.values():
        assert isinstance(compiled(schemas_dir.resolve(), schemas), etree.XMLSchema)


def test_a_missing_set_is_named(tmp_path):
    with pytest.raises(SchemaUnavailable, match="cmi5/CourseStructure.xsd"):
        schema_errors(tmp_path, SETS["cmi5"], parse("<x/>"))


def test_the_network_is_never_used(schemas_dir, tmp_path):
    # Without the local xml.xsd, imscp_v1p1.xsd's import of http://www.w3.org/2001/xml.xsd cannot be served:
    # compiling fails instead of fetching it.
    shutil.copytree(schemas_dir / "scorm2004_4th", tmp_path / "scorm2004_4th")
    (tmp_path / "scorm2004_4th" / "xml.xsd").unlink()
    with pytest.raises(SchemaUnavailable, match="does not compile"):
        schema_errors(tmp_path, SETS["scorm2004"], parse("<x/>"))


def test_errors_carry_the_line_of_the_file(schemas_dir):
    sample = (schemas_dir / "samples" / "tincan.xml").read_text()
    broken = sample.replace("<name", "<nom", 1).replace("</name>", "</nom>", 1)
    errors, notes = schema_errors(schemas_dir, SETS["tincan"], parse(broken))
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "<nom" in text)
    assert notes == [] and [e[0] for e in errors] == [line]
    assert "nom" in errors[0][1]


def test_scorm12_ims_metadata_is_left_out_with_a_note_and_lines_kept(schemas_dir):
    sample = (schemas_dir / "samples" / "scorm12_with_imsmd.xml").read_text()
    assert schema_errors(schemas_dir, SETS["scorm12"], parse(sample)) == (
        [], ["1 inline IMS MD 1.2.1 metadata block(s) not checked against their XSD "
             "(libxml2 cannot compile imsmd_rootv1p2p1.xsd)"])
    broken = sample.replace('scormtype="sco"', 'scormtype="lesson"', 1)
    errors, _ = schema_errors(schemas_dir, SETS["scorm12"], parse(broken))
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if '"lesson"' in text)
    assert [e[0] for e in errors] == [line]


def test_valid_samples_have_no_errors(schemas_dir):
    kinds = {"scorm12_imsmanifest": "scorm12", "scorm2004_4th_imsmanifest": "scorm2004",
             "scorm2004_4th_with_lom": "scorm2004", "cmi5": "cmi5", "tincan": "tincan"}
    for stem, kind in kinds.items():
        errors, _ = schema_errors(schemas_dir, SETS[kind], etree.parse(str(schemas_dir / "samples" / f"{stem}.xml")))
        assert errors == [], stem
