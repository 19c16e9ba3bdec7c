"""The e-learning standards, one module each (its ``Standard`` record beside its packager), and their registry.

Everything that differs between SCORM 1.2, SCORM 2004, cmi5 and xAPI is in that standard's module or in
what its record names (its runtime adapter in ``theme/static``, its validator rules in ``check/``); the
list of formats is ``registry()``: the command line's choices, the build's formats, the preview's list
and validate's dispatch all come from it. Importing this loads no XML library (``elearn build`` reads the
format choices on every start).
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from elearn_builder.standards import cmi5, scorm12, scorm2004, xapi
from elearn_builder.standards.record import PreviewHost, SchemaSet, Standard

__all__ = ["PreviewHost", "SchemaSet", "Standard", "default_formats", "descriptors", "preview_formats", "registry",
           "standard"]

_REGISTRY: Mapping[str, Standard] = MappingProxyType(
    {s.name: s for s in (scorm12.STANDARD, scorm2004.STANDARD, cmi5.STANDARD, xapi.STANDARD)})


def registry() -> Mapping[str, Standard]:
    """Every standard this version builds, by name, in build order (an immutable mapping)."""
    return _REGISTRY


def standard(name: str) -> Standard:
    """The standard called ``name``; KeyError for a name that is none."""
    return _REGISTRY[name]


def preview_formats() -> tuple[str, ...]:
    """The formats ``elearn preview`` can host (its own LMS speaks their API), in the order it lists them."""
    hosted = sorted((s for s in _REGISTRY.values() if s.preview is not None), key=lambda s: s.preview.order)
    return tuple(s.name for s in hosted)


def default_formats() -> tuple[str, ...]:
    """What a programme that names no ``formats`` builds: the formats that need no xAPI profile."""
    return tuple(s.name for s in _REGISTRY.values() if not s.xapi_only)


def descriptors() -> tuple[str, ...]:
    """The package descriptors (``imsmanifest.xml`` ...), each once, in registry order."""
    return tuple(dict.fromkeys(s.descriptor for s in _REGISTRY.values()))
