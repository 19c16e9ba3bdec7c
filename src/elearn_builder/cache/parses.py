"""Parsed YAML kept by what it was parsed from, so a rebuild parses only the texts that changed.

An entry is keyed by the SHA-256 of the text, its file and line offset, the parse limits and the code and
libraries that parse it. It holds the located values and the diagnostics the parse made (replayed on a
hit, so a hit is indistinguishable from a parse). A hit hands out a copy of every mapping, list and
location table, so no caller can change what a later build reads; the values inside (text, numbers,
dates) and the ``Location``s are immutable and shared. Entries live in memory for the process
(``elearn preview`` builds again and again) and, through the build cache, in one file per course folder
in ``.elearn-cache``, read back by an unpickler that builds only the few classes a parse gives; a
damaged or foreign file reads as empty. It is only used while ``PARSES.active`` (then it is
``sources.ACTIVE_MEMO``): ``markcache.MEMO.using`` turns it on when the build's cache is on.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import pickle
import sys
from contextlib import contextmanager
from pathlib import Path

import yaml

from elearn_builder.sources import reader as sources
from elearn_builder.diagnostics import Diagnostic, Diagnostics
from elearn_builder.model import Location
from elearn_builder.sources.reader import YList, YMap

KIND = "yaml"
"""The build cache's folder for these files."""
MAX_ENTRIES = 5_000
"""Kept in memory at most; the oldest go first."""
CODE = ("sources/reader.py", "cache/parses.py", "model.py", "diagnostics.py")
"""The modules whose code decides what a parse gives and how it is kept."""
PROTOCOL = 5
_SCALARS = (str, int, float, bool, type(None), bytes, datetime.date, datetime.datetime)
"""What a YAML scalar becomes under the safe loader (bool is an int; datetime is a date: listed for clarity)."""
_CLASSES = {(c.__module__, c.__qualname__): c for c in (YMap, YList, Location, Diagnostic, datetime.date,
                                                           datetime.datetime, datetime.timezone, datetime.timedelta)}
"""The only classes a kept file may build."""
_salt: str | None = None


def salt() -> str:
    """What else a parse depends on: this package's version and parsing code, Python, PyYAML and libyaml."""
    global _salt
    if _salt is None:
        from elearn_builder import __version__
        from elearn_builder.cache.builds import PACKAGE_DIR, _libraries

        libyaml = getattr(getattr(yaml, "_yaml", None), "get_version_string", lambda: "none")()
        hasher = hashlib.sha256(f"{__version__}\0{sys.version}\0{yaml.__version__}\0{libyaml}\0".encode())
        hasher.update("\n".join(_libraries()).encode())
        for name in CODE:
            hasher.update((PACKAGE_DIR / name).read_bytes())
        _salt = hasher.hexdigest()
    return _salt


