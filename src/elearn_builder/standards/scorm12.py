"""SCORM 1.2 packager: one SCO (``index.html``) described by an IMS CP 1.1.2 ``imsmanifest.xml``."""
from __future__ import annotations

import re
from typing import Sequence

from lxml import etree

from ..model import Programme, Stage
from . import Standard

LAUNCH = "index.html"
"""The launch page of every package, relative to the package root."""

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATIONS = ((CP, "imscp_rootv1p1p2.xsd"), (ADLCP, "adlcp_rootv1p2.xsd"))
"""(namespace, control file) pairs written to ``xsi:schemaLocation``."""

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


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    """Append a child element (attributes in the given order) and return it."""
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
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_manifest(programme: Programme, stage: Stage, files: Sequence[str]) -> dict[str, bytes]:
    """``{"imsmanifest.xml": bytes}`` for one stage as a single SCORM 1.2 SCO."""
    files = check_files(files)
    assessment = programme.assessment_for(stage.id)
    cp = f"{{{CP}}}"
    adlcp = f"{{{ADLCP}}}"
    title = course_title(programme, stage)
    org_id, item_id, res_id = (xml_id(kind, stage.id) for kind in ("ORG", "ITEM", "RES"))

    root = etree.Element(cp + "manifest", nsmap={None: CP, "adlcp": ADLCP, "xsi": XSI})
    root.set("identifier", manifest_id(programme, stage, "scorm12"))
    if len(programme.version) <= 20:  # the 1.2 XSD caps version at 20 characters
        root.set("version", programme.version)
    root.set(f"{{{XSI}}}schemaLocation", schema_location(SCHEMA_LOCATIONS))

    metadata = sub(root, cp + "metadata")
    sub(metadata, cp + "schema", "ADL SCORM")
    sub(metadata, cp + "schemaversion", "1.2")

    organizations = sub(root, cp + "organizations", default=org_id)
    organization = sub(organizations, cp + "organization", identifier=org_id)
    sub(organization, cp + "title", title)
    item = sub(organization, cp + "item", identifier=item_id, identifierref=res_id)
    sub(item, cp + "title", title)
    sub(item, adlcp + "masteryscore", str(assessment.pass_mark))

    resources = sub(root, cp + "resources")
    resource = sub(resources, cp + "resource", identifier=res_id, type="webcontent")
    resource.set(adlcp + "scormtype", "sco")
    resource.set("href", LAUNCH)
    for path in files:
        sub(resource, cp + "file", href=path)
    return {"imsmanifest.xml": serialise(root)}


STANDARD = Standard(name="scorm12", label="SCORM 1.2", adapter="adapter-scorm12.js",
                    schema_subdir="scorm12", manifest=build_manifest)
