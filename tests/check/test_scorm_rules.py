"""SCORM 1.2 and 2004 manifest rules on small hand-written manifests, one rule at a time."""
from __future__ import annotations

import pytest
from lxml import etree

from elearn_builder.check.findings import Descriptor, Findings
from elearn_builder.check.scorm_rules import check_scorm, edition

HEAD12 = ('<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
          'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">'
          "<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>")
HEAD2004 = ('<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
            'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">'
            "<metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion></metadata>")
ORG = ('<organizations default="o"><organization identifier="o"><title>Course</title>'
       '<item identifier="i" identifierref="r"><title>Lesson</title>{item}</item></organization></organizations>')
RES12 = ('<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html">'
         '<file href="index.html"/></resource></resources></manifest>')
RES2004 = RES12.replace("scormtype", "scormType")


def manifest12(item="<adlcp:masteryscore>80</adlcp:masteryscore>", org=None, resources=RES12) -> str:
    return HEAD12 + (org if org is not None else ORG.format(item=item)) + resources


def manifest2004(item=None, version="2004 4th Edition", org=None, resources=RES2004) -> str:
    if item is None:
        item = ('<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p" '
                'satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>'
                "</imsss:primaryObjective></imsss:objectives></imsss:sequencing>")
    return HEAD2004.format(version=version) + (org if org is not None else ORG.format(item=item)) + resources


def check(xml: str, names=("index.html",)) -> list[str]:
    findings = Findings()
    check_scorm(Descriptor("imsmanifest.xml", etree.fromstring(xml.encode()), frozenset(names)), findings)
    return sorted(f.code for f in findings.items)


def test_minimal_manifests_pass():
    assert check(manifest12()) == []
    assert check(manifest2004()) == []


def test_edition_comes_from_the_namespace_and_schemaversion():
    assert edition(etree.fromstring(manifest12().encode())) == "1.2"
    assert edition(etree.fromstring(manifest2004().encode())) == "4th"
    assert edition(etree.fromstring(manifest2004(version="2004 3rd Edition").encode())) == "3rd"
    assert edition(etree.fromstring(manifest2004(version="CAM 1.3").encode())) == "2nd"


@pytest.mark.parametrize("xml, code", [
    (manifest12().replace("<schemaversion>1.2<", "<schemaversion>1.3<"), "scorm.schemaversion"),
    (manifest2004(version="2004 5th Edition"), "scorm.schemaversion"),
    (manifest2004(version="2004 3rd Edition"), "scorm2004.edition"),
    (manifest12().replace("<schema>ADL SCORM<", "<schema>SCORM<"), "scorm.schema"),
    (manifest12().replace('identifier="i"', 'identifier="an item"'), "scorm.identifier-invalid"),
    (manifest12().replace('identifier="i"', 'identifier="1st"'), "scorm.identifier-invalid"),
    (manifest12().replace('identifier="i"', 'identifier="o"'), "scorm.identifier-duplicate"),
    (manifest12().replace('<manifest identifier="m"', "<manifest"), "scorm.identifier-missing"),
    (manifest12().replace('identifier="i"', f'identifier="{"i" * 256}"'), "scorm.identifier-length"),
    (manifest12().replace('default="o"', 'default="x"'), "scorm.default-organization"),
    (manifest12().replace(' default="o"', ""), "scorm.default-missing"),
    (manifest12().replace("<title>Lesson</title>", ""), "scorm.title-missing"),
    (manifest12().replace("<title>Lesson<", f"<title>{'L' * 201}<"), "scorm.title-length"),
    (manifest12().replace('identifierref="r"', 'identifierref="x"'), "scorm.item-resource-missing"),
    (manifest12().replace(' identifierref="r"', ""), "scorm.leaf-without-resource"),
    (manifest12(resources=RES12.replace(' href="index.html">', ">")), "scorm.launch-missing"),
    (manifest12(resources=RES12.replace('<file href="index.html"/>', '<file href="app.js"/>')),
     "scorm.launch-not-listed"),
    (manifest12(resources=RES12.replace('adlcp:scormtype="sco" ', "")), "scorm.scormtype-missing"),
    (manifest12(resources=RES12.replace('"sco"', '"lesson"')), "scorm.scormtype-invalid"),
    (manifest12(resources=RES12.replace("scormtype", "scormType")), "scorm.scormtype-case"),
    (manifest2004(resources=RES12), "scorm.scormtype-case"),
    (manifest12(resources=RES12.replace("</resource>", '<dependency identifierref="d"/></resource>')),
     "scorm.dependency-missing"),
    (manifest12().replace('xmlns="', 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                                     'xsi:schemaLocation="urn:x imscp_rootv1p1p2.xsd" xmlns="'),
     "scorm.control-file-missing"),
])
def test_one_defect_one_code(xml, code):
    assert check(xml, names=("index.html", "app.js")) == [code]


