"""Statements against the profile: template rules (Profiles 1.0 §8, Communication §2.1) and patterns (§2.2)."""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any, Iterable

from types import MappingProxyType

from elearn_builder.xapi.jsonpath import evaluate, parse
from elearn_builder.xapi.profile import CONTEXT_TYPES, Vocabulary

UNMATCHABLE = object()
"""A location value on which the rule's selector found nothing."""
_SLOTS = MappingProxyType({"ContextExtension": "$.context.extensions", "ResultExtension": "$.result.extensions",
                           "ActivityExtension": "$.object.definition.extensions"})
_SLOT_PATHS = MappingProxyType({slot: parse(where) for slot, where in _SLOTS.items()})
_VERB, _OBJECT_TYPE, _USAGE, _REGISTRATION = (parse(p) for p in (
    "$.verb.id", "$.object.definition.type", "$.attachments[*].usageType", "$.context.registration"))
_CONTEXT = MappingProxyType({key[len("context"):-len("ActivityType")].lower(): parse(
    f"$.context.contextActivities.{key[len('context'):-len('ActivityType')].lower()}[*].definition.type")
    for key in CONTEXT_TYPES})
"""The paths every statement is read through, parsed once."""


@dataclass(frozen=True)
class Problem:
    """Why a statement does not follow the profile: where (a JSONPath into the statement) and what."""

    statement: str
    """The statement's id, or ``(no id)``."""
    path: str
    message: str
    template: str = ""
    """The id of the template whose rule failed, when one did."""

    def __str__(self) -> str:
        return f"{self.statement}: {self.path}: {self.message}"


def normalise(statement: dict) -> dict:
    """A copy with every ``contextActivities`` value as an array, as xAPI's normalisation requires."""
    statement = copy.deepcopy(statement)
    activities = (statement.get("context") or {}).get("contextActivities") or {}
    for key, value in activities.items():
        if isinstance(value, dict):
            activities[key] = [value]
    return statement


def _vocabulary(profile: dict | Vocabulary) -> Vocabulary:
    return profile if isinstance(profile, Vocabulary) else Vocabulary(profile)


def _types(statement: dict, key: str) -> set[str]:
    return set(evaluate(_CONTEXT[key], statement))


def matches(statement: dict, template: dict) -> bool:
    """Whether the statement has every determining property of the template (its ``verb``, object and context types)."""
    if "verb" in template and evaluate(_VERB, statement) != [template["verb"]]:
        return False
    if "objectActivityType" in template and \
            evaluate(_OBJECT_TYPE, statement) != [template["objectActivityType"]]:
        return False
    for key in CONTEXT_TYPES:
        slot = key[len("context"):-len("ActivityType")].lower()
        if not set(template.get(key, [])) <= _types(statement, slot):
            return False
    usage = set(evaluate(_USAGE, statement))
    return set(template.get("attachmentUsageType", [])) <= usage


def _show(values: Iterable) -> str:
    return ", ".join("(nothing the selector finds)" if v is UNMATCHABLE else json.dumps(v) for v in values)


