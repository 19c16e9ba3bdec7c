"""The validated course model: frozen dataclasses shared by rendering and packaging."""
from __future__ import annotations

from dataclasses import dataclass, field

QUESTION_TYPES = ("choice", "multiple-response", "true-false", "matching", "sequencing", "fill-in", "long-fill-in")
"""Assessment question types (SCORM interaction type in ``Question.interaction_type``)."""
GAP_THRESHOLD = 0.5
"""A key area counts as a gap when its score (the mean of whole-point ratings) is at least this far below the
stage's expected level: a mean closer than half a point rounds to the expected level itself, so a smaller
difference (one rating a point lower among eight statements is 0.1) is within the precision of the scale."""
MODULES_PER_GAP = 3
"""The gap profile lists at most this many modules for a key area with a gap, the most relevant first."""


@dataclass(frozen=True)
class Location:
    """Where a value came from: a source path (relative to the course folder) and a 1-based line/column."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class KeyArea:
    id: str
    title: str


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    pcf_level: str
    assessment_path: str
    expectations: tuple[tuple[str, int], ...] = ()
    """(key area id, expected self-assessment level 1-5) pairs."""
    location: Location | None = None


@dataclass(frozen=True)
class Media:
    """A file from the course folder copied into every package (images and the like)."""

    source: str
    """Path relative to the course folder, e.g. ``media/kolb-cycle.svg``."""
    target: str
    """Path inside the package, e.g. ``media/kolb-cycle.svg``."""


@dataclass(frozen=True)
class Page:
    id: str
    """Unique in the course: ``<module id>-<n>`` (n from 1), safe in URLs and XML ids."""
    module_id: str
    title: str
    html: str
    """The page body as HTML (without its own title heading)."""
    location: Location


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    pcf_domains: tuple[int, ...]
    key_areas: tuple[str, ...]
    duration: str
    """ISO 8601 duration such as ``PT20M``."""
    pages: tuple[Page, ...]
    location: Location
    summary: str = ""


@dataclass(frozen=True)
class Choice:
    id: str
    """Author's id, a CMIIdentifier-safe token (letters, digits, ``-``, ``_``)."""
    html: str
    text: str
    """Plain text, for LMS reports."""
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    key_area: str
    pcf_domains: tuple[int, ...]
    prompt_html: str
    prompt_text: str
    choices: tuple[Choice, ...]
    """Options of choice, multiple-response and true-false; items of sequencing, in the correct order."""
    feedback_correct_html: str
    feedback_incorrect_html: str
    location: Location
    weight: float = 1.0
    sources: tuple[Choice, ...] = ()
    """Matching: the items to match, in source order."""
    targets: tuple[Choice, ...] = ()
    """Matching: what they match to (the pairs' targets, then any distractors)."""
    pairs: tuple[tuple[str, str], ...] = ()
    """Matching: the correct (source id, target id) pairs."""
    accepted: tuple[str, ...] = ()
    """Fill-in: the accepted answers."""
    case_matters: bool = False
    max_length: int = 0
    """Fill-in and long-fill-in: the most characters a learner may type."""
    guidance_html: str = ""
    """Long-fill-in: guidance shown with the question."""
    bank: str = "main"
    shuffle: bool = True
    """Choice and multiple-response: the runtime shows the options in a new order each attempt."""
    module: str = ""
    """The id of the module that teaches this (given, or derived from the key area and PCF domains)."""
    partial: bool = False
    """Matching and multiple-response: credit per pair or option instead of all or nothing."""
    accept: tuple[tuple[str, ...], ...] = ()
    """Sequencing: further orders (item ids) that are right as well as the listed one."""
    max_words: int = 0
    """Fill-in and long-fill-in: the most words (0: no limit)."""
    criteria: tuple[str, ...] = ()
    """Long-fill-in: what a good answer covers; the learner checks the answer against them."""

    @property
    def interaction_type(self) -> str:
        """The SCORM interaction type for this question."""
        return {"multiple-response": "choice"}.get(self.type, self.type)

    @property
    def scored(self) -> bool:
        """Written answers are marked by a person, never by the package."""
        return self.type != "long-fill-in"

    @property
    def correct_ids(self) -> tuple[str, ...]:
        if self.type == "sequencing":
            return tuple(c.id for c in self.choices)
        return tuple(c.id for c in self.choices if c.correct)