def test_missing_files_respect_xml_base_and_escaping():
    resources = ('<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" xml:base="sco1/" '
                 'href="my%20page.html?x=1"><file href="my%20page.html"/></resource></resources></manifest>')
    assert check(manifest12(resources=resources), names=("sco1/my page.html",)) == []
    assert check(manifest12(resources=resources), names=("my page.html",)) == ["scorm.file-missing"] * 2


def test_references_that_leave_the_package_are_errors():
    resources = RES12.replace('<file href="index.html"/>', '<file href="index.html"/><file href="../secret.txt"/>'
                              '<file href="https://cdn.example.org/lib.js"/>')
    assert check(manifest12(resources=resources)) == ["scorm.file-missing"]


def test_organisation_and_launch_order():
    org = ('<organizations default="o"><organization identifier="o"><title>Course</title>'
           '<item identifier="i" identifierref="a"><title>Intro</title></item>'
           '<item identifier="j" identifierref="r"><title>Lesson</title>'
           "<adlcp:masteryscore>80</adlcp:masteryscore></item></organization></organizations>")
    asset_first = ('<resources><resource identifier="a" type="webcontent" adlcp:scormtype="asset" href="intro.html">'
                   '<file href="intro.html"/></resource>' + RES12.removeprefix("<resources>"))
    assert check(manifest12(org=org, resources=asset_first), names=("index.html", "intro.html")) == [
        "scorm.first-item-asset"]
    sco_second = RES12.replace("</resources>", '<resource identifier="a" type="webcontent" adlcp:scormtype="sco" '
                                               'href="intro.html"><file href="intro.html"/></resource></resources>')
    assert check(manifest12(org=org, resources=sco_second), names=("index.html", "intro.html")) == [
        "scorm.launch-not-first"]
    assert check(HEAD12 + "<organizations/>" + RES12) == ["scorm.no-organization", "scorm12.masteryscore-missing"]


def test_parents_launch_nothing():
    org = ('<organizations default="o"><organization identifier="o"><title>Course</title>'
           '<item identifier="p" identifierref="r"><title>Part</title>'
           '<item identifier="i" identifierref="r"><title>Lesson</title>{item}</item></item>'
           "</organization></organizations>")
    assert check(manifest12(org=org.format(item="<adlcp:masteryscore>80</adlcp:masteryscore>"))) == [
        "scorm.parent-with-resource"]
    assert check(manifest2004(org=org.format(item=""))) == ["scorm.parent-with-resource",
                                                             "scorm2004.mastery-missing"]


