"""In-memory course models for unit tests, built from the model dataclasses directly."""
from __future__ import annotations

from pathlib import Path

from elearn_builder.model import Assessment, Bank, Choice, KeyArea, Location, Module, Page, Programme, Question, Stage

PACKAGE_FILES = ("assets/adapter-standalone.js", "assets/elearn.js", "assets/package.js", "assets/theme.css",
                 "index.html", "media/diagram.svg")
"""A plausible sorted package file list (everything but descriptors and control files)."""


def make_assessment(stage_id: str, pass_mark: int) -> Assessment:
    """One assessment with a single choice question."""
    where = Location(f"assessments/{stage_id}.yaml", 1, 1)
    question = Question(
        id=f"{stage_id}-q1", type="choice", key_area="reflective-practice", pcf_domains=(1,),
        prompt_html="<p>How often is supervision?</p>", prompt_text="How often is supervision?",
        choices=(Choice("monthly", "<p>Monthly</p>", "Monthly", True),
                 Choice("yearly", "<p>Yearly</p>", "Yearly", False)),
        feedback_correct_html="<p>Yes.</p>", feedback_incorrect_html="<p>No.</p>",
        location=Location(where.path, 5, 3))
    return Assessment(id=f"{stage_id}-check", title="Knowledge check", intro_html="<p>Answer.</p>",
                      pass_mark=pass_mark, attempts=3, feedback="immediate",
                      banks=(Bank("main", "", "", 0, (question,)),), location=where)


def make_programme(pass_marks: tuple[int, int] = (80, 75), **overrides) -> Programme:
    """2 key areas, 2 stages (``social-worker``, ``manager``), 1 module of 2 pages, 1 assessment per stage."""
    where = Location("modules/one.md", 1, 1)
    pages = tuple(Page(id=f"one-{n}", module_id="one", title=f"Page {n}", html=f"<p>Page {n}.</p>",
                       location=Location(where.path, 10 * n, 1)) for n in (1, 2))
    module = Module(id="one", title="Module one", pcf_domains=(1, 2), key_areas=("reflective-practice", "pcf"),
                    duration="PT20M", pages=pages, location=where, summary="The first module.")
    stages = (
        Stage("social-worker", "Social worker", "social-worker", "assessments/social-worker.yaml",
              (("reflective-practice", 3), ("pcf", 3))),
        Stage("manager", "Manager", "advanced", "assessments/manager.yaml",
              (("reflective-practice", 4), ("pcf", 4))),
    )
    fields = dict(
        id="mini", iri="https://example.org/xapi/mini", title="Mini course",
        description="A course for tests.", version="1.0.0", language="en-GB", publisher="Test Partnership",
        key_areas=(KeyArea("reflective-practice", "Reflective practice"),
                   KeyArea("pcf", "The Professional Capabilities Framework")),
        stages=stages, modules=(module,),
        assessments=tuple((s.id, make_assessment(s.id, mark)) for s, mark in zip(stages, pass_marks)),
    )
    fields.update(overrides)
    return Programme(**fields)


def write_package(root: Path, files: dict[str, bytes], stubs=()) -> None:
    """Write ``files`` (path -> bytes) under ``root``, plus a small stub for every path in ``stubs``."""
    for name, data in {**{s: b"stub\n" for s in stubs}, **files}.items():
        target = Path(root) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
