"""The SCORM 1.2 and 2004 manifest rules the XSDs do not express (CAM 1.2 ch. 2, CAM 4th Ed. ch. 3 and 5)."""
from __future__ import annotations

import re
from types import MappingProxyType
from urllib.parse import urlsplit

from elearn_builder.check.findings import XML_BASE, Descriptor, Findings, check_file_reference, check_unique, collapse, number, text

CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"

EDITIONS_2004 = MappingProxyType({"2004 4th Edition": "4th", "2004 3rd Edition": "3rd", "CAM 1.3": "2nd"})
NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")
"""xsd:ID values are NCNames: a letter or underscore first, then letters, digits, '.', '-', '_'."""
TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")
TITLE_SPM = 200
"""CAM: <title> has a smallest permitted maximum of 200 characters; LMSs may cut longer titles."""


def edition(root) -> str:
    """``1.2``, or the 2004 edition named by the manifest's schemaversion (``4th`` when unnamed)."""
    if root.tag == f"{{{CP12}}}manifest":
        return "1.2"
    return EDITIONS_2004.get(text(root.find(f"{{{CP}}}metadata/{{{CP}}}schemaversion")), "4th")


def older_edition(root) -> str:
    """``SCORM 2004 3rd Edition`` (or ``2nd``) for a manifest of a SCORM 2004 edition before the 4th, which
    validate checks against the 4th Edition's rules and schemas; ``""`` for any other descriptor."""
    if root.tag != f"{{{CP}}}manifest" or edition(root) == "4th":
        return ""
    return f"SCORM 2004 {edition(root)} Edition"


class _Manifest:
    """One manifest and the namespaces of its version."""

    def __init__(self, desc: Descriptor, findings: Findings):
        self.desc, self.findings, self.root = desc, findings, desc.root
        self.is12 = self.root.tag == f"{{{CP12}}}manifest"
        self.cp, self.adlcp = (CP12, ADLCP12) if self.is12 else (CP, ADLCP)
        self.scormtype = f"{{{self.adlcp}}}{'scormtype' if self.is12 else 'scormType'}"
        self.wrong_scormtype = f"{{{self.adlcp}}}{'scormType' if self.is12 else 'scormtype'}"
        self.prefix = "scorm12" if self.is12 else "scorm2004"

    def q(self, name: str) -> str:
        return f"{{{self.cp}}}{name}"

    def error(self, code: str, message: str, element=None) -> None:
        self.findings.error(self.desc.member, code, message, element.sourceline if element is not None else None)

    def warning(self, code: str, message: str, element=None) -> None:
        self.findings.warning(self.desc.member, code, message, element.sourceline if element is not None else None)


def check_scorm(desc: Descriptor, findings: Findings) -> None:
    """Every SCORM manifest rule, collected into ``findings``."""
    m = _Manifest(desc, findings)
    _metadata(m)
    _identifiers(m)
    resources = {collapse(r.get("identifier")): r for r in m.root.iter(m.q("resource")) if r.get("identifier")}
    _organizations(m, resources)
    _resources(m, resources)
    _control_files(m)
    (_scorm12 if m.is12 else _scorm2004)(m)


def _metadata(m: _Manifest) -> None:
    meta = m.root.find(m.q("metadata"))
    version = m.root.find(f"{m.q('metadata')}/{m.q('schemaversion')}")
    schema = m.root.find(f"{m.q('metadata')}/{m.q('schema')}")
    if schema is not None and text(schema) != "ADL SCORM":
        m.warning("scorm.schema", f'metadata <schema> should be "ADL SCORM", found "{text(schema)}"', schema)
    if version is None:
        say = m.warning if m.is12 else m.error
        say("scorm.schemaversion", "the manifest has no <metadata><schemaversion>: it should say "
            + ('"1.2"' if m.is12 else '"2004 4th Edition"'), meta if meta is not None else m.root)
    elif m.is12 and text(version) != "1.2":
        m.error("scorm.schemaversion", f'schemaversion "{text(version)}" does not match the SCORM 1.2 '
                                       "namespace (imscp_rootv1p1p2); it should be \"1.2\"", version)
    elif not m.is12 and text(version) not in EDITIONS_2004:
        m.error("scorm.schemaversion", f'schemaversion "{text(version)}" is not a SCORM 2004 edition '
                                       '("2004 4th Edition", "2004 3rd Edition" or "CAM 1.3")', version)
    elif not m.is12 and text(version) != "2004 4th Edition":
        m.warning("scorm2004.edition", f'a "{text(version)}" package: checked against the 4th Edition rules '
                                       "and schemas (what they reject is reported as warnings)", version)


