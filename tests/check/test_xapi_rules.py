"""cmi5.xml and tincan.xml rules on small hand-written descriptors, one rule at a time."""
from __future__ import annotations

import pytest
from lxml import etree

from elearn_builder.check.findings import Descriptor, Findings
from elearn_builder.check.xapi_rules import check_cmi5, check_tincan

LS = ('<title><langstring lang="en">{t}</langstring></title>'
      '<description><langstring lang="en">d</langstring></description>')
CMI5 = ('<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">'
        '<course id="https://example.org/c">' + LS.format(t="Course") + "</course>{objectives}"
        '<au id="https://example.org/c/au" {attrs}>' + LS.format(t="AU") + "{inside}</au></courseStructure>")


def cmi5(attrs='moveOn="Passed" masteryScore="0.8"', inside="<url>index.html</url>", objectives="") -> str:
    return CMI5.format(attrs=attrs, inside=inside, objectives=objectives)


def run(check, member: str, xml: str, names=("index.html",)) -> list[str]:
    findings = Findings()
    check(Descriptor(member, etree.fromstring(xml.encode()), frozenset(names)), findings)
    return sorted(f.code for f in findings.items)


def c5(xml: str, names=("index.html",)) -> list[str]:
    return run(check_cmi5, "cmi5.xml", xml, names)


def test_a_minimal_course_structure_passes():
    assert c5(cmi5()) == []
    assert c5(cmi5(inside="<url>https://elsewhere.example.org/au/</url>"), names=()) == []


@pytest.mark.parametrize("xml, codes", [
    (cmi5(inside=""), ["cmi5.au-url-missing"]),
    (cmi5(inside="<url>  </url>"), ["cmi5.au-url-missing"]),
    (cmi5(inside="<url>start.html</url>"), ["cmi5.url-not-found"]),
    (cmi5(inside="<url>index.html?endpoint=x&amp;mode=1</url>"), ["cmi5.url-reserved-parameter"]),
    (cmi5(inside="<url>../index.html</url>"), ["cmi5.url-not-found"]),
    (cmi5('moveOn="Passed" masteryScore="80"'), ["cmi5.mastery-range"]),
    (cmi5('moveOn="Passed" masteryScore="-0.1"'), ["cmi5.mastery-range"]),
    (cmi5('moveOn="Passed" masteryScore="0.12345"'), ["cmi5.mastery-range"]),
    (cmi5('moveOn="Passed" masteryScore="0.1234"'), []),
    (cmi5('moveOn="Passed"'), ["cmi5.mastery-missing"]),
    (cmi5('moveOn="Completed" masteryScore="0.5"'), ["cmi5.mastery-unused"]),
    (cmi5('masteryScore="0.5"'), ["cmi5.mastery-unused"]),
    (cmi5('moveOn="Done"'), ["cmi5.moveon-invalid"]),
    (cmi5('launchMethod="Popup"'), ["cmi5.launchmethod-invalid"]),
    (cmi5('activityType="lesson"'), ["cmi5.activity-type"]),
    (cmi5().replace('au id="https://example.org/c/au"', 'au id="my au"'), ["cmi5.id-not-iri"]),
    (cmi5().replace('au id="https://example.org/c/au"', "au"), ["cmi5.id-missing"]),
    (cmi5().replace('au id="https://example.org/c/au"', 'au id="https://example.org/c"'), ["cmi5.id-duplicate"]),
    (cmi5().replace("<title><langstring lang=\"en\">AU</langstring></title>", ""), ["cmi5.title-missing"]),
    (cmi5().replace('<course id="https://example.org/c">', '<course id="https://example.org/c"><x/>')
     .replace('<description><langstring lang="en">d</langstring></description></course>', "</course>"),
     ["cmi5.description-missing"]),
    (cmi5(objectives='<objectives><objective id="https://example.org/o">' + LS.format(t="O") + "</objective>"
                     "</objectives>", inside='<objectives><objective idref="https://example.org/x"/></objectives>'
                                             "<url>index.html</url>"), ["cmi5.objective-ref"]),
])
def test_cmi5_rules(xml, codes):
    assert c5(xml) == codes


