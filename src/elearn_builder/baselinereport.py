"""The baseline as one self-contained HTML page: tables and inline SVG bar charts, every value escaped."""
from __future__ import annotations

from html import escape

from .baseline import ALL

STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1b1b1b}"
         "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #bbb;padding:.25rem .5rem;"
         "text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}"
         "figure{margin:1rem 0}figcaption{font-weight:bold}")
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def bar_chart(title: str, bars: list[tuple[str, float]], maximum: float, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG with a text alternative."""
    label_w = 12 + 7 * max((len(label) for label, _ in bars), default=10)  # about 7 px a character at 12 px
    height, width = 22 * len(bars) + 10, label_w + 400
    parts = [(f'<figure><figcaption>{escape(title)}</figcaption>'
             f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}">')]
    for index, (label, value) in enumerate(bars):
        y = 5 + 22 * index
        length = 0 if not maximum else max(0.0, (width - label_w - 60) * float(value) / maximum)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="18" '
                     f'fill="{COLOURS[index % len(COLOURS)]}">'
                     f'<title>{escape(label)}: {escape(str(value))}{unit}</title></rect>'
                     f'<text x="{label_w + length + 4:.1f}" y="{y + 15}" font-size="12">{escape(str(value))}{unit}'
                     f'</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def table(rows: list[dict]) -> str:
    if not rows:
        return "<p>No data.</p>"
    head = "".join(f"<th>{escape(str(key))}</th>" for key in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(str(value))}</td>" for value in row.values()) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(tables: dict[str, list[dict]], title: str = "Self-assessment baseline", statements: int = 0) -> str:
    """The whole report; readable from a file without a server or any script."""
    scores = tables["scores"]
    overall = [r for r in scores if r["organisation"] != ALL and r["period"] == ALL]
    charts = bar_chart("Mean baseline score per stage, organisation and key area (1-5)",
                       [(f'{r["stage"]} · {r["organisation"]} · {r["key_area"]}', r["mean"]) for r in overall], 5)
    charts += bar_chart("Share of learners with a gap per stage and key area",
                        [(f'{r["stage"]} · {r["key_area"]}', round(100 * r["share_with_gap"], 1))
                         for r in scores if r["organisation"] == ALL], 100, "%")
    charts += bar_chart("Completion rate per stage", [(r["stage"], round(100 * (r["completion_rate"] or 0), 1))
                                                     for r in tables["stages"]], 100, "%")
    charts += bar_chart("Pass rate per stage", [(r["stage"], round(100 * (r["pass_rate"] or 0), 1))
                                               for r in tables["stages"]], 100, "%")
    sections = [("Key areas (baseline: each learner's first self-assessment)", scores),
                ("PCF domains (mean rating of the aligned statements)", tables["domains"]),
                ("Completion and pass rates per stage", tables["stages"]),
                ("Questions most often answered wrongly", tables["questions"])]
    body = "".join(f"<h2>{escape(name)}</h2>{table(rows)}" for name, rows in sections)
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
            f"<p>From {statements} statement(s). {escape(ALL)} rows sum over organisations or months.</p>"
            f"{charts}{body}</body></html>\n")
