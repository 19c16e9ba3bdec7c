"""Compiled templates kept for the tool itself, like Python's ``__pycache__``: a build without the
build cache (``--no-cache``, a fresh checkout) still skips compiling the theme's templates. Only
the built-in theme's templates are kept (a fixed set, each replaced when its source changes); an
author's templates are kept by the build cache.

They live in ``$XDG_CACHE_HOME/elearn-builder/jinja`` (else ``~/.cache/elearn-builder/jinja``),
one folder per Python and Jinja version. An entry is named by a hash of the template's name and
file, the environment's compile settings and the source's checksum (Jinja's own), and Jinja
checks that checksum again when it loads it. ``fragments.py`` keeps what templates read here too
(``load``/``save``), by a hash of every template source. Nothing here can fail a build: any error
reading or writing is a miss. ``ELEARN_TOOL_CACHE=off`` turns it off.
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import jinja2

ENV = "ELEARN_TOOL_CACHE"
OFF = ("off", "0", "no", "false")


def folder() -> Path | None:
    """Where compiled templates go, or None when the tool cache is off."""
    if os.environ.get(ENV, "").strip().lower() in OFF:
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative (which the XDG rules say to ignore)
        base = os.path.join(os.path.expanduser("~"), ".cache")
    python = f"py{sys.version_info[0]}.{sys.version_info[1]}-{sys.implementation.name}"
    return Path(base) / "elearn-builder" / "jinja" / f"{python}-jinja{jinja2.__version__}"


def flavour(env: jinja2.Environment) -> str:
    """The environment's settings that shape the compiled code (the same source compiles differently; a
    sandboxed environment's code routes every call through the sandbox)."""
    settings = (env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
                env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
                env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
                env.keep_trailing_newline, env.optimized, env.autoescape if isinstance(env.autoescape, bool) else None,
                sorted(env.extensions), type(env).__qualname__, getattr(env, "sandboxed", False))
    return repr(settings)


class ToolBytecodeCache(jinja2.BytecodeCache):
    """Jinja bytecode in ``root`` of the templates found in ``theme`` (see the module); every failure is a miss."""

    def __init__(self, root: Path, env: jinja2.Environment, theme: Path):
        self.root = root
        self.flavour = flavour(env)
        self.theme = os.path.realpath(theme)
        self.keys: set[str] = set()
        """Keys of the buckets of theme templates: the only ones loaded and stored."""

    def get_bucket(self, environment, name, filename, source):
        if filename is not None and os.path.realpath(filename).startswith(self.theme + os.sep):
            self.keys.add(self.get_cache_key(name, filename))
        return super().get_bucket(environment, name, filename, source)

    def _stem(self, bucket: jinja2.bccache.Bucket) -> str:
        return hashlib.sha256(f"{self.flavour}\0{bucket.key}".encode()).hexdigest()[:32]

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.root / f"{self._stem(bucket)}-{bucket.checksum}"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key not in self.keys:
            return
        try:
            bucket.bytecode_from_string(self._path(bucket).read_bytes())
        except Exception:  # absent, unreadable, or written by another Python: compile afresh
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key not in self.keys:
            return
        target, tmp = self._path(bucket), None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.root)
            with os.fdopen(fd, "wb") as handle:
                handle.write(bucket.bytecode_to_string())
            os.replace(tmp, target)
            tmp = None
            for stale in self.root.glob(f"{self._stem(bucket)}-*"):  # older sources of the same template
                if stale != target:
                    stale.unlink(missing_ok=True)
        except Exception:  # a read-only home, a full disk: the build goes on
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def bytecode_cache(env: jinja2.Environment, theme: Path) -> ToolBytecodeCache | None:
    """The tool's bytecode cache for ``env`` and the templates in ``theme``, or None when it is off."""
    root = folder()
    return None if root is None else ToolBytecodeCache(root, env, theme)


KEPT = 32
"""Saved files of one kind (``save``) kept; the oldest beyond these are removed."""


def load(kind: str, key: str) -> bytes | None:
    """What ``save`` kept under ``kind``/``key``, or None (absent, unreadable, or the cache is off)."""
    root = folder()
    try:
        return None if root is None else (root / kind / key).read_bytes()
    except OSError:
        return None


def save(kind: str, key: str, data: bytes) -> None:
    """Keep ``data`` under ``kind``/``key`` (written whole or not at all; any failure is ignored)."""
    root = folder()
    if root is None:
        return
    tmp = None
    try:
        (root / kind).mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=root / kind)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, root / kind / key)
        tmp = None
        entries = sorted((p for p in (root / kind).iterdir() if not p.name.startswith(".")),
                         key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-KEPT]:
            old.unlink(missing_ok=True)
    except Exception:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