def _identifiers(m: _Manifest) -> None:
    limit, kind = (255, "CMIIdentifier, RTE 1.2 §3.4") if m.is12 else (4000, "long_identifier_type, RTE 4th §4.1")
    elements = [m.root] + [e for tag in ("organization", "item", "resource") for e in m.root.iter(m.q(tag))]
    for element in elements:
        what = element.tag.rsplit("}", 1)[-1]
        value = collapse(element.get("identifier"))
        if not value:
            m.error("scorm.identifier-missing", f"<{what}> has no identifier (CAM: it is mandatory)", element)
        elif not NCNAME.match(value):
            m.error("scorm.identifier-invalid", f'<{what}> identifier "{value}" is not an xsd:ID (no spaces or '
                                                "colons; a letter or _ first)", element)
        elif len(value) > limit:
            m.warning("scorm.identifier-length", f"<{what}> identifier is {len(value)} characters, more than the "
                                                 f"{limit} LMSs must keep ({kind})", element)
    check_unique(m.desc, m.findings, "scorm.identifier-duplicate", "identifier", elements, "identifier",
                 "identifiers are xsd:ID and must be unique in the manifest (CAM)")


def _organizations(m: _Manifest, resources: dict) -> None:
    orgs_element = m.root.find(m.q("organizations"))
    orgs = m.root.findall(f"{m.q('organizations')}/{m.q('organization')}")
    if not orgs:
        m.warning("scorm.no-organization", "the manifest has no <organization>: an LMS imports it as resources "
                                           "only, with nothing to launch", orgs_element)
        return
    default = collapse(orgs_element.get("default"))
    by_id = {collapse(o.get("identifier")): o for o in orgs}
    if default is None:
        m.warning("scorm.default-missing", "<organizations> has no default attribute: LMSs differ on which "
                                           "organization they use", orgs_element)
    elif default not in by_id:
        known = ", ".join(f'"{o}"' for o in by_id)
        m.error("scorm.default-organization", f'<organizations default="{default}"> names no organization '
                                              f"(the manifest has {known})", orgs_element)
    for node in orgs + list(m.root.iter(m.q("item"))):
        what = f'{node.tag.rsplit("}", 1)[-1]} "{node.get("identifier")}"'
        title = node.find(m.q("title"))
        if not text(title):
            m.error("scorm.title-missing", f"{what} has no <title> (CAM: it is mandatory)", node)
        elif len(text(title)) > TITLE_SPM:
            m.warning("scorm.title-length", f"{what}: the title is {len(text(title))} characters; LMSs need keep "
                                            f"only {TITLE_SPM} (CAM)", title)
    for item in m.root.iter(m.q("item")):
        ref, children = collapse(item.get("identifierref")), item.find(m.q("item")) is not None
        what = f'item "{item.get("identifier")}"'
        if ref is not None and ref not in resources:
            m.error("scorm.item-resource-missing", f'{what}: identifierref "{ref}" names no resource', item)
        if children and ref is not None:
            say = m.warning if m.is12 else m.error
            say("scorm.parent-with-resource", f"{what} has child items and also a resource: only leaf items "
                                              "may launch content", item)
        if not children and ref is None:
            m.error("scorm.leaf-without-resource", f"{what} is a leaf with no identifierref: there is nothing "
                                                   "to launch", item)
    org = by_id.get(default, orgs[0])
    _launch(m, org, resources)


