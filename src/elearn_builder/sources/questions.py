"""Load one question of any type: prompt, options or pairs or accepted answers, and feedback."""
from __future__ import annotations

from types import MappingProxyType

from elearn_builder.sources.answertext import normalise, word_count
from elearn_builder.diagnostics import Diagnostics, did_you_mean
from elearn_builder.sources.fields import ID_RE, QUESTION_ID_RE, Fields, mapping
from elearn_builder.sources.markdown import Renderer, plain_text
from elearn_builder.model import QUESTION_TYPES, Choice, Location, Module, Question
from elearn_builder.sources.modules import check_key_area, pcf_domains
from elearn_builder.sources.reader import YMap

MAX_CHOICES = 26
"""SCORM 1.2 responses name options by single characters a-z."""
FILL_IN_LIMIT = 250
"""SCORM 2004 fill-in responses are localized strings of at most 250 characters (SPM)."""
LONG_FILL_IN_LIMIT = 4000
"""SCORM 2004 long-fill-in responses hold at most 4000 characters (SPM)."""
DEFAULT_MAX_LENGTH = MappingProxyType({"fill-in": 100, "long-fill-in": 1000})


class QuestionReader:
    """Reads questions for one course; question ids are collected across files to keep them unique."""

    def __init__(self, rel: str, known_areas: set[str], renderer: Renderer, question_ids: dict[str, Location],
                 diags: Diagnostics, modules: tuple[Module, ...] = ()):
        self.rel, self.known, self.renderer, self.ids, self.diags = rel, known_areas, renderer, question_ids, diags
        self.modules = modules

    def unique_id(self, f: Fields, what: str = "question") -> str | None:
        """A question or statement id: also a SCORM interaction id, so unique across the programme."""
        qid = f.get("id", str, pattern=QUESTION_ID_RE)
        if qid is not None:
            if qid in self.ids:
                self.diags.error(f.at("id"), "id.duplicate", f'{what} id "{qid}" is already used at {self.ids[qid]}')
                return None
            else:
                self.ids[qid] = f.at("id")
        return qid

    def key_area(self, f: Fields) -> str | None:
        area = f.get("key_area", str)
        return area if area is not None and check_key_area(area, f.at("key_area"), self.known, self.diags) else None

    def markdown(self, f: Fields, key: str, default=None) -> str | None:
        text = f.get(key, str, default) if default is not None else f.get(key, str)
        return None if text is None else self.renderer.render(text, self.rel, f.at(key).line)

    def read(self, node: YMap, bank: str) -> Question | None:
        f = Fields(node, self.diags, "question")
        qid = self.unique_id(f)
        qtype = f.get("type", str)
        if qtype is not None and qtype not in QUESTION_TYPES:
            self.diags.error(f.at("type"), "question.unknown-type", f'question: type "{qtype}" is not one of '
                             f'{", ".join(QUESTION_TYPES)}{did_you_mean(qtype, QUESTION_TYPES)}')
            qtype = None
        key_area, domains = self.key_area(f), pcf_domains(f, "pcf_domains", self.diags)
        prompt_html = self.markdown(f, "prompt")
        weight = f.get("weight", float, 1.0)
        if weight <= 0:
            self.diags.error(f.at("weight"), "field.value", "question: weight must be more than 0")
        parts = self.type_parts(f, qtype, qid) if qtype else None
        if parts is not None:
            parts.update(self.options_of_type(f, qtype, qid))
        module = self.module(f, qtype, key_area, domains)
        feedback = self.feedback(f)
        f.done()
        if None in (qid, qtype, key_area, prompt_html, parts, module):
            return None
        return Question(id=qid, type=qtype, key_area=key_area, pcf_domains=domains, prompt_html=prompt_html,
                        prompt_text=plain_text(prompt_html), feedback_correct_html=feedback["correct"],
                        feedback_incorrect_html=feedback["incorrect"], location=node.loc, weight=float(weight),
                        bank=bank, module=module, **parts)

    def options_of_type(self, f: Fields, qtype: str, qid: str | None) -> dict:
        """``shuffle`` and ``partial``, read only where they mean something (elsewhere: unknown key)."""
        out = {}
        if qtype in ("choice", "multiple-response"):
            out["shuffle"] = f.get("shuffle", bool, True)
        if qtype in ("matching", "multiple-response"):
            out["partial"] = f.get("partial", bool, False)
        return out

    def module(self, f: Fields, qtype: str | None, key_area: str | None, domains: tuple[int, ...]) -> str | None:
        """The module to revisit: ``module`` when given (it must exist), else the first module in teaching
        order on the question's key area that shares a PCF domain with it, else the first on its key area."""
        given = f.get("module", str, None)
        ids = [m.id for m in self.modules]
        if given is not None:
            if given not in ids:
                self.diags.error(f.at("module"), "question.unknown-module", f'question: module "{given}" is not a '
                                 f'module of the programme{did_you_mean(given, ids)}')
                return None
            return given
        on_area = [m for m in self.modules if key_area in m.key_areas]
        found = [m for m in on_area if set(m.pcf_domains) & set(domains)] or on_area
        return found[0].id if found else ""

    def feedback(self, f: Fields) -> dict[str, str]:
        out = {"correct": "", "incorrect": ""}
        raw = f.get("feedback", dict, None)
        if raw is not None:
            ff = Fields(raw, self.diags, "feedback")
            out = {k: self.markdown(ff, k, "") for k in out}
            ff.done()
        return out

    def type_parts(self, f: Fields, qtype: str, qid: str | None) -> dict | None:
        """The fields of Question that depend on the type, or None after a diagnostic."""
        if qtype == "true-false":
            answer = f.get("answer", bool)
            return None if answer is None else {"choices": tuple(
                Choice(id=v, html=v.capitalize(), text=v.capitalize(), correct=(v == str(answer).lower()))
                for v in ("true", "false"))}
        if qtype in ("choice", "multiple-response"):
            choices = self.options(f, "choices", qid, with_correct=True)
            return None if choices is None or not self.check_correct(f, qtype, qid, choices) else {"choices": choices}
        if qtype == "sequencing":
            items = self.options(f, "items", qid)
            accept = self.accept(f, qid, items)
            return None if items is None or accept is None else {"choices": items, "accept": accept}
        if qtype == "matching":
            return self.matching(f, qid)
        return self.typed(f, qtype, qid)

    def options(self, f: Fields, key: str, qid: str | None, with_correct: bool = False,
                minimum: int = 2) -> tuple[Choice, ...] | None:
        raw = f.get(key, list)
        if raw is None:
            return None
        out, seen, ok = [], set(), True
        for i, item in enumerate(raw):
            choice = self.option(mapping(item, self.diags, raw.at(i), f"an entry of {key}"), qid, seen, with_correct)
            ok = ok and choice is not None
            if choice is not None:
                out.append(choice)
        if len(raw) > MAX_CHOICES:
            self.diags.error(f.at(key), "question.too-many-choices",
                             f'question "{qid}": {len(raw)} {key}; at most {MAX_CHOICES} (SCORM 1.2 uses letters a-z)')
            ok = False
        if len(raw) < minimum:
            self.diags.error(f.at(key), "question.too-few-choices", f'question "{qid}": needs at least {minimum} {key}')
            ok = False
        return tuple(out) if ok else None

    def option(self, node: YMap | None, qid: str | None, seen: set, with_correct: bool = False) -> Choice | None:
        if node is None:
            return None
        cf = Fields(node, self.diags, "choice")
        cid, text = cf.get("id", str, pattern=ID_RE), cf.get("text", str)
        correct = cf.get("correct", bool, False) if with_correct else False
        cf.done()
        if cid is not None and cid in seen:
            self.diags.error(cf.at("id"), "id.duplicate", f'id "{cid}" is used twice in question "{qid}"')
            return None
        seen.add(cid)
        if cid is None or text is None:
            return None
        html = self.renderer.inline(text, self.rel, cf.at("text").line)
        return Choice(id=cid, html=html, text=plain_text(html), correct=correct)

    def check_correct(self, f: Fields, qtype: str, qid: str | None, choices: tuple[Choice, ...]) -> bool:
        correct = sum(c.correct for c in choices)
        if correct == 0:
            self.diags.error(f.data.loc, "question.no-correct-answer",
                             f'question "{qid}" has no correct answer: mark one choice with "correct: true"')
        elif qtype == "choice" and correct > 1:
            self.diags.error(f.data.loc, "question.several-correct",
                             f'question "{qid}" is a single-choice question with {correct} correct choices; '
                             'use type "multiple-response" or mark just one')
        return correct == 1 or (correct > 1 and qtype == "multiple-response")

    def accept(self, f: Fields, qid: str | None, items: tuple[Choice, ...] | None) -> tuple | None:
        """Sequencing: further right orders, each every item id once (the listed order is always right)."""
        raw = f.get("accept", list, None)
        if raw is None or items is None:
            return ()
        ids, out = [c.id for c in items], []
        for i, order in enumerate(raw):
            if not (isinstance(order, list) and all(isinstance(x, str) for x in order)) \
                    or sorted(order) != sorted(ids):
                self.diags.error(raw.at(i), "question.bad-order", f'question "{qid}": each order in accept lists '
                                 f'every item id once ({", ".join(ids)})')
                return None
            if list(order) != ids and tuple(order) not in out:
                out.append(tuple(order))
        return tuple(out)

    def matching(self, f: Fields, qid: str | None) -> dict | None:
        raw = f.get("pairs", list)
        if raw is None:
            return None
        sources, targets, pairs, seen_s, seen_t, ok = [], [], [], set(), set(), True
        for i, item in enumerate(raw):
            node = mapping(item, self.diags, raw.at(i), "a pair")
            if node is None:
                ok = False
                continue
            pf = Fields(node, self.diags, "pair")
            source = self.option(pf.get("source", dict), qid, seen_s)
            target = self.option(pf.get("target", dict), qid, seen_t)
            pf.done()
            if source is None or target is None:
                ok = False
                continue
            sources.append(source)
            targets.append(target)
            pairs.append((source.id, target.id))
        distractors = f.get("distractors", list, None) or []
        for i, item in enumerate(distractors):
            extra = self.option(mapping(item, self.diags, distractors.at(i), "a distractor"), qid, seen_t)
            ok = ok and extra is not None
            if extra is not None:
                targets.append(extra)
        if not 2 <= len(raw) <= MAX_CHOICES or len(targets) > MAX_CHOICES:
            self.diags.error(f.at("pairs"), "question.pair-count",
                             f'question "{qid}": a matching question needs 2 to {MAX_CHOICES} pairs and targets')
            ok = False
        return {"sources": tuple(sources), "targets": tuple(targets), "pairs": tuple(pairs), "choices": ()} \
            if ok else None

    def typed(self, f: Fields, qtype: str, qid: str | None) -> dict | None:
        """fill-in (accepted answers) and long-fill-in (guidance): a length limit within the standards."""
        limit = FILL_IN_LIMIT if qtype == "fill-in" else LONG_FILL_IN_LIMIT
        max_length = f.get("max_length", int, DEFAULT_MAX_LENGTH[qtype])
        if not 1 <= max_length <= limit:
            self.diags.error(f.at("max_length"), "field.value",
                             f'question "{qid}": max_length {max_length} must be 1-{limit} for {qtype}')
            return None
        max_words = f.get("max_words", int, 0)
        if max_words < 0:
            self.diags.error(f.at("max_words"), "field.value", f'question "{qid}": max_words must be 1 or more')
        if qtype == "long-fill-in":
            criteria = self.criteria(f, qid)
            return None if criteria is None or max_words < 0 else {
                "choices": (), "max_length": max_length, "max_words": max_words, "criteria": criteria,
                "guidance_html": self.markdown(f, "guidance", "")}
        raw = f.get("accepted", list)
        case_matters = f.get("case_matters", bool, False)
        if raw is None or max_words < 0:
            return None
        accepted = [" ".join(str(v).split()) for v in raw if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
        if len(accepted) != len(raw) or not all(accepted):
            self.diags.error(f.at("accepted"), "field.value", f'question "{qid}": accepted answers must be non-empty text')
            return None
        if not accepted:
            self.diags.error(f.data.loc, "question.no-correct-answer", f'question "{qid}" has no accepted answer')
            return None
        too_long = [a for a in accepted if len(a) > max_length]
        if too_long:
            self.diags.error(f.at("accepted"), "field.value",
                             f'question "{qid}": accepted answer "{too_long[0]}" is longer than max_length {max_length}')
            return None
        blank = [a for a in accepted if not normalise(a)]
        if blank:
            self.diags.error(f.at("accepted"), "field.value", f'question "{qid}": accepted answer "{blank[0]}" is only '
                             'punctuation, which answers are compared without')
            return None
        wordy = [a for a in accepted if max_words and word_count(a) > max_words]
        if wordy:
            self.diags.error(f.at("accepted"), "field.value", f'question "{qid}": accepted answer "{wordy[0]}" has '
                             f'{word_count(wordy[0])} words, more than max_words {max_words}')
            return None
        return {"choices": (), "accepted": tuple(accepted), "case_matters": case_matters, "max_length": max_length,
                "max_words": max_words}

    def criteria(self, f: Fields, qid: str | None) -> tuple[str, ...] | None:
        """Long-fill-in: plain-text criteria the learner checks the answer against. None given is a warning:
        the answer is still recorded for a person, but the learner has nothing to check it against."""
        raw = f.get("criteria", list, None)
        if raw is None:
            self.diags.warning(f.data.loc, "question.no-criteria", f'question "{qid}": a written answer without '
                               'criteria; list what a good answer covers so the learner can check theirs')
            return ()
        out = tuple(" ".join(str(v).split()) for v in raw if isinstance(v, str))
        if len(out) != len(raw) or not all(out) or not 1 <= len(out) <= MAX_CHOICES:
            self.diags.error(f.at("criteria"), "field.value", f'question "{qid}": criteria are 1 to {MAX_CHOICES} '
                             'non-empty lines of text')
            return None
        check = f"{qid}-criteria"  # the learner's check is an interaction of its own, with this id
        if qid is not None and check in self.ids:
            self.diags.error(f.at("criteria"), "id.duplicate", f'question "{qid}": its check against the criteria is '
                             f'recorded as "{check}", an id already used at {self.ids[check]}')
            return None
        if qid is not None:
            self.ids[check] = f.at("criteria")
        return out
