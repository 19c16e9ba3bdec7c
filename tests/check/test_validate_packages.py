"""`elearn validate`: every package we build passes; each deliberately broken package fails with the right code."""
from __future__ import annotations

import json
import re
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from locations import REPO_ROOT
from elearn_builder.cli.commands import main
from elearn_builder.check.validate import check_package

FORMATS = ("scorm12", "scorm2004", "cmi5", "xapi")
STAGES = ("social-worker", "experienced-social-worker", "manager")
ERROR_LINE = re.compile(r"^(?P<zip>[^:]+\.zip)(?::(?P<member>[^:]+))?(?::(?P<line>\d+))?: "
                        r"(?P<severity>error|warning) \[(?P<code>[a-z0-9.\-]+)\] (?P<message>.+)$")


def build_all(out: Path, schemas: Path | None) -> list[Path]:
    """Build the bundled programme in every format with the real command, as a user would."""
    args = ["build", "--source", str(REPO_ROOT / "content"), "--templates", str(REPO_ROOT / "templates"),
            "--profile", str(REPO_ROOT / "xapi_profiles"), "-o", str(out), "-q"]
    args += [x for fmt in FORMATS for x in ("-f", fmt)] + (["--schemas", str(schemas)] if schemas else [])
    result = CliRunner().invoke(main, args, env={"ELEARN_SCHEMAS": None, "SOURCE_DATE_EPOCH": None})
    assert result.exit_code == 0, result.output
    return sorted(out.glob("*.zip"))


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> list[Path]:
    return build_all(tmp_path_factory.mktemp("built"), None)


@pytest.fixture(scope="session")
def built_with_schemas(tmp_path_factory, schemas_dir) -> list[Path]:
    return build_all(tmp_path_factory.mktemp("built-xsd"), schemas_dir)


