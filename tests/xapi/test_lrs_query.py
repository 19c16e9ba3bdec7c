"""``elearn lrs query`` against a real Ralph loaded with generated statements, and its errors."""
from __future__ import annotations

import csv
import io
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from click.testing import CliRunner
from lrs.server import free_port

from elearn_builder.cli.commands import main
from elearn_builder.xapi.generate import generate_statements
from elearn_builder.xapi.lrs import CSV_COLUMNS, Connection, LRSError, query, query_params

LEARNERS = 400  # about 25 statements each: over 10,000
PAGE = 1000
EXT = "https://xapi.reflective-supervision.org.uk/extensions/"


@pytest.fixture(scope="module")
def generated() -> list[dict]:
    statements = list(generate_statements(seed=11, learners=LEARNERS))
    assert len(statements) >= 10_000
    return statements


@pytest.fixture(scope="module")
def loaded(ralph_factory, generated):
    """A Ralph of its own (page cap raised to 1000) holding the generated statements, POSTed by the CLI."""
    server = ralph_factory(env={"RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": str(PAGE)})
    result = CliRunner().invoke(main, ["xapi", "generate", "--seed", "11", "--learners", str(LEARNERS),
                                       "--batch-size", "1000"], env=env_for(server))
    assert result.exit_code == 0, result.output
    assert f"sent {len(generated)} statement(s)" in result.output
    return server


def env_for(server, password: str | None = None) -> dict:
    return {"ELEARN_LRS_ENDPOINT": server.endpoint, "ELEARN_LRS_USERNAME": server.username,
            "ELEARN_LRS_PASSWORD": server.password if password is None else password}


def run_query(server, *args: str, password: str | None = None):
    return CliRunner().invoke(main, ["lrs", "query", *args], env=env_for(server, password))


def test_query_follows_more_to_the_end_and_returns_every_statement_once(loaded, generated):
    result = run_query(loaded, "--limit", str(PAGE))
    assert result.exit_code == 0, result.output
    back = [json.loads(line) for line in result.stdout.splitlines()]
    ids = [s["id"] for s in back]
    assert len(ids) == len(set(ids)) == len(generated)
    assert set(ids) == {s["id"] for s in generated}
    assert f"{len(generated)} statement(s)" in result.stderr
    original = next(s for s in generated if s["verb"]["id"].endswith("/self-assessed"))
    returned = next(s for s in back if s["id"] == original["id"])
    assert returned["result"] == original["result"] and returned["context"] == original["context"]


def test_pages_of_the_default_size_are_followed_too(loaded, generated):
    connection = Connection(loaded.endpoint, loaded.username, loaded.password)
    registration = generated[0]["context"]["registration"]
    expected = [s["id"] for s in generated if s["context"]["registration"] == registration]
    got = [s["id"] for s in query(connection, registration=registration, limit=3)]
    assert sorted(got) == sorted(expected) and len(expected) > 6


@pytest.mark.parametrize("option, pick", [
    ("--verb", lambda s: s["verb"]["id"]),
    ("--activity", lambda s: s["object"]["id"]),
    ("--registration", lambda s: s["context"]["registration"]),
])
def test_filters(loaded, generated, option, pick):
    value = pick(next(s for s in generated if s["verb"]["id"].endswith("/passed")))
    result = run_query(loaded, option, value, "--limit", str(PAGE))
    assert result.exit_code == 0, result.output
    got = sorted(json.loads(line)["id"] for line in result.stdout.splitlines())
    assert got == sorted(s["id"] for s in generated if pick(s) == value) and got


def test_agent_and_time_filters(loaded, generated):
    actor = generated[0]["actor"]["account"]
    since, until = sorted(s["timestamp"] for s in generated)[100], sorted(s["timestamp"] for s in generated)[400]
    result = run_query(loaded, "--agent", f'{actor["homePage"]}|{actor["name"]}', "--limit", str(PAGE))
    got = sorted(json.loads(line)["id"] for line in result.stdout.splitlines())
    assert got == sorted(s["id"] for s in generated if s["actor"]["account"] == actor) and got
    result = run_query(loaded, "--since", since, "--until", until, "--limit", str(PAGE))
    got = sorted(json.loads(line)["id"] for line in result.stdout.splitlines())
    assert got == sorted(s["id"] for s in generated if since < s["timestamp"] <= until) and len(got) > 200


