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
import zlib
from pathlib import Path

CACHE_NAME = ".elearn-cache"
LAYOUT = "1"
"""Bumped whenever what the cache holds changes meaning."""
MAX_BYTES = 64 * 1024 * 1024
"""Once this much has been written to the cache since it was last emptied, it is emptied."""
ENV_INPUTS = ("SOURCE_DATE_EPOCH", "ELEARN_SCHEMAS", "ELEARN_PROFILE")
"""Environment variables a build reads."""
PACKAGE_DIR = Path(__file__).resolve().parent


def default_root(output: Path) -> Path:
    """``.elearn-cache`` beside the output folder."""
    return output.resolve().parent / CACHE_NAME


def _tree(hasher, label: str, path: Path | None, skip: tuple[Path, ...] = ()) -> None:
    """Feed a file, or every file under a folder (sorted, by relative path), into ``hasher``."""
    hasher.update(f"\0{label}\0".encode())
    if path is None:
        hasher.update(b"none")
        return
    if path.is_file():
        hasher.update(b"file\0" + _file_digest(path))
        return
    if not path.is_dir():
        hasher.update(b"absent")
        return
    root = path.resolve()
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in (CACHE_NAME, "__pycache__") and here / d not in skip)
        for name in sorted(files):
            rel = (here / name).relative_to(root).as_posix()
            hasher.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            hasher.update(_file_digest(here / name))


def _file_digest(path: Path) -> bytes:
    """SHA-256 of a file, read in blocks (a course may hold large media)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").digest()


def _libraries() -> list[str]:
    """Installed distributions with their versions (names of ``*.dist-info`` folders): one listing each."""
    names = []
    for entry in sys.path:
        try:
            names += [n for n in os.listdir(entry or ".") if n.endswith(".dist-info")]
        except OSError:
            continue
    return sorted(names)


def inputs_key(settings: dict, trees: dict[str, Path | None], output: Path) -> str:
    """One hash of everything a build reads: options, environment, sources, templates, theme, code, libraries."""
    from . import __version__

    hasher = hashlib.sha256(f"elearn-builder {__version__} cache {LAYOUT}\0".encode())
    hasher.update(json.dumps(settings, sort_keys=True, default=str).encode())
    hasher.update(json.dumps({k: os.environ.get(k) for k in ENV_INPUTS}, sort_keys=True).encode())
    hasher.update("\n".join(_libraries()).encode())
    skip = (output.resolve(),)
    _tree(hasher, "builder", PACKAGE_DIR)
    for label, path in sorted(trees.items()):
        _tree(hasher, label, path, skip)
    return hasher.hexdigest()


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

    def _write(self, kind: str, key: str, payload: bytes) -> None:
        target = self._path(kind, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, target)
            self.written += 32 + len(payload)
        except OSError:  # a read-only or full disk: the build goes on without caching
            try:
                os.unlink(tmp)
            except (OSError, NameError):
                pass

    def blob(self, key: str, kind: str = "deflated") -> bytes | None:
        return self._read(kind, key)

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


def jinja_bytecode(store: BuildCache):
    """A Jinja bytecode cache kept in ``store``: compiled templates survive between builds.

    Jinja checks each entry against its template's source; an entry that does not load is dropped.
    """
    import jinja2

    class _Bytecode(jinja2.BytecodeCache):
        def load_bytecode(self, bucket) -> None:
            data = store.blob(bucket.key, "jinja")
            if data is not None:
                try:
                    bucket.bytecode_from_string(data)
                except Exception:  # pickle/marshal of a foreign Python: compile afresh
                    bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            store._write("jinja", bucket.key, bucket.bytecode_to_string())

    return _Bytecode()
