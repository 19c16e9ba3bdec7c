"""``elearn preview`` answers only to its own address: a foreign ``Host`` (DNS rebinding) and a cross-site write
are refused, and a body length that is missing a number, negative or huge is refused at once (issue 14 item 10)."""
from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest
from previewing import running_preview

from elearn_builder.cli.new import new_course
from elearn_builder.preview.session import Preview, PreviewOptions

STATEMENT = json.dumps({"verb": {"id": "http://adlnet.gov/expapi/verbs/answered"}}).encode()


@pytest.fixture
def served(tmp_path):
    new_course(tmp_path / "course")
    course = tmp_path / "course"
    options = PreviewOptions(source=course / "content", templates=course / "templates",
                             profile=course / "xapi_profiles", interval=0.05)
    with running_preview(options) as (preview, url):
        yield preview, urlsplit(url).port
    Preview.close(preview)


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 5.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            connection.putheader(key, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}"])
def test_its_own_host_is_served(served, host):
    _, port = served
    assert request(port, "GET", "/api/state", headers={"Host": host.format(port=port)})[0] == 200


@pytest.mark.parametrize("host", ["attacker.example:{port}", "attacker.example", "127.0.0.1:1", "127.0.0.1",
                                  "localhost.attacker.example:{port}", ""])
def test_a_foreign_host_is_refused(served, host):
    """A page on a name that an attacker's DNS turns into 127.0.0.1 must not read the unpublished course."""
    _, port = served
    headers = {"Host": host.format(port=port)} if host else {}
    for path in ("/api/state", "/pkg/", "/xapi/statements"):
        status, body = request(port, "GET", path, headers=headers)
        assert status == 421, (host, path, status)
        assert b"127.0.0.1" in body


@pytest.mark.parametrize("origin", ["http://attacker.example", "null", "http://127.0.0.1:1",
                                    "https://127.0.0.1:{port}"])
def test_a_cross_site_write_is_refused_and_stores_nothing(served, origin):
    preview, port = served
    own = {"Host": f"127.0.0.1:{port}", "Content-Type": "text/plain", "Content-Length": str(len(STATEMENT))}
    status, _ = request(port, "POST", "/xapi/statements", STATEMENT, {**own, "Origin": origin.format(port=port)})
    assert status == 403
    put = "/xapi/statements?statementId=0e8e3c1c-5a51-4f4e-8d3e-1d2c3b4a5f60"
    assert request(port, "PUT", put, STATEMENT, {**own, "Origin": origin.format(port=port)})[0] == 403
    assert request(port, "DELETE", "/api/statements", None, {"Host": own["Host"], "Origin": "http://x.example"})[0] \
        == 403
    assert preview.statements == []
    same = {**own, "Origin": f"http://localhost:{port}"}
    assert request(port, "POST", "/xapi/statements", STATEMENT, same)[0] == 200
    assert len(preview.statements) == 1


@pytest.mark.parametrize("length, status", [("999999999999", 413), ("-1", 400), ("12abc", 400), ("", 411)])
def test_a_body_length_that_is_huge_negative_or_not_a_number_is_refused_at_once(served, length, status):
    preview, port = served
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        head = f"POST /xapi/statements HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        head += f"Content-Length: {length}\r\n" if length else ""
        raw.sendall((head + "\r\n").encode() + STATEMENT)  # the connection stays open: a hang would time out
        answer = raw.recv(200).decode("latin-1")
    assert answer.startswith(f"HTTP/1.0 {status}") or answer.startswith(f"HTTP/1.1 {status}"), answer
    assert preview.statements == []
