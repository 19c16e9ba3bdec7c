"""The self-assessment baseline per stage, key area, PCF domain, organisation and month, aggregated as a stream."""
from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

EXT = "https://xapi.reflective-supervision.org.uk/extensions/"
VERB = "http://adlnet.gov/expapi/verbs/"
SELF_ASSESSED = "https://xapi.reflective-supervision.org.uk/verbs/self-assessed"
SELF_ASSESSMENT_STATEMENT = "https://xapi.reflective-supervision.org.uk/activity-types/self-assessment-statement"
ALL = "(all)"
SOURCES = ("extension", "homepage")


@dataclass
class _Learner:
    """What one learner in one stage contributes: the only state that grows (with learners, not statements)."""

    organisation: str = ""
    first: tuple = ()
    """(time, scores, gaps) of the earliest self-assessment."""
    latest: tuple = ()
    started: bool = False
    completed: bool = False
    verdicts: set = field(default_factory=set)
    domains: dict = field(default_factory=dict)
    """PCF domain -> [sum, count] of the ratings of the first self-assessment (attempt 1)."""
    key: int = 0
    """A number for the learner-stage, so a question can count its learners without keeping their names."""
    stage: str = ""


@dataclass
class _Question:
    """How often one question was answered and answered wrongly, and by how many learners."""

    stage: str
    text: str
    """The question's description in the first statement that carried it (what the LRS says it asked)."""
    answers: int = 0
    wrong: int = 0
    learners: set = field(default_factory=set)


def _when(value) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)