def _launch(m: _Manifest, org, resources: dict) -> None:
    leaves = [i for i in org.iter(m.q("item")) if i.find(m.q("item")) is None and i.get("identifierref")]
    if not leaves or collapse(leaves[0].get("identifierref")) not in resources:
        return
    first = resources[collapse(leaves[0].get("identifierref"))]
    if first.get(m.scormtype) == "asset":
        m.warning("scorm.first-item-asset", f'the first item "{leaves[0].get("identifier")}" launches an asset: '
                                            "nothing will be tracked until the learner reaches a SCO", leaves[0])
    listed = list(m.root.iter(m.q("resource")))
    if listed and listed[0] is not first:
        m.warning("scorm.launch-not-first", f'the launch resource "{first.get("identifier")}" is not the first '
                                            "<resource>: some LMSs launch the first resource listed", first)


def _resources(m: _Manifest, resources: dict) -> None:
    launched = {collapse(i.get("identifierref")) for i in m.root.iter(m.q("item"))}
    resources_element = m.root.find(m.q("resources"))
    for rid, res in resources.items():
        what = f'resource "{rid}"'
        kind = res.get(m.scormtype)
        if kind is None and res.get(m.wrong_scormtype) is not None:
            m.error("scorm.scormtype-case", f"{what}: SCORM {'1.2' if m.is12 else '2004'} spells the attribute "
                                            f"adlcp:{m.scormtype.rsplit('}', 1)[-1]}", res)
        elif kind is None:
            m.error("scorm.scormtype-missing", f'{what} has no adlcp:{m.scormtype.rsplit("}", 1)[-1]} '
                                               '("sco" or "asset")', res)
        elif kind not in ("sco", "asset"):
            m.error("scorm.scormtype-invalid", f'{what}: scorm type "{kind}" is not "sco" or "asset"', res)
        if rid in launched and not res.get("href"):
            m.error("scorm.launch-missing", f"{what} is launched by an item but has no href", res)
        base = "".join(e.get(XML_BASE) or "" for e in (m.root, resources_element, res) if e is not None)
        files = res.findall(m.q("file"))
        if res.get("href"):
            href = urlsplit(res.get("href")).path
            check_file_reference(m.desc, m.findings, "scorm.file-missing", what, base + href, res.sourceline)
            if files and base + href not in {base + (f.get("href") or "") for f in files}:
                m.warning("scorm.launch-not-listed", f'{what}: its href "{href}" is not listed as a <file>', res)
        for file in files:
            check_file_reference(m.desc, m.findings, "scorm.file-missing", what, base + (file.get("href") or ""),
                                 file.sourceline)
        for dep in res.findall(m.q("dependency")):
            if collapse(dep.get("identifierref")) not in resources:
                m.error("scorm.dependency-missing", f'{what}: dependency "{dep.get("identifierref")}" names no '
                                                    "resource", dep)


def _control_files(m: _Manifest) -> None:
    locations = (m.root.get(XSI_LOCATION) or "").split()[1::2]
    missing = [loc for loc in locations if not urlsplit(loc).scheme and loc not in m.desc.names]
    if missing:
        m.warning("scorm.control-file-missing", f'{", ".join(missing)}, named in xsi:schemaLocation, '
                                                f'{"is" if len(missing) == 1 else "are"} not at the package root '
                                                "(CAM: control files travel with the manifest; most LMSs cope; "
                                                "`elearn build --schemas DIR` puts them there)",
                  m.root)


