"""Write packages: reproducible zips, all written to temporary files first and renamed together.

The zip writer is ours (the same bytes ``zipfile`` writes for these settings) so that an entry's
deflated data is computed once per distinct content: the runtime and the media are the same in
every package, and a cache can hand back what an earlier build compressed.
"""
from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import time
import zlib
from pathlib import Path
from typing import Callable, Iterable

from .diagnostics import ElearnError

DEFAULT_EPOCH = 315532800
"""1980-01-01T00:00:00Z, the earliest time a zip can hold; used unless SOURCE_DATE_EPOCH is set."""
LEVEL = 9
"""Deflate level of every entry."""
PARALLEL_BYTES = 512 * 1024
"""With several workers, less data than this is still deflated in one thread (threads cost more)."""
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


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def deflate(data: bytes) -> bytes:
    """Raw deflate, as ``zipfile`` does it (``compressobj(level, DEFLATED, -15)``)."""
    return zlib.compress(data, LEVEL, wbits=-15)


class Deflater:
    """Deflates each distinct content once; ``load``/``save`` let a cache keep results across builds."""

    def __init__(self, load: Callable[[str], bytes | None] | None = None,
                 save: Callable[[str, bytes], None] | None = None, workers: int = 1):
        self.done: dict[str, bytes] = {}
        self._keys: dict[int, tuple[bytes, str]] = {}
        self.load, self.save = load, save
        self.workers = max(1, workers or 1)
        self.reused = self.deflated = 0

    def key(self, data: bytes) -> str:
        """``digest(data)``, worked out once per bytes object: the same objects recur in many packages."""
        known = self._keys.get(id(data))
        if known is not None and known[0] is data:  # the object is held here, so its id cannot be reused
            return known[1]
        key = digest(data)
        self._keys[id(data)] = (data, key)
        return key

    def prepare(self, contents: Iterable[bytes]) -> None:
        """Deflate every content not seen yet (in threads when there is enough of it: zlib frees the GIL)."""
        todo: dict[str, bytes] = {}
        for data in contents:
            key = self.key(data)
            if key in self.done or key in todo:
                continue
            cached = self.load(key) if self.load else None
            if cached is not None:
                self.done[key] = cached
                self.reused += 1
            else:
                todo[key] = data
        if not todo:
            return
        items = sorted(todo.items(), key=lambda kv: -len(kv[1]))
        if self.workers > 1 and sum(len(d) for _, d in items) >= PARALLEL_BYTES:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(self.workers) as pool:
                results = list(pool.map(deflate, (d for _, d in items)))
        else:
            results = [deflate(d) for _, d in items]
        for (key, _), packed in zip(items, results):
            self.done[key] = packed
            self.deflated += 1
            if self.save:
                self.save(key, packed)

    def __call__(self, data: bytes) -> bytes:
        key = self.key(data)
        if key not in self.done:
            self.prepare([data])
        return self.done[key]


def _dos(stamp: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = stamp
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def zip_bytes(files: dict[str, bytes], deflater: Callable[[bytes], bytes] = deflate) -> bytes:
    """A zip of ``files``: sorted entries, fixed time and mode, deflated (level 9), no extra fields."""
    dostime, dosdate = _dos(zip_time())
    out, central = bytearray(), bytearray()
    names = sorted(files)
    for name in names:
        data = files[name]
        packed = deflater(data)
        try:
            raw, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            raw, flags = name.encode("utf-8"), 0x800
        crc = zlib.crc32(data)
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


def zip_bytes_to(handle, files: dict[str, bytes], deflater: Callable[[bytes], bytes] = deflate) -> None:
    """Write ``files`` to an open binary handle as a zip with sorted entries and fixed metadata."""
    handle.write(zip_bytes(files, deflater))


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
