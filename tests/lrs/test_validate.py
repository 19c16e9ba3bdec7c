"""The strict statement validators accept a good statement and name what is wrong in a bad one,
including where Ralph the LRS itself is lax."""
from __future__ import annotations

import copy

import pytest

from lrs.fixtures import require
from lrs.validate import learninglocker_missing, report, validate_with_learninglocker, validate_with_ralph

GOOD = {
    "id": "0b9e4c1a-6a35-4e0e-9d57-2a4a7e1e4c11",
    "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.elearn-builder.test", "name": "learner-1"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-GB": "passed"}},
    "object": {"objectType": "Activity", "id": "https://elearn-builder.test/activities/quiz",
               "definition": {"type": "http://adlnet.gov/expapi/activities/assessment",
                              "name": {"en-GB": "Quiz"}}},
    "result": {"score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}, "success": True, "duration": "PT2M30S"},
    "context": {"registration": "6f1b7f0e-52a5-4a43-9d3b-5bd1c0b1f1a2",
                "contextActivities": {"grouping": [{"id": "https://elearn-builder.test/course"}]}},
    "timestamp": "2025-01-06T09:00:00.000Z",
}


def bad(path: str, value) -> dict:
    statement = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target = statement
    for key in parents:
        target = target[key]
    target[last] = value
    return statement


BAD = {
    "result.score.scaled": bad("result.score.scaled", 1.5),
    "verb.id": bad("verb.id", "passed"),
}


@pytest.fixture(scope="module")
def learninglocker():
    require(learninglocker_missing())
    return validate_with_learninglocker


@pytest.fixture(scope="module")
def ralph_model(ralph_python):
    return lambda statements: validate_with_ralph(statements, python=ralph_python)


@pytest.mark.parametrize("validator", ["learninglocker", "ralph_model"])
def test_validators_accept_good_and_name_the_problem_of_bad(validator, request):
    validate = request.getfixturevalue(validator)
    statements = [GOOD, *BAD.values()]
    problems = validate(statements)
    assert problems[0] == [], report(statements, problems)
    for (path, _), found in zip(BAD.items(), problems[1:]):
        assert found, f"{validator} accepted a bad {path}"
        assert any(path in problem for problem in found), found
    assert "result.score.scaled" in report(statements, problems)


@pytest.mark.parametrize("validator", ["learninglocker", "ralph_model"])
def test_validators_survive_garbage(validator, request):
    validate = request.getfixturevalue(validator)
    problems = validate(["not a statement", None, {}])
    assert all(problems), problems


def test_what_ralph_stores_still_validates(clean_ralph, learninglocker, ralph_model):
    """Ralph adds stored and authority: both validators accept statements read back."""
    assert clean_ralph.post(GOOD).status == 200
    stored = clean_ralph.statements()
    assert learninglocker(stored) == [[]]
    assert ralph_model(stored) == [[]]


def test_ralph_the_lrs_is_lax_so_validate_what_you_send(clean_ralph, ralph_model):
    """Why the validators exist: Ralph stores a scaled score of 1.5 without a word."""
    assert clean_ralph.post(BAD["result.score.scaled"]).status == 200
    assert ralph_model(clean_ralph.statements()) != [[]]
