"""The analyst commands' files: written whole or not at all, and a missing profile named with an option that exists."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from lrs.server import free_port as closed_port  # a port nothing listens on once it is returned

from elearn_builder.cli.commands import main
from elearn_builder.xapi.profile import DEFAULT_PATH, load_profile


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env={"ELEARN_LRS_ENDPOINT": "", "ELEARN_PROFILE": "", **(env or {})})


def test_generate_names_its_own_profile_option_and_leaves_no_file(tmp_path):
    out = tmp_path / "statements.jsonl"
    result = run("xapi", "generate", "--learners", "2", "--profile", str(tmp_path / "none.jsonld"), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert f"no xAPI profile at {tmp_path / 'none.jsonld'}: give --profile FILE or set ELEARN_PROFILE" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_generate_takes_the_profile_it_is_given(tmp_path):
    profile = tmp_path / "copy.jsonld"
    profile.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    given = run("xapi", "generate", "--learners", "2", "--seed", "4", "--profile", str(profile))
    default = run("xapi", "generate", "--learners", "2", "--seed", "4")
    assert given.exit_code == default.exit_code == 0, given.output + default.output
    assert given.stdout == default.stdout and len(given.stdout.splitlines()) > 10


def test_a_query_that_fails_leaves_no_file_and_an_earlier_file_as_it_was(tmp_path):
    port = closed_port()
    fresh, earlier = tmp_path / "new.jsonl", tmp_path / "earlier.jsonl"
    earlier.write_text('{"id": "kept"}\n', encoding="utf-8")
    for out in (fresh, earlier):
        result = run("lrs", "query", "--endpoint", f"http://127.0.0.1:{port}/xAPI/", "--retries", "0", "-o", str(out))
        assert result.exit_code == 1 and "cannot reach the LRS" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.jsonl"]
    assert earlier.read_text(encoding="utf-8") == '{"id": "kept"}\n'


def test_a_file_is_replaced_only_when_the_command_succeeds(tmp_path):
    out = tmp_path / "s.jsonl"
    out.write_text("old\n", encoding="utf-8")
    result = run("xapi", "generate", "--learners", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.jsonl"]  # no temporary file left beside it
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # an ordinary file, not mkstemp's private one


@pytest.mark.parametrize("command", [("xapi", "generate", "--learners", "1"), ("lrs", "query", "--endpoint",
                                                                             "http://127.0.0.1:9/xAPI/")])
def test_an_output_folder_that_does_not_exist_is_a_clear_error(tmp_path, command):
    result = run(*command, "-o", str(tmp_path / "no" / "such" / "s.jsonl"))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "s.jsonl" in result.output and "No such file or directory" in result.output


def test_the_programme_profile_is_found_without_the_environment(monkeypatch):
    monkeypatch.delenv("ELEARN_PROFILE", raising=False)
    assert load_profile()["id"] == json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["id"]
