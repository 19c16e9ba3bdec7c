"""Plain xAPI (Tin Can) packager: ``tincan.xml`` naming the stage course, its parts and its questions."""
from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Sequence

from elearn_builder.standards.common import LAUNCH, check_files, course_title, element, serialise, sub
from elearn_builder.standards.record import SchemaSet, Standard
if TYPE_CHECKING:
    from lxml import etree

    from elearn_builder.model import Programme, Question, Stage

NS = "http://projecttincan.com/tincan.xsd"
TYPES = MappingProxyType({
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
})


def correct_patterns(question: Question) -> list[str]:
    """xAPI ``correctResponsesPattern`` entries (the SCORM 2004 response formats)."""
    if question.type == "matching":
        return ["[,]".join(f"{s}[.]{t}" for s, t in question.pairs)]
    if question.type == "fill-in":
        flag = "true" if question.case_matters else "false"
        return [f"{{case_matters={flag}}}{answer}" for answer in question.accepted]
    if question.type == "long-fill-in":
        return []
    return ["[,]".join(question.correct_ids)]


def activity(parent, activity_id: str, kind: str, name: str, description: str, lang: str) -> etree._Element:
    element = sub(parent, f"{{{NS}}}activity", id=activity_id, type=TYPES[kind])
    sub(element, f"{{{NS}}}name", name, lang=lang)
    sub(element, f"{{{NS}}}description", description or name, lang=lang)
    return element


def components(parent, name: str, options, lang: str) -> None:
    holder = sub(parent, f"{{{NS}}}{name}")
    for option in options:
        component = sub(holder, f"{{{NS}}}component")
        sub(component, f"{{{NS}}}id", option.id)
        sub(component, f"{{{NS}}}description", option.text, lang=lang)


def question_activity(parent, programme: Programme, question: Question, lang: str) -> None:
    from elearn_builder.xapi import iris

    element = activity(parent, iris.question(programme, question.id), "interaction", question.id,
                       question.prompt_text, lang)
    sub(element, f"{{{NS}}}interactionType", question.interaction_type)
    patterns = correct_patterns(question)
    if patterns:
        holder = sub(element, f"{{{NS}}}correctResponsePatterns")
        for pattern in patterns:
            sub(holder, f"{{{NS}}}correctResponsePattern", pattern)
    if question.type == "matching":
        components(element, "source", question.sources, lang)
        components(element, "target", question.targets, lang)
    elif question.choices:
        components(element, "choices", question.choices, lang)


def build_manifest(programme: Programme, stage: Stage, files: Sequence[str]) -> dict[str, bytes]:
    """``{"tincan.xml": bytes}``: only the course activity carries the launch (a flat activity list)."""
    from elearn_builder.xapi import iris  # here: the registry is read on every start, without the model

    check_files(files)
    lang = programme.language
    assessment = programme.assessment_for(stage.id)
    root = element(f"{{{NS}}}tincan", nsmap={None: NS})
    activities = sub(root, f"{{{NS}}}activities")
    course = activity(activities, iris.stage_course(programme, stage.id), "course", course_title(programme, stage),
                      programme.description, lang)
    sub(course, f"{{{NS}}}launch", LAUNCH, lang=lang)
    for module in programme.modules:
        activity(activities, iris.module(programme, module.id), "module", module.title, module.summary, lang)
    activity(activities, iris.assessment(programme, assessment.id), "assessment", assessment.title,
             f"Pass mark {assessment.pass_mark}%", lang)
    for question in assessment.questions:
        question_activity(activities, programme, question, lang)
    return {"tincan.xml": serialise(root)}


STANDARD = Standard(
    name="xapi", label="xAPI (tincan.xml)", descriptor="tincan.xml", root=f"{{{NS}}}tincan",
    state_limit=64000, xapi_only=True, adapter="adapter-xapi.js",
    schemas=SchemaSet("tincan", "tincan", ((NS, "tincan.xsd"),)), manifest=build_manifest,
    rules="xapi_rules.check_tincan")
"""``state_limit``: the runtime keeps its saved state within SCORM 2004's 64000 characters here too."""
