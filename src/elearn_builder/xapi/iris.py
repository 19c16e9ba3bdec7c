"""Stable activity IRIs, derived from the programme IRI and source ids: never random, never renumbered."""
from __future__ import annotations

from elearn_builder.model import Programme


def stage_course(programme: Programme, stage_id: str) -> str:
    """The course a stage's package delivers (the cmi5 course id, the tincan root activity)."""
    return f"{programme.iri}/stages/{stage_id}"


def stage_au(programme: Programme, stage_id: str) -> str:
    """The publisher id of the stage's cmi5 assignable unit."""
    return f"{programme.iri}/stages/{stage_id}/au"


def module(programme: Programme, module_id: str) -> str:
    return f"{programme.iri}/modules/{module_id}"


def page(programme: Programme, page_id: str) -> str:
    return f"{programme.iri}/pages/{page_id}"


def assessment(programme: Programme, assessment_id: str) -> str:
    return f"{programme.iri}/assessments/{assessment_id}"


def question(programme: Programme, question_id: str) -> str:
    return f"{programme.iri}/questions/{question_id}"


def self_assessment(programme: Programme) -> str:
    return f"{programme.iri}/self-assessment"


def statement(programme: Programme, statement_id: str) -> str:
    return f"{programme.iri}/self-assessment/{statement_id}"


def key_area(programme: Programme, area_id: str) -> str:
    return f"{programme.iri}/key-areas/{area_id}"
