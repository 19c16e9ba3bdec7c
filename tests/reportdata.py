"""Generated statements made to look like the programme's own, with one small organisation, for the report tests."""
from __future__ import annotations

import json
from pathlib import Path

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.xapi.generate import generate_statements
from elearn_builder.sources.course import load_course

REPO = Path(__file__).resolve().parents[1]
EXT = "https://xapi.reflective-supervision.org.uk/extensions/"
SMALL = "council-c"


def programme():
    found = load_course(REPO / "content", Diagnostics())
    assert found is not None
    return found


def programme_statements(seed: int = 11, learners: int = 240, small: dict | None = None) -> list[dict]:
    """``generate_statements`` with the generator's questions (``<stage>-q<n>``) renamed to the n-th scored question
    of the stage's assessment in content/, and the learners of ``small`` ({stage: count}, default 6 social workers
    and 3 managers) moved to the organisation ``council-c``."""
    course = programme()
    real = {stage: [q.id for q in assessment.questions if q.scored] for stage, assessment in course.assessments}
    small = {"social-worker": 6, "manager": 3} if small is None else small
    moved: dict[str, set] = {stage: set() for stage in small}
    out = []
    for statement in generate_statements(seed=seed, learners=learners):
        statement = json.loads(json.dumps(statement))
        extensions = statement["context"]["extensions"]
        stage, who = extensions[EXT + "stage"], statement["actor"]["account"]["name"]
        if stage in moved and (who in moved[stage] or len(moved[stage]) < small[stage]):
            moved[stage].add(who)
            extensions[EXT + "organisation"] = SMALL
        prefix = f"{course.iri}/questions/{stage}-q"
        if statement["object"]["id"].startswith(prefix):
            number = int(statement["object"]["id"][len(prefix):])
            statement["object"]["id"] = f"{course.iri}/questions/{real[stage][number - 1]}"
        out.append(statement)
    return out
