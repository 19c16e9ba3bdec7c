"""The cmi5.xml (cmi5 §13-14) and tincan.xml (Rustici launch; xAPI Data §2.4.4) rules the XSDs do not express."""
from __future__ import annotations

from types import MappingProxyType
from urllib.parse import parse_qsl, urlsplit

from elearn_builder.check.findings import IRI, Descriptor, Findings, check_file_reference, check_unique, collapse, number, text

CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
TINCAN = "http://projecttincan.com/tincan.xsd"
MOVE_ON = ("NotApplicable", "Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
LAUNCH_PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")
"""Query names the LMS appends at launch (cmi5 §8.1): an AU url must not use them itself."""
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other")
COMPONENT_LISTS = MappingProxyType({"choice": ("choices",), "sequencing": ("choices",), "likert": ("scale",),
                                    "matching": ("source", "target"), "performance": ("steps",)})
"""Which component lists a correct response pattern of each interaction type refers to (xAPI Data §2.4.4.1)."""


def _say(desc: Descriptor, findings: Findings, element):
    line = element.sourceline if element is not None else None
    return (lambda code, message: findings.error(desc.member, code, message, line),
            lambda code, message: findings.warning(desc.member, code, message, line))


def check_cmi5(desc: Descriptor, findings: Findings) -> None:
    """Every cmi5.xml rule, collected into ``findings``."""
    q = lambda name: f"{{{CMI5}}}{name}"  # noqa: E731
    root = desc.root
    course = root.find(q("course"))
    if course is None:
        findings.error(desc.member, "cmi5.course-missing", "cmi5.xml has no <course> (cmi5 §13.1.1)",
                       root.sourceline)
    nodes = ([course] if course is not None else []) + list(root.iter(q("block"), q("au")))
    nodes += root.findall(f"{q('objectives')}/{q('objective')}")
    for node in nodes:
        what = node.tag.rsplit("}", 1)[-1]
        error, _ = _say(desc, findings, node)
        value = (node.get("id") or "").strip()
        if not value:
            error("cmi5.id-missing", f"<{what}> has no id (cmi5 §13.1: every course, block, objective and AU "
                                     "has an IRI id)")
        elif not IRI.match(value):
            error("cmi5.id-not-iri", f'<{what}> id "{value}" is not an absolute IRI (cmi5 §13.1)')
        for part in ("title", "description"):
            if what != "objective" or part == "title":
                if not text(node.find(f"{q(part)}/{q('langstring')}")):
                    error(f"cmi5.{part}-missing", f'<{what}> "{value}" has no <{part}><langstring> (cmi5 §13.1)')
    check_unique(desc, findings, "cmi5.id-duplicate", "id", nodes, "id",
                 "ids must be unique in the course structure (cmi5 §13.1)")
    objectives = {collapse(o.get("id")) for o in root.findall(f"{q('objectives')}/{q('objective')}")}
    for ref in root.iter(q("objective")):
        if ref.get("idref") is not None and collapse(ref.get("idref")) not in objectives:
            findings.error(desc.member, "cmi5.objective-ref", f'objective idref "{ref.get("idref")}" names no '
                                                              "course-level objective", ref.sourceline)
    aus = list(root.iter(q("au")))
    if not aus:
        findings.error(desc.member, "cmi5.no-au", "cmi5.xml has no <au>: there is nothing to launch (cmi5 §13.1.4)",
                       root.sourceline)
    for au in aus:
        _au(desc, findings, au, q)


def _au(desc: Descriptor, findings: Findings, au, q) -> None:
    error, warning = _say(desc, findings, au)
    what = f'au "{au.get("id")}"'
    url = text(au.find(q("url")))
    if not url:
        error("cmi5.au-url-missing", f"{what} has no <url> (cmi5 §13.1.4: the AU's launch location)")
    else:
        check_file_reference(desc, findings, "cmi5.url-not-found", what, url, au.find(q("url")).sourceline)
        reused = sorted({k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)} & set(LAUNCH_PARAMETERS))
        if reused:
            error("cmi5.url-reserved-parameter", f'{what}: the url uses {", ".join(reused)}, which the LMS adds '
                                                 "at launch (cmi5 §8.1)")
    move_on = au.get("moveOn", "NotApplicable")
    if move_on not in MOVE_ON:
        error("cmi5.moveon-invalid", f'{what}: moveOn "{move_on}" is not one of {", ".join(MOVE_ON)}')
    if au.get("launchMethod", "AnyWindow") not in LAUNCH_METHODS:
        error("cmi5.launchmethod-invalid", f'{what}: launchMethod "{au.get("launchMethod")}" is not AnyWindow or '
                                           "OwnWindow")
    if au.get("activityType") is not None and not IRI.match(au.get("activityType").strip()):
        error("cmi5.activity-type", f'{what}: activityType "{au.get("activityType")}" is not an IRI')
    raw = au.get("masteryScore")
    if raw is not None:
        value = number(raw)
        decimals = len(raw.strip().partition(".")[2])
        if value is None or not 0 <= value <= 1 or decimals > 4:
            error("cmi5.mastery-range", f'{what}: masteryScore "{raw}" is not a decimal from 0 to 1 with at most '
                                        "4 decimal places (cmi5 §13.1.4)")
        elif "Passed" not in move_on:
            warning("cmi5.mastery-unused", f'{what}: masteryScore is set but moveOn "{move_on}" does not use it')
    elif "Passed" in move_on:
        warning("cmi5.mastery-missing", f'{what}: moveOn "{move_on}" needs a pass, but there is no masteryScore: '
                                        "the AU alone decides what passing means")


