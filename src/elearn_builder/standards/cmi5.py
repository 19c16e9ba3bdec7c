"""cmi5 packager: ``cmi5.xml`` with one course and one assignable unit (``index.html``) per stage."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Sequence

from elearn_builder.standards.common import LAUNCH, check_files, course_title, element, serialise, sub
from elearn_builder.standards.record import SchemaSet, Standard
if TYPE_CHECKING:
    from lxml import etree

    from elearn_builder.model import Programme, Stage

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
MOVE_ON = "CompletedAndPassed"
"""The AU is satisfied once the learner has completed the material and passed the assessment."""


def mastery_score(pass_mark: int) -> str:
    """A pass mark percentage as a cmi5 masteryScore (decimal 0-1, at most four places): 80 -> ``0.8``."""
    return f"{(Decimal(pass_mark) / 100).normalize():f}"


def texts(parent: etree._Element, name: str, value: str, lang: str) -> None:
    """A ``title`` or ``description`` holding one language string."""
    sub(sub(parent, f"{{{NS}}}{name}"), f"{{{NS}}}langstring", value, lang=lang)


def build_manifest(programme: Programme, stage: Stage, files: Sequence[str]) -> dict[str, bytes]:
    """``{"cmi5.xml": bytes}``: the stage as a course holding one AU with a relative URL."""
    from elearn_builder.xapi import iris  # here: the registry is read on every start, without the model

    check_files(files)
    assessment = programme.assessment_for(stage.id)
    lang = programme.language
    description = programme.description or programme.title
    root = element(f"{{{NS}}}courseStructure", nsmap={None: NS})
    course = sub(root, f"{{{NS}}}course", id=iris.stage_course(programme, stage.id))
    texts(course, "title", course_title(programme, stage), lang)
    texts(course, "description", description, lang)
    au = sub(root, f"{{{NS}}}au", id=iris.stage_au(programme, stage.id), moveOn=MOVE_ON,
             masteryScore=mastery_score(assessment.pass_mark), launchMethod="AnyWindow")
    texts(au, "title", course_title(programme, stage), lang)
    texts(au, "description", f"{stage.title}: the shared modules, the self-assessment and the "
                             f"{assessment.title} (pass mark {assessment.pass_mark}%).", lang)
    sub(au, f"{{{NS}}}url", LAUNCH)
    return {"cmi5.xml": serialise(root)}


STANDARD = Standard(
    name="cmi5", label="cmi5", descriptor="cmi5.xml", root=f"{{{NS}}}courseStructure",
    state_limit=64000, xapi_only=True, adapter="adapter-cmi5.js",
    schemas=SchemaSet("cmi5", "cmi5", ((NS, "CourseStructure.xsd"),)), manifest=build_manifest,
    rules="xapi_rules.check_cmi5")
"""``state_limit``: the runtime keeps its saved state within SCORM 2004's 64000 characters here too."""
