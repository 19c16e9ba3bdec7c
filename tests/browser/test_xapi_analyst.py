"""From our packages to the analyst: real sessions of the built cmi5, xAPI and SCORM packages post to Ralph,
and what Ralph holds passes ``elearn xapi check`` and gives, through ``elearn report baseline`` (from a
file and from the LRS), the figures computed here from the ratings and answers this test chose.

Seven learners in two organisations and all three stages. Council A names itself on the launch
(the ``organisation`` launch parameter: cmi5 launchParameters, xAPI and SCORM launch URLs); Trust B is
known only by its learners' account home page. Two learners take the self-assessment again.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import urllib.parse
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import mean

from sco import Rating, gap_profile, go, half_up, lms_cmi, rate, visible_pages
from xapi_session import REPO, Learner, Session, new_tab

ALL = "(all)"
HOME = {"council-a": "https://lms.council-a.test", "trust-b": "https://learning.trust-b.test"}
NAMED = {"council-a": "council-a"}
"""Organisations that name themselves on the launch; the others are known by the account's home page."""


@dataclass
class Plan:
    """What one learner does: who, where, which package, the ratings (a pattern repeated over the
    statements), pages, assessment attempts (pass or fail, in order) and an optional second self-assessment."""

    name: str
    organisation: str
    stage: str
    fmt: str
    pattern: tuple
    every_page: bool = False
    attempts: tuple = ()
    retake: tuple = ()
    # filled in while the session runs
    rated: list = field(default_factory=list)
    retaken: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    month: str = ""
    data: dict = field(default_factory=dict)
    made: list = field(default_factory=list)


def plans() -> list[Plan]:
    """Seven learners, new each time (a session fills in what happened)."""
    return [
        Plan("ada", "council-a", "social-worker", "cmi5", (2, 3), every_page=True, attempts=(False, True), retake=(4,)),
        Plan("ben", "council-a", "social-worker", "xapi", (1, 2, 2), attempts=(False,)),
        Plan("cat", "council-a", "manager", "scorm2004", (4, 5), attempts=(True,)),
        Plan("dev", "trust-b", "social-worker", "scorm12", (3,), attempts=(True,), retake=(4, 5)),
        Plan("eve", "trust-b", "manager", "cmi5", (5, 4, 4), every_page=True, attempts=(False,)),
        Plan("fay", "trust-b", "manager", "xapi", (1,)),
        Plan("gus", "trust-b", "experienced-social-worker", "scorm2004", (2, 4), attempts=(False, True)),
    ]


class AnalystLearner(Learner):
    """A Learner whose organisation goes on the launch the way each LMS passes it, and whose SCORM LMS
    gives its own learner id and home page (the actor the package makes from them)."""

    plan: Plan

    def open(self, tab):
        org = NAMED.get(self.plan.organisation)
        if self.fmt == "cmi5":
            if org:
                self.launch_options["launch_parameters"] = json.dumps({"organisation": org})
            return super().open(tab)
        au_url = f"{self.server}/packages/{self.package}/index.html"
        query = {"endpoint": self.lrs.endpoint, "auth": self.lrs.authorization}
        if org:
            query["organisation"] = org
        if self.fmt == "xapi":
            self.registration = str(uuid.uuid4())
            query.update(actor=json.dumps(self.actor), registration=self.registration)
            tab.goto(f"{au_url}?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}")
            frame = tab.main_frame
        else:
            query["homepage"] = HOME[self.plan.organisation]
            tab.goto(f"{self.server}/host/host.html")
            tab.evaluate("config => startLms(config)", {
                "format": self.fmt, "sco": f"/packages/{self.package}/index.html?{urllib.parse.urlencode(query)}",
                "learner": {"id": self.actor["account"]["name"], "name": self.actor["name"]}, "entry": "ab-initio",
                "cmi": None})
            frame = tab.frame(name="sco")
        frame.wait_for_function("() => window.Elearn && Elearn.active"
                                " && document.documentElement.dataset.elearnAdapter")
        assert frame.evaluate("Elearn.active.conn.actor") == self.actor
        return frame


def ratings_of(data: dict, pattern: tuple) -> list[Rating]:
    return [Rating(s, pattern[i % len(pattern)]) for i, s in enumerate(data["selfAssessment"]["statements"])]


