"""The sections of the baseline report, one function each, from a ``baselinereport.Report``."""
from __future__ import annotations

from html import escape

from elearn_builder.report.charts import change as signed
from elearn_builder.report.charts import gap_cell_style, gap_legend, percent, rate_bar, rating, rating_legend, stacked_bar
from elearn_builder.report.names import organisation_name


def suppressed(report, count, span: int = 1) -> str:
    """The cell of a group not shown: too small, or hidden so that a smaller one cannot be worked out."""
    spans = f' colspan="{span}"' if span > 1 else ""
    why = (f"fewer than {report.minimum} learners" if int(count or 0) < report.minimum else
           "would reveal a smaller group")
    return f'<td class="suppressed"{spans}>Not shown: {why}</td>'


def section(key: str, title: str, note: str, body: str) -> str:
    return (f'<section aria-labelledby="{key}"><div class="intro"><h2 id="{key}">{title}</h2>'
            f'<p class="note">{note}</p></div>{body}</section>')


def table(caption: str, head: str, rows: list[str], css: str = "") -> str:
    """A table with a caption for screen readers; a row made by ``group_row`` starts a new row group."""
    kind = f' class="{css}"' if css else ""
    body = "".join(rows).replace(GROUP, "</tbody><tbody>" + GROUP).replace("<tbody></tbody>", "")
    return (f'<table{kind}><caption class="visually-hidden">{caption}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>").replace("<tbody></tbody>", "")


GROUP = '<tr class="group">'


def group_row(title: str, span: int) -> str:
    """The header row of a group of rows (a stage, an organisation), in its own ``tbody``."""
    return f'{GROUP}<th scope="rowgroup" colspan="{span}">{escape(title)}</th></tr>'


def per_org(report, key: str, make, rows: dict, recorded=lambda row: True) -> str:
    """One block per organisation, all organisations first; one with nothing to show says why in a line: nothing
    recorded (no key of ``rows`` for it whose row is ``recorded``), or every group too small."""
    parts = []
    for index, org in enumerate(report.orgs):
        name = escape(organisation_name(org))
        if not any(k[1] == org and recorded(row) for k, row in rows.items()):
            body = '<p class="note">Nothing recorded yet.</p>'
        else:
            body = make(org, name) or (f'<p class="note">Not shown, so that no one in a group of fewer than '
                                       f"{report.minimum} learners can be identified.</p>")
        parts.append(f'<div class="block"><h3 id="{key}-{index}">{name}</h3>{body}</div>')
    return "".join(parts)


def area_heads(report, first: str) -> str:
    return (f'<th scope="col">{first}</th>'
            + "".join(f'<th scope="col">{escape(report.names.key_area(a))}</th>' for a in report.areas))


def stage_head(report, stage: str, org: str) -> str:
    n = report.stage_learners(stage, org)
    count = f"<small>{n:,} learners</small>" if n is not None else ""
    return f'<th scope="row">{escape(report.names.stage(stage))}{count}</th>'


def start(report) -> str:
    def make(org: str, name: str) -> str:
        rows = []
        for stage in report.stage_ids:
            keys = [(stage, org, a) for a in report.areas if (stage, org, a) in report.scores]
            if not keys:
                continue
            if all(k in report.hide_scores for k in keys):
                count = report.scores[keys[0]]["learners"]
                rows.append(f"<tr>{stage_head(report, stage, org)}{suppressed(report, count, len(report.areas))}</tr>")
                continue
            cells = []
            for area in report.areas:
                row = report.score(stage, org, area)
                if row is None:
                    cells.append(suppressed(report, report.scores[(stage, org, area)]["learners"])
                                 if (stage, org, area) in report.scores else "<td>No ratings</td>")
                    continue
                level = report.expected(row, stage, area)
                expected = f"<small>expected {level}</small>" if level is not None else ""
                cells.append(f'<td style="{gap_cell_style(row["share_with_gap"])}"><span class="mean">'
                             f'{rating(row["mean"])}</span>{expected}<small class="share">'
                             f'{percent(row["share_with_gap"])} with a gap</small></td>')
            rows.append(f"<tr>{stage_head(report, stage, org)}{''.join(cells)}</tr>")
        if not any(report.score(s, org, a) for s in report.stage_ids for a in report.areas):
            return ""
        return table(f"{name}: mean baseline rating and share of learners with a gap, by stage and key area",
                     area_heads(report, "Stage"), rows, "matrix")
    return section("start", "Where learners start: stage and key area",
                   "Each cell: the mean baseline rating of the stage's learners in the key area (1-5), the level "
                   "expected at that stage, and the share of learners whose rating is below it. The colour shows "
                   "that share.", gap_legend() + per_org(report, "start", make, report.scores))


def ratings(report) -> str:
    scale = report.names.scale
    heads = "".join(f'<th scope="col" class="num">{p}'
                    f'{"<span class=visually-hidden>: " + escape(scale[p - 1]) + "</span>" if len(scale) >= p else ""}'
                    "</th>" for p in range(1, 6))

    def make(org: str, name: str) -> str:
        rows = []
        for stage in report.stage_ids:
            shown = [(a, r) for a in report.areas if (r := report.score(stage, org, a))]
            recorded = [report.scores[k] for a in report.areas if (k := (stage, org, a)) in report.scores]
            if recorded:
                rows.append(group_row(report.names.stage(stage), 8))
            if recorded and not shown:
                rows.append(f'<tr><th scope="row">Every key area</th>{suppressed(report, recorded[0]["learners"], 7)}'
                            "</tr>")
            for area, row in shown:
                counts = [int(row[f"score_{p}"]) for p in range(1, 6)]
                total = sum(counts) or 1
                rows.append(f'<tr><th scope="row">{escape(report.names.key_area(area))}</th>'
                            f'<td class="barcell">{stacked_bar(counts)}</td>'
                            + "".join(f'<td class="num">{percent(c / total)}</td>' for c in counts)
                            + f'<td class="num">{int(row["learners"]):,}</td></tr>')
        if not any(report.score(s, org, a) for s in report.stage_ids for a in report.areas):
            return ""
        return table(f"{name}: share of learners at each baseline rating, by stage and key area",
                              f'<th scope="col">Key area</th><th scope="col">Distribution</th>{heads}'
                              '<th scope="col" class="num">Learners</th>', rows, "distribution")
    return section("ratings", "How learners rated themselves",
                   "Each learner's baseline rating in a key area, rounded to the nearest point of the scale (halves "
                   "up). Each bar is split into the five points; the figures beside it give the same shares.",
                   rating_legend(scale) + per_org(report, "ratings", make, report.scores))


def change(report) -> str:
    if not any(int(r["learners_reassessed"]) for r in report.scores.values()):
        return section("change", "Change since the first self-assessment",
                       "No learner has taken the self-assessment a second time yet.", "")

    def make(org: str, name: str) -> str:
        rows = []
        for stage in report.stage_ids:
            keys = [(stage, org, a) for a in report.areas]
            if not any(k in report.scores and int(report.scores[k]["learners_reassessed"]) for k in keys):
                continue
            cells = []
            for key in keys:
                row = report.score(*key)
                if row is not None and not int(row["learners_reassessed"]):
                    cells.append("<td>No one yet</td>")
                elif key in report.hide_change or (row is None and key in report.scores):
                    cells.append(suppressed(report, min(int(report.scores[key]["learners_reassessed"]),
                                                        int(report.scores[key]["learners"]))))
                elif row is None or not int(row["learners_reassessed"]):
                    cells.append("<td>No one yet</td>")
                else:
                    cells.append(f'<td><span class="mean">{signed(row["mean_change"])}</span>'
                                 f'<small>{int(row["learners_reassessed"]):,} retook it</small></td>')
            if len(set(cells)) == 1 and "suppressed" in cells[0]:  # the whole row: one cell
                cells = [cells[0].replace("<td ", f'<td colspan="{len(cells)}" ', 1)]
            rows.append(f'<tr><th scope="row">{escape(report.names.stage(stage))}</th>{"".join(cells)}</tr>')
        if not any(report.score(*k) and k not in report.hide_change for k in report.scores if k[1] == org):
            return ""
        return table(f"{name}: mean change in rating from the first to the latest self-assessment",
                     area_heads(report, "Stage"), rows, "matrix")
    return section("change", "Change since the first self-assessment",
                   "For the learners who took the self-assessment again: the mean change in their rating from the "
                   "first to the latest time, in points of the 1-5 scale (+ is higher), and how many retook it.",
                   per_org(report, "change", make, report.scores, lambda r: int(r["learners_reassessed"])))


def _rate(count, of, share) -> str:
    if share == "":
        return '<td class="ratecell">None yet</td>'
    return (f'<td class="ratecell"><span class="rate">{rate_bar(share)}<span class="num">{percent(share)} '
            f"({int(count):,} of {int(of):,})</span></span></td>")


def rates(report) -> str:
    rows = []
    for org in report.orgs:
        stages = [s for s in report.stage_ids if (s, org) in report.stage_rows]
        if not stages:
            continue
        rows.append(group_row(organisation_name(org), 3))
        for stage in stages:
            head = f'<th scope="row">{escape(report.names.stage(stage))}</th>'
            if report.stage_learners(stage, org) is None:
                rows.append(f"<tr>{head}{suppressed(report, report.stage_rows[(stage, org)]['learners'], 2)}</tr>")
                continue
            r = report.stage_rows[(stage, org)]
            passed = (suppressed(report, r["assessed"]) if (stage, org, "") in report.hide_pass
                      else _rate(r["passed"], r["assessed"], r["pass_rate"]))
            rows.append(f'<tr>{head}{_rate(r["completed"], r["started"], r["completion_rate"])}{passed}</tr>')
    head = ('<th scope="col">Stage</th><th scope="col">Completed (of those who started)</th>'
            '<th scope="col">Passed (of those who took the assessment)</th>')
    return section("rates", "Completion and pass rates",
                   "Completion: the share of the learners who started a stage who completed it. Pass rate: the share "
                   "of those who took its assessment who passed it (at any attempt).",
                   table("Completion and pass rates by organisation and stage", head, rows, "rates"))


def pcf(report) -> str:
    recorded = {k[2] for k in report.domain_rows}

    def make(org: str, name: str) -> str:
        stages = [s for s in report.stage_ids if any((s, org, d) in report.domain_rows for d in report.domains)]
        if all(k in report.hide_domains for k in report.domain_rows if k[1] == org):
            return ""
        rows = []
        for domain in report.domains:
            head = f'<th scope="row">{escape(report.names.domain(domain))}</th>'
            if domain not in recorded:
                rows.append(f'<tr>{head}<td colspan="{len(stages)}" class="none">No ratings recorded for this domain'
                            "</td></tr>")
                continue
            cells = []
            for stage in stages:
                row = report.domain_rows.get((stage, org, domain))
                if row is None:
                    cells.append('<td class="num">No ratings</td>')
                elif (stage, org, domain) in report.hide_domains:
                    cells.append(suppressed(report, row["learners"]))
                else:
                    cells.append(f'<td class="num">{rating(row["mean"])}</td>')
            rows.append(f"<tr>{head}{''.join(cells)}</tr>")
        heads = "".join(f'<th scope="col" class="num">{escape(report.names.stage(s))}</th>' for s in stages)
        return table(f"{name}: mean baseline rating per PCF domain and stage",
                     f'<th scope="col">PCF domain</th>{heads}', rows, "domains")
    return section("pcf", "PCF domains",
                   "The mean of learners' first ratings (1-5) of the self-assessment statements aligned to each "
                   "domain of the Professional Capabilities Framework.",
                   per_org(report, "pcf", make, report.domain_rows))


def questions(report) -> str:
    rows = []
    for number, row in enumerate(report.questions[:10], 1):
        text, module = report.names.questions.get(row["question"], ("", ""))
        text = text or row.get("description") or "A question that is not in the programme's sources"
        rows.append(f'<tr><td class="num">{number}</td><td class="question">{escape(text)}</td>'
                    f'<td>{escape(report.names.stage(row["stage"]))}</td>'
                    f'<td class="num">{percent(row["share_wrong"])} of {int(row["answers"]):,} answers</td>'
                    f'<td class="num">{int(row["learners"]):,}</td>'
                    f"<td>{escape(module) or 'Not in the programme' + chr(39) + 's sources'}</td></tr>")
    head = ('<th scope="col" class="num">Rank</th><th scope="col">Question</th><th scope="col">Stage</th>'
            '<th scope="col" class="num">Answered wrongly</th><th scope="col" class="num">Learners</th>'
            '<th scope="col">Module that teaches it</th>')
    body = (table("The questions answered wrongly most often, all organisations", head, rows, "questions") if rows
            else f'<p class="note">No question answered by at least {report.minimum} learners was answered wrongly.</p>')
    return section("questions", "Questions most often answered wrongly",
                   "All organisations, every attempt: the share of answers that were wrong, among the questions "
                   f"answered by at least {report.minimum} learners. The module is the one on the question's key "
                   "area whose text is closest to the question's.", body)