def test_csv_output(loaded, generated):
    registration = generated[0]["context"]["registration"]
    result = run_query(loaded, "--registration", registration, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert sorted(r["id"] for r in rows) == sorted(s["id"] for s in generated
                                                  if s["context"]["registration"] == registration)
    assert {r["organisation"] for r in rows} == {generated[0]["context"]["extensions"][EXT + "organisation"]}


def test_wrong_credentials_give_a_clear_error_without_the_password(loaded):
    result = run_query(loaded, "--limit", "1", password="not-the-password")
    assert result.exit_code == 1
    assert "refused the credentials (401)" in result.output
    assert "not-the-password" not in result.output and "Traceback" not in result.output


def test_wrong_endpoint_says_404(loaded):
    result = CliRunner().invoke(main, ["lrs", "query", "--endpoint", loaded.base_url + "/nothing/"],
                                env={**env_for(loaded), "ELEARN_LRS_ENDPOINT": ""})
    assert result.exit_code == 1
    assert "answered 404: is this the xAPI endpoint" in result.output


def test_unreachable_lrs(tmp_path):
    port = free_port()
    result = CliRunner().invoke(main, ["lrs", "query", "--endpoint", f"http://127.0.0.1:{port}/xAPI/",
                                       "--retries", "1", "--username", "u", "--password", "secret-pw"])
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot reach the LRS at http://127.0.0.1:{port}/xAPI/: Connection refused "
                             "(after 2 attempt(s)); is it running?\n")


def test_no_endpoint_is_a_usage_error():
    result = CliRunner().invoke(main, ["lrs", "query"], env={"ELEARN_LRS_ENDPOINT": ""})
    assert result.exit_code == 2 and "no LRS endpoint" in result.output


def test_not_a_url():
    result = CliRunner().invoke(main, ["lrs", "query", "--endpoint", "lrs.example.org"])
    assert result.exit_code == 1 and "must be an http(s) URL" in result.output


def test_a_silent_lrs_times_out():
    with socket.socket() as listener:  # accepts connections (backlog) and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        result = CliRunner().invoke(main, ["lrs", "query", "--endpoint", f"http://127.0.0.1:{port}/xAPI/",
                                           "--timeout", "0.3", "--retries", "0"])
    assert result.exit_code == 1 and "no answer within the timeout" in result.output


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first two requests, then one page with a `more` link, then the last page."""

    calls: ClassVar[list[str]] = []

    def do_GET(self):
        self.calls.append(self.path)
        if len(self.calls) <= 2:
            status, body = 503, b"busy"
        elif "page=2" not in self.path:
            status, body = 200, json.dumps({"statements": [{"id": "a"}], "more": "/xAPI/statements?page=2"}).encode()
        else:
            status, body = 200, json.dumps({"statements": [{"id": "b"}], "more": ""}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_transient_failures_are_retried_with_back_off():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        waits: list[float] = []
        connection = Connection(f"http://127.0.0.1:{server.server_port}/xAPI", retries=3, sleep=waits.append)
        assert [s["id"] for s in query(connection, verb="http://x.example/v")] == ["a", "b"]
        assert waits == [0.5, 1.0]
        assert "verb=http%3A%2F%2Fx.example%2Fv" in _Flaky.calls[0]
        _Flaky.calls.clear()
        connection = Connection(f"http://127.0.0.1:{server.server_port}/xAPI", retries=1, sleep=waits.append)
        with pytest.raises(LRSError, match="answered 503: busy"):
            list(query(connection))
    finally:
        server.shutdown()
        server.server_close()


def test_query_params():
    assert query_params(agent={"mbox": "mailto:a@b.c"}, related_activities=True, limit=5, verb=None,
                        format="x") == {"agent": '{"mbox":"mailto:a@b.c"}', "related_activities": "true", "limit": "5"}
