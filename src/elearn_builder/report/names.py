"""Human names for the baseline report: stage titles, key areas, PCF domains, question text and teaching modules."""
from __future__ import annotations

from dataclasses import dataclass, field

from elearn_builder.report.baseline import ALL
from elearn_builder.model import Programme



@dataclass(frozen=True)
class Names:
    """What the report calls each id; ids it does not know are shown as recorded (and the page says so)."""

    title: str = ""
    """The programme's title (empty without sources)."""
    publisher: str = ""
    stages: dict = field(default_factory=dict)
    """Stage id -> title, in the programme's progression order."""
    expected: dict = field(default_factory=dict)
    """Stage id -> {key area id: expected self-assessment level}."""
    key_areas: dict = field(default_factory=dict)
    """Key area id -> title, in the programme's order."""
    domains: dict = field(default_factory=dict)
    """PCF domain number (as text) -> name, e.g. ``"1" -> "1. Professionalism"``."""
    scale: tuple = ()
    """The self-assessment scale's labels, lowest first."""
    questions: dict = field(default_factory=dict)
    """Question IRI -> (prompt text, title of the module that teaches it)."""
    from_programme: bool = False

    def stage(self, stage_id: str) -> str:
        return self.stages.get(stage_id, stage_id)

    def key_area(self, area_id: str) -> str:
        return self.key_areas.get(area_id, area_id)

    def domain(self, number) -> str:
        return self.domains.get(str(number), f"Domain {number}")

    def stage_order(self, stage_ids) -> list[str]:
        """The programme's stages first, in its order, then any others as recorded."""
        known = [s for s in self.stages if s in stage_ids]
        return known + sorted(set(stage_ids) - set(known))

    def area_order(self, area_ids) -> list[str]:
        known = [a for a in self.key_areas if a in area_ids]
        return known + sorted(set(area_ids) - set(known))


def organisation_name(value: str) -> str:
    """An organisation as recorded; a home page without its scheme; ``All organisations`` for the total."""
    if value == ALL:
        return "All organisations"
    if value == "(unknown)":
        return "Organisation not recorded"
    for scheme in ("https://", "http://"):
        if value.startswith(scheme):
            return value[len(scheme):].rstrip("/")
    return value


def pcf_domains(strings: dict) -> dict:
    """PCF domain names from the theme's strings (``pcf_domain_1`` ...)."""
    return {key.rsplit("_", 1)[1]: value for key, value in strings.items() if key.startswith("pcf_domain_")}


def names_for(programme: Programme | None, strings: dict) -> Names:
    """Names from the programme's sources and the theme's strings; without a programme, only the domains."""
    if programme is None:
        return Names(domains=pcf_domains(strings))
    teaches = teaching_modules(programme)
    questions = {f"{programme.iri}/questions/{q.id}": (q.prompt_text, teaches.get(q.id, ""))
                 for _, assessment in programme.assessments for q in assessment.questions}
    return Names(title=programme.title, publisher=programme.publisher,
                 stages={s.id: s.title for s in programme.stages},
                 expected={s.id: dict(s.expectations) for s in programme.stages},
                 key_areas={a.id: a.title for a in programme.key_areas}, domains=pcf_domains(strings),
                 scale=programme.self_assessment.scale if programme.self_assessment else (),
                 questions=questions, from_programme=True)


def teaching_modules(programme: Programme) -> dict[str, str]:
    """Question id -> "n. title" of the module that teaches it: the question's ``module`` (the author's, or the
    one the loader derived from its key area and PCF domains), the same module a failed attempt points to."""
    numbered = {module.id: f"{index}. {module.title}" for index, module in enumerate(programme.modules, 1)}
    return {q.id: numbered.get(q.module, "") for _, assessment in programme.assessments for q in assessment.questions}