def package(built: list[Path], stage: str, fmt: str) -> Path:
    (path,) = [p for p in built if p.name.endswith(f"supervision-{stage}-{fmt}.zip")]
    return path


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(path: Path, entries) -> Path:
    """Write (name or ZipInfo, bytes) pairs as given: nothing is normalised, so bad names stay bad."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def edit(files: dict[str, bytes], member: str, old: str, new: str) -> dict[str, bytes]:
    """A copy of ``files`` with one textual change in ``member`` (which must contain ``old``)."""
    text = files[member].decode()
    assert old in text, f"{old!r} not in {member}"
    return {**files, member: text.replace(old, new, 1).encode()}


def codes(report) -> list[str]:
    return sorted(f.code for f in report.findings)


# ------------------------------------------------------------------ every package we build passes

def test_every_built_package_passes_without_schemas(built):
    assert len(built) == len(STAGES) * len(FORMATS) == 12
    for path in built:
        report = check_package(path)
        assert report.errors == 0, [f.where(path.name) for f in report.findings]
        assert report.format == path.stem.rsplit("-", 1)[1]
        assert report.xsd == "not checked"
        # Built without the schema folder, SCORM manifests name control files that are not shipped: said once.
        expected = ["scorm.control-file-missing"] if report.format.startswith("scorm") else []
        assert codes(report) == expected
        # ... and the warning names the way to a package that passes --strict.
        assert all("`elearn build --schemas DIR` puts them there" in f.message for f in report.findings)


def test_every_built_package_passes_with_schemas(built_with_schemas, schemas_dir):
    assert len(built_with_schemas) == 12
    for path in built_with_schemas:
        report = check_package(path, schemas_dir)
        assert report.findings == (), [f.where(path.name) for f in report.findings]
        assert report.xsd == "checked"
    labels = {check_package(p, schemas_dir).label for p in built_with_schemas}
    assert labels == {"SCORM 1.2", "SCORM 2004 4th Edition", "cmi5", "xAPI (tincan.xml)"}


def test_cli_passes_every_built_package(built):
    result = CliRunner().invoke(main, ["validate", *map(str, built)], env={"ELEARN_SCHEMAS": None})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"checked 12 packages: 0 error(s), {6} warning(s)"
    summaries = [line for line in lines if "error(s)" in line and line.startswith(str(built[0].parent))]
    assert len(summaries) == 12
    assert all(ERROR_LINE.match(line) for line in lines if "] " in line)


# ------------------------------------------------------------------ broken packages: one defect each

def _bomb(files):
    return [*files.items(), ("media/zeros.bin", b"\0" * (2 << 20))]


def _symlink(files):
    info = zipfile.ZipInfo("assets/link.js")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return [*files.items(), (info, b"/etc/passwd")]


def _too_many(files):
    return [*files.items(), *((f"media/n/{i:05d}.txt", b"") for i in range(10_001))]


SCORM12, SCORM2004, CMI5, XAPI = "manager-scorm12", "manager-scorm2004", "manager-cmi5", "manager-xapi"
M, C, T = "imsmanifest.xml", "cmi5.xml", "tincan.xml"
BROKEN = {
    # id: (source package, mutation of {name: bytes} -> entries, expected codes, member, text in the message)
    "manifest-missing": (SCORM12, lambda f: [(n, d) for n, d in f.items() if n != M],
                         {"package.no-descriptor"}, "", "no imsmanifest.xml"),
    "manifest-in-subfolder": (SCORM12, lambda f: [(f"course/{n}", d) for n, d in f.items()],
                              {"package.descriptor-in-subfolder"}, "course/imsmanifest.xml", '"course/"'),
    "manifest-misnamed": (SCORM12, lambda f: [("IMSManifest.xml" if n == M else n, d) for n, d in f.items()],
                          {"package.descriptor-case"}, "IMSManifest.xml", '"imsmanifest.xml"'),
    "malformed-xml": (SCORM2004, lambda f: edit(f, M, "</manifest>", "").items(),
                      {"xml.malformed"}, M, "not well-formed"),
    "missing-file": (SCORM12, lambda f: [(n, d) for n, d in f.items() if n != "assets/theme.css"],
                     {"scorm.file-missing"}, M, '"assets/theme.css" is not in the package'),
    "case-changed-reference": (SCORM2004, lambda f: edit(f, M, '<file href="assets/theme.css"/>',
                                                         '<file href="assets/Theme.css"/>').items(),
                               {"scorm.file-missing"}, M, 'the zip has "assets/theme.css"'),
    "duplicate-identifier": (SCORM2004, lambda f: edit(edit(f, M, 'identifier="RES.manager"',
                                                            'identifier="ITEM.manager"'),
                                                       M, 'identifierref="RES.manager"',
                                                       'identifierref="ITEM.manager"').items(),
                             {"scorm.identifier-duplicate"}, M, '"ITEM.manager" is used twice'),
    "bad-default-organization": (SCORM12, lambda f: edit(f, M, 'default="ORG.manager"', 'default="ORG.x"').items(),
                                 {"scorm.default-organization"}, M, '"ORG.x"'),
    "item-names-no-resource": (SCORM12, lambda f: edit(f, M, 'identifierref="RES.manager"',
                                                       'identifierref="RES.gone"').items(),
                               {"scorm.item-resource-missing"}, M, '"RES.gone"'),
    "scormtype-spelt-as-in-1.2": (SCORM2004, lambda f: edit(f, M, "adlcp:scormType=", "adlcp:scormtype=").items(),
                                  {"scorm.scormtype-case"}, M, "adlcp:scormType"),
    "masteryscore-missing": (SCORM12, lambda f: edit(f, M, "<adlcp:masteryscore>80</adlcp:masteryscore>",
                                                     "").items(),
                             {"scorm12.masteryscore-missing"}, M, "adlcp:masteryscore"),
    "masteryscore-out-of-range": (SCORM12, lambda f: edit(f, M, "<adlcp:masteryscore>80<",
                                                          "<adlcp:masteryscore>150<").items(),
                                  {"scorm12.masteryscore-range"}, M, '"150"'),
    "min-normalized-measure-out-of-range": (SCORM2004, lambda f: edit(f, M, "Measure>0.8<", "Measure>1.5<").items(),
                                            {"scorm2004.mastery-range"}, M, '"1.5"'),
    "min-normalized-measure-missing": (SCORM2004, lambda f: edit(
        f, M, "<imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>", "").items(),
        {"scorm2004.mastery-missing", "scorm2004.mastery-default"}, M, "minNormalizedMeasure"),
    "path-traversal": (SCORM12, lambda f: [*f.items(), ("../evil.js", b"x")],
                       {"zip.path-traversal"}, "../evil.js", "escapes the package root"),
    "absolute-path": (CMI5, lambda f: [*f.items(), ("/tmp/evil.js", b"x")],
                      {"zip.absolute-path"}, "/tmp/evil.js", "absolute path"),
    "symlink": (XAPI, _symlink, {"zip.symlink"}, "assets/link.js", "symbolic link"),
    "zip-bomb": (SCORM2004, _bomb, {"zip.bomb"}, "media/zeros.bin", "expands"),
    "too-many-entries": (SCORM12, _too_many, {"zip.too-many-entries"}, "", "more than the 10,000"),
    "space-in-name": (SCORM12, lambda f: [*f.items(), ("media/my logo.svg", b"<svg/>")],
                      {"name.space"}, "media/my logo.svg", "space"),
    "non-ascii-name": (CMI5, lambda f: [*f.items(), ("media/café.svg", b"<svg/>")],
                       {"name.non-ascii"}, "media/café.svg", "non-ASCII"),
    "backslash-name": (XAPI, lambda f: [*f.items(), ("media\\extra.svg", b"<svg/>")],
                       {"name.backslash"}, "media\\extra.svg", "backslash"),
    "case-clash": (SCORM2004, lambda f: [*f.items(), ("Index.html", b"<p>x</p>")],
                   {"name.case-clash"}, "index.html", '"Index.html"'),
    "cmi5-au-without-url": (CMI5, lambda f: edit(f, C, "<url>index.html</url>", "").items(),
                            {"cmi5.au-url-missing"}, C, "no <url>"),
    "cmi5-url-not-in-zip": (CMI5, lambda f: edit(f, C, "<url>index.html</url>", "<url>start.html</url>").items(),
                            {"cmi5.url-not-found"}, C, '"start.html"'),
    "cmi5-bad-mastery-score": (CMI5, lambda f: edit(f, C, 'masteryScore="0.8"', 'masteryScore="80"').items(),
                               {"cmi5.mastery-range"}, C, '"80"'),
    "cmi5-au-id-not-iri": (CMI5, lambda f: edit(f, C, '<au id="https://xapi.reflective-supervision.org.uk/stages/'
                                                 'manager/au"', '<au id="manager au"').items(),
                           {"cmi5.id-not-iri"}, C, '"manager au"'),
    "tincan-launch-missing": (XAPI, lambda f: edit(f, T, '<launch lang="en-GB">index.html</launch>', "").items(),
                              {"tincan.launch-missing"}, T, "no activity has a <launch>"),
    "tincan-unknown-choice": (XAPI, lambda f: edit(f, T, "e3[,]e4[,]e5<", "e3[,]e4[,]e9<").items(),
                              {"tincan.response-unknown-component"}, T, '"e9"'),
    "tincan-duplicate-activity": (XAPI, lambda f: edit(f, T, "/modules/models\"", "/modules/introduction\"").items(),
                                  {"tincan.id-duplicate"}, T, "modules/introduction"),
    "not-a-zip": (SCORM12, lambda f: b"PK\x03\x04 this is not really a zip", {"zip.unreadable"}, "", "not a readable"),
    "empty-file": (SCORM12, lambda f: b"", {"zip.unreadable"}, "", "it is empty"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_package_is_caught_with_the_right_code(case, built, tmp_path):
    source, mutate, expected, member, text = BROKEN[case]
    original = package(built, *source.split("-"))
    baseline = {(f.code, f.member) for f in check_package(original).findings}
    entries = mutate(read_zip(original))
    target = tmp_path / f"{case}.zip"
    if isinstance(entries, bytes):
        target.write_bytes(entries)
    else:
        write_zip(target, entries)
    report = check_package(target)
    new = [f for f in report.findings if (f.code, f.member) not in baseline]
    assert {f.code for f in new} == expected, [f.where(target.name) for f in report.findings]
    main_finding = [f for f in new if f.member == member]
    assert main_finding, [f.where(target.name) for f in new]
    assert any(text in f.message for f in main_finding), [f.message for f in main_finding]
    result = CliRunner().invoke(main, ["validate", str(target)], env={"ELEARN_SCHEMAS": None})
    assert result.exit_code == (1 if any(f.severity == "error" for f in new) else 0), result.output
    assert f"{target}{':' + member if member else ''}" in result.output


def test_xsd_invalid_element_is_reported_at_its_line(built_with_schemas, schemas_dir, tmp_path):
    original = package(built_with_schemas, "manager", "scorm2004")
    files = edit(read_zip(original), M, "</title>\n        <adlcp:completionThreshold",
                 "</title>\n        <bogus/>\n        <adlcp:completionThreshold")
    target = write_zip(tmp_path / "xsd.zip", files.items())
    assert codes(check_package(target)) == []  # the rules alone do not see it: only the XSD does
    report = check_package(target, schemas_dir)
    (finding,) = report.findings
    assert (finding.code, finding.member, finding.severity) == ("xsd.invalid", M, "error")
    line = files[M].decode().splitlines().index("        <bogus/>") + 1
    assert finding.line == line and "bogus" in finding.message


def test_corrupt_member_is_reported(built, tmp_path):
    original = package(built, "manager", "cmi5")
    target = write_zip(tmp_path / "corrupt.zip", read_zip(original).items())
    data = bytearray(target.read_bytes())
    with zipfile.ZipFile(target) as zf:
        info = zf.getinfo("assets/theme.css")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 10, start + 20):
        data[offset] ^= 0xFF
    target.write_bytes(bytes(data))
    report = check_package(target)
    assert [(f.code, f.member) for f in report.findings] == [("zip.corrupt-member", "assets/theme.css")]


def test_unsafe_zip_is_refused_before_anything_is_read(tmp_path):
    target = write_zip(tmp_path / "unsafe.zip", [("imsmanifest.xml", b"<not-even-xml"), ("../../x.js", b"x")])
    report = check_package(target)
    # The malformed manifest is never parsed: the zip is refused on its member names alone.
    assert codes(report) == ["zip.path-traversal"]
    assert report.notes == ("the zip was refused as unsafe: no member was read or unpacked",)


ENTITIES = {
    "billion-laughs": '<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>",
    "external-entity": '<!DOCTYPE c [<!ENTITY i SYSTEM "file:///etc/hostname">]>',
}


@pytest.mark.parametrize("case", sorted(ENTITIES))
def test_entities_are_never_expanded(case, tmp_path):
    use = "&i;"  # both DTDs name their entity (the deepest one of the billion laughs) "i"
    body = (f'{ENTITIES[case]}<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">'
            f'<course id="https://example.org/{use}"/></courseStructure>')
    target = write_zip(tmp_path / "entities.zip", [("cmi5.xml", body.encode()), ("index.html", b"")])
    report = check_package(target)
    assert [(f.code, f.member) for f in report.findings] == [("xml.malformed", "cmi5.xml")]


# ------------------------------------------------------------------ packages from elsewhere

MINIMAL_12 = """<?xml version="1.0"?>
<manifest identifier="com.example.minimal" version="1"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>Fire safety</title>
      <item identifier="i1" identifierref="r1"><title>Fire safety</title>
        <adlcp:masteryscore>70</adlcp:masteryscore></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="start.html?lang=en">
      <file href="start.html"/><file href="js/api%20wrapper.js"/>
    </resource>
  </resources>
