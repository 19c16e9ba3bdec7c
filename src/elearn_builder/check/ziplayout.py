"""The zip's own records: the entry count from the end of central directory (and zip64) read before anything
parses the central directory, and local headers that match the central directory one to one, contiguous, with
nothing before, between or after them (streaming unzippers such as Java's ZipInputStream read local headers)."""
from __future__ import annotations

import struct
import zipfile

from elearn_builder.check.findings import Findings

EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"
LOCAL = b"PK\x03\x04"
DATA_DESCRIPTOR = b"PK\x07\x08"
CENTRAL_RECORD = 46
"""The fixed part of one central directory record (APPNOTE 4.3.12): no record is smaller."""
_TAIL = 22 + 0xFFFF + 20
"""The end of central directory record, its longest comment, and room for the zip64 locator before it."""


def declared_entries(handle, size: int) -> tuple[int, int] | None:
    """(entries, central directory bytes) as the end records declare them (zip64's when the classic record
    says 0xFFFF/0xFFFFFFFF), reading only the file's tail; None when no end record is found."""
    tail = min(size, _TAIL)
    handle.seek(size - tail)
    data = handle.read(tail)
    at = data.rfind(EOCD)
    if at < 0 or len(data) - at < 22:
        return None
    _, _, _, on_disk, entries, cd_size, cd_offset, _ = struct.unpack("<4s4H2LH", data[at:at + 22])
    entries = max(entries, on_disk)
    if 0xFFFF in (entries,) or 0xFFFFFFFF in (cd_size, cd_offset):
        locator = at - 20
        if locator >= 0 and data[locator:locator + 4] == ZIP64_LOCATOR:
            record = size - tail + locator - 56  # the zip64 record just before its locator
            if record >= 0:
                handle.seek(record)
                z64 = handle.read(56)
                if len(z64) == 56 and z64[:4] == ZIP64_EOCD:
                    on_disk64, entries64, cd_size64 = struct.unpack("<3Q", z64[24:48])
                    return max(on_disk64, entries64), cd_size64
    return entries, cd_size


def check_count(handle, size: int, findings: Findings, max_entries: int) -> bool:
    """Refuse a zip whose end records declare more than ``max_entries`` entries, or a central directory
    too big to hold no more than that many records of plausible size; True when it may be parsed."""
    declared = declared_entries(handle, size)
    if declared is None:
        return True  # zipfile says why it cannot read it
    entries, cd_size = declared
    plausible = max_entries * (CENTRAL_RECORD + 1024)
    if entries > max_entries or cd_size > plausible:
        shown = f"{entries:,} entries" if entries > max_entries else f"a central directory of {cd_size:,} bytes"
        findings.error("", "zip.too-many-entries", f"the zip declares {shown}, more than the {max_entries:,} an "
                                                   "e-learning package plausibly needs: refused before reading them")
        return False
    return True


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")


def _local_name(handle, offset: int) -> tuple[bytes, int] | None:
    """(name, offset where the data starts) of the local header at ``offset``, or None when there is none."""
    handle.seek(offset)
    head = handle.read(30)
    if len(head) < 30 or head[:4] != LOCAL:
        return None
    name_len, extra_len = struct.unpack("<2H", head[26:30])
    return handle.read(name_len), offset + 30 + name_len + extra_len


def _ends(handle, info: zipfile.ZipInfo, data_start: int) -> set[int]:
    """Where the entry may end: after its data, and after a data descriptor when its flag says it has one."""
    end = data_start + info.compress_size
    if not info.flag_bits & 0x8:
        return {end}
    handle.seek(end)
    signed = 4 if handle.read(4) == DATA_DESCRIPTOR else 0
    return {end + signed + 12, end + signed + 20}  # 32-bit sizes, or zip64's 64-bit ones


def check_layout(zf: zipfile.ZipFile, findings: Findings) -> bool:
    """Every central record's local header is where it says, has the same name, and the entries follow one
    another from the first byte to the central directory; True when nothing is out of place."""
    handle, before = zf.fp, len(findings.errors)
    infos = sorted(zf.infolist(), key=lambda i: i.header_offset)
    cursor = 0
    for index, info in enumerate(infos):
        name = info.filename
        if info.header_offset != cursor:
            _gap(handle, cursor, info.header_offset, infos[index - 1].filename if index else None, findings)
            if info.header_offset < cursor:
                return False
        local = _local_name(handle, info.header_offset)
        if local is None:
            findings.error(name, "zip.local-header-missing", f'the central directory places "{name}" at byte '
                                                             f"{info.header_offset:,}, where no local header is")
            return False
        if local[0] != _raw_name(info):
            shown = local[0].decode("utf-8", "replace")
            findings.error(name, "zip.local-header-mismatch", f'the local header of "{name}" names "{shown}": '
                                                              "unzippers that read local headers unpack another file")
        ends = _ends(handle, info, local[1])
        following = infos[index + 1].header_offset if index + 1 < len(infos) else zf.start_dir
        cursor = following if following in ends else min(ends)
    if cursor != zf.start_dir:
        _gap(handle, cursor, zf.start_dir, infos[-1].filename if infos else None, findings)
    return len(findings.errors) == before


def _gap(handle, start: int, stop: int, after: str | None, findings: Findings) -> None:
    """Report the bytes from ``start`` to ``stop`` that no entry of the central directory covers."""
    where = f'after "{after}"' if after else "before the first entry"
    if stop < start:
        findings.error(after or "", "zip.overlapping-entries", f"two entries share bytes {stop:,}-{start:,}: "
                                                               "a crafted zip (overlapping entries) is refused")
        return
    hidden = _local_name(handle, start)
    if hidden is not None:
        shown = hidden[0].decode("utf-8", "replace")
        findings.error(shown, "zip.hidden-entry", f'a local header for "{shown}" {where} is not in the central '
                                                  "directory: streaming unzippers (Java's ZipInputStream) unpack it")
    else:
        code = "zip.prepended-data" if after is None else "zip.data-between-entries"
        findings.error(after or "", code, f"{stop - start:,} bytes {where} belong to no entry: a zip with data "
                                          "prepended or hidden between entries is refused")