def copy(value):
    """A copy of a parsed value's mappings, lists and location tables (the immutable leaves are shared)."""
    kind = type(value)
    if kind is YMap:
        out = YMap(value)
        for key, item in value.items():
            if type(item) is YMap or type(item) is YList:
                out[key] = copy(item)
        out.loc, out.key_locs, out.value_locs = value.loc, dict(value.key_locs), dict(value.value_locs)
        return out
    if kind is YList:
        out = YList([copy(item) if type(item) is YMap or type(item) is YList else item for item in value])
        out.loc, out.item_locs = value.loc, list(value.item_locs)
        return out
    return value


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _CLASSES[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a parse") from None


def _is_location(loc) -> bool:
    return (type(loc) is Location and type(loc.path) is str and type(loc.line) is int and type(loc.col) is int
            and len(loc.__dict__) == 3)


def _well_formed(value, depth: int = 0) -> bool:
    """Whether ``value`` is in the shape a parse gives (as a file from another build might not be)."""
    if depth > sources.MAX_DEPTH + 1:
        return False
    if type(value) is YMap:
        locs = value.__dict__
        return (set(locs) == {"loc", "key_locs", "value_locs"} and _is_location(value.loc)
                and type(value.key_locs) is dict and type(value.value_locs) is dict
                and value.key_locs.keys() == value.keys() == value.value_locs.keys()
                and all(map(_is_location, value.key_locs.values()))
                and all(map(_is_location, value.value_locs.values()))
                and all(isinstance(key, _SCALARS) for key in value)
                and all(_well_formed(item, depth + 1) for item in value.values()))
    if type(value) is YList:
        return (set(value.__dict__) == {"loc", "item_locs"} and _is_location(value.loc)
                and type(value.item_locs) is list and len(value.item_locs) == len(value)
                and all(map(_is_location, value.item_locs)) and all(_well_formed(item, depth + 1) for item in value))
    return isinstance(value, _SCALARS)


def _entry_ok(entry) -> bool:
    return (type(entry) is tuple and len(entry) == 2 and type(entry[1]) is tuple and _well_formed(entry[0])
            and all(type(d) is Diagnostic and _is_location(d.location) and type(d.message) is str
                    and d.severity in ("error", "warning") and type(d.code) is str for d in entry[1]))


class ParseMemo:
    """Parses by what they were parsed from, in memory and in the build cache (see the module's docstring)."""

    def __init__(self):
        self.entries: dict[str, tuple] = {}
        """Key -> (value, diagnostics): the kept originals, never handed out (a hit gets a ``copy``)."""
        self.active = False
        self.parsed = 0
        """Texts actually parsed (misses) while active, since this process started: how tests see reuse."""
        self.used: dict[str, tuple] = {}
        """Entries used since ``using`` began: what the build cache keeps."""
        self.loaded: set[tuple[Path, str]] = set()
        """The build cache files read already (once per process)."""
        self.stored: dict[tuple[Path, str], frozenset] = {}
        """The keys each build cache file holds, as last read or written: an unchanged set is not written again."""

    def clear(self) -> None:
        """Forget everything held in memory (the build cache's files are read again)."""
        self.entries.clear()
        self.used.clear()
        self.loaded.clear()
        self.stored.clear()

    def parse(self, text: str, path: str, diags: Diagnostics, line_offset: int, fresh):
        """``fresh(text, path, diags, line_offset)``'s value and diagnostics, from memory when parsed before."""
        limits = [salt(), sources.MAX_NODES, sources.MAX_DEPTH, sources._FAST_LOADER is not None, path, line_offset]
        hasher = hashlib.sha256(json.dumps(limits).encode())  # a JSON list ends itself: no text can shift into it
        hasher.update(text.encode("utf-8", "surrogatepass"))
        key = hasher.hexdigest()
        entry = self.entries.pop(key, None)
        if entry is None:
            found = Diagnostics()
            self.parsed += 1
            entry = (fresh(text, path, found, line_offset), tuple(found.items))
            while len(self.entries) >= MAX_ENTRIES:
                del self.entries[next(iter(self.entries))]
        self.entries[key] = entry  # most recently used last
        self.used[key] = entry
        diags.items.extend(entry[1])
        return copy(entry[0])

    @contextmanager
    def using(self, store, source: Path):
        """Active while the block runs, backed by ``store`` (a ``BuildCache``) when there is one; afterwards the
        entries this build used are kept in it (unless it holds just those already)."""
        self.used = {}
        if store is None:
            yield self
            return
        name = hashlib.sha256(f"{salt()}\0{source.resolve()}".encode()).hexdigest()
        where = (store.root, name)
        if where not in self.loaded:
            found = self._read(store, name)
            self.entries.update(found)
            self.loaded.add(where)
            self.stored[where] = frozenset(found)
        self.active, sources.ACTIVE_MEMO = True, self
        try:
            yield self
        finally:
            self.active, sources.ACTIVE_MEMO = False, None
        if not self.used:
            return
        keys = frozenset(self.used)
        if self.stored.get(where) == keys and store.has_blob(name, KIND):
            return
        try:
            payload = pickle.dumps(self.used, protocol=PROTOCOL)
        except (pickle.PicklingError, RecursionError, TypeError, ValueError):  # never expected: then keep nothing
            return
        if store.replace_blob(name, payload, KIND):
            self.stored[where] = keys

    @staticmethod
    def _read(store, name: str) -> dict[str, tuple]:
        """The entries kept in ``store``, or none when the file is missing, damaged or not in the expected shape."""
        data = store.blob(name, KIND)
        if data is None:
            return {}
        try:
            entries = _Unpickler(io.BytesIO(data)).load()
        except Exception:  # noqa: BLE001 - any damage (pickle raises many kinds) is a miss
            return {}
        if type(entries) is not dict or not all(type(k) is str and _entry_ok(e) for k, e in entries.items()):
            return {}
        return entries


PARSES = ParseMemo()