</manifest>
"""


def line_of(text: str, needle: str) -> int:
    (line,) = [n for n, content in enumerate(text.splitlines(), 1) if needle in content]
    return line


def minimal_package(tmp_path: Path, manifest: str = MINIMAL_12) -> Path:
    return write_zip(tmp_path / "elsewhere.zip", [("imsmanifest.xml", manifest.encode()),
                                                  ("start.html", b"<p>hi</p>"), ("js/api wrapper.js", b"")])


def test_a_hand_written_scorm12_package_validates(tmp_path):
    report = check_package(minimal_package(tmp_path))
    assert (report.format, report.label, report.files) == ("scorm12", "SCORM 1.2", 3)
    # The one finding is about the file name with a space (which the manifest escapes correctly as %20).
    assert [(f.code, f.severity, f.member) for f in report.findings] == [("name.space", "warning",
                                                                          "js/api wrapper.js")]


def test_a_hand_written_scorm12_package_validates_against_the_xsds(tmp_path, schemas_dir):
    report = check_package(minimal_package(tmp_path), schemas_dir)
    assert report.errors == 0 and report.xsd == "checked"


def test_a_hand_written_manifest_with_several_defects_reports_them_all(tmp_path):
    manifest = (MINIMAL_12.replace('default="org1"', 'default="org2"').replace(">70<", ">170<")
                .replace('<file href="start.html"/>', '<file href="Start.html"/>'))
    report = check_package(minimal_package(tmp_path, manifest))
    assert codes(report) == ["name.space", "scorm.default-organization", "scorm.file-missing",
                             "scorm.launch-not-listed", "scorm12.masteryscore-range"]
    lines = {f.code: f.line for f in report.findings}
    assert lines["scorm.default-organization"] == line_of(manifest, "<organizations ")
    assert lines["scorm12.masteryscore-range"] == line_of(manifest, ">170<")


def sample_package(sample: Path, tmp_path: Path) -> Path:
    """A zip of one of the schema folder's sample descriptors with a stub for every file it names."""
    root = etree.parse(str(sample)).getroot()
    refs = root.xpath("//@href | //*[local-name()='url' or local-name()='launch']/text()")
    name = {"manifest": "imsmanifest.xml", "courseStructure": "cmi5.xml", "tincan": "tincan.xml"}[
        etree.QName(root).localname]
    stubs = {str(r).split("?")[0]: b"stub" for r in refs if "://" not in str(r)}
    return write_zip(tmp_path / f"{sample.stem}.zip", [(name, sample.read_bytes()), *stubs.items()])


