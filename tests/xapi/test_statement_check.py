"""``elearn xapi check``: the cheap xAPI rules and the profile's templates, problem by problem."""
from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from elearn_builder.cli.commands import main
from elearn_builder.xapi.generate import generate_statements, json_lines
from elearn_builder.xapi.profile import Vocabulary, load_profile
from elearn_builder.xapi.statement_check import check_statements, xapi_problems

EXT = "https://xapi.reflective-supervision.org.uk/extensions/"


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return list(generate_statements(seed=5, learners=20))


def passed(sample) -> dict:
    return copy.deepcopy(next(s for s in sample if s["verb"]["id"].endswith("/passed")))


def write(path, statements) -> str:
    path.write_text("".join(json_lines(statements)))
    return str(path)


def test_generated_statements_have_no_problem(sample, tmp_path):
    result = CliRunner().invoke(main, ["xapi", "check", write(tmp_path / "s.jsonl", sample)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"{len(sample)} statement(s), 0 problem(s)" in result.stderr


@pytest.mark.parametrize("change, path, text", [
    (lambda s: s.update(id="42"), "$.id", "must be a UUID, found '42'"),
    (lambda s: s["verb"].update(id="passed"), "$.verb.id", "must be an IRI, found 'passed'"),
    (lambda s: s.pop("actor"), "$.actor", "is required"),
    (lambda s: s["actor"].update(mbox="mailto:a@b.c"), "$.actor", "exactly one identifier"),
    (lambda s: s["actor"]["account"].pop("homePage"), "$.actor.account.homePage", "is required"),
    (lambda s: s["result"]["score"].update(scaled=1.5), "$.result.score.scaled", "between -1 and 1, found 1.5"),
    (lambda s: s["result"]["score"].update(raw=9), "$.result.score.raw", "between min and max, found 9"),
    (lambda s: s["result"]["score"].update(min=7, raw=7, max=7), "$.result.score.min", "must be less than max"),
    (lambda s: s["result"].update(success="yes"), "$.result.success", "true or false, found 'yes'"),
    (lambda s: s.update(timestamp="yesterday"), "$.timestamp", "ISO 8601"),
    (lambda s: s["context"].update(registration="r1"), "$.context.registration", "must be a UUID"),
    (lambda s: s["object"].update(id="no iri"), "$.object.id", "must be an IRI"),
])
def test_xapi_rules(sample, change, path, text):
    statement = passed(sample)
    change(statement)
    problems = xapi_problems(statement)
    assert [(p.path, text in p.message) for p in problems] == [(path, True)], problems


def test_profile_problems_carry_the_statement_id_and_path(sample):
    statement = passed(sample)
    del statement["context"]["extensions"][EXT + "attempt"]
    statement["result"]["success"] = False
    problems = list(check_statements([statement], Vocabulary(load_profile())))
    paths = {p.path for p in problems}
    assert f"$.context.extensions['{EXT}attempt']" in paths and "$.result.success" in paths
    assert all(p.statement == statement["id"] for p in problems)


def test_cli_reports_every_problem_and_exits_1(sample, tmp_path):
    bad = passed(sample)
    bad["result"]["score"]["scaled"] = 2
    result = CliRunner().invoke(main, ["xapi", "check", write(tmp_path / "s.jsonl", sample[:5] + [bad])])
    assert result.exit_code == 1
    assert f"{bad['id']}: $.result.score.scaled: must be between -1 and 1, found 2" in result.stdout
    assert "6 statement(s), 1 problem(s)" in result.stderr


def test_cli_json_output(sample, tmp_path):
    bad = passed(sample)
    bad["verb"]["id"] = "http://adlnet.gov/expapi/verbs/mastered"
    result = CliRunner().invoke(main, ["xapi", "check", "--json", write(tmp_path / "s.jsonl", [bad])])
    assert result.exit_code == 1
    problems = [json.loads(line) for line in result.stdout.splitlines()]
    assert problems == [{"statement": bad["id"], "path": "$.verb.id", "message": "no statement template of the "
                         "profile uses the verb http://adlnet.gov/expapi/verbs/mastered"}]


def test_stdin(sample):
    result = CliRunner().invoke(main, ["xapi", "check", "-"], input="".join(json_lines(sample[:3])))
    assert result.exit_code == 0 and "3 statement(s), 0 problem(s)" in result.stderr


@pytest.mark.parametrize("content, message", [
    ('{"id": 1}\n{"id": \n', "s.jsonl:2:9: not JSON (Expecting value)"),
    ('[1, 2]\n', "s.jsonl:1: expected a JSON object (a statement), got list"),
])
def test_malformed_file(tmp_path, content, message):
    (tmp_path / "s.jsonl").write_text(content)
    result = CliRunner().invoke(main, ["xapi", "check", str(tmp_path / "s.jsonl")])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_missing_file_and_missing_source(tmp_path):
    result = CliRunner().invoke(main, ["xapi", "check", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 1 and "cannot read the statements file: No such file or directory" in result.output
    result = CliRunner().invoke(main, ["xapi", "check"])
    assert result.exit_code == 2 and "give a statements file" in result.output


def test_from_lrs(clean_ralph, sample):
    assert clean_ralph.post(sample[:30]).status == 200
    env = {"ELEARN_LRS_ENDPOINT": clean_ralph.endpoint, "ELEARN_LRS_USERNAME": clean_ralph.username,
           "ELEARN_LRS_PASSWORD": clean_ralph.password}
    result = CliRunner().invoke(main, ["xapi", "check", "--from-lrs", "--limit", "7"], env=env)
    assert result.exit_code == 0, result.output
    assert "30 statement(s), 0 problem(s)" in result.stderr
