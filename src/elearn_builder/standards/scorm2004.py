"""SCORM 2004 4th Edition packager: one SCO (``index.html``) with completion and mastery by measure."""
from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Sequence

from elearn_builder.standards.common import (XSI, add_sco_resource, check_files, course_title, element, manifest_id,
                                             schema_location, serialise, sub, xml_id)
from elearn_builder.standards.record import PreviewHost, SchemaSet, Standard

if TYPE_CHECKING:
    from lxml import etree

    from elearn_builder.model import Programme, Stage

CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
SCHEMA_LOCATIONS = ((CP, "imscp_v1p1.xsd"), (ADLCP, "adlcp_v1p3.xsd"), (ADLSEQ, "adlseq_v1p3.xsd"),
                    (ADLNAV, "adlnav_v1p3.xsd"), (IMSSS, "imsss_v1p0.xsd"))
"""(namespace, control file) pairs written to ``xsi:schemaLocation``."""
LOM = "http://ltsc.ieee.org/xsd/LOM"
"""IEEE LOM, the metadata a 2004 manifest may hold inline (we write none; validate checks it)."""
NSMAP = MappingProxyType({None: CP, "adlcp": ADLCP, "adlseq": ADLSEQ, "adlnav": ADLNAV, "imsss": IMSSS, "xsi": XSI})
SUSPEND_DATA = 64000
"""``cmi.suspend_data``: a characterstring with an SPM of 64000 characters (RTE 4th Ed. §4.2.23)."""


def normalized_measure(pass_mark: int) -> str:
    """A pass mark percentage as an ``imsss:minNormalizedMeasure`` (0..1, no exponent): 80 -> ``0.8``."""
    return f"{(Decimal(pass_mark) / 100).normalize():f}"


def objective_id(assessment_id: str) -> str:
    """The primary objective's id (an ``xs:anyURI`` token) for an assessment."""
    return xml_id("obj", assessment_id)


def add_item_sequencing(item: etree._Element, objective: str, pass_mark: int) -> None:
    """The SCO's completion threshold and sequencing: mastered at the pass mark, status set by content."""
    adlcp, imsss = f"{{{ADLCP}}}", f"{{{IMSSS}}}"
    sub(item, adlcp + "completionThreshold", completedByMeasure="true", minProgressMeasure="1.0")
    sequencing = sub(item, imsss + "sequencing")
    # imsss:sequencing child order (imsss_v1p0.xsd): controlMode, sequencingRules, limitConditions,
    # auxiliaryResources, rollupRules, objectives, randomizationControls, deliveryControls.
    objectives = sub(sequencing, imsss + "objectives")
    primary = sub(objectives, imsss + "primaryObjective", objectiveID=objective, satisfiedByMeasure="true")
    sub(primary, imsss + "minNormalizedMeasure", normalized_measure(pass_mark))
    sub(sequencing, imsss + "deliveryControls", completionSetByContent="true", objectiveSetByContent="true")


def build_manifest(programme: Programme, stage: Stage, files: Sequence[str]) -> dict[str, bytes]:
    """``{"imsmanifest.xml": bytes}`` for one stage as a single SCORM 2004 4th Edition SCO."""
    files = check_files(files)
    assessment = programme.assessment_for(stage.id)
    cp, adlcp, imsss = f"{{{CP}}}", f"{{{ADLCP}}}", f"{{{IMSSS}}}"
    title = course_title(programme, stage)
    org_id, item_id, res_id = (xml_id(kind, stage.id) for kind in ("ORG", "ITEM", "RES"))

    root = element(cp + "manifest", nsmap=dict(NSMAP))
    root.set("identifier", manifest_id(programme, stage, "scorm2004"))
    root.set("version", programme.version)
    root.set(f"{{{XSI}}}schemaLocation", schema_location(SCHEMA_LOCATIONS))

    metadata = sub(root, cp + "metadata")
    sub(metadata, cp + "schema", "ADL SCORM")
    sub(metadata, cp + "schemaversion", "2004 4th Edition")

    organizations = sub(root, cp + "organizations", default=org_id)
    organization = sub(organizations, cp + "organization", identifier=org_id)
    organization.set(f"{{{ADLSEQ}}}objectivesGlobalToSystem", "false")
    organization.set(adlcp + "sharedDataGlobalToSystem", "false")
    sub(organization, cp + "title", title)
    # isvisible defaults to true in the XSD, but some players (the Open edX SCORM XBlock) leave an item
    # without it out of their menu.
    item = sub(organization, cp + "item", identifier=item_id, identifierref=res_id, isvisible="true")
    sub(item, cp + "title", title)
    add_item_sequencing(item, objective_id(assessment.id), assessment.pass_mark)
    # organizationType: title, item+, metadata?, then extensions such as imsss:sequencing.
    org_sequencing = sub(organization, imsss + "sequencing")
    sub(org_sequencing, imsss + "controlMode", choice="true", flow="true")

    add_sco_resource(root, CP, adlcp + "scormType", res_id, files)
    return {"imsmanifest.xml": serialise(root)}


STANDARD = Standard(
    name="scorm2004", label="SCORM 2004 4th Edition", descriptor="imsmanifest.xml", root=f"{{{CP}}}manifest",
    state_limit=SUSPEND_DATA, xapi_only=False, adapter="adapter-scorm2004.js",
    schemas=SchemaSet("scorm2004", "scorm2004_4th", (*SCHEMA_LOCATIONS, (LOM, "lom.xsd")), xml="xml.xsd"), manifest=build_manifest,
    rules="scorm_rules.check_scorm", preview=PreviewHost(order=1, label="SCORM 2004"))