def test_the_official_samples_validate(schemas_dir, tmp_path):
    samples = sorted((schemas_dir / "samples").glob("*.xml"))
    assert len(samples) >= 4
    for sample in samples:
        report = check_package(sample_package(sample, tmp_path), schemas_dir)
        assert report.errors == 0, (sample.name, [f.where(sample.name) for f in report.findings])
        assert report.xsd == "checked"


def test_the_broken_official_samples_fail(schemas_dir, tmp_path):
    samples = sorted((schemas_dir / "samples" / "invalid").glob("*.xml"))
    assert len(samples) >= 4
    for sample in samples:
        report = check_package(sample_package(sample, tmp_path), schemas_dir)
        assert "xsd.invalid" in codes(report), sample.name
        # The rules find the defects the XSDs cannot see even without the schemas.
    rules_only = {s.stem: set(codes(check_package(sample_package(s, tmp_path)))) for s in samples}
    assert {"scorm.item-resource-missing", "scorm.title-missing"} <= rules_only["scorm12_broken"]
    assert "cmi5.moveon-invalid" in rules_only["cmi5_broken"] and "cmi5.mastery-range" in rules_only["cmi5_broken"]


# ------------------------------------------------------------------ the command

def test_cli_reports_lines_a_person_and_an_editor_can_follow(tmp_path):
    target = minimal_package(tmp_path, MINIMAL_12.replace(">70<", ">170<"))
    result = CliRunner().invoke(main, ["validate", str(target)], env={"ELEARN_SCHEMAS": None})
    assert result.exit_code == 1
    first, *_, summary = result.output.splitlines()
    match = ERROR_LINE.match(first)
    assert match and match.group("member", "line", "severity", "code") == (
        "imsmanifest.xml", str(line_of(MINIMAL_12, ">70<")), "error", "scorm12.masteryscore-range")
    assert summary == f"{target}: SCORM 1.2, 3 files, {target.stat().st_size / 1024:.1f} KiB, XSD not checked: " \
                      "1 error(s), 1 warning(s)"


