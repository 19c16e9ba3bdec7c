"""Typed, located reads of YAML mappings: required and optional keys, ids, unknown-key warnings."""
from __future__ import annotations

from types import MappingProxyType

import math
import re

from elearn_builder.diagnostics import Diagnostics, did_you_mean
from elearn_builder.model import Location
from elearn_builder.sources.reader import YList, YMap, parse_yaml, read_text

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
"""Module, stage, key area, assessment and choice ids: lower-case words joined by hyphens."""
QUESTION_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
"""Question ids: also SCORM interaction ids (CMIIdentifier, no spaces)."""

_TYPES = MappingProxyType({str: "text", int: "a whole number", bool: "true or false", float: "a number",
          list: "a list", dict: "a mapping"})
_MISSING = object()


def type_name(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YList):
        return "a list"
    if value is None:
        return "nothing"
    return {int: "a whole number", float: "a number", str: "text"}.get(type(value), type(value).__name__)


def is_kind(value, kind) -> bool:
    if kind is dict:
        return isinstance(value, YMap)
    if kind is list:
        return isinstance(value, YList)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is str:
        return isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool))
    return isinstance(value, kind)


class Fields:
    """Reads keys from one mapping, reporting problems at their source location."""

    def __init__(self, data: YMap, diags: Diagnostics, what: str):
        self.data, self.diags, self.what = data, diags, what
        self.seen: set = set()

    def get(self, key: str, kind, default=_MISSING, pattern: re.Pattern | None = None):
        """The value of ``key`` if it has the right type (and pattern); else ``default`` after a diagnostic."""
        self.seen.add(key)
        required = default is _MISSING
        if key not in self.data or self.data[key] is None:
            if required:
                self.diags.error(self.data.loc, "field.missing",
                                 f'{self.what}: required key "{key}" ({_TYPES[kind]}) is missing')
            return None if required else default
        value = self.data[key]
        if not is_kind(value, kind):
            self.diags.error(self.data.at(key), "field.type",
                             f'{self.what}: "{key}" must be {_TYPES[kind]}, not {type_name(value)}')
            return None if required else default
        if kind is float and not math.isfinite(value):
            self.diags.error(self.data.at(key), "field.value", f'{self.what}: "{key}" must be a finite number, not {value}')
            return None if required else default
        if kind is str:
            value = str(value).strip()
            if required and not value:
                self.diags.error(self.data.at(key), "field.empty", f'{self.what}: "{key}" must not be empty')
                return None
        if pattern is not None and not pattern.match(value):
            self.diags.error(self.data.at(key), "id.invalid",
                             f'{self.what}: "{key}" is "{value}"; expected a value matching {pattern.pattern}')
            return None if required else default
        return value

    def at(self, key: str):
        return self.data.at(key)

    def done(self) -> None:
        """Warn about keys nobody asked for (likely typos)."""
        for key in self.data:
            if key not in self.seen:
                self.diags.warning(self.data.key_locs.get(key, self.data.loc), "field.unknown",
                                   f'{self.what}: unknown key "{key}"{did_you_mean(key, self.seen)}')


def mapping(value, diags: Diagnostics, loc, what: str) -> YMap | None:
    """``value`` if it is a mapping, else report and return None."""
    if isinstance(value, YMap):
        return value
    diags.error(loc, "field.type", f"{what} must be a mapping, not {type_name(value)}")
    return None


def load_mapping(root, rel: str, where: Location, diags: Diagnostics, what: str, parses=None) -> YMap | None:
    """Read and parse a YAML file under ``root`` that must hold a mapping; None after a diagnostic.
    ``parses``: a memo of parses (``reader.parse_yaml``)."""
    text = read_text(root, rel, diags, where)
    if text is None:
        return None
    errors = len(diags.errors)
    data = parse_yaml(text, rel, diags, memo=parses)
    if data is None and len(diags.errors) > errors:  # a YAML error, already reported
        return None
    return mapping(data, diags, Location(rel, 1, 1), what)