def _same(value: Any) -> Any:
    """JSON equality: ``true`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return json.dumps(value, sort_keys=True)
    return float(value)


def _within(value: Any, allowed: list) -> bool:
    return _same(value) in {_same(item) for item in allowed}


def rule_failures(statement: dict, rule: dict, vocab: Vocabulary | None = None) -> list[str]:
    """What is wrong with the statement at one rule's location; empty when it follows the rule (``vocab``, the
    profile's, keeps the rule's paths parsed)."""
    path = vocab.path if vocab is not None else parse
    values = evaluate(path(rule["location"]), statement)
    if "selector" in rule:
        selector = path(rule["selector"])
        values = [found for value in values for found in (evaluate(selector, value) or [UNMATCHABLE])]
    matchable = [v for v in values if v is not UNMATCHABLE]
    presence, failures = rule.get("presence"), []
    if presence == "included" and (not matchable or len(matchable) < len(values)):
        failures.append("is required but missing" if not values else f"is required, found {_show(values)}")
    if presence == "excluded" and matchable:
        failures.append(f"must not be present, found {_show(matchable)}")
    if presence == "recommended" and not values:
        return failures
    if "any" in rule and not any(_within(v, rule["any"]) for v in matchable):
        failures.append(f"needs one of {_show(rule['any'])}, found {_show(values) or 'nothing'}")
    if "all" in rule and (wrong := [v for v in values if v is UNMATCHABLE or not _within(v, rule["all"])]):
        failures.append(f"may only be {_show(rule['all'])}, found {_show(wrong)}")
    if "none" in rule and (banned := [v for v in matchable if _within(v, rule["none"])]):
        failures.append(f"must not be {_show(banned)}")
    return failures


def _unmatched(statement: dict, vocab: Vocabulary, sid: str) -> Problem:
    verb = (evaluate(_VERB, statement) or ["(none)"])[0]
    kind = (evaluate(_OBJECT_TYPE, statement) or ["(none)"])[0]
    with_verb = [t for t in vocab.templates.values() if t.get("verb") in (verb, None)]
    if not with_verb:
        return Problem(sid, "$.verb.id", f"no statement template of the profile uses the verb {verb}")
    kinds = sorted({t["objectActivityType"] for t in with_verb if "objectActivityType" in t})
    if kinds and not any(matches({**statement, "context": {}}, t) for t in with_verb):
        return Problem(sid, "$.object.definition.type",
                       f"no template for {verb} with object type {kind} (expected one of {', '.join(kinds)})")
    return Problem(sid, "$.context.contextActivities", f"no template for {verb} with these context activity types")


def _slot_problems(statement: dict, vocab: Vocabulary, sid: str, check_values: bool) -> list[Problem]:
    problems = []
    for slot, where in _SLOTS.items():
        found = (evaluate(_SLOT_PATHS[slot], statement) or [{}])[0]
        for iri, value in (found.items() if isinstance(found, dict) else ()):
            term = vocab.by_id.get(iri)
            if term is None or not term.type.endswith("Extension"):
                continue
            path = f"{where}['{iri}']"
            if term.type != slot:
                problems.append(Problem(sid, path, f"{term.label} is a {term.type}: it belongs in "
                                                   f"{_SLOTS[term.type]}, not {where}"))
            elif check_values:
                problems += [Problem(sid, path, f"{term.label}: {error}")
                             for error in _schema_errors(vocab, iri, value)]
    return problems


def _schema_errors(vocab: Vocabulary, iri: str, value: Any) -> list[str]:
    concept = next((c for c in vocab.doc.get("concepts", []) if c["id"] == iri and "inlineSchema" in c), None)
    if concept is None:
        return []
    import jsonschema  # only when values are checked (a dependency since xapi check needs it)

    validator = jsonschema.Draft7Validator(json.loads(concept["inlineSchema"]))
    return sorted(error.message for error in validator.iter_errors(value))


def check_statement(statement: dict, profile: dict | Vocabulary, check_values: bool = True) -> list[Problem]:
    """Every way the statement breaks the profile: no matching template, a failed rule, an extension in the wrong
    slot, or (with ``check_values``, which needs ``jsonschema``) an extension value outside its inline schema."""
    vocab, statement = _vocabulary(profile), normalise(statement)
    sid = str(statement.get("id") or "(no id)")
    problems = _slot_problems(statement, vocab, sid, check_values)
    matched = [t for t in vocab.templates.values() if matches(statement, t)]
    if not matched:
        return problems + [_unmatched(statement, vocab, sid)]
    for template in matched:
        label = next(iter(template["prefLabel"].values()))
        for rule in template.get("rules", []):
            problems += [Problem(sid, rule["location"], f"{failure} (template '{label}')", template["id"])
                         for failure in rule_failures(statement, rule, vocab)]
    return problems


def _match(element: str, statements: list, vocab: Vocabulary) -> tuple[str, list]:
    """The pattern algorithm of Communication §2.2: (success | partial | failure, statements left), greedily."""
    if element in vocab.templates:
        if not statements:
            return "partial", []
        return ("success", statements[1:]) if element in statements[0][1] else ("failure", statements)
    pattern = vocab.patterns[element]
    if "sequence" in pattern:
        rest = statements
        for member in pattern["sequence"]:
            outcome, rest = _match(member, rest, vocab)
            if outcome != "success":
                return (outcome, []) if outcome == "partial" else ("failure", statements)
        return "success", rest
    if "alternates" in pattern:
        best, rest = "failure", statements
        for member in pattern["alternates"]:
            outcome, left = _match(member, statements, vocab)
            if outcome == "success" and (best != "success" or len(left) < len(rest)):
                best, rest = "success", left
            elif outcome == "partial" and best == "failure":
                best = "partial"
        return (best, []) if best == "partial" else (best, rest)
    if "optional" in pattern:
        if not statements:
            return "success", []
        outcome, rest = _match(pattern["optional"], statements, vocab)
        return (outcome, rest) if outcome != "failure" else ("success", statements)
    return _repeat(pattern.get("oneOrMore") or pattern["zeroOrMore"], statements, vocab, "oneOrMore" in pattern)


def _repeat(member: str, statements: list, vocab: Vocabulary, at_least_one: bool) -> tuple[str, list]:
    """``oneOrMore`` and ``zeroOrMore``, transcribed from the spec's pseudocode."""
    found, last = "failure", statements
    while True:
        outcome, rest = _match(member, last, vocab)
        if at_least_one:
            if outcome == "success":
                found = "success"
            elif found == "failure" and outcome == "partial":
                return "partial", []
            else:
                return ("partial", last) if outcome == "partial" and last else (found, last)
        elif outcome == "failure":
            return "success", last
        elif outcome == "partial" and rest:
            return "partial", rest
        if len(rest) == len(last):
            return "success", rest
        last = rest


