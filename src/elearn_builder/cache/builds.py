"""The build cache: finished builds by a hash of every input, and deflated entries by their content.

It lives in ``.elearn-cache/`` beside the output folder (never among the packages). Every file in
it carries the SHA-256 of its payload and is written to a temporary name then renamed, so a
truncated, corrupt or foreign file reads as a miss and the build just does the work again.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import zlib
from functools import partial
from pathlib import Path

from elearn_builder.cache.memo import Memo

CACHE_NAME = ".elearn-cache"
LAYOUT = "2"
"""Bumped whenever what the cache holds changes meaning."""
MAX_BYTES = 64 * 1024 * 1024
"""Once this much has been written to the cache since it was last emptied, it is emptied."""
ENV_INPUTS = ("SOURCE_DATE_EPOCH", "ELEARN_SCHEMAS", "ELEARN_PROFILE")
"""Environment variables a build reads."""
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def default_root(output: Path) -> Path:
    """``.elearn-cache`` beside the output folder."""
    return output.resolve().parent / CACHE_NAME


def _tree(hasher, label: str, path: Path | None, skip: tuple[Path, ...] = (), digest=None) -> None:
    """Feed a file, or every file under a folder (sorted, by relative path), into ``hasher``."""
    digest = digest or _file_digest
    hasher.update(f"\0{label}\0".encode())
    if path is None:
        hasher.update(b"none")
        return
    if path.is_file():
        hasher.update(b"file\0" + digest(os.path.abspath(path)))
        return
    if not path.is_dir():
        hasher.update(b"absent")
        return
    root = str(path.resolve())
    skipped = {str(p) for p in skip}
    cut = len(os.path.join(root, ""))
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in (CACHE_NAME, "__pycache__")
                         and os.path.join(folder, d) not in skipped)
        for name in sorted(files):
            full = os.path.join(folder, name)
            rel = full[cut:] if os.sep == "/" else full[cut:].replace(os.sep, "/")
            hasher.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            hasher.update(digest(full))


def _file_digest(path) -> bytes:
    """SHA-256 of a file, read in blocks (a course may hold large media)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").digest()


RACY_NS = 2_000_000_000
"""A file whose modification time is this close to (or after) the moment it was hashed is always hashed
again: a change within the same tick of the file system's clock would leave its stat as it was (git's
"racy clean" rule, with room for file systems that keep time in 2-second steps)."""
STAT_KIND = "stat"
"""The build cache's folder for the digests kept by stat."""


class StatCodec:
    """How the digests kept by stat are written in the build cache (JSON rows)."""

    @staticmethod
    def encode(entries: dict) -> bytes:
        return json.dumps({path: [*stat, at, digest.hex()] for path, (stat, at, digest) in sorted(entries.items())}).encode()

    @staticmethod
    def decode(data: bytes) -> dict | None:
        try:
            out = {}
            for path, row in json.loads(data).items():
                if not (isinstance(path, str) and len(row) == 7 and all(type(n) is int for n in row[:6])
                        and isinstance(row[6], str) and len(row[6]) == 64):
                    return None
                out[path] = (tuple(row[:5]), row[5], bytes.fromhex(row[6]))
            return out
        except (ValueError, TypeError, AttributeError):
            return None


def file_digest(stats: Memo, path: str) -> bytes:
    """SHA-256 of the file at (absolute) ``path``, from ``stats`` when its stat says it did not change.

    Digests are kept by stat (device, inode, size, mtime, ctime): one is reused only when the stat is
    exactly as when it was taken and the file had not been modified in the ``RACY_NS`` before that
    moment; any other file is read and hashed (counted in ``stats.misses``). The ctime, which no program
    can set back, catches an edit whose mtime was put back."""
    st = os.stat(path)
    entry = stats.get(path)
    if (entry is not None and entry[0] == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            and st.st_mtime_ns < entry[1] - RACY_NS):
        return entry[2]
    hashed_at = time.time_ns()  # before reading: a change while reading is racy, so hashed again
    with open(path, "rb") as handle:
        st = os.fstat(handle.fileno())
        digest = hashlib.file_digest(handle, "sha256").digest()
    stats.put(path, ((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns), hashed_at, digest))
    return digest


def _libraries() -> list[str]:
    """Installed distributions with their versions (names of ``*.dist-info`` folders): one listing each."""
    names = []
    for entry in sys.path:
        try:
            names += [n for n in os.listdir(entry or ".") if n.endswith(".dist-info")]
        except OSError:
            continue
    return sorted(names)


