"""The baseline report's figures: number formats, two sequential colour scales with legends, and SVG bars.

The bars are hand-written SVG, a few hundred bytes each, drawn at the width of their table cell (a viewBox of
0-100 stretched by CSS), so they print on A4 and fit any screen. Each sits in a table row whose cells give the
same figures as text, so the SVG is hidden from assistive technology (``aria-hidden``) and nothing is lost.
"""
from __future__ import annotations

from html import escape

GAP_COLOURS = ("#eef6f7", "#c4e2e6", "#86c2ca", "#2a7984", "#0b4f59")
"""Share of learners with a gap: 0-19%, 20-39%, 40-59%, 60-79%, 80-100%; light to dark teal."""
GAP_TEXT = ("#1b1b1b", "#1b1b1b", "#1b1b1b", "#ffffff", "#ffffff")
"""Text on each: at least 4.5:1 (WCAG AA)."""
RATING_COLOURS = ("#f0ebf6", "#cdbfe2", "#a08ac6", "#6f56a3", "#3f2b70")
"""Self-assessment points 1 to 5; light to dark purple, another hue from the gap scale so neither is read as
the other."""
RATE_COLOUR, TRACK_COLOUR = "#005a66", "#e3e3e3"
MINUS = "\u2212"


def percent(share) -> str:
    """A share 0-1 as a whole percentage: every percentage of the report is written this way."""
    return f"{round(100 * float(share))}%"


def rating(value) -> str:
    return f"{float(value):.1f}"


def change(value) -> str:
    number = round(float(value), 1)
    if number == 0:
        return "0.0"
    return f"{'+' if number > 0 else MINUS}{abs(number):.1f}"


def gap_band(share) -> int:
    """The gap scale's band (0-4) for a share 0-1."""
    return min(4, int(float(share) * 5 + 1e-9))


def gap_cell_style(share) -> str:
    band = gap_band(share)
    return f"background:{GAP_COLOURS[band]};color:{GAP_TEXT[band]}"


def gap_legend() -> str:
    """The gap scale's legend: five swatches with their ranges."""
    ranges = ("0-19%", "20-39%", "40-59%", "60-79%", "80-100%")
    items = "".join(f'<li><span class="swatch" style="background:{colour}"></span>{label}</li>'
                    for colour, label in zip(GAP_COLOURS, ranges))
    return f'<div class="legend"><p>Colour: share of learners with a gap</p><ul>{items}</ul></div>'


def rating_legend(scale: tuple) -> str:
    """The rating scale's legend: a swatch per point, with the scale's labels when the programme gives them."""
    items = "".join(f'<li><span class="swatch" style="background:{colour}"></span>{point}'
                    f'{" " + escape(scale[point - 1]) if len(scale) >= point else ""}</li>'
                    for point, colour in enumerate(RATING_COLOURS, 1))
    return f'<div class="legend"><p>Self-assessment rating</p><ul>{items}</ul></div>'


def _svg(rects: str) -> str:
    return (f'<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
            f'{rects}</svg>')


def stacked_bar(counts: list[int]) -> str:
    """One bar split into the five rating points, each as wide as its share of the learners."""
    total = sum(counts)
    rects, x = [], 0.0
    for count, colour in zip(counts, RATING_COLOURS):
        width = 100 * count / total if total else 0
        if width:
            rects.append(f'<rect x="{x:.2f}" y="0" width="{width:.2f}" height="10" fill="{colour}"/>')
        x += width
    return _svg("".join(rects))


def rate_bar(share) -> str:
    """A bar for a rate 0-1 on a grey track."""
    width = 100 * float(share)
    return _svg(f'<rect x="0" y="0" width="100" height="10" fill="{TRACK_COLOUR}"/>'
                f'<rect x="0" y="0" width="{width:.2f}" height="10" fill="{RATE_COLOUR}"/>')