def check_tincan(desc: Descriptor, findings: Findings) -> None:
    """Every tincan.xml rule, collected into ``findings``."""
    q = lambda name: f"{{{TINCAN}}}{name}"  # noqa: E731
    activities = list(desc.root.iter(q("activity")))
    if not activities:
        findings.error(desc.member, "tincan.no-activity", "tincan.xml has no <activity>", desc.root.sourceline)
        return
    for activity in activities:
        error, _ = _say(desc, findings, activity)
        value = (activity.get("id") or "").strip()
        if not value:
            error("tincan.id-missing", "an <activity> has no id (xAPI Data §2.4.4.1: activities need an IRI id)")
        elif not IRI.match(value):
            error("tincan.id-not-iri", f'activity id "{value}" is not an absolute IRI (xAPI Data §2.4.4.1)')
        if activity.get("type") is not None and not IRI.match(activity.get("type").strip()):
            error("tincan.type-not-iri", f'activity "{value}": type "{activity.get("type")}" is not an IRI')
        _interaction(desc, findings, activity, q)
    check_unique(desc, findings, "tincan.id-duplicate", "activity id", activities, "id",
                 "each activity id identifies one activity (xAPI Data §2.4.4.1)")
    launchable = [a for a in activities if a.find(q("launch")) is not None]
    if not launchable:
        findings.error(desc.member, "tincan.launch-missing", "no activity has a <launch>: the LMS has nothing to "
                                                             "open (tincan.xml: the root activity carries it)",
                       activities[0].sourceline)
    elif len(launchable) > 1:
        findings.error(desc.member, "tincan.several-launches", f"{len(launchable)} activities have a <launch>; "
                                                               "only the root activity may", launchable[1].sourceline)
    for activity in launchable:
        for launch in activity.findall(q("launch")):
            check_file_reference(desc, findings, "tincan.launch-not-found", f'activity "{activity.get("id")}"',
                                 text(launch), launch.sourceline)


def _interaction(desc: Descriptor, findings: Findings, activity, q) -> None:
    kind_element = activity.find(q("interactionType"))
    if kind_element is None:
        return
    error, warning = _say(desc, findings, kind_element)
    kind = text(kind_element)
    what = f'interaction "{activity.get("id")}"'
    if kind not in INTERACTION_TYPES:
        error("tincan.interaction-type", f'{what}: interactionType "{kind}" is not one of '
                                         f'{", ".join(INTERACTION_TYPES)} (xAPI Data §2.4.4.1)')
        return
    lists: dict[str, list[str]] = {}
    for name in ("choices", "scale", "source", "target", "steps"):
        ids = [text(c.find(q("id"))) for c in activity.findall(f"{q(name)}/{q('component')}")]
        lists[name] = ids
        dups = sorted({i for i in ids if ids.count(i) > 1})
        if dups:
            error("tincan.component-id-duplicate", f'{what}: {name} id(s) {", ".join(dups)} repeat; ids must be '
                                                   "distinct within a list (xAPI Data §2.4.4.1)")
        spaced = [i for i in ids if any(ch.isspace() for ch in i)]
        if spaced:
            warning("tincan.component-id-space", f'{what}: {name} id(s) {", ".join(map(repr, spaced))} contain '
                                                 "whitespace, which component ids should not (xAPI Data §2.4.4.1)")
    if kind not in COMPONENT_LISTS:
        return
    for pattern in activity.iter(q("correctResponsePattern")):
        for position, part in _pattern_ids(kind, text(pattern)):
            names = COMPONENT_LISTS[kind]
            listed = lists[names[min(position, len(names) - 1)]]
            if part not in listed:
                findings.error(desc.member, "tincan.response-unknown-component",
                               f'{what}: the correct response "{part}" is not an id in its '
                               f'{names[min(position, len(names) - 1)]} list', pattern.sourceline)


def _pattern_ids(kind: str, pattern: str) -> list[tuple[int, str]]:
    """(which list, id) of each id a correct response pattern names: ``a[,]b``, ``s[.]t``, ``step[.]answer``."""
    found = []
    for item in pattern.split("[,]"):
        if kind in ("matching", "performance"):
            first, _, second = item.partition("[.]")
            found.append((0, first))
            if kind == "matching":
                found.append((1, second))
        else:
            found.append((0, item))
    return [(i, p) for i, p in found if p]