def _scorm12(m: _Manifest) -> None:
    a = lambda name: f"{{{ADLCP12}}}{name}"  # noqa: E731
    scored = 0
    for item in m.root.iter(m.q("item")):
        what = f'item "{item.get("identifier")}"'
        for score in item.findall(a("masteryscore")):
            scored += 1
            value = number(text(score))
            if value is None or not 0 <= value <= 100:
                m.error("scorm12.masteryscore-range", f'{what}: adlcp:masteryscore "{text(score)}" is not a '
                                                      "number from 0 to 100 (CAM 1.2; cmi.student_data.mastery_score)",
                        score)
        for limit in item.findall(a("maxtimeallowed")):
            if not re.fullmatch(r"\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?", text(limit)):
                m.error("scorm12.maxtimeallowed", f'{what}: adlcp:maxtimeallowed "{text(limit)}" is not a '
                                                  "CMITimespan (HHHH:MM:SS)", limit)
        for action in item.findall(a("timelimitaction")):
            if text(action) not in TIME_LIMIT_ACTIONS:
                m.error("scorm12.timelimitaction", f'{what}: adlcp:timelimitaction "{text(action)}" is not one of '
                                                   f'{", ".join(TIME_LIMIT_ACTIONS)}', action)
        for data in item.findall(a("datafromlms")):
            if len(text(data)) > 255:
                m.warning("scorm12.datafromlms-length", f"{what}: adlcp:datafromlms is {len(text(data))} "
                                                        "characters; LMSs need keep only 255", data)
    if not scored and any(r.get(m.scormtype) == "sco" for r in m.root.iter(m.q("resource"))):
        m.warning("scorm12.masteryscore-missing", "no item sets adlcp:masteryscore: the LMS cannot turn a score "
                                                  "into passed or failed, and reports only what the SCO sets",
                  m.root.find(m.q("organizations")))


def _scorm2004(m: _Manifest) -> None:
    measures = 0
    for objective in m.root.iter(f"{{{IMSSS}}}primaryObjective", f"{{{IMSSS}}}objective"):
        what = f'objective "{objective.get("objectiveID")}"'
        measure = objective.find(f"{{{IMSSS}}}minNormalizedMeasure")
        if measure is not None:
            measures += 1
            value = number(text(measure))
            if value is None or not -1 <= value <= 1:
                m.error("scorm2004.mastery-range", f'{what}: imsss:minNormalizedMeasure "{text(measure)}" is not '
                                                   "a number from -1 to 1 (cmi.scaled_passing_score)", measure)
        elif objective.get("satisfiedByMeasure") == "true":
            m.warning("scorm2004.mastery-default", f"{what} is satisfied by measure but has no "
                                                   "minNormalizedMeasure, so the pass mark is 1.0 (100%)", objective)
    for objectives in m.root.iter(f"{{{IMSSS}}}objectives"):
        check_unique(m.desc, m.findings, "scorm2004.objective-id-duplicate", "objectiveID",
                     objectives.iterchildren(f"{{{IMSSS}}}primaryObjective", f"{{{IMSSS}}}objective"), "objectiveID",
                     "an activity's objectives need distinct ids (SN 4th ch. 3, objectives)")
    for threshold in m.root.iter(f"{{{ADLCP}}}completionThreshold"):
        for attribute in ("minProgressMeasure", "progressWeight"):
            raw = threshold.get(attribute)
            if raw is not None and (number(raw) is None or not 0 <= number(raw) <= 1):
                m.error("scorm2004.completion-threshold-range", f'adlcp:completionThreshold {attribute}="{raw}" '
                                                                "is not a number from 0 to 1", threshold)
    for data in m.root.iter(f"{{{ADLCP}}}dataFromLMS"):
        if len(text(data)) > 4000:
            m.error("scorm2004.datafromlms-length", f"adlcp:dataFromLMS is {len(text(data))} characters, more "
                                                    "than cmi.launch_data's 4000 (RTE 4th §4.2)", data)
    if not measures and any(r.get(m.scormtype) == "sco" for r in m.root.iter(m.q("resource"))):
        m.warning("scorm2004.mastery-missing", "no objective sets imsss:minNormalizedMeasure: the LMS cannot "
                                               "judge passed or failed from cmi.score.scaled (no "
                                               "cmi.scaled_passing_score)", m.root.find(m.q("organizations")))