@dataclass(frozen=True)
class Bank:
    """Questions shown together (after an optional case or transcript), ``draw`` of them per attempt."""

    id: str
    title: str
    intro_html: str
    draw: int
    """Questions drawn per attempt; 0 means all, in source order."""
    questions: tuple[Question, ...]
    location: Location | None = None
    """Where its question list starts (bank warnings point there)."""


@dataclass(frozen=True)
class Assessment:
    id: str
    title: str
    intro_html: str
    pass_mark: int
    """Percentage 0-100 needed to pass."""
    attempts: int
    """Attempts allowed; 0 means unlimited."""
    feedback: str
    """``immediate`` (after each submission, per question), ``summary`` (score only) or ``none``."""
    banks: tuple[Bank, ...]
    location: Location
    feedback_on_fail: str = "full"
    """``full`` (feedback as ``feedback`` says) or ``revisit``: after a failed attempt with attempts left,
    a wrong answer names the module to revisit, never the key; full feedback once passed or out of attempts."""

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question, bank by bank."""
        return tuple(q for bank in self.banks for q in bank.questions)


@dataclass(frozen=True)
class Statement:
    """One self-assessment statement, rated on the self-assessment's scale."""

    id: str
    key_area: str
    pcf_domains: tuple[int, ...]
    text: str
    location: Location


@dataclass(frozen=True)
class SelfAssessment:
    id: str
    title: str
    intro_html: str
    scale: tuple[str, ...]
    """Labels of the Likert points, lowest first; point n is ``scale[n - 1]``."""
    statements: tuple[Statement, ...]
    location: Location


@dataclass(frozen=True)
class Activity:
    """One timed part of a master class."""

    minutes: int
    title: str
    html: str


@dataclass(frozen=True)
class MasterClass:
    """A facilitator's session plan: aims, timing, activities, materials, use of the self-assessment."""

    id: str
    title: str
    minutes: int
    """The whole session; the activities add up to it."""
    when_html: str
    """Where the session sits in the blend (before, between or after the modules)."""
    modules: tuple[str, ...]
    """Ids of the modules the session draws on."""
    aims: tuple[str, ...]
    materials: tuple[str, ...]
    self_assessment_html: str
    """How the session uses the self-assessment results (the learner's own and the group's baseline)."""
    activities: tuple[Activity, ...]
    stage_notes: tuple[tuple[str, str], ...] = ()
    """(stage id, HTML) notes for the facilitator of that stage's group."""


@dataclass(frozen=True)
class Facilitation:
    """The master classes of the blend, built into a facilitator guide per stage (``elearn guide``)."""

    title: str
    intro_html: str
    classes: tuple[MasterClass, ...]
    location: Location


ORGANISATION_KEYS = ("name", "partnership", "audit", "credit_route", "contact")
"""The deploying organisation's settings in ``programme.yaml`` (``organisation:``), all optional text."""


@dataclass(frozen=True)
class Programme:
    id: str
    """Short id used in file names, e.g. ``reflective-supervision``."""
    iri: str
    """IRI base for activity ids, without a trailing slash."""
    title: str
    description: str
    version: str
    language: str
    publisher: str
    key_areas: tuple[KeyArea, ...]
    stages: tuple[Stage, ...]
    modules: tuple[Module, ...]
    assessments: tuple[tuple[str, Assessment], ...]
    """(stage id, assessment) pairs, in stage order."""
    media: tuple[Media, ...] = ()
    self_assessment: SelfAssessment | None = None
    formats: tuple[str, ...] = ()
    """The formats to build (names in ``standards.registry()``); ``load_course`` gives the default when
    ``programme.yaml`` names none."""
    theme: tuple[tuple[str, str], ...] = field(default=())
    """Theme settings from ``programme.yaml`` (colours, logo), as sorted pairs."""
    organisation: tuple[tuple[str, str], ...] = ()
    """The deploying organisation's settings (``ORGANISATION_KEYS``), as sorted pairs; absent ones are ""."""
    facilitation: Facilitation | None = None
    """The master classes (``master_classes:`` in ``programme.yaml``), or None."""

    def assessment_for(self, stage_id: str) -> Assessment:
        return dict(self.assessments)[stage_id]

    def stage(self, stage_id: str) -> Stage:
        return {s.id: s for s in self.stages}[stage_id]
