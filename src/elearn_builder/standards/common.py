"""What every packager shares: the launch page, stable XML ids, element building and serialisation."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # lxml is imported where an element is made: the registry is read on every start
    from lxml import etree

    from elearn_builder.model import Programme, Stage

LAUNCH = "index.html"
"""The launch page of every package, relative to the package root."""

XSI = "http://www.w3.org/2001/XMLSchema-instance"

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9._-]+")


def xml_id(*parts: str) -> str:
    """A stable ``xsd:ID`` (an NCName) from ``parts`` joined by dots; unsafe runs become ``-``."""
    value = _NOT_NCNAME.sub("-", ".".join(p for p in parts if p)).strip("-.") or "id"
    return value if re.match(r"[A-Za-z_]", value) else f"_{value}"


def manifest_id(programme: Programme, stage: Stage, fmt: str) -> str:
    """The manifest identifier: programme, stage, format and version, e.g. ``mini.manager.scorm12.v1.0.0``."""
    return xml_id(programme.id, stage.id, fmt, f"v{programme.version}")


def course_title(programme: Programme, stage: Stage) -> str:
    return f"{programme.title} – {stage.title}"


def schema_location(pairs: Sequence[tuple[str, str]]) -> str:
    return " ".join(f"{ns} {path}" for ns, path in pairs)


def element(tag: str, nsmap: dict) -> etree._Element:
    """A new root element."""
    from lxml import etree

    return etree.Element(tag, nsmap=nsmap)


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    """Append a child element (attributes in the given order) and return it."""
    from lxml import etree

    child = etree.SubElement(parent, tag)
    for name, value in attrib.items():
        child.set(name, value)
    if text is not None:
        child.text = text
    return child


def check_files(files: Sequence[str]) -> list[str]:
    """The package files in the given order, without duplicates; the launch page must be among them."""
    unique = list(dict.fromkeys(files))
    if LAUNCH not in unique:
        raise ValueError(f"the package files do not include the launch page {LAUNCH!r}")
    return unique


def serialise(root: etree._Element) -> bytes:
    """Pretty UTF-8 bytes with an XML declaration (deterministic for a given tree)."""
    from lxml import etree

    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def add_sco_resource(root: etree._Element, ns: str, scorm_type_attr: str, res_id: str,
                     files: Sequence[str]) -> None:
    """``<resources>`` with the one SCO resource: the launch page, listing every file of the package."""
    resources = sub(root, f"{{{ns}}}resources")
    resource = sub(resources, f"{{{ns}}}resource", identifier=res_id, type="webcontent")
    resource.set(scorm_type_attr, "sco")
    resource.set("href", LAUNCH)
    for path in files:
        sub(resource, f"{{{ns}}}file", href=path)