def run_session(plan: Plan, browser, server, lrs, lms) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.errors = []
    try:
        learner = AnalystLearner(plan.fmt, plan.stage, server, lrs, lms, actor={
            "objectType": "Agent", "name": plan.name.title(),
            "account": {"homePage": HOME[plan.organisation], "name": f"{plan.name}-{uuid.uuid4().hex[:6]}"}})
        learner.plan = plan
        tab = new_tab(context)
        session = Session(learner, learner.open(tab), [])
        plan.data = session.data
        plan.rated = ratings_of(plan.data, plan.pattern)
        rate(session.frame, plan.rated)
        plan.month = datetime.now(UTC).strftime("%Y-%m")
        if plan.every_page:  # through the table of contents, in one round trip
            pages = session.content_pages()
            session.frame.evaluate(
                "ids => ids.forEach(id => document.querySelector(`[data-nav-page=\"${id}\"]`).click())", pages)
            assert visible_pages(session.frame) == pages[-1:]
            assert session.frame.eval_on_selector_all(
                "[data-nav-page][data-visited]", "ls => ls.map(l => l.dataset.navPage)") == ["self-assessment", *pages]
        if plan.attempts:
            go(session.frame, "assessment")
        for n, passing in enumerate(plan.attempts):
            answers, _ = session.attempt(passing=passing, retry=n > 0)
            plan.answers += answers
        if plan.retake:
            go(session.frame, "cpd-record")
            session.frame.locator('[data-action="retake-self-assessment"]').click()
            plan.retaken = ratings_of(plan.data, plan.retake)
            rate(session.frame, plan.retaken)
        session.exit()
        session.drained()
        plan.made = session.made()
        if learner.scorm:  # the LMS's own record agrees with what the test did
            cmi = lms_cmi(tab, plan.fmt)
            assert len(cmi["interactions"]) == (len(plan.rated) + len(plan.retaken) + len(plan.answers)
                                                + session.criteria_checks)
    finally:
        context.close()
    assert not context.errors, "\n".join(context.errors)


# ---- the figures, computed from what the test chose ----

def completed(plan: Plan) -> bool:
    """docs/runtime.md: the self-assessment submitted, every content page visited, the assessment submitted."""
    return plan.every_page and bool(plan.attempts)


def expected_tables(plans: list[Plan], organisation_from: str) -> dict:
    def org(plan):
        return NAMED.get(plan.organisation, HOME[plan.organisation]) if organisation_from == "extension" \
            else HOME[plan.organisation]

    scores, domains, stages, questions = defaultdict(list), defaultdict(list), {}, defaultdict(lambda: [0, 0])
    for plan in plans:
        first = {a["id"]: a for a in gap_profile(plan.data, plan.rated)}
        latest = {a["id"]: a for a in gap_profile(plan.data, plan.retaken)} if plan.retaken else None
        for area, a in first.items():
            change = latest[area]["score"] - a["score"] if latest else None
            for group in ((plan.stage, ALL, ALL), (plan.stage, org(plan), ALL), (plan.stage, org(plan), plan.month)):
                scores[group + (area,)].append((a["score"], a["is_gap"], change))
        per_domain = defaultdict(list)
        for r in plan.rated:
            for domain in r.statement["pcfDomains"]:
                per_domain[domain].append(r.point)
        for domain, points in per_domain.items():
            for group in ((plan.stage, ALL, str(domain)), (plan.stage, org(plan), str(domain))):
                domains[group].append(mean(points))
        for group in ((plan.stage, ALL), (plan.stage, org(plan))):
            row = stages.setdefault(group, Counter())
            row["learners"] += 1
            row["started"] += 1
            row["completed"] += completed(plan)
            row["assessed"] += bool(plan.attempts)
            row["passed"] += any(plan.attempts)
        for a in plan.answers:
            if a.correct is not None:
                iri = plan.data["xapi"]["activities"]["question"].replace("{id}", a.question["id"])
                questions[iri][0] += 1
                questions[iri][1] += not a.correct
    missed = sorted(((-w, -w / n, q, n, w) for q, (n, w) in questions.items() if w))[:10]
    def score_row(entries):
        changes = [c for _, _, c in entries if c is not None]
        return {"learners": len(entries), "mean": mean(s for s, _, _ in entries),
                **{f"score_{i}": sum(half_up(s) == i for s, _, _ in entries) for i in range(1, 6)},
                "share_with_gap": sum(g for _, g, _ in entries) / len(entries),
                "learners_reassessed": len(changes), "mean_change": mean(changes) if changes else ""}

    return {
        "scores": {key: score_row(v) for key, v in scores.items()},
        "domains": {key: {"learners": len(v), "mean": mean(v)} for key, v in domains.items()},
        "stages": {stage: {**c, "completion_rate": c["completed"] / c["started"],
                           "pass_rate": c["passed"] / c["assessed"] if c["assessed"] else ""}
                   for stage, c in stages.items()},
        "questions": [{"question": q, "answers": n, "wrong": w, "share_wrong": w / n} for _, _, q, n, w in missed],
    }


