"""The baseline as one self-contained HTML page for an organisation's board: human names, small groups
suppressed, tables with SVG bars and a print stylesheet; no script, every recorded value escaped."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape

from elearn_builder.report import sections
from elearn_builder.report.baseline import ALL
from elearn_builder.report.charts import percent
from elearn_builder.report.names import Names, organisation_name
from elearn_builder.report.style import STYLE

SECTIONS = (("start", "Where learners start"), ("ratings", "How learners rated themselves"),
            ("change", "Change since the first self-assessment"), ("rates", "Completion and pass rates"),
            ("pcf", "PCF domains"), ("questions", "Questions most often answered wrongly"))


def hidden(counts: dict[str, int], minimum: int) -> set[str]:
    """The groups not to show: those of fewer than ``minimum`` learners (but more than none) and, when only one
    organisation would be hidden, the next smallest too (else the total less the others shown would give it away)."""
    small = {group for group, n in counts.items() if 0 < n < minimum}
    orgs = {group: n for group, n in counts.items() if group != ALL and n}
    if len(small & set(orgs)) == 1 and len(orgs) > 1:
        small.add(min((n, group) for group, n in orgs.items() if group not in small)[1])
    return small


def page_title(names: Names) -> str:
    return f"{names.title}: self-assessment baseline" if names.title else "Self-assessment baseline"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class Report:
    """The tables keyed for the page, the names, the threshold and what it hides."""

    def __init__(self, tables: dict, names: Names, minimum: int, gap_threshold: float = 0.0):
        self.names, self.minimum, self.gap_threshold = names, minimum, gap_threshold
        self.scores = {(r["stage"], r["organisation"], r["key_area"]): r for r in tables["scores"] if r["period"] == ALL}
        self.periods = sorted({r["period"] for r in tables["scores"] if r["period"] not in (ALL, "")})
        self.stage_rows = {(r["stage"], r["organisation"]): r for r in tables["stages"]}
        self.domain_rows = {(r["stage"], r["organisation"], str(r["pcf_domain"])): r for r in tables["domains"]}
        self.questions = tables["questions"]
        self.stage_ids = names.stage_order({k[0] for k in self.scores} | {k[0] for k in self.stage_rows})
        self.areas = names.area_order({k[2] for k in self.scores})
        recorded = {k[2] for k in self.domain_rows}
        self.domains = sorted(recorded | set(names.domains), key=lambda d: (not d.isdigit(), d.zfill(3)))
        orgs = {k[1] for k in self.scores} | {k[1] for k in self.stage_rows}
        self.orgs = [ALL] + sorted(orgs - {ALL}, key=organisation_name)
        self.hide_scores = self._hidden(self.scores, "learners")
        self.hide_change = self._hidden(self.scores, "learners_reassessed")
        per_stage = {(s, o, ""): r for (s, o), r in self.stage_rows.items()}
        self.hide_stages = self._hidden(per_stage, "learners")
        self.hide_pass = self._hidden(per_stage, "assessed")
        self.hide_domains = self._hidden(self.domain_rows, "learners")

    def _hidden(self, rows: dict, column: str) -> set:
        """(stage, organisation, column) keys not to show, worked out per stage and column across organisations."""
        cells = defaultdict(dict)
        for (stage, org, key), row in rows.items():
            cells[(stage, key)][org] = int(row[column] or 0)
        return {(stage, org, key) for (stage, key), counts in cells.items() for org in hidden(counts, self.minimum)}

    def score(self, stage: str, org: str, area: str) -> dict | None:
        """The shown scores row, or None when there is none or it is suppressed."""
        key = (stage, org, area)
        return None if key in self.hide_scores else self.scores.get(key)

    def stage_learners(self, stage: str, org: str) -> int | None:
        row = self.stage_rows.get((stage, org))
        return None if row is None or (stage, org, "") in self.hide_stages else int(row["learners"])

    def expected(self, row: dict, stage: str, area: str):
        """The level expected: what the learners' statements recorded, else the programme's."""
        level = row.get("expected_level", "")
        return level if level != "" else self.names.expected.get(stage, {}).get(area)


def header(report: Report, statements: int) -> str:
    names = report.names
    months = [datetime.strptime(p, "%Y-%m").strftime("%B %Y") for p in (report.periods[:1] + report.periods[-1:])]
    span = (f" First self-assessments from {months[0]} to {months[1]}." if months and months[0] != months[1]
            else f" First self-assessments in {months[0]}." if months else "")
    learners = sum(int(r["learners"]) for (_, org), r in report.stage_rows.items() if org == ALL)
    orgs = len(report.orgs) - 1
    source = ("" if names.from_programme else
              "<li>The programme's sources were not found (give <code>--programme</code>), so stages and key areas "
              "are shown as the statements record them.</li>")
    below = (f"at least {report.gap_threshold:g} points below" if report.gap_threshold else "below")
    about = ("<li>The <strong>baseline</strong> is each learner's first self-assessment in a stage: a rating of 1 to 5 "
             "in each key area (the mean of their ratings of its statements).</li>"
             f"<li>A learner has a <strong>gap</strong> in a key area when that rating is {below} the level the "
             "programme expects at their stage (shown as <em>expected</em>), as their own gap profile showed them."
             "</li>"
             "<li>Every percentage is a share of the learners in the group (or of the answers, for questions), rounded "
             "to a whole number; ratings are means, to one decimal place.</li>"
             f"<li><strong>Small groups are not shown.</strong> Figures for a group of fewer than {report.minimum} "
             "learners are left out, and so are those of one more group where they could be worked out from a total, "
             f"so that no individual can be identified.</li>{source}")
    contents = "".join(f'<li><a href="#{key}">{title}</a></li>' for key, title in SECTIONS)
    return (f'<header><p class="publisher">{escape(names.publisher)}</p>'
            f"<h1>{escape(page_title(names))}</h1>"
            f'<p class="lede">{plural(learners, "learner")} in {plural(len(report.stage_ids), "stage")} and '
            f"{plural(orgs, 'organisation')}, from {plural(statements, 'recorded learning statement')}.{span}</p>"
            f"</header>{glance(report)}"
            f'<section class="about" aria-labelledby="about"><h2 id="about">About this report</h2><ul>{about}</ul>'
            f'</section><nav aria-label="Sections"><ol>{contents}</ol></nav>')


def glance(report: Report) -> str:
    """Three or four sentences a board reads first, from the all-organisations figures."""
    points = []
    cells = [(float(r["share_with_gap"]), s, a) for s in report.stage_ids for a in report.areas
             if (r := report.score(s, ALL, a))]
    if cells:
        share, stage, area = max(cells, key=lambda c: c[0])
        points.append(f"The largest gap: {percent(share)} of {escape(report.names.stage(stage))} learners have a "
                      f"gap in {escape(report.names.key_area(area))}.")
        share, stage, area = min(cells, key=lambda c: c[0])
        points.append(f"The smallest: {percent(share)} of {escape(report.names.stage(stage))} learners in "
                      f"{escape(report.names.key_area(area))}.")
    shown = [report.stage_rows[(s, ALL)] for s in report.stage_ids if report.stage_learners(s, ALL) is not None]
    started, assessed = sum(int(r["started"]) for r in shown), sum(int(r["assessed"]) for r in shown)
    if started:
        line = (f"{percent(sum(int(r['completed']) for r in shown) / started)} of the learners who started a stage "
                "completed it")
        if assessed:
            line += f"; {percent(sum(int(r['passed']) for r in shown) / assessed)} of those assessed passed"
        points.append(line + ".")
    changed = [(int(r["learners_reassessed"]), float(r["mean_change"])) for s in report.stage_ids for a in report.areas
               if (r := report.score(s, ALL, a)) and (s, ALL, a) not in report.hide_change
               and int(r["learners_reassessed"])]
    if changed:
        mean = sum(n * c for n, c in changed) / sum(n for n, _ in changed)
        points.append(f"Learners who took the self-assessment again rated themselves {abs(mean):.1f} points "
                      f"{'higher' if mean >= 0 else 'lower'} on average (1-5 scale).")
    if not points:
        return ""
    items = "".join(f"<li>{p}</li>" for p in points)
    return f'<section class="glance" aria-labelledby="glance"><h2 id="glance">At a glance</h2><ul>{items}</ul></section>'


def render(tables: dict[str, list[dict]], names: Names | None = None, min_group: int = 5,
           statements: int = 0, gap_threshold: float = 0.0) -> str:
    """The whole report; readable from a file without a server or any script. ``gap_threshold`` is the one the
    tables were counted with, said on the page."""
    names = names or Names()
    report = Report(tables, names, min_group, gap_threshold)
    title = page_title(names)
    body = (header(report, statements) + sections.start(report) + sections.ratings(report)
            + sections.change(report) + sections.rates(report) + sections.pcf(report) + sections.questions(report))
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>\n")
