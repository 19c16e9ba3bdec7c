"""The package's saved state (suspend data v2): its fingerprint and the largest it can get.

What each format keeps of it is its record's ``state_limit`` (``Standard`` in ``standards/record.py``)."""
from __future__ import annotations

import hashlib
import json

from elearn_builder.model import Assessment, Programme, Question

UNLIMITED_ATTEMPTS = 9_999_999
"""Stand-in for the attempt counter when attempts are unlimited (seven digits)."""


def compact(value) -> str:
    """JSON as the runtime writes it (``JSON.stringify``: no spaces)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def content_pages(programme: Programme) -> list[str]:
    return [p.id for m in programme.modules for p in m.pages]


def fingerprint(programme: Programme, assessment: Assessment) -> str:
    """Changes whenever anything saved state refers to changes: page, statement, question and option ids."""
    sa = programme.self_assessment
    shape = {
        "pages": content_pages(programme),
        "statements": [s.id for s in sa.statements] if sa else [],
        "scale": len(sa.scale) if sa else 0,
        "banks": [[b.id, b.draw, [[q.id, q.type, [c.id for c in q.choices], [s.id for s in q.sources],
                                   [t.id for t in q.targets]] for q in b.questions]] for b in assessment.banks],
    }
    return hashlib.sha256(compact(shape).encode()).hexdigest()[:8]


def worst_response(question: Question) -> list | str:
    """The longest response the runtime can save for a question."""
    if question.type in ("fill-in", "long-fill-in"):
        return "\n" * question.max_length  # every typed character may cost two when escaped
    if question.type == "matching":
        widest = max(len(question.targets) - 1, 10)  # "-1" (unanswered) is two characters, like 10
        return [widest] * len(question.sources)
    if question.type in ("multiple-response", "sequencing"):
        return list(range(len(question.choices)))
    return [len(question.choices) - 1]


def worst_case(programme: Programme, assessment: Assessment) -> int:
    """Characters of the largest suspend data this stage's package can write."""
    pages = content_pages(programme)
    statements = len(programme.self_assessment.statements) if programme.self_assessment else 0
    drawn, responses, checks = [], [], []
    index = 0
    for bank in assessment.banks:
        costs = []
        for offset, question in enumerate(bank.questions):
            response = worst_response(question)
            check = "f" * -(-len(question.criteria) // 4)  # criteria met, as a hex bitmap
            costs.append((len(compact(index + offset)) + len(compact(response)) + len(check), index + offset, response,
                          check))
        take = bank.draw or len(bank.questions)
        for _, i, response, check in sorted(costs, reverse=True)[:take]:
            drawn.append(i)
            responses.append(response)
            checks.append(check)
        index += len(bank.questions)
    # The checks against criteria, by place in the draw: the widest places for the longest bound.
    checked = {str(len(drawn) - 1 - n): c for n, c in enumerate(c for c in checks if c)}
    attempt = {"n": assessment.attempts or UNLIMITED_ATTEMPTS, "d": drawn, "r": responses, "s": 100, "o": 4294967295}
    if checked:
        attempt["c"] = checked
    # Interactions so far: retakes of the self-assessment are unlimited; an attempt records its questions and,
    # for each written answer, the learner's check against its criteria.
    written = sum(1 for c in checks if c)
    state = {"v": 2, "h": "0" * 8, "p": "f" * -(-len(pages) // 4),
             "s": {"b": "9" * statements, "l": "9" * statements},
             "a": attempt,
             "i": statements * UNLIMITED_ATTEMPTS + attempt["n"] * (len(drawn) + written),
             "x": {"r": "0" * 36, "k": UNLIMITED_ATTEMPTS}}
    return len(compact(state))


def largest_written_answer(assessment: Assessment) -> Question | None:
    typed = [q for q in assessment.questions if q.type in ("fill-in", "long-fill-in")]
    return max(typed, key=lambda q: q.max_length, default=None)
