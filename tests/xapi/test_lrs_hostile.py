"""What a hostile LRS cannot make the analyst's commands do: send the credentials to another host through a
``more`` link, page forever, or crash ``xapi check`` with a deeply nested statement (issue 14)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from elearn_builder.cli.commands import main
from elearn_builder.xapi.lrs import Connection, LRSError, query


class _Recorder(BaseHTTPRequestHandler):
    """Answers each GET with ``server.answer(path, server)`` (a dict), keeping the path and Authorization header."""

    def do_GET(self):
        self.server.calls.append((self.path, self.headers.get("Authorization")))
        body = json.dumps(self.server.answer(self.path, self.server)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class FakeLRS:
    """A StatementResult server on 127.0.0.1 whose answers the test decides."""

    def __init__(self, answer):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        self.httpd.calls, self.httpd.answer = [], answer
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def calls(self) -> list:
        return self.httpd.calls

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_more_link_to_another_host_is_not_followed_and_gets_no_credentials():
    with FakeLRS(lambda path, s: {"statements": [], "more": ""}) as elsewhere:
        other = f"{elsewhere.root}/xAPI/statements?page=2"
        with FakeLRS(lambda path, s: {"statements": [{"id": "a"}], "more": other}) as lrs:
            result = CliRunner().invoke(main, ["lrs", "query", "--endpoint", f"{lrs.root}/xAPI/"],
                                        env={"ELEARN_LRS_USERNAME": "analyst", "ELEARN_LRS_PASSWORD": "VICTIM-secret"})
        assert elsewhere.calls == []  # not one request, so no Authorization header either
    assert result.exit_code == 1
    assert "`more` link" in result.output and "another" in result.output
    assert "VICTIM-secret" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("scheme_host", ["https://127.0.0.1:{port}", "http://localhost:{port}",
                                         "http://127.0.0.1:{other}"])
def test_more_keeps_the_endpoint_scheme_host_and_port(scheme_host):
    with FakeLRS(lambda path, s: {"statements": [], "more": ""}) as elsewhere:
        with FakeLRS(lambda path, s: {}) as lrs:
            target = scheme_host.format(port=lrs.httpd.server_port, other=elsewhere.httpd.server_port)
            lrs.httpd.answer = lambda path, s: {"statements": [{"id": "a"}], "more": f"{target}/xAPI/statements?p=2"}
            with pytest.raises(LRSError, match="another scheme, host or port"):
                list(query(Connection(f"{lrs.root}/xAPI/", "u", "p", retries=0)))
            assert len(lrs.calls) == 1
        assert elsewhere.calls == []


def test_an_absolute_more_link_on_the_same_origin_is_followed():
    def answer(path, server):
        if "page=2" in path:
            return {"statements": [{"id": "b"}], "more": ""}
        return {"statements": [{"id": "a"}], "more": f"http://127.0.0.1:{server.server_port}/xAPI/statements?page=2"}

    with FakeLRS(answer) as lrs:
        assert [s["id"] for s in query(Connection(f"{lrs.root}/xAPI/", "u", "p"))] == ["a", "b"]
        assert all(auth for _, auth in lrs.calls)


def _endless_empty(path, server):
    """Empty pages, each pointing to the next; the test ends the series at 500 so that today's code returns."""
    page = len(server.calls)
    return {"statements": [], "more": "" if page >= 500 else f"/xAPI/statements?page={page + 1}"}


def test_paging_stops_after_too_many_empty_pages():
    with FakeLRS(_endless_empty) as lrs:
        result = CliRunner().invoke(main, ["lrs", "query", "--endpoint", f"{lrs.root}/xAPI/"])
        pages = len(lrs.calls)
    assert result.exit_code == 1, result.output
    assert "empty pages in a row" in result.output and "Traceback" not in result.output
    assert pages == 20  # 20 empty pages in a row, the first one included


def test_paging_stops_at_the_overall_deadline():
    def more_forever(path, server):
        page = len(server.calls)
        return {"statements": [{"id": f"s{page}"}], "more": "" if page >= 200 else f"/xAPI/statements?page={page + 1}"}

    ticks = iter(range(10_000))  # a clock that advances one second per reading
    with FakeLRS(more_forever) as lrs:
        connection = Connection(f"{lrs.root}/xAPI/", deadline=30, clock=lambda: float(next(ticks)))
        got = []
        with pytest.raises(LRSError, match="deadline of 30 s"):
            got.extend(query(connection))
        assert len(got) < 40


def test_the_deadline_is_an_option_of_the_query_commands():
    for command in (["lrs", "query"], ["xapi", "check"], ["report", "baseline"]):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert "--deadline" in result.output, command


def _nested(depth: int) -> str:
    """One statement as JSON text whose extension value is nested ``depth`` objects deep (written as text:
    ``json.dumps`` itself cannot encode it that deep)."""
    head = ('{"id": "6b7c5b0e-5f0a-4d6e-9f47-3f1a4a0c0b11", "actor": {"mbox": "mailto:a@example.org"}, '
            '"verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}, "object": {"id": "https://example.org/a", '
            '"definition": {"extensions": {"https://example.org/x": ')
    return head + '{"a": ' * depth + '"deep"' + "}" * depth + "}}}}"


def test_xapi_check_reports_a_statement_nested_980_deep_as_a_located_error(tmp_path):
    source = tmp_path / "deep.jsonl"
    source.write_text(_nested(3) + "\n" + _nested(980) + "\n")
    result = CliRunner().invoke(main, ["xapi", "check", str(source)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and not isinstance(result.exception, RecursionError)
    assert f"{source}:2:" in result.output and "nested" in result.output
