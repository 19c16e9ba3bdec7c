"""Zip safety before anything is read (paths, links, bombs, entry counts) and the file names LMSs choke on."""
from __future__ import annotations

import posixpath
import re
import stat
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from types import MappingProxyType

from elearn_builder.check.findings import Findings

SUPPORTED_METHODS = MappingProxyType({zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"})
"""What the unzip code of LMSs (PHP, Java, .NET) reliably reads (APPNOTE 4.4.5)."""

_RESERVED = re.compile(r'[<>:"|?*\x00-\x1f]')
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class Limits:
    """Where a zip stops being safe to unpack, and where it starts to trouble LMSs."""

    max_entries: int = 10_000
    max_ratio: float = 100.0
    """Uncompressed size over compressed size of one member; text and HTML stay well under 20."""
    ratio_floor: int = 1 << 20
    """Members smaller than this (1 MiB) are never counted as bombs, whatever their ratio."""
    max_total: int = 2 << 30
    """Total uncompressed size (2 GiB) above which the zip is refused."""
    warn_zip_bytes: int = 100 << 20
    """Zip size (100 MiB) above which common LMS upload limits are hit (Moodle's default is 100 MB)."""
    warn_total: int = 500 << 20
    """Uncompressed size (500 MiB) above which LMS imports get slow or time out."""
    max_path: int = 200
    """Member path length that, under an LMS's own extraction folder, nears Windows' 260-character MAX_PATH."""


def _mode(info: zipfile.ZipInfo) -> int:
    return info.external_attr >> 16 if info.create_system == 3 else 0


def _path_problem(name: str) -> tuple[str, str] | None:
    """(code, message) when a member name is absolute or escapes the root, else None."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "zip.absolute-path", (f'member "{name}" has an absolute path: unpacking it would write outside '
                                     "the package folder")
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        normal = posixpath.normpath(name.replace("\\", "/"))
        where = "escapes the package root" if normal == ".." or normal.startswith("../") else "has a '..' segment"
        return "zip.path-traversal", f'member "{name}" {where}: unpacking it could write outside the package folder'
    return None


def check_safety(zf: zipfile.ZipFile, findings: Findings, limits: Limits, zip_bytes: int) -> bool:
    """Check every entry's metadata, reading no content. True when the zip is safe to read."""
    infos = zf.infolist()
    before = len(findings.errors)
    if len(infos) > limits.max_entries:
        findings.error("", "zip.too-many-entries", f"the zip has {len(infos):,} entries, more than the "
                                                   f"{limits.max_entries:,} an e-learning package plausibly needs")
        return False
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        problem = _path_problem(name)
        if problem:
            findings.error(name, *problem)
        if stat.S_ISLNK(_mode(info)):
            findings.error(name, "zip.symlink", f'member "{name}" is a symbolic link: links can point anywhere '
                                                "on the LMS server, so the package is refused")
        if info.flag_bits & 0x1:
            findings.error(name, "zip.encrypted", f'member "{name}" is encrypted: an LMS cannot read it')
        if info.compress_type not in SUPPORTED_METHODS:
            findings.error(name, "zip.compression-method", f'member "{name}" uses compression method '
                                                           f"{info.compress_type}; LMSs read only stored and deflated")
        if name in seen:
            findings.error(name, "zip.duplicate-member", f'member "{name}" appears twice: which one an LMS '
                                                         "unpacks is undefined")
        seen.add(name)
        total += info.file_size
        if info.file_size >= limits.ratio_floor:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                findings.error(name, "zip.bomb", f'member "{name}" expands {ratio:,.0f} times '
                                                 f"({info.compress_size:,} to {info.file_size:,} bytes), more than "
                                                 f"{limits.max_ratio:,.0f}: a zip bomb is refused")
    if total > limits.max_total:
        findings.error("", "zip.too-large", f"the zip unpacks to {total:,} bytes, more than {limits.max_total:,}")
    elif total > limits.warn_total:
        findings.warning("", "size.unpacked", f"the zip unpacks to {total / (1 << 20):,.0f} MiB: LMS imports of "
                                              f"more than {limits.warn_total >> 20} MiB are slow or time out")
    if zip_bytes > limits.warn_zip_bytes:
        findings.warning("", "size.package", f"the zip is {zip_bytes / (1 << 20):,.0f} MiB: many LMSs refuse "
                                             f"uploads over {limits.warn_zip_bytes >> 20} MiB by default")
    return len(findings.errors) == before


def check_integrity(zf: zipfile.ZipFile, findings: Findings) -> None:
    """Read every member (in chunks, bounded by its declared size) to catch bad CRCs and corrupt data."""
    for info in zf.infolist():
        if info.is_dir():
            continue
        try:
            with zf.open(info) as handle:
                while handle.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError) as exc:
            findings.error(info.filename, "zip.corrupt-member", f'member "{info.filename}" cannot be read: {exc}')


def check_names(names: list[str], findings: Findings, limits: Limits) -> None:
    """File names that break LMS imports or launches: backslashes, case clashes, spaces, non-ASCII, length."""
    by_fold: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_fold[name.casefold()].append(name)
        if "\\" in name:
            findings.error(name, "name.backslash", f'"{name}" contains a backslash: zip paths must use "/" '
                                                   "(APPNOTE 4.4.17.1); Windows and Linux LMSs unpack it differently")
        if " " in name:
            findings.warning(name, "name.space", f'"{name}" contains a space: some LMSs and browsers fail to '
                                                 "launch or load it unless every reference escapes it as %20")
        if not name.isascii():
            findings.warning(name, "name.non-ascii", f'"{name}" has non-ASCII characters: LMSs that unpack with '
                                                     "another code page lose them")
        if _RESERVED.search(name):
            findings.warning(name, "name.reserved-character", f'"{name}" has a character Windows forbids in '
                                                              'file names (< > : " | ? * or a control character)')
        if len(name) > limits.max_path:
            findings.warning(name, "name.too-long", f'"{name}" is {len(name)} characters long: under an LMS\'s '
                                                    "own folder it can pass Windows' 260-character limit")
        if name.startswith(_JUNK[0]) or posixpath.basename(name) in _JUNK[1:]:
            findings.warning(name, "name.os-junk", f'"{name}" is an operating-system file that does not '
                                                   "belong in a package")
    for group in by_fold.values():
        if len(group) > 1:
            first, *others = sorted(group)
            for other in others:
                findings.error(other, "name.case-clash", f'"{other}" and "{first}" differ only in case: on a '
                                                         "case-insensitive LMS server one overwrites the other")
