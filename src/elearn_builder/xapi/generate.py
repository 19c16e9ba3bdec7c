"""A seeded generator of realistic statements of the profile, streamed, for tests, demos and benchmarks."""
from __future__ import annotations

from types import MappingProxyType

import json
import random
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from elearn_builder.xapi import iris
from elearn_builder.xapi.profile import Vocabulary, load_profile

START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
ORGANISATIONS = ("council-a", "council-b")
STAGES = ("social-worker", "experienced-social-worker", "manager")
KEY_AREAS = MappingProxyType({"reflective-practice": (6,), "supervision-skills": (7,),
                              "principles-policies-procedures": (1, 8), "pcf": (9,)})
EXPECTED = MappingProxyType({"social-worker": 2, "experienced-social-worker": 3, "manager": 4})
SCALE = ("New to this", "Developing", "Competent", "Confident", "Able to teach and lead others")
STATEMENTS_PER_AREA = 2
QUESTIONS = tuple(f"q{n}" for n in range(1, 7))
PASS_MARK = 0.6
RETAKE_SHARE = 0.4


def statement_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def self_assessment_figures(ratings: dict[str, list[int]], stage: str) -> tuple[dict, dict, dict]:
    """(scores, expected levels, gaps) per key area from the ratings, as the runtime computes them."""
    scores = {area: round(sum(r) / len(r), 2) for area, r in ratings.items()}
    expected = {area: EXPECTED[stage] for area in ratings}
    gaps = {area: round(max(0.0, expected[area] - score), 2) for area, score in scores.items()}
    return scores, expected, gaps