@pytest.mark.parametrize("item, codes", [
    ("<adlcp:masteryscore>0</adlcp:masteryscore>", []),
    ("<adlcp:masteryscore>100</adlcp:masteryscore>", []),
    ("<adlcp:masteryscore>-1</adlcp:masteryscore>", ["scorm12.masteryscore-range"]),
    ("<adlcp:masteryscore>eighty</adlcp:masteryscore>", ["scorm12.masteryscore-range"]),
    ("<adlcp:masteryscore>NaN</adlcp:masteryscore>", ["scorm12.masteryscore-range"]),
    ("", ["scorm12.masteryscore-missing"]),
    ("<adlcp:maxtimeallowed>0:30</adlcp:maxtimeallowed><adlcp:masteryscore>1</adlcp:masteryscore>",
     ["scorm12.maxtimeallowed"]),
    ("<adlcp:timelimitaction>stop</adlcp:timelimitaction><adlcp:masteryscore>1</adlcp:masteryscore>",
     ["scorm12.timelimitaction"]),
    (f"<adlcp:datafromlms>{'d' * 256}</adlcp:datafromlms><adlcp:masteryscore>1</adlcp:masteryscore>",
     ["scorm12.datafromlms-length"]),
])
def test_scorm12_item_extensions(item, codes):
    assert check(manifest12(item=item)) == codes


def objective(measure: str | None, by_measure="true") -> str:
    inner = f"<imsss:minNormalizedMeasure>{measure}</imsss:minNormalizedMeasure>" if measure is not None else ""
    return (f'<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p" '
            f'satisfiedByMeasure="{by_measure}">{inner}</imsss:primaryObjective></imsss:objectives></imsss:sequencing>')


@pytest.mark.parametrize("item, codes", [
    (objective("-1"), []), (objective("1"), []), (objective("1.01"), ["scorm2004.mastery-range"]),
    (objective("80"), ["scorm2004.mastery-range"]),
    (objective(None), ["scorm2004.mastery-default", "scorm2004.mastery-missing"]),
    (objective(None, "false"), ["scorm2004.mastery-missing"]),
    ('<adlcp:completionThreshold minProgressMeasure="1.5"/>' + objective("0.5"),
     ["scorm2004.completion-threshold-range"]),
    ('<adlcp:completionThreshold progressWeight="-0.1"/>' + objective("0.5"), ["scorm2004.completion-threshold-range"]),
    (f"<adlcp:dataFromLMS>{'d' * 4001}</adlcp:dataFromLMS>" + objective("0.5"), ["scorm2004.datafromlms-length"]),
    (objective("0.5").replace("</imsss:primaryObjective>", '</imsss:primaryObjective><imsss:objective '
                              'objectiveID="p"/>'), ["scorm2004.objective-id-duplicate"]),
    (objective("0.5").replace("</imsss:primaryObjective>", '</imsss:primaryObjective><imsss:objective '
                              'objectiveID="q"/>'), []),
])
def test_scorm2004_sequencing_and_extensions(item, codes):
    assert check(manifest2004(item=item)) == codes


def test_findings_carry_the_line_of_the_offending_element():
    xml = manifest12().replace("<adlcp:masteryscore>", "\n\n<adlcp:masteryscore>").replace(">80<", ">800<")
    findings = Findings()
    check_scorm(Descriptor("imsmanifest.xml", etree.fromstring(xml.encode()), frozenset(["index.html"])), findings)
    (finding,) = findings.items
    assert (finding.member, finding.line, finding.code) == ("imsmanifest.xml", 3, "scorm12.masteryscore-range")
    assert '"800"' in finding.message and 'item "i"' in finding.message


def test_a_near_miss_is_suggested_and_a_far_one_is_not():
    def messages(href, names):
        xml = manifest12(resources=RES12.replace('<file href="index.html"/>', f'<file href="{href}"/>'))
        findings = Findings()
        check_scorm(Descriptor("imsmanifest.xml", etree.fromstring(xml.encode()), frozenset(names)), findings)
        return [f.message for f in findings.items if f.code == "scorm.file-missing"]

    names = ("index.html", "assets/elearn.js", "assets/theme.css")
    assert messages("assets/theme.cs", names) == ['resource "r": file "assets/theme.cs" is not in the package '
                                                  '(did you mean "assets/theme.css"?)']
    assert messages("assets/style.css", names) == ['resource "r": file "assets/style.css" is not in the package']
    assert messages("ASSETS/theme.css", names) == ['resource "r": file "ASSETS/theme.css" is not in the package '
                                                   '(the zip has "assets/theme.css": names are case-sensitive on '
                                                   "most LMS servers)"]
