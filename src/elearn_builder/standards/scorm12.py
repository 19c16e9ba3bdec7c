"""SCORM 1.2 packager: one SCO (``index.html``) described by an IMS CP 1.1.2 ``imsmanifest.xml``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from elearn_builder.standards.common import (XSI, add_sco_resource, check_files, course_title, element, manifest_id,
                                             schema_location, serialise, sub, xml_id)
from elearn_builder.standards.record import PreviewHost, SchemaSet, Standard

if TYPE_CHECKING:
    from elearn_builder.model import Programme, Stage

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
SCHEMA_LOCATIONS = ((CP, "imscp_rootv1p1p2.xsd"), (ADLCP, "adlcp_rootv1p2.xsd"))
"""(namespace, control file) pairs written to ``xsi:schemaLocation``."""
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
"""IMS MD 1.2.1, the inline metadata a SCORM 1.2 manifest may hold (we write none)."""
SUSPEND_DATA = 4096
"""``cmi.suspend_data`` is a CMIString4096 (RTE 1.2 §3.4.4)."""


def build_manifest(programme: Programme, stage: Stage, files: Sequence[str]) -> dict[str, bytes]:
    """``{"imsmanifest.xml": bytes}`` for one stage as a single SCORM 1.2 SCO."""
    files = check_files(files)
    assessment = programme.assessment_for(stage.id)
    cp = f"{{{CP}}}"
    adlcp = f"{{{ADLCP}}}"
    title = course_title(programme, stage)
    org_id, item_id, res_id = (xml_id(kind, stage.id) for kind in ("ORG", "ITEM", "RES"))

    root = element(cp + "manifest", nsmap={None: CP, "adlcp": ADLCP, "xsi": XSI})
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
    # isvisible defaults to true in the XSD, but some players (the Open edX SCORM XBlock) leave an item
    # without it out of their menu.
    item = sub(organization, cp + "item", identifier=item_id, identifierref=res_id, isvisible="true")
    sub(item, cp + "title", title)
    sub(item, adlcp + "masteryscore", str(assessment.pass_mark))

    add_sco_resource(root, CP, adlcp + "scormtype", res_id, files)
    return {"imsmanifest.xml": serialise(root)}


STANDARD = Standard(
    name="scorm12", label="SCORM 1.2", descriptor="imsmanifest.xml", root=f"{{{CP}}}manifest",
    state_limit=SUSPEND_DATA, xapi_only=False, adapter="adapter-scorm12.js",
    schemas=SchemaSet("scorm12", "scorm12", SCHEMA_LOCATIONS, metadata=IMSMD), manifest=build_manifest,
    rules="scorm_rules.check_scorm", preview=PreviewHost(order=2, label="SCORM 1.2"))