def check_sequence(statements: list[dict], profile: dict | Vocabulary) -> list[Problem]:
    """Every statement checked, then each registration's statements (by timestamp) against the primary patterns."""
    vocab = _vocabulary(profile)
    problems = [p for s in statements for p in check_statement(s, vocab, check_values=False)]
    by_registration: dict[str, list] = {}
    for statement in sorted(statements, key=lambda s: str(s.get("timestamp", ""))):
        ids = {t["id"] for t in vocab.templates.values() if matches(normalise(statement), t)}
        by_registration.setdefault(str(evaluate(_REGISTRATION, statement)), []).append((statement, ids))
    primaries = [p["id"] for p in vocab.patterns.values() if p.get("primary")]
    for registration, sequence in by_registration.items():
        problem = _pattern_problem(sequence, primaries, vocab)
        if problem:
            position, message = problem
            statement = sequence[position][0]
            verb = (evaluate(_VERB, statement) or ["?"])[0]
            problems.append(Problem(str(statement.get("id") or "(no id)"), "$", f"statement {position + 1} of "
                                    f"registration {registration} ({verb}) {message}"))
    return problems


def _pattern_problem(sequence: list, primaries: list[str], vocab: Vocabulary) -> tuple[int, str] | None:
    """None when a primary pattern matches the whole sequence, else (index to blame, why)."""
    outcomes = [_match(primary, sequence, vocab) for primary in primaries]
    if any(outcome == "success" and not rest for outcome, rest in outcomes):
        return None
    if any(outcome == "partial" for outcome, _rest in outcomes):
        return len(sequence) - 1, "ends the registration in the middle of the primary pattern"
    for end in range(1, len(sequence) + 1):
        prefix = [_match(primary, sequence[:end], vocab) for primary in primaries]
        if not any(outcome == "partial" or (outcome == "success" and not rest) for outcome, rest in prefix):
            return end - 1, "does not fit the profile's primary pattern here"
    return len(sequence) - 1, "does not fit the profile's primary pattern here"