def test_cmi5_without_course_or_au():
    xml = '<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"/>'
    assert c5(xml) == ["cmi5.course-missing", "cmi5.no-au"]


TC = ('<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>'
      '<activity id="https://example.org/c" type="http://adlnet.gov/expapi/activities/course">'
      '<name>C</name><description>D</description><launch lang="en">index.html</launch></activity>'
      "{more}</activities></tincan>")


def interaction(kind: str, pattern: str, lists: str, iri="https://example.org/q1") -> str:
    return (f'<activity id="{iri}" type="http://adlnet.gov/expapi/activities/cmi.interaction"><name>Q</name>'
            f"<description>Q</description><interactionType>{kind}</interactionType><correctResponsePatterns>"
            f"<correctResponsePattern>{pattern}</correctResponsePattern></correctResponsePatterns>{lists}</activity>")


def components(name: str, *ids: str) -> str:
    return f"<{name}>" + "".join(f"<component><id>{i}</id><description>{i}</description></component>"
                                 for i in ids) + f"</{name}>"


def tc(more: str = "", names=("index.html",)) -> list[str]:
    return run(check_tincan, "tincan.xml", TC.format(more=more), names)


def test_a_minimal_tincan_passes():
    assert tc() == []
    assert tc(interaction("choice", "a[,]b", components("choices", "a", "b", "c"))) == []
    assert tc(interaction("matching", "s1[.]t2[,]s2[.]t1", components("source", "s1", "s2")
                          + components("target", "t1", "t2"))) == []
    assert tc(interaction("performance", "step1[.]x[,]step2[.]y", components("steps", "step1", "step2"))) == []
    assert tc(interaction("likert", "agree", components("scale", "agree", "disagree"))) == []
    assert tc(interaction("fill-in", "{case_matters=false}ninety", "")) == []


@pytest.mark.parametrize("more, codes", [
    (interaction("choice", "a[,]z", components("choices", "a", "b")), ["tincan.response-unknown-component"]),
    (interaction("sequencing", "b[,]a", components("choices", "a", "a", "b")), ["tincan.component-id-duplicate"]),
    (interaction("choice", "a", components("choices", "a", "b c")), ["tincan.component-id-space"]),
    (interaction("matching", "s1[.]t9", components("source", "s1") + components("target", "t1")),
     ["tincan.response-unknown-component"]),
    (interaction("likert", "meh", components("scale", "agree")), ["tincan.response-unknown-component"]),
    (interaction("essay", "x", ""), ["tincan.interaction-type"]),
    (interaction("choice", "a", components("choices", "a"), iri="question 1"), ["tincan.id-not-iri"]),
    (interaction("choice", "a", components("choices", "a"), iri="https://example.org/c"), ["tincan.id-duplicate"]),
    ('<activity type="http://adlnet.gov/expapi/activities/module"><name>M</name><description>M</description>'
     "</activity>", ["tincan.id-missing"]),
    ('<activity id="https://example.org/m" type="module"><name>M</name><description>M</description></activity>',
     ["tincan.type-not-iri"]),
    ('<activity id="https://example.org/m"><name>M</name><description>M</description>'
     '<launch lang="en">index.html</launch></activity>', ["tincan.several-launches"]),
])
def test_tincan_rules(more, codes):
    assert tc(more) == codes


def test_tincan_launch_must_exist_and_be_in_the_zip():
    assert tc(names=()) == ["tincan.launch-not-found"]
    assert run(check_tincan, "tincan.xml", TC.format(more="").replace('<launch lang="en">index.html</launch>', "")) \
        == ["tincan.launch-missing"]
    empty = '<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities/></tincan>'
    assert run(check_tincan, "tincan.xml", empty) == ["tincan.no-activity"]
