"""Load one assessment YAML file: settings, then questions with choices, answers and feedback."""
from __future__ import annotations

from pathlib import Path

from .diagnostics import Diagnostics, did_you_mean
from .fields import ID_RE, QUESTION_ID_RE, Fields, mapping
from .markup import Renderer, plain_text
from .model import QUESTION_TYPES, Assessment, Choice, Location, Question
from .modules import check_key_area, pcf_domains
from .sources import YMap, parse_yaml, read_text

FEEDBACK_MODES = ("immediate", "summary", "none")
MAX_CHOICES = 26
"""SCORM 1.2 choice responses are single characters a-z."""


def load_assessment(root: Path, rel: str, where: Location, known_areas: set[str], renderer: Renderer,
                    question_ids: dict[str, Location], diags: Diagnostics) -> Assessment | None:
    """Read an assessment file; ``question_ids`` collects ids across files to keep them unique."""
    text = read_text(root, rel, diags, where)
    if text is None:
        return None
    data = parse_yaml(text, rel, diags)
    if data is None or mapping(data, diags, Location(rel, 1, 1), "an assessment file") is None:
        return None
    f = Fields(data, diags, "assessment")
    assessment_id = f.get("id", str, pattern=ID_RE)
    title = f.get("title", str)
    intro = f.get("intro", str, "")
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
    draw = f.get("draw", int, 0)
    raw_questions = f.get("questions", list)
    f.done()
    questions = []
    for i, item in enumerate(raw_questions or []):
        node = mapping(item, diags, raw_questions.at(i), "a question")
        if node is not None:
            question = load_question(node, rel, known_areas, renderer, question_ids, diags)
            if question is not None:
                questions.append(question)
    if raw_questions is not None and not raw_questions:
        diags.error(f.at("questions"), "assessment.empty", "assessment: no questions")
    if draw and not 0 < draw <= len(raw_questions or []):
        diags.error(f.at("draw"), "field.value",
                    f"assessment: draw {draw} must be between 1 and the number of questions ({len(raw_questions or [])})")
    if None in (assessment_id, title, pass_mark) or len(questions) != len(raw_questions or []):
        return None
    return Assessment(id=assessment_id, title=title, intro_html=renderer.render(intro, rel, f.at("intro").line),
                      pass_mark=pass_mark, attempts=attempts, feedback=feedback, draw=draw,
                      questions=tuple(questions), location=Location(rel, 1, 1))


def load_question(node: YMap, rel: str, known_areas: set[str], renderer: Renderer,
                  question_ids: dict[str, Location], diags: Diagnostics) -> Question | None:
    f = Fields(node, diags, "question")
    qid = f.get("id", str, pattern=QUESTION_ID_RE)
    qtype = f.get("type", str)
    if qtype is not None and qtype not in QUESTION_TYPES:
        diags.error(f.at("type"), "question.unknown-type", f'question: type "{qtype}" is not one of '
                    f'{", ".join(QUESTION_TYPES)}{did_you_mean(qtype, QUESTION_TYPES)}')
        qtype = None
    if qid is not None:
        if qid in question_ids:
            diags.error(f.at("id"), "id.duplicate", f'question id "{qid}" is already used at {question_ids[qid]}')
        else:
            question_ids[qid] = f.at("id")
    key_area = f.get("key_area", str)
    if key_area is not None and not check_key_area(key_area, f.at("key_area"), known_areas, diags):
        key_area = None
    domains = pcf_domains(f, "pcf_domains", diags)
    prompt = f.get("prompt", str)
    weight = f.get("weight", float, 1.0)
    if weight <= 0:
        diags.error(f.at("weight"), "field.value", "question: weight must be more than 0")
    choices = read_choices(f, qtype, qid, rel, renderer, diags)
    feedback = {"correct": "", "incorrect": ""}
    raw_feedback = f.get("feedback", dict, None)
    f.done()
    if raw_feedback is not None:
        ff = Fields(raw_feedback, diags, "feedback")
        feedback = {k: renderer.render(ff.get(k, str, ""), rel, ff.at(k).line) for k in feedback}
        ff.done()
    if None in (qid, qtype, key_area, prompt, choices):
        return None
    prompt_html = renderer.render(prompt, rel, f.at("prompt").line)
    return Question(id=qid, type=qtype, key_area=key_area, pcf_domains=domains, prompt_html=prompt_html,
                    prompt_text=plain_text(prompt_html), choices=choices,
                    feedback_correct_html=feedback["correct"], feedback_incorrect_html=feedback["incorrect"],
                    location=node.loc, weight=float(weight))


def read_choices(f: Fields, qtype: str | None, qid: str | None, rel: str, renderer: Renderer,
                 diags: Diagnostics) -> tuple[Choice, ...] | None:
    """The question's choices; true-false questions take ``answer`` and get two fixed choices."""
    where = f.data.loc
    if qtype == "true-false":
        answer = f.get("answer", bool)
        if answer is None:
            return None
        return tuple(Choice(id=v, html=v.capitalize(), text=v.capitalize(), correct=(v == str(answer).lower()))
                     for v in ("true", "false"))
    raw = f.get("choices", list)
    if raw is None or qtype is None:
        return None
    choices, seen = [], set()
    for i, item in enumerate(raw):
        node = mapping(item, diags, raw.at(i), "a choice")
        if node is None:
            continue
        cf = Fields(node, diags, "choice")
        cid, text, correct = cf.get("id", str, pattern=ID_RE), cf.get("text", str), cf.get("correct", bool, False)
        cf.done()
        if cid in seen:
            diags.error(cf.at("id"), "id.duplicate", f'choice id "{cid}" is used twice in question "{qid}"')
        seen.add(cid)
        if cid is not None and text is not None:
            html = renderer.inline(text, rel, cf.at("text").line)
            choices.append(Choice(id=cid, html=html, text=plain_text(html), correct=correct))
    if len(raw) > MAX_CHOICES:
        diags.error(f.at("choices"), "question.too-many-choices",
                    f'question "{qid}": {len(raw)} choices; at most {MAX_CHOICES} (SCORM 1.2 uses letters a-z)')
    if len(raw) < 2:
        diags.error(f.at("choices"), "question.too-few-choices", f'question "{qid}": needs at least two choices')
    correct = sum(c.correct for c in choices)
    if correct == 0 and len(choices) == len(raw):
        diags.error(where, "question.no-correct-answer",
                    f'question "{qid}" has no correct answer: mark one choice with "correct: true"')
    elif qtype == "choice" and correct > 1:
        diags.error(where, "question.several-correct",
                    f'question "{qid}" is a single-choice question with {correct} correct choices; '
                    'use type "multiple-response" or mark just one')
    return tuple(choices) if len(choices) == len(raw) else None