def _numbers(table) -> dict:
    """The numeric values of a key area -> number extension (what an LRS returns may be anything)."""
    if not isinstance(table, dict):
        return {}
    return {str(k): float(v) for k, v in table.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def actor_key(actor: dict) -> str:
    account = (actor or {}).get("account") or {}
    if account:
        return f"{account.get('homePage', '')}|{account.get('name', '')}"
    return str((actor or {}).get("mbox") or (actor or {}).get("mbox_sha1sum") or (actor or {}).get("openid") or "")


def organisation_of(statement: dict, source: str) -> str:
    """The organisation extension (else the account's home page), or the home page when asked for."""
    if source == "extension":
        found = ((statement.get("context") or {}).get("extensions") or {}).get(EXT + "organisation")
        if found:
            return str(found)
    return str((((statement.get("actor") or {}).get("account")) or {}).get("homePage") or "(unknown)")


def _most_common(counts: Counter):
    """The most common value (the lowest of a tie), as an int when whole; "" when none."""
    if not counts:
        return ""
    value = min(counts, key=lambda v: (-counts[v], v))
    return int(value) if value == int(value) else value


class Baseline:
    """Feed it statements one at a time (``add``), then read the tables (``scores()``, ``domains()`` ...)."""

    def __init__(self, organisation_from: str = "extension", gap_threshold: float = 0.0) -> None:
        """``gap_threshold``: a key area's gap (expected level less score, as the statements give it) counts when
        it is above zero and at least this; the same rule the learner's gap profile uses."""
        if organisation_from not in SOURCES:
            raise ValueError(f"organisation_from must be one of {SOURCES}")
        self.source, self.learners, self.questions, self.levels = organisation_from, {}, {}, {}
        self.statements, self.gap_threshold = 0, gap_threshold

    def add(self, statement: dict) -> None:
        self.statements += 1
        context = statement.get("context") or {}
        extensions = context.get("extensions") or {}
        stage = extensions.get(EXT + "stage")
        if not stage:
            return
        key = (actor_key(statement.get("actor")), str(stage))
        learner = self.learners.get(key)
        if learner is None:
            learner = self.learners[key] = _Learner(key=len(self.learners), stage=str(stage))
        learner.organisation = learner.organisation or organisation_of(statement, self.source)
        verb = (statement.get("verb") or {}).get("id", "")
        result = statement.get("result") or {}
        if verb == VERB + "initialized":
            learner.started = True
        elif verb == VERB + "completed":
            learner.completed = True
        elif verb in (VERB + "passed", VERB + "failed"):
            learner.verdicts.add(verb.rsplit("/", 1)[-1])
        elif verb == SELF_ASSESSED:
            found = result.get("extensions") or {}
            levels = _numbers(found.get(EXT + "expected-levels"))
            levels = self.levels.setdefault(tuple(sorted(levels.items())), levels)  # one copy per stage's levels
            entry = (_when(statement.get("timestamp")), _numbers(found.get(EXT + "scores")),
                     _numbers(found.get(EXT + "gaps")), levels)
            if not learner.first or entry[0] < learner.first[0]:
                learner.first = entry
            if not learner.latest or entry[0] >= learner.latest[0]:
                learner.latest = entry
        elif verb == VERB + "answered":
            self._answer(statement, learner, extensions, result)

    def _answer(self, statement: dict, learner: _Learner, extensions: dict, result: dict) -> None:
        obj = statement.get("object") or {}
        if (obj.get("definition") or {}).get("type") == SELF_ASSESSMENT_STATEMENT:
            if extensions.get(EXT + "attempt", 1) == 1:
                try:
                    rating = float(result.get("response"))
                except (TypeError, ValueError):
                    return
                for domain in extensions.get(EXT + "pcf-domains") or []:
                    total = learner.domains.setdefault(domain, [0.0, 0])
                    total[0], total[1] = total[0] + rating, total[1] + 1
        elif "success" in result:
            question = self.questions.get(obj.get("id", ""))
            if question is None:
                description = ((obj.get("definition") or {}).get("description") or {})
                text = next(iter(description.values()), "") if isinstance(description, dict) else ""
                question = self.questions[obj.get("id", "")] = _Question(str(learner.stage), str(text))
            question.answers += 1
            question.wrong += result["success"] is False
            question.learners.add(learner.key)

    def add_all(self, statements: Iterable[dict]) -> Baseline:
        for statement in statements:
            self.add(statement)
        return self

    # -- tables -------------------------------------------------------------------------------------------
    def _groups(self, stage: str, learner: _Learner) -> list[tuple]:
        period = learner.first[0].strftime("%Y-%m") if learner.first and learner.first[0].year < 9999 else ""
        return [(stage, ALL, ALL), (stage, learner.organisation, ALL), (stage, learner.organisation, period)]

    def scores(self) -> list[dict]:
        """Per stage, organisation, month (of the first self-assessment) and key area: learners, mean and 1-5
        distribution of the baseline scores, the level expected (the one most learners' statements give), share
        with a gap, mean change from the first to the latest."""
        groups: dict[tuple, dict] = {}
        for (_, stage), learner in self.learners.items():
            if not learner.first:
                continue
            _, scores, gaps, expected = learner.first
            for group in self._groups(stage, learner):
                for area, score in scores.items():
                    g = groups.setdefault(group + (area,), {"n": 0, "sum": 0.0, "gap": 0, "buckets": [0] * 5,
                                                            "changed": 0, "change": 0.0, "expected": Counter()})
                    g["n"] += 1
                    if area in expected:
                        g["expected"][expected[area]] += 1
                    g["sum"] += score
                    gap = gaps.get(area) or 0
                    g["gap"] += gap > 0 and gap >= self.gap_threshold
                    g["buckets"][min(5, max(1, int(score + 0.5))) - 1] += 1
                    if learner.latest[0] > learner.first[0] and area in learner.latest[1]:
                        g["changed"] += 1
                        g["change"] += learner.latest[1][area] - score
        return [{"stage": k[0], "organisation": k[1], "period": k[2], "key_area": k[3], "learners": g["n"],
                 "mean": round(g["sum"] / g["n"], 3), "expected_level": _most_common(g["expected"]),
                 **{f"score_{i}": g["buckets"][i - 1] for i in range(1, 6)},
                 "share_with_gap": round(g["gap"] / g["n"], 3), "learners_reassessed": g["changed"],
                 "mean_change": round(g["change"] / g["changed"], 3) if g["changed"] else ""}
                for k, g in sorted(groups.items())]

    def domains(self) -> list[dict]:
        """Per stage, organisation and PCF domain: learners and the mean of their baseline ratings on it."""
        groups: dict[tuple, list] = {}
        for (_, stage), learner in self.learners.items():
            for domain, (total, count) in learner.domains.items():
                for group in {(stage, ALL, domain), (stage, learner.organisation, domain)}:
                    g = groups.setdefault(group, [0, 0.0])
                    g[0], g[1] = g[0] + 1, g[1] + total / count
        return [{"stage": k[0], "organisation": k[1], "pcf_domain": k[2], "learners": n, "mean": round(s / n, 3)}
                for k, (n, s) in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1], item[0][2]))]

    def stages(self) -> list[dict]:
        """Per stage and organisation (and all organisations): learners, completion rate (of those who started)
        and pass rate (of those assessed)."""
        groups: dict[tuple, list] = {}
        for (_, stage), learner in self.learners.items():
            for group in ((stage, ALL), (stage, learner.organisation)):
                g = groups.setdefault(group, [0, 0, 0, 0, 0])
                g[0] += 1
                g[1] += learner.started
                g[2] += learner.started and learner.completed
                g[3] += bool(learner.verdicts)
                g[4] += "passed" in learner.verdicts
        return [{"stage": k[0], "organisation": k[1], "learners": g[0], "started": g[1], "completed": g[2],
                 "completion_rate": round(g[2] / g[1], 3) if g[1] else "", "assessed": g[3], "passed": g[4],
                 "pass_rate": round(g[4] / g[3], 3) if g[3] else ""} for k, g in sorted(groups.items())]

    def wrong_questions(self, top: int = 10, min_learners: int = 1) -> list[dict]:
        """The questions most often answered wrongly (by count, then share) among those answered by at least
        ``min_learners`` learners, with the stage, the number of learners and the question's description."""
        rows = [{"question": q, "stage": c.stage, "learners": len(c.learners), "answers": c.answers,
                 "wrong": c.wrong, "share_wrong": round(c.wrong / c.answers, 3), "description": c.text}
                for q, c in self.questions.items() if c.wrong and len(c.learners) >= min_learners]
        return sorted(rows, key=lambda r: (-r["wrong"], -r["share_wrong"], r["question"]))[:top]

    def tables(self, min_learners: int = 1) -> dict[str, list[dict]]:
        """Every table; the questions only among those answered by at least ``min_learners`` learners."""
        return {"scores": self.scores(), "domains": self.domains(), "stages": self.stages(),
                "questions": self.wrong_questions(min_learners=min_learners)}


def write_csv(tables: dict[str, list[dict]], folder: Path, keep_formulas: bool = False) -> list[Path]:
    """One CSV file per table in ``folder``; the paths written. Text a spreadsheet would run as a formula gets
    a leading ``'`` unless ``keep_formulas`` (``csvcells``)."""
    from elearn_builder.report.csvcells import row

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        path = folder / f"baseline-{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            if rows:
                writer = csv.writer(handle)
                writer.writerow(list(rows[0]))
                writer.writerows(row(r.values(), keep_formulas) for r in rows)
        written.append(path)
    return written
