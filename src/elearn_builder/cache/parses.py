"""Parsed YAML in the build cache: how a memo of parses (``sources.reader.parse_yaml``) is kept.

A parse is kept under a hash of the text, its file and line offset, the parse limits and the package's
own hash. It holds the located values and the diagnostics the parse made (replayed on a hit, so a hit
is indistinguishable from a parse; a hit hands out a copy, see ``parse_yaml``). Entries live in memory
for the process and, through the build cache, in one file per course folder in ``.elearn-cache``,
read back by an unpickler that builds only the few classes a parse gives; a damaged or foreign file
reads as empty.
"""
from __future__ import annotations

import datetime
import io
import pickle
from types import MappingProxyType

from elearn_builder.sources import reader as sources
from elearn_builder.diagnostics import Diagnostic
from elearn_builder.model import Location
from elearn_builder.sources.reader import YList, YMap

KIND = "yaml"
"""The build cache's folder for these files."""
PROTOCOL = 5
_SCALARS = (str, int, float, bool, type(None), bytes, datetime.date, datetime.datetime)
"""What a YAML scalar becomes under the safe loader (bool is an int; datetime is a date: listed for clarity)."""
_CLASSES = MappingProxyType({(c.__module__, c.__qualname__): c for c in (
    YMap, YList, Location, Diagnostic, datetime.date, datetime.datetime, datetime.timezone, datetime.timedelta)})
"""The only classes a kept file may build."""

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


class ParseCodec:
    """Parses pickled, read back by ``_Unpickler`` and only when every entry is in the shape a parse gives."""

    @staticmethod
    def encode(entries: dict) -> bytes | None:
        try:
            return pickle.dumps(entries, protocol=PROTOCOL)
        except (pickle.PicklingError, RecursionError, TypeError, ValueError):  # never expected: then keep nothing
            return None

    @staticmethod
    def decode(data: bytes) -> dict | None:
        try:
            entries = _Unpickler(io.BytesIO(data)).load()
        except Exception:  # noqa: BLE001 - any damage (pickle raises many kinds) is a miss
            return None
        if type(entries) is not dict or not all(type(k) is str and _entry_ok(e) for k, e in entries.items()):
            return None
        return entries
