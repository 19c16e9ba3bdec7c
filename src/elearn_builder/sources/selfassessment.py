"""Load the self-assessment: a Likert scale and statements in the programme's key areas."""
from __future__ import annotations

from pathlib import Path

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.fields import ID_RE, Fields, load_mapping, mapping
from elearn_builder.sources.markdown import Renderer, plain_text
from elearn_builder.model import Location, SelfAssessment, Statement
from elearn_builder.sources.modules import pcf_domains
from elearn_builder.sources.questions import QuestionReader

MAX_POINTS = 9
"""Suspend data keeps one digit per statement."""


def load_self_assessment(root: Path, rel: str, where: Location, known_areas: set[str], renderer: Renderer,
                         ids: dict[str, Location], diags: Diagnostics, parses=None) -> SelfAssessment | None:
    data = load_mapping(root, rel, where, diags, "a self-assessment file", parses)
    if data is None:
        return None
    reader = QuestionReader(rel, known_areas, renderer, ids, diags)
    f = Fields(data, diags, "self-assessment")
    sa_id, title, intro = f.get("id", str, pattern=ID_RE), f.get("title", str), reader.markdown(f, "intro", "")
    raw_scale = f.get("scale", list)
    scale = tuple(str(v).strip() for v in raw_scale or [] if isinstance(v, (str, int, float)) and str(v).strip())
    if raw_scale is not None and (len(scale) != len(raw_scale) or not 2 <= len(scale) <= MAX_POINTS):
        diags.error(f.at("scale"), "field.value",
                    f"self-assessment: scale must list 2 to {MAX_POINTS} labels, lowest first")
        scale = ()
    raw = f.get("statements", list)
    f.done()
    statements = [statement(item, raw.at(i), reader, diags) for i, item in enumerate(raw or [])]
    covered = {s.key_area for s in statements if s is not None}
    missing = sorted(known_areas - covered)
    if raw is not None and missing and None not in statements:
        diags.error(f.at("statements"), "self-assessment.area-without-statements",
                    f"self-assessment: no statement in key area(s) {', '.join(missing)}")
        return None
    if None in (sa_id, title, intro, raw) or not scale or None in statements:
        return None
    return SelfAssessment(id=sa_id, title=title, intro_html=intro, scale=scale, statements=tuple(statements),
                          location=Location(rel, 1, 1))


def statement(item, loc: Location, reader: QuestionReader, diags: Diagnostics) -> Statement | None:
    node = mapping(item, diags, loc, "a statement")
    if node is None:
        return None
    sf = Fields(node, diags, "statement")
    sid, area = reader.unique_id(sf, "statement"), reader.key_area(sf)
    domains = pcf_domains(sf, "pcf_domains", diags)
    text = sf.get("text", str)
    sf.done()
    if None in (sid, area, text):
        return None
    html = reader.renderer.inline(text, reader.rel, sf.at("text").line)
    return Statement(id=sid, key_area=area, pcf_domains=domains, text=plain_text(html),
                     location=node.loc)
