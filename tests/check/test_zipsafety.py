"""Zip safety and file-name checks on small zips made in the test (broken built packages: test_packagecheck)."""
from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, strategies as st

from elearn_builder.check.findings import Findings, package_path
from elearn_builder.check.zipsafety import Limits, check_names, check_safety


def zip_of(entries, method=zipfile.ZIP_DEFLATED) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def safety(entries, limits=Limits(), zip_bytes=1000, method=zipfile.ZIP_DEFLATED):
    findings = Findings()
    ok = check_safety(zip_of(entries, method), findings, limits, zip_bytes)
    return ok, [(f.code, f.member, f.severity) for f in findings.items]


def names(*paths, limits=Limits()):
    findings = Findings()
    check_names(list(paths), findings, limits)
    return sorted((f.code, f.member) for f in findings.items)


def test_a_plain_zip_is_safe():
    assert safety([("index.html", b"<p>hi</p>" * 1000), ("a/b/c.js", b"x")]) == (True, [])


@pytest.mark.parametrize("name, code", [
    ("../x.js", "zip.path-traversal"), ("a/../../x.js", "zip.path-traversal"), ("a/../b.js", "zip.path-traversal"),
    ("..\\x.js", "zip.path-traversal"), ("/etc/x", "zip.absolute-path"), ("\\x.js", "zip.absolute-path"),
    ("C:/x.js", "zip.absolute-path"), ("c:\\x.js", "zip.absolute-path"),
])
def test_unsafe_member_names_are_refused(name, code):
    assert safety([("index.html", b""), (name, b"x")]) == (False, [(code, name, "error")])


def test_bomb_needs_both_a_high_ratio_and_a_real_size():
    small = b"\0" * ((1 << 20) - 1)  # ratio ~1000 but under the 1 MiB floor: not a bomb
    assert safety([("small.bin", small)]) == (True, [])
    ok, found = safety([("big.bin", b"\0" * (1 << 20))])
    assert not ok and found == [("zip.bomb", "big.bin", "error")]
    stored = b"\0" * (2 << 20)  # the same bytes stored (ratio 1) are fine
    assert safety([("big.bin", stored)], method=zipfile.ZIP_STORED) == (True, [])


def test_size_limits():
    entries = [("a.bin", bytes(range(256)) * 400)]  # 102,400 bytes, barely compressible
    assert safety(entries, Limits(max_total=100_000)) == (False, [("zip.too-large", "", "error")])
    assert safety(entries, Limits(warn_total=100_000)) == (True, [("size.unpacked", "", "warning")])
    assert safety(entries, Limits(), zip_bytes=(100 << 20) + 1) == (True, [("size.package", "", "warning")])


def test_entry_count_limit_is_exact():
    entries = [(f"f{i}", b"") for i in range(5)]
    assert safety(entries, Limits(max_entries=5)) == (True, [])
    assert safety(entries, Limits(max_entries=4)) == (False, [("zip.too-many-entries", "", "error")])


def test_duplicate_members_and_unsupported_methods():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is asked to write
        ok, found = safety([("a.js", b"1"), ("a.js", b"2")])
    assert not ok and found == [("zip.duplicate-member", "a.js", "error")]
    ok, found = safety([("a.js", b"1" * 100)], method=zipfile.ZIP_LZMA)
    assert not ok and found == [("zip.compression-method", "a.js", "error")]


def test_file_names_lms_choke_on():
    assert names("index.html", "assets/app.js", "media/a-b_c.1.svg") == []
    assert names("my file.html") == [("name.space", "my file.html")]
    assert names("café.html") == [("name.non-ascii", "café.html")]
    assert names("a\\b.html") == [("name.backslash", "a\\b.html")]
    assert names("what?.html") == [("name.reserved-character", "what?.html")]
    assert names("x" * 201) == [("name.too-long", "x" * 201)] and names("x" * 200) == []
    assert names("__MACOSX/._index.html", "media/.DS_Store") == [("name.os-junk", "__MACOSX/._index.html"),
                                                                 ("name.os-junk", "media/.DS_Store")]
    # Each later spelling (in sorted order) is reported against the first one.
    assert names("Media/A.svg", "media/a.svg", "MEDIA/A.SVG") == [("name.case-clash", "Media/A.svg"),
                                                                   ("name.case-clash", "media/a.svg")]


@pytest.mark.parametrize("href, expected", [
    ("index.html", ("index.html", "")), ("a/./b/../c.js", ("a/c.js", "")), ("my%20file.html", ("my file.html", "")),
    ("index.html?x=1#top", ("index.html", "")), ("https://cdn.example/x.js", (None, "")),
    ("../x.js", (None, "points outside the package")), ("/x.js", (None, "is an absolute path")),
    ("C:\\x.js", (None, "is an absolute file path")), ("a\\b.js", (None, "uses backslashes (zip and URL paths use /)")),
])
def test_package_path(href, expected):
    assert package_path(href) == expected


@given(st.text(max_size=40))
def test_package_path_never_leaves_the_package(href):
    path, problem = package_path(href)
    if path:
        assert not problem and not path.startswith(("/", "../")) and path != ".."