class _Registration:
    """Builds the statements of one learner's registration in timestamp order."""

    def __init__(self, vocab: Vocabulary, rng: random.Random, learner: int, organisation: str, stage: str,
                 start: datetime) -> None:
        self.vocab, self.rng, self.stage, self.org, self.clock = vocab, rng, stage, organisation, start
        self.programme = SimpleNamespace(iri=vocab.profile_id.rsplit("/", 1)[0])
        self.actor = {"objectType": "Agent", "name": f"Learner {learner:05d}",
                      "account": {"homePage": f"https://lms.{organisation}.example.org",
                                  "name": f"learner-{learner:05d}"}}
        self.registration, self.session = statement_uuid(rng), ""
        self.course = self.activity(iris.stage_course(self.programme, stage), "course", f"Stage {stage}")

    def activity(self, activity_id: str, kind: str, name: str, **definition) -> dict:
        return {"objectType": "Activity", "id": activity_id,
                "definition": {"type": self.vocab.activity_type(kind), "name": {"en-GB": name}, **definition}}

    def key_area(self, area: str) -> dict:
        return self.activity(iris.key_area(self.programme, area), "key-area", area)

    def make(self, verb: str, obj: dict, result: dict | None = None, parent: dict | None = None,
             other: list | None = None, **extensions) -> dict:
        self.clock += timedelta(seconds=self.rng.randint(5, 90))
        activities = {"category": [self.vocab.category()]}
        if obj is not self.course:
            activities["grouping"] = [self.course]
        if parent:
            activities["parent"] = [parent]
        if other:
            activities["other"] = other
        context_ext = {"stage": self.stage, "session": self.session, "organisation": self.org, **extensions}
        statement = {"id": statement_uuid(self.rng), "actor": self.actor, "verb": self.vocab.verb(verb), "object": obj,
                     "context": {"registration": self.registration, "language": "en-GB",
                                 "contextActivities": activities,
                                 "extensions": {self.vocab.extension(k.replace("_", "-")): v
                                                for k, v in context_ext.items()}},
                     "timestamp": iso(self.clock)}
        if result is not None:
            extras = {self.vocab.extension(k): result.pop(k) for k in list(result)
                      if k not in ("response", "success", "completion", "duration", "score")}
            statement["result"] = {**result, **({"extensions": extras} if extras else {})}
        return statement

    def open_session(self) -> Iterator[dict]:
        self.session = statement_uuid(self.rng)
        yield self.make("initialized", self.course)

    def close_session(self) -> Iterator[dict]:
        yield self.make("terminated", self.course, result={"duration": "PT20M"})

    def self_assessment(self, attempt: int, lift: float) -> Iterator[dict]:
        programme, rng = self.programme, self.rng
        page = self.activity(iris.page(programme, "self-assessment"), "lesson", "Self-assessment")
        yield self.make("experienced", page, parent=self.course, result={"progress": 0})
        parent = self.activity(iris.self_assessment(programme), "self-assessment", "Self-assessment")
        ratings: dict[str, list[int]] = {}
        base = EXPECTED[self.stage] - 0.5 + lift
        for area, domains in KEY_AREAS.items():
            for n in range(1, STATEMENTS_PER_AREA + 1):
                rating = min(5, max(1, round(rng.gauss(base, 1.0))))
                ratings.setdefault(area, []).append(rating)
                likert = self.activity(
                    iris.statement(programme, f"sa-{area}-{n}"), "self-assessment-statement", f"sa-{area}-{n}",
                    interactionType="likert", description={"en-GB": f"Statement {n} about {area}."},
                    scale=[{"id": str(i), "description": {"en-GB": label}} for i, label in enumerate(SCALE, 1)])
                yield self.make("answered", likert, result={"response": str(rating)}, parent=parent,
                                other=[self.key_area(area)], key_area=area, pcf_domains=list(domains), attempt=attempt)
        scores, expected, gaps = self_assessment_figures(ratings, self.stage)
        yield self.make("self-assessed", parent, parent=self.course, other=[self.key_area(a) for a in KEY_AREAS],
                        attempt=attempt, result={"completion": True, "duration": "PT8M", "scores": scores,
                                                 "expected-levels": expected, "gaps": gaps})

    def learning(self) -> Iterator[dict]:
        programme, rng = self.programme, self.rng
        module = self.activity(iris.module(programme, f"{self.stage}-module"), "module", "Module")
        for n in range(1, rng.randint(2, 5)):
            page = self.activity(iris.page(programme, f"{self.stage}-page-{n}"), "lesson", f"Page {n}")
            yield self.make("experienced", page, parent=module, result={"progress": 10 * n}, pcf_domains=[5, 6])
        if rng.random() < 0.15:  # left before the assessment
            return
        assessment = self.activity(iris.assessment(programme, f"{self.stage}-knowledge"), "assessment", "Assessment")
        ability, correct = rng.uniform(0.35, 0.95), 0
        areas = list(KEY_AREAS)
        for index, qid in enumerate(QUESTIONS):
            difficulty = 0.25 * (index % 3)  # later questions of each trio are harder
            right = rng.random() < ability - difficulty + 0.25
            correct += right
            area = areas[index % len(areas)]
            question = self.activity(
                iris.question(programme, f"{self.stage}-{qid}"), "interaction", f"{self.stage}-{qid}",
                interactionType="choice", description={"en-GB": f"Question {qid} of stage {self.stage}?"},
                choices=[{"id": c, "description": {"en-GB": c}} for c in ("a", "b", "c")],
                correctResponsesPattern=["a"])
            yield self.make("answered", question, result={"response": "a" if right else rng.choice("bc"),
                                                          "success": right},
                            parent=assessment, other=[self.key_area(area)], key_area=area,
                            pcf_domains=list(KEY_AREAS[area]), bank="knowledge", attempt=1)
        scaled = round(correct / len(QUESTIONS), 4)
        passed = scaled >= PASS_MARK
        yield self.make("passed" if passed else "failed", assessment, attempt=1, result={
            "score": {"scaled": scaled, "raw": correct, "min": 0, "max": len(QUESTIONS)}, "success": passed,
            "duration": "PT6M"})
        if passed:
            yield self.make("completed", self.course, result={"completion": True, "duration": "PT30M"})


def generate_statements(seed: int = 1, learners: int = 100, profile: dict | None = None) -> Iterator[dict]:
    """Statements of ``learners`` learners, deterministic for ``seed``, each registration in timestamp order.

    Learner n has organisation ``ORGANISATIONS[n % 2]`` and stage ``STAGES[n % 3]``; every learner takes the
    self-assessment; some come back one to three months later for a second one.
    """
    vocab = Vocabulary(profile or load_profile())
    rng = random.Random(seed)
    for learner in range(1, learners + 1):
        start = START + timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 600))
        reg = _Registration(vocab, rng, learner, ORGANISATIONS[learner % 2], STAGES[learner % 3], start)
        yield from reg.open_session()
        yield from reg.self_assessment(1, 0.0)
        yield from reg.learning()
        yield from reg.close_session()
        if rng.random() < RETAKE_SHARE:
            reg.clock += timedelta(days=rng.randint(30, 90))
            yield from reg.open_session()
            yield from reg.self_assessment(2, 0.7)
            yield from reg.close_session()


def json_lines(statements: Iterable[dict]) -> Iterator[str]:
    """Each statement as one compact JSON line (with its newline)."""
    for statement in statements:
        yield json.dumps(statement, separators=(",", ":"), ensure_ascii=False) + "\n"


def batches(items: Iterable, size: int) -> Iterator[list]:
    """Lists of at most ``size`` items, in order."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
