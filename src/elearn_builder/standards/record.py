"""The ``Standard`` record: everything the rest of the tool knows about one package format, in one value.

Each standard's module (``scorm12.py``, ``scorm2004.py``, ``cmi5.py``, ``xapi.py``) holds its record
(``STANDARD``) beside its packager; ``standards.registry()`` lists them. The build, the renderer, the
command line, the preview and ``elearn validate`` read these records and name no format themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from elearn_builder.model import Programme, Stage


@dataclass(frozen=True)
class SchemaSet:
    """The official XSDs of one standard, as ``elearn validate`` compiles them and the build ships them."""

    name: str
    """How validate's messages name the set: ``scorm12``, ``scorm2004``, ``cmi5``, ``tincan``."""
    folder: str
    """Its folder in a schema folder (``--schemas``/``ELEARN_SCHEMAS``): ``scorm2004_4th``."""
    imports: tuple[tuple[str, str], ...]
    """(namespace, file in ``folder``) pairs one driver schema imports to check a descriptor."""
    xml: str = ""
    """The W3C schema of the ``xml:`` attributes, when the set holds one (``xml.xsd``): validate serves it
    for the remote copy schemas import and for SCORM 1.2's ``ims_xml.xsd``, which libxml2 refuses."""
    metadata: str = ""
    """The namespace of inline metadata left out before the check: libxml2 cannot compile its XSD
    (SCORM 1.2's IMS MD 1.2.1, which breaks Unique Particle Attribution); validate says so in a note."""

    def paths(self) -> tuple[str, ...]:
        """The imported files, relative to the schema folder: ``scorm12/imscp_rootv1p1p2.xsd``."""
        return tuple(f"{self.folder}/{name}" for _, name in self.imports)


@dataclass(frozen=True)
class PreviewHost:
    """How ``elearn preview`` lists a format its own LMS (``preview/static/lms.js``) can host."""

    order: int
    """Place in the preview's list and its default ``--format`` order (1 first)."""
    label: str
    """The short name the page's list shows after the stage: ``SCORM 2004``."""


@dataclass(frozen=True)
class Standard:
    """What the build, the renderer, the preview and the validator need to know about one package format."""

    name: str
    """Format id used in file names and options: ``scorm12``, ``scorm2004``."""
    label: str
    """Human name, e.g. ``SCORM 2004 4th Edition`` (also what validate reports for one of ours)."""
    descriptor: str
    """The package descriptor at the zip's root: ``imsmanifest.xml``, ``cmi5.xml``, ``tincan.xml``."""
    root: str
    """The descriptor's root element as ``{namespace}name``: how validate tells the standard from a zip."""
    state_limit: int
    """Characters the format keeps of the runtime's saved state (``cmi.suspend_data``): SCORM 1.2's
    CMIString4096, SCORM 2004's SPM of 64000 (the runtime keeps the same in the xAPI state)."""
    xapi_only: bool
    """True when the package tracks only through xAPI: it needs the programme's xAPI profile, and its ids
    go to an LRS (any IRI) rather than to an LMS's SCORM API (whose id formats validate checks)."""
    adapter: str
    """Runtime adapter script in ``theme/static`` for this format."""
    schemas: SchemaSet
    """The official schema set: its control files go into the package, validate checks against it."""
    manifest: Callable[[Programme, Stage, Sequence[str]], dict[str, bytes]]
    """The packager: (programme, stage, package files) -> {descriptor path: bytes}."""
    rules: str
    """The validator's rules for the descriptor, as ``module.function`` in ``elearn_builder.check``
    (the validator is an independent reading of zips: its rules stay beside its other checks)."""
    preview: PreviewHost | None = None
    """How the preview lists it; None when the preview's LMS cannot host it."""