def package_hash(digest=None) -> str:
    """A hash of the tool itself: its version, every file of the package (code, theme, templates), Python and
    the installed libraries. Every memo's keys include it: a change to any of them makes every entry a miss."""
    from elearn_builder import __version__

    hasher = hashlib.sha256(f"elearn-builder {__version__} cache {LAYOUT}\0{sys.version}\0".encode())
    hasher.update("\n".join(_libraries()).encode())
    _tree(hasher, "builder", PACKAGE_DIR, digest=digest)
    return hasher.hexdigest()


def inputs_key(settings: dict, trees: dict[str, Path | None], output: Path, store=None,
               stats: Memo | None = None) -> tuple[str, str]:
    """One hash of everything a build reads: options, environment, sources, templates, and the tool
    (``package_hash``, returned too).

    Files whose stat did not change since they were last hashed are not read again (``stats``); given the
    build cache (``store``), those digests outlive the process."""
    stats = stats if stats is not None else Memo(STAT_KIND, 200_000)
    where = [str(PACKAGE_DIR)] + [f"{label}={os.path.abspath(path) if path else ''}"
                                  for label, path in sorted(trees.items())]
    stats.open(store, hashlib.sha256(json.dumps([LAYOUT, where]).encode()).hexdigest(), StatCodec())
    digest = partial(file_digest, stats)
    try:
        tool = package_hash(digest)
        hasher = hashlib.sha256(f"{tool}\0".encode())
        hasher.update(json.dumps(settings, sort_keys=True, default=str).encode())
        hasher.update(json.dumps({k: os.environ.get(k) for k in ENV_INPUTS}, sort_keys=True).encode())
        skip = (output.resolve(),)
        for label, path in sorted(trees.items()):
            _tree(hasher, label, path, skip, digest=digest)
    finally:
        stats.close()
    return hasher.hexdigest(), tool


class BuildCache:
    """Deflated entries and zips by content hash, build records by inputs hash.

    Every read is checked against the stored hash, and every failure, read or write, is a miss.
    """

    def __init__(self, root: Path):
        # deflated bytes are only the same under the same zlib: another zlib gets its own store
        self.root = root / f"v{LAYOUT}-zlib{zlib.ZLIB_RUNTIME_VERSION}"
        self.written = 0
        """Bytes written since the last ``trim``."""

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / key

    def _read(self, kind: str, key: str) -> bytes | None:
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            return None
        payload = data[32:]
        return payload if len(data) >= 32 and hashlib.sha256(payload).digest() == data[:32] else None

    def _write(self, kind: str, key: str, payload: bytes) -> bool:
        """Store ``payload``; False when it could not be written."""
        target = self._path(kind, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, target)
            self.written += 32 + len(payload)
            return True
        except OSError:  # a read-only or full disk: the build goes on without caching
            try:
                os.unlink(tmp)
            except (OSError, NameError):
                pass
            return False

    def blob(self, key: str, kind: str = "deflated") -> bytes | None:
        return self._read(kind, key)

    def has_blob(self, key: str, kind: str = "deflated") -> bool:
        """Whether a file is there for ``key`` (not whether it is intact: ``blob`` checks that)."""
        return self._path(kind, key).is_file()

    def replace_blob(self, key: str, payload: bytes, kind: str = "deflated") -> bool:
        """Store ``payload`` without first reading what is there (for a caller that knows it changed)."""
        return self._write(kind, key, payload)

    def put_blob(self, key: str, payload: bytes, kind: str = "deflated") -> None:
        """Store ``payload`` unless an intact copy is there already (a damaged one is replaced)."""
        if self._read(kind, key) == payload:
            return
        self._write(kind, key, payload)

    def record(self, key: str) -> dict | None:
        """A finished build's record, or None when absent, unreadable or not in the expected shape."""
        data = self._read("builds", key)
        if data is None:
            return None
        try:
            record = json.loads(data)
        except ValueError:
            return None
        if not isinstance(record, dict) or not isinstance(record.get("packages"), dict):
            return None
        return record

    def put_record(self, key: str, record: dict) -> None:
        self._write("builds", key, json.dumps(record, sort_keys=True).encode())

    def trim(self) -> None:
        """Empty the cache once what was written to it has passed ``MAX_BYTES``.

        The running total is kept in one small file (replacing a damaged entry counts twice, so
        it errs towards emptying early); no build has to walk the whole cache.
        """
        tally = self.root / "written"
        try:
            total = int(tally.read_text()) + self.written
        except (OSError, ValueError):
            total = self.written
        if total > MAX_BYTES:
            shutil.rmtree(self.root, ignore_errors=True)
            return
        try:
            tally.write_text(str(total))
        except OSError:
            pass
        self.written = 0