def read_tables(folder) -> dict:
    def rows(name):
        with (folder / f"baseline-{name}.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    return {
        "scores": {(r["stage"], r["organisation"], r["period"], r["key_area"]): r for r in rows("scores")},
        "domains": {(r["stage"], r["organisation"], r["pcf_domain"]): r for r in rows("domains")},
        "stages": {(r["stage"], r["organisation"]): r for r in rows("stages")},
        "questions": rows("questions"),
    }


def same(got: str, want) -> bool:
    """A CSV cell against a figure computed here (the report rounds to three decimals)."""
    if want == "":
        return got == ""
    return got != "" and abs(float(got) - float(want)) < 1e-3


def compare(got: dict, want: dict) -> list[str]:
    """Every figure that differs, as 'table key column: got != want'."""
    found = []
    for table in ("scores", "domains", "stages"):
        if set(got[table]) != set(want[table]):
            found.append(f"{table}: rows {sorted(got[table])} != {sorted(want[table])}")
            continue
        for key, figures in want[table].items():
            found += [f"{table} {key} {column}: {got[table][key][column]} != {value}"
                      for column, value in figures.items() if not same(got[table][key][column], value)]
    listed = [(r["question"], r["answers"], r["wrong"]) for r in got["questions"]]
    if listed != [(q["question"], str(q["answers"]), str(q["wrong"])) for q in want["questions"]]:
        found.append(f"questions: {listed} != {want['questions']}")
    return found


def elearn(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "elearn_builder.cli.commands", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})}, check=False)


def test_statements_of_our_packages_pass_xapi_check_and_give_the_expected_baseline(
        browser, xapi_packages, server, fresh_lrs, lms, tmp_path, record_property):
    learners = plans()
    for plan in learners:
        run_session(plan, browser, server, fresh_lrs, lms)
    statements = fresh_lrs.statements(limit=200)
    assert sorted(s["id"] for s in statements) == sorted(i for plan in learners for i in plan.made)
    assert {s["context"]["extensions"]["https://xapi.reflective-supervision.org.uk/extensions/stage"]
            for s in statements} == {p.stage for p in learners}
    path = tmp_path / "statements.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in statements), encoding="utf-8")
    lrs_env = {"ELEARN_LRS_ENDPOINT": fresh_lrs.endpoint, "ELEARN_LRS_USERNAME": fresh_lrs.username,
               "ELEARN_LRS_PASSWORD": fresh_lrs.password}

    for source, env in (([path], None), (["--from-lrs"], lrs_env)):
        checked = elearn("xapi", "check", *source, env=env)
        assert (checked.returncode, checked.stdout) == (0, ""), checked.stdout + checked.stderr
        assert f"{len(statements)} statement(s), 0 problem(s)" in checked.stderr

    want = expected_tables(learners, "extension")
    for name, source, env in (("file", [path], None), ("lrs", ["--from-lrs"], lrs_env)):
        out = tmp_path / name
        run = elearn("report", "baseline", *source, "--csv", out, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"{len(statements)} statement(s), {len(learners)} learner-stage(s)" in run.stderr
        assert not compare(read_tables(out), want), "\n".join(compare(read_tables(out), want))

    run = elearn("report", "baseline", path, "--organisation-from", "homepage", "--csv", tmp_path / "homepage")
    assert run.returncode == 0, run.stdout + run.stderr
    by_homepage = read_tables(tmp_path / "homepage")
    assert not compare(by_homepage, expected_tables(learners, "homepage")), "\n".join(
        compare(by_homepage, expected_tables(learners, "homepage")))
    assert {k[1] for k in by_homepage["scores"]} == {ALL, *HOME.values()}
    record_property("statements", len(statements))
