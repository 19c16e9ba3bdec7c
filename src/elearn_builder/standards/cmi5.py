"""cmi5 packager: ``cmi5.xml`` with one course and one assignable unit (``index.html``) per stage."""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from lxml import etree

from elearn_builder.xapi import iris
from elearn_builder.model import Programme, Stage
from elearn_builder.standards import Standard
from elearn_builder.standards.common import LAUNCH, check_files, course_title, serialise, sub

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
    check_files(files)
    assessment = programme.assessment_for(stage.id)
    lang = programme.language
    description = programme.description or programme.title
    root = etree.Element(f"{{{NS}}}courseStructure", nsmap={None: NS})
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


STANDARD = Standard(name="cmi5", label="cmi5", adapter="adapter-cmi5.js", schema_subdir="cmi5",
                    manifest=build_manifest)