def test_cli_json_and_strict(tmp_path):
    target = minimal_package(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "--json", str(target)], env={"ELEARN_SCHEMAS": None})
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ok"] is True and (data["errors"], data["warnings"]) == (0, 1)
    (pkg,) = data["packages"]
    assert pkg["format"] == "scorm12" and pkg["diagnostics"][0]["code"] == "name.space"
    strict = runner.invoke(main, ["validate", "--json", "--strict", str(target)], env={"ELEARN_SCHEMAS": None})
    assert strict.exit_code == 1 and json.loads(strict.output)["ok"] is False


def test_cli_never_shows_a_traceback(tmp_path):
    garbage, empty = tmp_path / "garbage.zip", tmp_path / "empty.zip"
    garbage.write_bytes(bytes(range(256)) * 40)
    empty.write_bytes(b"")
    runner = CliRunner()
    for args, status, text in (([str(garbage)], 1, "[zip.unreadable]"), ([str(empty)], 1, "it is empty"),
                               ([str(tmp_path)], 2, "is a directory"), ([str(tmp_path / "gone.zip")], 2,
                                                                        "does not exist"),
                               ([], 2, "Missing argument"),
                               (["--schemas", str(tmp_path / "nowhere"), str(garbage)], 2, "does not exist")):
        result = runner.invoke(main, ["validate", *args], env={"ELEARN_SCHEMAS": None})
        assert result.exit_code == status, (args, result.output)
        assert text in result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_a_schema_folder_without_a_set_is_noted_not_fatal(built, tmp_path):
    (tmp_path / "scorm12").mkdir()
    report = check_package(package(built, "manager", "cmi5"), tmp_path)
    assert report.errors == 0 and report.xsd == "skipped"
    assert "cmi5/CourseStructure.xsd" in report.notes[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_zips_never_raise(data, built, tmp_path):
    original = bytearray(package(built, "manager", "scorm12").read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(original)))
    target = tmp_path / "damaged.zip"
    target.write_bytes(bytes(original[:cut] if data.draw(st.booleans()) else original))
    report = check_package(target)
    assert all(f.severity in ("error", "warning") and f.code for f in report.findings)


