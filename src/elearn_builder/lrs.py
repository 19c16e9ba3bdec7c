"""Statements to and from an LRS through ``tincan``: filters, ``more`` paging, timeouts, retries, clear errors."""
from __future__ import annotations

import base64
import csv
import io
import json
import socket
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .diagnostics import ElearnError

FILTERS = ("agent", "verb", "activity", "registration", "related_activities", "since", "until", "limit")
TRANSIENT = {429, 500, 502, 503, 504}
CSV_COLUMNS = ("id", "timestamp", "actor", "verb", "object", "registration", "stage", "organisation",
               "response", "success", "completion", "score_scaled")
EXT = "https://xapi.reflective-supervision.org.uk/extensions/"


class LRSError(ElearnError):
    """The LRS could not be reached, refused us, or answered something we cannot use."""


@dataclass
class Connection:
    """An LRS endpoint and its credentials, with how long to wait and how often to retry."""

    endpoint: str
    username: str = ""
    password: str = ""
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise LRSError(f"the LRS endpoint must be an http(s) URL, got {self.shown!r}")
        if not self.endpoint.endswith("/"):
            self.endpoint += "/"
        from tincan import RemoteLRS

        auth = None
        if self.username or self.password:
            auth = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        self.remote = RemoteLRS(endpoint=self.endpoint, auth=auth, version="1.0.3")

    @property
    def shown(self) -> str:
        """The endpoint without any user information, for messages (credentials are never echoed)."""
        parts = urllib.parse.urlsplit(self.endpoint)
        host = parts.hostname or ""
        return urllib.parse.urlunsplit((parts.scheme, host + (f":{parts.port}" if parts.port else ""),
                                        parts.path, "", ""))

    def send(self, method: str, resource: str, params: dict | None = None, body: str | None = None):
        """One request (``resource`` relative to the endpoint, or an absolute URL), retried on transient failures."""
        from tincan.http_request import HTTPRequest

        request = HTTPRequest(method=method, resource=resource, query_params=params or {},
                              headers={"Content-Type": "application/json"} if body is not None else {})
        if body is not None:
            request.content = body
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                with _socket_timeout(self.timeout):
                    response = self.remote._send_request(request)
            except OSError as exc:  # refused, reset, timed out, unknown host
                if last:
                    raise LRSError(f"cannot reach the LRS at {self.shown}: {_reason(exc)} "
                                   f"(after {self.retries + 1} attempt(s)); is it running?") from None
            else:
                status = response.response.status
                if response.success:
                    return response
                if status not in TRANSIENT or last:
                    raise LRSError(_refusal(status, self.shown, response.data)) from None
            self.sleep(self.backoff * 2 ** attempt)
        raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def _socket_timeout(seconds: float):
    """tincan's connections have no timeout of their own: they take the socket default."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _reason(exc: OSError) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "no answer within the timeout"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    return exc.strerror or exc.__class__.__name__


def _refusal(status: int, where: str, data: bytes | str) -> str:
    if status in (401, 403):
        return f"the LRS at {where} refused the credentials ({status}): check the username and password"
    if status == 404:
        return f"the LRS at {where} answered 404: is this the xAPI endpoint (it usually ends in /xAPI/)?"
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    return f"the LRS at {where} answered {status}: {text[:300]}"


def query_params(**filters) -> dict[str, str]:
    """xAPI query parameters from our filters: the agent as JSON, booleans in lower case, Nones left out."""
    params = {}
    for name, value in filters.items():
        if value is None or value == "" or name not in FILTERS:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, dict):
            value = json.dumps(value, separators=(",", ":"))
        params[name] = str(value)
    return params


def query(connection: Connection, **filters) -> Iterator[dict]:
    """Every statement matching the filters, page after page, following ``more`` to the end."""
    response = connection.send("GET", "statements", params=query_params(**filters))
    seen: set[str] = set()
    while True:
        try:
            result = json.loads(response.data)
            statements, more = result["statements"], result.get("more") or ""
        except (ValueError, KeyError, TypeError):
            raise LRSError(f"the LRS at {connection.shown} did not answer with a StatementResult") from None
        yield from statements
        if not more:
            return
        if more in seen:
            raise LRSError(f"the LRS at {connection.shown} repeats the same `more` link: {more}")
        seen.add(more)
        url = more if more.startswith("http") else connection.remote.get_endpoint_server_root() + more
        response = connection.send("GET", url)


def post(connection: Connection, statements: Iterable[dict], batch_size: int = 500) -> int:
    """POST the statements in batches; the number sent."""
    from .generate import batches

    sent = 0
    for batch in batches(statements, batch_size):
        connection.send("POST", "statements", body=json.dumps(batch, separators=(",", ":")))
        sent += len(batch)
    return sent


def _actor(statement: dict) -> str:
    actor = statement.get("actor") or {}
    account = actor.get("account") or {}
    if account:
        return f"{account.get('homePage', '')}|{account.get('name', '')}"
    return actor.get("mbox") or actor.get("openid") or actor.get("mbox_sha1sum") or actor.get("name") or ""


def csv_row(statement: dict) -> list:
    """The CSV columns of one statement (``CSV_COLUMNS``)."""
    context, result = statement.get("context") or {}, statement.get("result") or {}
    extensions = context.get("extensions") or {}
    return [statement.get("id", ""), statement.get("timestamp", ""), _actor(statement),
            (statement.get("verb") or {}).get("id", ""), (statement.get("object") or {}).get("id", ""),
            context.get("registration", ""), extensions.get(EXT + "stage", ""),
            extensions.get(EXT + "organisation", ""), result.get("response", ""), result.get("success", ""),
            result.get("completion", ""), (result.get("score") or {}).get("scaled", "")]


def csv_lines(statements: Iterable[dict]) -> Iterator[str]:
    """A header, then one CSV line per statement."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for statement in statements:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(statement))
        yield buffer.getvalue()
