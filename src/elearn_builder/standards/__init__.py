"""One packager per e-learning standard, behind one small protocol."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from elearn_builder.model import Programme, Stage


@dataclass(frozen=True)
class Standard:
    """What the build needs to know about one package format."""

    name: str
    """Format id used in file names and options: ``scorm12``, ``scorm2004``."""
    label: str
    """Human name, e.g. ``SCORM 2004 4th Edition``."""
    adapter: str
    """Runtime adapter script in ``theme/static`` for this format."""
    schema_subdir: str
    """Folder of the official schema set inside a schema folder (``scorm12``, ``scorm2004_4th``)."""
    manifest: Callable[[Programme, Stage, Sequence[str]], dict[str, bytes]]
    """(programme, stage, package files) -> {descriptor path: bytes}."""


def registry() -> dict[str, Standard]:
    """Every standard this version builds, by name, in build order."""
    from elearn_builder.standards import cmi5, scorm12, scorm2004, xapi

    return {s.name: s for s in (scorm12.STANDARD, scorm2004.STANDARD, cmi5.STANDARD, xapi.STANDARD)}