def test_several_descriptors_are_all_checked(built, tmp_path):
    files = read_zip(package(built, "manager", "scorm12"))
    files["tincan.xml"] = read_zip(package(built, "manager", "xapi"))["tincan.xml"].replace(b"index.html", b"go.html")
    report = check_package(write_zip(tmp_path / "both.zip", files.items()))
    assert report.format == "scorm12"
    assert sorted((f.code, f.member) for f in report.findings if f.code != "scorm.control-file-missing") == [
        ("package.several-descriptors", "tincan.xml"), ("tincan.launch-not-found", "tincan.xml")]


@pytest.mark.parametrize("body", [
    b'<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"/>',
    b"<manifest identifier='m'><organizations/><resources/></manifest>",
    b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p2"/>',
])
def test_a_descriptor_of_an_unknown_kind_is_named(body, tmp_path):
    report = check_package(write_zip(tmp_path / "odd.zip", [("imsmanifest.xml", body)]))
    assert [(f.code, f.member, f.line) for f in report.findings] == [("package.unknown-format", M, 1)]
    assert report.format == "" and report.label == "unknown format"


def test_an_older_2004_edition_gets_xsd_findings_as_warnings(schemas_dir, tmp_path):
    sample = schemas_dir / "samples" / "invalid" / "scorm2004_4th_broken.xml"
    report = check_package(sample_package(sample, tmp_path), schemas_dir)
    assert report.label == "SCORM 2004 3rd Edition" and report.xsd == "checked against 4th Edition"
    xsd = [f for f in report.findings if f.code == "xsd.invalid"]
    assert xsd and all(f.severity == "warning" and "4th Edition schemas" in f.message for f in xsd)


def test_json_for_an_unreadable_zip(tmp_path):
    target = tmp_path / "junk.zip"
    target.write_bytes(b"\x00" * 64)
    result = CliRunner().invoke(main, ["validate", "--json", str(target)], env={"ELEARN_SCHEMAS": None})
    assert result.exit_code == 1
    (pkg,) = json.loads(result.output)["packages"]
    assert (pkg["format"], pkg["bytes"], pkg["errors"]) == (None, 64, 1)
    assert pkg["diagnostics"] == [{"member": "", "line": None, "severity": "error", "code": "zip.unreadable",
                                   "message": "not a readable zip file: File is not a zip file"}]
