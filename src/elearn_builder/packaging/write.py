"""Package and write: reproducible zips (``package``), all written to temporary files first and renamed together
(``write``).

The zip writer is ours (the same bytes ``zipfile`` writes for these settings) so that an entry's
deflated data is computed once per distinct content: the runtime and the media are the same in
every package, and a cache can hand back what an earlier build compressed (``deflate.py``; a large
``index.html`` is deflated in segments there, so the bytes differ from ``zipfile``'s for it alone).
"""
from __future__ import annotations

import os
import struct
import tempfile
import time
import zlib
from pathlib import Path
from typing import Callable

from elearn_builder.packaging.deflate import LEVEL, PARALLEL_BYTES, Deflater, compress, deflate, digest  # noqa: F401 (the package's API)
from elearn_builder.diagnostics import ElearnError

DEFAULT_EPOCH = 315532800
"""1980-01-01T00:00:00Z, the earliest time a zip can hold; used unless SOURCE_DATE_EPOCH is set."""
VERSION = 20  # "2.0": deflate
UNIX = 3
MODE = 0o644 << 16


def zip_time() -> tuple[int, int, int, int, int, int]:
    """The fixed timestamp of every zip entry (``SOURCE_DATE_EPOCH`` when set)."""
    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    except ValueError:
        epoch = DEFAULT_EPOCH
    return time.gmtime(max(epoch, DEFAULT_EPOCH))[:6]


def _dos(stamp: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = stamp
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def zip_bytes(files: dict[str, bytes], deflater: Callable[[bytes], bytes] = compress) -> bytes:
    """A zip of ``files``: sorted entries, fixed time and mode, deflated (``deflater.compress``), no extra fields."""
    dostime, dosdate = _dos(zip_time())
    out, central = bytearray(), bytearray()
    names = sorted(files)
    checksum = getattr(deflater, "crc32", zlib.crc32)  # a Deflater works each content's CRC out once
    for name in names:
        data = files[name]
        packed = deflater(data)
        try:
            raw, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            raw, flags = name.encode("utf-8"), 0x800
        crc = checksum(data)
        offset = len(out)
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", VERSION, 0, flags, 8, dostime, dosdate,
                           crc, len(packed), len(data), len(raw), 0)
        out += raw
        out += packed
        central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", VERSION, UNIX, VERSION, 0, flags, 8,
                               dostime, dosdate, crc, len(packed), len(data), len(raw), 0, 0, 0, 0, MODE, offset)
        central += raw
    start = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(names), len(names), len(central), start, 0)
    return bytes(out)


def zip_bytes_to(handle, files: dict[str, bytes], deflater: Callable[[bytes], bytes] = compress) -> None:
    """Write ``files`` to an open binary handle as a zip with sorted entries and fixed metadata."""
    handle.write(zip_bytes(files, deflater))


def package(packages: dict[str, dict[str, bytes]], deflater: Deflater | None = None,
            done: Callable[[str, float], None] | None = None) -> dict[str, bytes]:
    """Each package's zip, {name: zip bytes}: every distinct content deflated once (``deflater``, which may
    reuse earlier work), then the zips in the order given; ``done(name, seconds)`` as each is made."""
    deflater = deflater if deflater is not None else Deflater()
    deflater.prepare(data for files in packages.values() for data in files.values())
    zips = {}
    for name, files in packages.items():
        began = time.perf_counter()
        zips[name] = zip_bytes(files, deflater)
        if done is not None:
            done(name, time.perf_counter() - began)
    return zips


def write(output: Path, zips: dict[str, bytes]) -> list[Path]:
    """Write the zips whose file in ``output`` is missing or holds other bytes (all or none: ``write_packages``);
    the paths written."""
    return write_packages(output, unchanged_removed(output, zips))


def unchanged_removed(output: Path, zips: dict[str, bytes]) -> dict[str, bytes]:
    """The zips whose file in ``output`` is missing or holds other bytes."""
    changed = {}
    for name, data in zips.items():
        try:
            same = (output / name).stat().st_size == len(data) and (output / name).read_bytes() == data
        except OSError:
            same = False
        if not same:
            changed[name] = data
    return changed


def write_packages(output: Path, packages: dict[str, dict[str, bytes] | bytes]) -> list[Path]:
    """Write every package into ``output`` atomically: nothing changes unless all of them were written.

    A package is its files (zipped here) or the finished zip's bytes (e.g. from the build cache).
    """
    try:
        output.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:
        raise ElearnError(f'cannot use "{output}" as the output folder: {_reason(exc)}') from None
    temps: list[tuple[str, Path]] = []
    try:
        for name in sorted(packages):
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=output)
            temps.append((name, Path(tmp)))
            with os.fdopen(fd, "wb") as handle:
                content = packages[name]
                if isinstance(content, bytes):
                    handle.write(content)
                else:
                    zip_bytes_to(handle, content)
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException as exc:
        for _, tmp in temps:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ElearnError(f'cannot write the packages into "{output}": {_reason(exc)}; nothing was changed') from None
        raise
    written = []
    for name, tmp in temps:
        target = output / name
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        written.append(target)
    return written


def _reason(exc: BaseException) -> str:
    """An OS error in words, without the Python class name."""
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
