"""Statements against the cheap xAPI 1.0.3 rules (required properties, UUIDs, IRIs, scores) and the profile."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import datetime

from elearn_builder.xapi.profile import Vocabulary
from elearn_builder.xapi.template_rules import Problem, check_statement

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _actor_problems(actor, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(actor, dict):
        yield path, "is required and must be an Agent or Group object"
        return
    ifis = [key for key in IFIS if key in actor]
    if actor.get("objectType") == "Group" and not ifis:
        if not isinstance(actor.get("member"), list) or not actor["member"]:
            yield path, "an anonymous Group needs a non-empty member list"
        return
    if len(ifis) != 1:
        yield path, f"needs exactly one identifier of {', '.join(IFIS)}, found {len(ifis)}"
    if "mbox" in actor and not str(actor["mbox"]).startswith("mailto:"):
        yield f"{path}.mbox", f"must be a mailto: IRI, found {actor['mbox']!r}"
    account = actor.get("account")
    if account is not None:
        if not isinstance(account, dict) or not IRI.match(str(account.get("homePage", ""))):
            yield f"{path}.account.homePage", "is required and must be an IRL"
        if not isinstance(account, dict) or not isinstance(account.get("name"), str) or not account.get("name"):
            yield f"{path}.account.name", "is required and must be a string"


def _score_problems(score) -> Iterator[tuple[str, str]]:
    if not isinstance(score, dict):
        yield "$.result.score", "must be an object"
        return
    numbers = {key: score[key] for key in ("scaled", "raw", "min", "max") if key in score}
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            yield f"$.result.score.{key}", f"must be a number, found {value!r}"
            return
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        yield "$.result.score.scaled", f"must be between -1 and 1, found {numbers['scaled']}"
    if "min" in numbers and "max" in numbers and numbers["min"] >= numbers["max"]:
        yield "$.result.score.min", f"must be less than max ({numbers['min']} >= {numbers['max']})"
    if "raw" in numbers and ("min" in numbers and numbers["raw"] < numbers["min"]
                             or "max" in numbers and numbers["raw"] > numbers["max"]):
        yield "$.result.score.raw", f"must lie between min and max, found {numbers['raw']}"


def _timestamp_problem(value) -> str | None:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return f"must be an ISO 8601 timestamp, found {value!r}"
    return None


def xapi_problems(statement: dict) -> list[Problem]:
    """What breaks the xAPI rules that can be checked without a server."""
    sid, found = str(statement.get("id") or "(no id)"), []
    if "id" in statement and not UUID.match(str(statement["id"])):
        found.append(("$.id", f"must be a UUID, found {statement['id']!r}"))
    found += list(_actor_problems(statement.get("actor"), "$.actor"))
    verb = statement.get("verb")
    if not isinstance(verb, dict) or not IRI.match(str(verb.get("id", ""))):
        found.append(("$.verb.id", "is required and must be an IRI"
                      + (f", found {verb.get('id')!r}" if isinstance(verb, dict) and "id" in verb else "")))
    obj = statement.get("object")
    if not isinstance(obj, dict):
        found.append(("$.object", "is required and must be an object"))
    elif obj.get("objectType", "Activity") == "Activity" and not IRI.match(str(obj.get("id", ""))):
        found.append(("$.object.id", f"an Activity id must be an IRI, found {obj.get('id')!r}"))
    if "timestamp" in statement and (message := _timestamp_problem(statement["timestamp"])):
        found.append(("$.timestamp", message))
    context = statement.get("context") or {}
    if isinstance(context, dict) and "registration" in context and not UUID.match(str(context["registration"])):
        found.append(("$.context.registration", f"must be a UUID, found {context['registration']!r}"))
    result = statement.get("result") or {}
    if isinstance(result, dict) and "score" in result:
        found += list(_score_problems(result["score"]))
    for key in ("success", "completion"):
        if isinstance(result, dict) and key in result and not isinstance(result[key], bool):
            found.append((f"$.result.{key}", f"must be true or false, found {result[key]!r}"))
    return [Problem(sid, path, message) for path, message in found]


def check_statements(statements: Iterable[dict], vocab: Vocabulary) -> Iterator[Problem]:
    """Every problem of every statement, statement by statement (streamed)."""
    from elearn_builder.xapi.jsonlines import MAX_DEPTH, depth

    for statement in statements:
        if depth(statement) > MAX_DEPTH:  # from an LRS: a file's reader refuses it with its line
            yield Problem(str(statement.get("id") or "(no id)"), "$", f"is nested {depth(statement)} levels deep, "
                          f"more than the {MAX_DEPTH} a statement may have: not checked further")
            continue
        problems = xapi_problems(statement)
        if not any(p.path in ("$.verb.id", "$.object") for p in problems):
            problems += check_statement(statement, vocab)
        yield from problems


def as_dict(problem: Problem) -> dict:
    return {key: value for key, value in asdict(problem).items() if value}
