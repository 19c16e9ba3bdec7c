"""Load one assessment YAML file: settings, then banks of questions (or one plain list)."""
from __future__ import annotations

from pathlib import Path

from elearn_builder.diagnostics import Diagnostics, did_you_mean
from elearn_builder.sources.fields import ID_RE, Fields, load_mapping, mapping
from elearn_builder.sources.markdown import Renderer
from elearn_builder.sources.keytells import check_key_tells
from elearn_builder.model import Assessment, Bank, Location, Module
from elearn_builder.sources.questions import QuestionReader
from elearn_builder.sources.reader import YList

FEEDBACK_MODES = ("immediate", "summary", "none")
ON_FAIL_MODES = ("full", "revisit")


def load_assessment(root: Path, rel: str, where: Location, known_areas: set[str], renderer: Renderer,
                    question_ids: dict[str, Location], diags: Diagnostics,
                    modules: tuple[Module, ...] = (), parses=None) -> Assessment | None:
    """Read an assessment file; ``question_ids`` collects ids across files to keep them unique;
    ``modules`` are the programme's, which questions name (or are given) as the one to revisit."""
    data = load_mapping(root, rel, where, diags, "an assessment file", parses)
    if data is None:
        return None
    reader = QuestionReader(rel, known_areas, renderer, question_ids, diags, modules)
    f = Fields(data, diags, "assessment")
    assessment_id = f.get("id", str, pattern=ID_RE)
    title = f.get("title", str)
    intro = reader.markdown(f, "intro", "")
    pass_mark = f.get("pass_mark", int)
    if pass_mark is not None and not 0 <= pass_mark <= 100:
        diags.error(f.at("pass_mark"), "field.value", f"assessment: pass_mark {pass_mark} must be 0-100 (a percentage)")
    attempts = f.get("attempts", int, 0)
    if attempts < 0:
        diags.error(f.at("attempts"), "field.value", "assessment: attempts must be 0 (unlimited) or more")
    feedback = f.get("feedback", str, "immediate")
    if feedback not in FEEDBACK_MODES:
        diags.error(f.at("feedback"), "field.value", f'assessment: feedback "{feedback}" must be one of '
                    f'{", ".join(FEEDBACK_MODES)}{did_you_mean(feedback, FEEDBACK_MODES)}')
    on_fail = f.get("feedback_on_fail", str, "full")
    if on_fail not in ON_FAIL_MODES:
        diags.error(f.at("feedback_on_fail"), "field.value", f'assessment: feedback_on_fail "{on_fail}" must be one '
                    f'of {", ".join(ON_FAIL_MODES)}{did_you_mean(on_fail, ON_FAIL_MODES)}')
    if "banks" in data and "questions" in data:
        diags.error(f.at("banks"), "assessment.banks-and-questions",
                    'assessment: use either "banks" or "questions", not both')
        return None
    if "banks" in data:
        raw_banks = f.get("banks", list)
        banks = [read_bank(item, raw_banks.at(i), reader, diags) for i, item in enumerate(raw_banks or [])]
        if raw_banks is not None and not raw_banks:
            diags.error(f.at("banks"), "assessment.empty", "assessment: no banks")
    else:
        draw = f.get("draw", int, 0)
        banks = [bank_of(f.get("questions", list), "main", "", "", draw, f.at("draw"), reader, diags)]
    f.done()
    if None in (assessment_id, title, pass_mark, intro) or None in banks:
        return None
    if len({b.id for b in banks}) != len(banks):
        diags.error(f.at("banks"), "id.duplicate", "assessment: bank ids must be unique")
        return None
    assessment = Assessment(id=assessment_id, title=title, intro_html=intro, pass_mark=pass_mark, attempts=attempts,
                            feedback=feedback, banks=tuple(banks), location=Location(rel, 1, 1),
                            feedback_on_fail=on_fail)
    if len(banks) > 1:  # small banks tell little alone: the keys of all of them together
        check_key_tells("assessment", assessment.questions, assessment.location, diags)
    if not any(q.scored for q in assessment.questions):
        diags.error(f.data.loc, "assessment.nothing-scored",
                    "assessment: every question is a written answer, so nothing can be scored against the pass mark")
        return None
    return assessment


def read_bank(item, loc: Location, reader: QuestionReader, diags: Diagnostics) -> Bank | None:
    node = mapping(item, diags, loc, "a bank")
    if node is None:
        return None
    bf = Fields(node, diags, "bank")
    bank_id = bf.get("id", str, pattern=ID_RE)
    title = bf.get("title", str, "")
    intro = reader.markdown(bf, "intro", "")
    draw = bf.get("draw", int, 0)
    raw = bf.get("questions", list)
    bf.done()
    if bank_id is None:
        return None
    return bank_of(raw, bank_id, title, intro, draw, bf.at("draw"), reader, diags)


def bank_of(raw: YList | None, bank_id: str, title: str, intro: str | None, draw: int, draw_loc: Location,
            reader: QuestionReader, diags: Diagnostics) -> Bank | None:
    """A bank from its question list, checking the draw against the number of questions."""
    if raw is None or intro is None:
        return None
    questions = []
    for i, item in enumerate(raw):
        node = mapping(item, diags, raw.at(i), "a question")
        questions.append(reader.read(node, bank_id) if node is not None else None)
    if not raw:
        diags.error(raw.loc, "assessment.empty", f'bank "{bank_id}": no questions')
        return None
    if draw < 0 or draw > len(raw):
        diags.error(draw_loc, "field.value", f'draw {draw} must be between 0 (all) and the number of questions ({len(raw)})')
        return None
    if None in questions:
        return None
    bank = Bank(id=bank_id, title=title, intro_html=intro, draw=draw, questions=tuple(questions), location=raw.loc)
    check_key_tells(f'bank "{bank_id}"', bank.questions, raw.loc, diags)
    return bank
