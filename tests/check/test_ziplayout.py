"""`elearn validate` reads a zip's own records before trusting them: the entry count from the end of central
directory first (a huge central directory is refused unread), and local headers one to one with the central
directory, nothing prepended, hidden or between entries (issue 14 items 7 and 9)."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from elearn_builder.check import validate as packagecheck
from elearn_builder.check.validate import check_package
from elearn_builder.check.zipsafety import Limits

MANIFEST = (b'<?xml version="1.0"?><manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
            b'identifier="m"><organizations/><resources/></manifest>')


def _local(name: bytes, data: bytes) -> bytes:
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(data), len(data), len(data),
                       len(name), 0) + name + data


def _central(name: bytes, data: bytes, offset: int) -> bytes:
    return struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, zlib.crc32(data), len(data), len(data),
                       len(name), 0, 0, 0, 0, 0, offset) + name


def raw_zip(entries: list[tuple[str, bytes, bool]], prepend: bytes = b"") -> bytes:
    """A stored zip written by hand: every entry gets a local header, only the visible ones a central record."""
    out, central, count = bytearray(prepend), bytearray(), 0
    for name, data, visible in entries:
        offset = len(out)
        out += _local(name.encode(), data)
        if visible:
            central += _central(name.encode(), data, offset)
            count += 1
    start = len(out)
    return bytes(out + central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), start, 0))


def codes(tmp_path: Path, data: bytes, limits: Limits = Limits()) -> list[tuple[str, str]]:
    path = tmp_path / "p.zip"
    path.write_bytes(data)
    report = check_package(path, limits=limits)
    return [(f.code, f.member) for f in report.findings if f.severity == "error"]


HIDDEN = ("../../../../x.jsp", b"<% Runtime.getRuntime().exec(request.getParameter(\"c\")); %>", False)


def test_a_hand_written_zip_without_tricks_passes_the_layout_check(tmp_path):
    found = codes(tmp_path, raw_zip([("imsmanifest.xml", MANIFEST, True), ("index.html", b"<p>hi</p>", True)]))
    assert not [c for c in found if c[0].startswith("zip.")]


def test_a_local_entry_missing_from_the_central_directory_between_entries_is_refused(tmp_path):
    data = raw_zip([("imsmanifest.xml", MANIFEST, True), HIDDEN, ("index.html", b"<p>hi</p>", True)])
    listed = [info.filename for info in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    assert listed == ["imsmanifest.xml", "index.html"]  # zipfile, like an LMS reading the central directory
    assert ("zip.hidden-entry", "../../../../x.jsp") in codes(tmp_path, data)


def test_a_hidden_local_entry_prepended_is_refused(tmp_path):
    """Java's ZipInputStream reads this entry first; zipfile skips it as prepended data."""
    hidden = _local(HIDDEN[0].encode(), HIDDEN[1])
    visible = raw_zip([("imsmanifest.xml", MANIFEST, True), ("index.html", b"<p>hi</p>", True)])
    assert ("zip.hidden-entry", "../../../../x.jsp") in codes(tmp_path, hidden + visible)


def test_bytes_prepended_are_refused(tmp_path):
    visible = raw_zip([("imsmanifest.xml", MANIFEST, True), ("index.html", b"<p>hi</p>", True)])
    assert ("zip.prepended-data", "") in codes(tmp_path, b"MZ" + b"\0" * 510 + visible)


def test_a_local_name_other_than_the_central_name_is_refused(tmp_path):
    data = raw_zip([("imsmanifest.xml", MANIFEST, True), ("index.html", b"<p>hi</p>", True)])
    data = data.replace(b"index.html<p>", b"evil.jsp!!<p>", 1)
    assert ("zip.local-header-mismatch", "index.html") in codes(tmp_path, data)


def test_zips_python_and_our_build_write_pass(tmp_path, built_minimal_zip):
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", MANIFEST)
        zf.writestr("a/b.txt", b"x" * 5000)
    assert not [f for f in check_package(path).findings if f.code.startswith("zip.")]
    assert not [f for f in check_package(built_minimal_zip).findings if f.code.startswith("zip.")]


@pytest.fixture
def built_minimal_zip(tmp_path) -> Path:
    from elearn_builder.build import BuildOptions, build

    result = build(BuildOptions(source=Path(__file__).parents[1] / "courses" / "minimal", output=tmp_path / "out",
                                templates=None, formats=("scorm12",), stages=("manager",), cache=False))
    return result.packages[0].path


def _huge_directory_zip(declared: int, zip64: bool) -> bytes:
    """A zip whose end records declare ``declared`` entries: a few real records, then the rest of the central
    directory absent (reading it would take seconds and hundreds of MB, as issue 14 measured)."""
    body = raw_zip([("imsmanifest.xml", MANIFEST, True)])
    cut = body.rfind(b"PK\x05\x06")
    start = struct.unpack("<L", body[cut + 16:cut + 20])[0]
    central = body[start:cut]
    size = len(central) * declared
    if not zip64:
        return body[:cut] + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, size, start, 0)
    z64_at = len(body[:cut])
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, declared, declared, size, start)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, z64_at, 1)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return body[:cut] + record + locator + eocd


@pytest.mark.parametrize("zip64", [False, True])
def test_the_entry_count_is_read_from_the_end_records_before_the_central_directory(tmp_path, zip64):
    assert codes(tmp_path, _huge_directory_zip(1_500_000, zip64)) == [("zip.too-many-entries", "")]


def test_a_real_central_directory_over_the_limit_is_refused_unparsed(tmp_path, monkeypatch):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for index in range(60):
            zf.writestr(f"f{index}.txt", b"")

    def parsing(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(packagecheck.zipfile, "ZipFile", parsing)
    report = check_package(path, limits=Limits(max_entries=50))
    assert [(f.code, f.severity) for f in report.findings] == [("zip.too-many-entries", "error")]
