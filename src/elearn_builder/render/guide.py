"""``elearn guide``: the master classes as a printable facilitator guide per stage (HTML, A4), outside build/."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from elearn_builder.diagnostics import Diagnostics, ElearnError, SourceErrors
from elearn_builder.sources.course import load_course
from elearn_builder.model import Programme, Stage

TEMPLATE = "facilitator-guide.html.j2"
SETTING_LABELS = (("name", "Organisation"), ("partnership", "Partnership"), ("audit", "Audit of supervision"),
                  ("credit_route", "Academic credit route"), ("contact", "Contact for learners"))
"""The organisation's settings in the order and words the guide shows them."""


@dataclass(frozen=True)
class GuideOptions:
    source: Path
    output: Path
    templates: Path | None = None
    stages: tuple[str, ...] = ()
    strict: bool = False


def guide_name(programme: Programme, stage: Stage) -> str:
    return f"{programme.id}-{stage.id}-facilitator-guide.html"


def stage_context(programme: Programme, stage: Stage) -> dict:
    """What the template needs for one stage: the classes with this stage's notes, its levels and assessment."""
    facilitation = programme.facilitation
    areas = {a.id: a.title for a in programme.key_areas}
    assessment = programme.assessment_for(stage.id)
    drawn = sum(b.draw or len(b.questions) for b in assessment.banks if any(q.scored for q in b.questions))
    organisation = dict(programme.organisation)
    classes = [{"c": c, "notes": dict(c.stage_notes).get(stage.id, ""),
                "modules": [m.title for mid in c.modules for m in programme.modules if m.id == mid],
                "starts": [sum(a.minutes for a in c.activities[:i]) for i in range(len(c.activities))]}
               for c in facilitation.classes]
    return {"programme": programme, "stage": stage, "number": programme.stages.index(stage) + 1,
            "facilitation": facilitation, "classes": classes,
            "settings": [(label, organisation.get(key, "")) for key, label in SETTING_LABELS],
            "levels": [(areas[a], level) for a, level in stage.expectations],
            "scale": programme.self_assessment.scale if programme.self_assessment else (),
            "assessment": assessment, "drawn": drawn,
            "written": [q for q in assessment.questions if not q.scored],
            "theme": dict(programme.theme)}


def render_guides(programme: Programme, stages: list[Stage], templates: Path | None) -> dict[str, bytes]:
    """Each stage's guide as one self-contained HTML file (styles inline, no script, no external file)."""
    from elearn_builder.render.stage import environment

    template = environment(templates).get_template(TEMPLATE)
    return {guide_name(programme, s): template.render(**stage_context(programme, s)).encode("utf-8") for s in stages}


def build_guides(options: GuideOptions) -> list[Path]:
    """Load and check the course, then write one guide per stage into ``options.output`` (all or nothing)."""
    from elearn_builder.packaging.write import write_packages

    diags = Diagnostics()
    programme = load_course(options.source, diags)
    if programme is None or diags.errors or (options.strict and diags.items):
        raise SourceErrors(diags.sorted(), options.strict)
    if programme.facilitation is None:
        raise ElearnError(f'{options.source / "programme.yaml"}: names no master classes file (master_classes:), '
                          "so there is no facilitator guide to build")
    known = [s.id for s in programme.stages]
    unknown = [s for s in options.stages if s not in known]
    if unknown:
        raise ElearnError(f'unknown stage "{unknown[0]}"; the programme has {", ".join(known)}')
    stages = [s for s in programme.stages if not options.stages or s.id in options.stages]
    files = render_guides(programme, stages, options.templates)
    return write_packages(options.output, files)
