"""The statement generator: realistic, deterministic for a seed, every statement following the profile."""
from __future__ import annotations

import itertools
import json
import uuid
from collections import Counter

import pytest
from click.testing import CliRunner
from lrs.server import free_port as closed_port  # a port nothing listens on once it is returned

from elearn_builder.cli.commands import main
from elearn_builder.xapi.generate import KEY_AREAS, ORGANISATIONS, STAGES, batches, generate_statements, json_lines, self_assessment_figures
from elearn_builder.xapi.profile import Vocabulary, load_profile
from elearn_builder.xapi.template_rules import check_sequence, check_statement

EXT = "https://xapi.reflective-supervision.org.uk/extensions/"
VERB = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary(load_profile())


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return list(generate_statements(seed=7, learners=60))


def test_every_generated_statement_passes_its_template(sample, vocab):
    problems = [str(p) for s in sample for p in check_statement(s, vocab)]
    assert problems == []


def test_each_registration_follows_the_primary_pattern(sample, vocab):
    assert check_sequence(sample, vocab) == []


def test_same_seed_same_statements_other_seed_other_statements():
    first = list(json_lines(generate_statements(seed=3, learners=5)))
    assert first == list(json_lines(generate_statements(seed=3, learners=5)))
    assert first != list(json_lines(generate_statements(seed=4, learners=5)))


def test_it_is_a_stream():
    stream = generate_statements(seed=1, learners=10**9)
    assert len(list(itertools.islice(stream, 50))) == 50


def test_ids_are_unique_uuids(sample):
    ids = [s["id"] for s in sample]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 4 for i in ids)


def test_learners_span_two_organisations_three_stages_and_every_verb(sample):
    orgs = {s["context"]["extensions"][EXT + "organisation"] for s in sample}
    stages = {s["context"]["extensions"][EXT + "stage"] for s in sample}
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in sample)
    assert orgs == set(ORGANISATIONS) and stages == set(STAGES)
    for verb in ("initialized", "experienced", "answered", "self-assessed", "passed", "failed", "completed",
                 "terminated"):
        assert verbs[verb] > 0, verb
    assert len({s["actor"]["account"]["name"] for s in sample}) == 60


def test_some_learners_take_a_second_self_assessment(sample):
    attempts = Counter(s["context"]["extensions"][EXT + "attempt"] for s in sample
                       if s["verb"]["id"].endswith("/self-assessed"))
    assert attempts[1] == 60 and 5 < attempts[2] < 60


def test_self_assessed_figures_match_the_ratings(sample):
    ratings: dict = {}
    for s in sample:
        ext = s["context"]["extensions"]
        key = (s["context"]["registration"], ext.get(EXT + "attempt"))
        if s["verb"]["id"] == VERB + "answered" and EXT + "bank" not in ext:
            ratings.setdefault(key, {}).setdefault(ext[EXT + "key-area"], []).append(int(s["result"]["response"]))
        elif s["verb"]["id"].endswith("/self-assessed"):
            result = s["result"]["extensions"]
            scores, expected, gaps = self_assessment_figures(ratings[key], ext[EXT + "stage"])
            assert set(scores) == set(KEY_AREAS)
            assert result[EXT + "scores"] == scores and result[EXT + "gaps"] == gaps
            assert result[EXT + "expected-levels"] == expected


def test_timestamps_increase_within_a_registration(sample):
    last: dict = {}
    for s in sample:
        reg = s["context"]["registration"]
        assert s["timestamp"] > last.get(reg, "")
        last[reg] = s["timestamp"]


def test_batches():
    assert list(batches(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(batches([], 3)) == []


def test_cli_writes_json_lines_to_a_file(tmp_path):
    out = tmp_path / "s.jsonl"
    result = CliRunner().invoke(main, ["xapi", "generate", "--seed", "2", "--learners", "3", "-o", str(out)],
                                env={"ELEARN_LRS_ENDPOINT": ""})
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert [json.loads(line) for line in lines] == list(generate_statements(seed=2, learners=3))


def test_cli_writes_to_stdout():
    result = CliRunner().invoke(main, ["xapi", "generate", "--learners", "1"], env={"ELEARN_LRS_ENDPOINT": ""})
    assert result.exit_code == 0
    assert all(json.loads(line)["id"] for line in result.stdout.splitlines())


def test_cli_posting_to_a_closed_port_fails_cleanly():
    port = closed_port()
    result = CliRunner().invoke(main, ["xapi", "generate", "--learners", "1", "--endpoint",
                                       f"http://127.0.0.1:{port}/xAPI/", "--retries", "0", "--password", "s3cret"])
    assert result.exit_code == 1
    assert f"Error: cannot reach the LRS at http://127.0.0.1:{port}/xAPI/: Connection refused" in result.output
    assert "s3cret" not in result.output and "Traceback" not in result.output
