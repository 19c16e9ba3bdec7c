"""Statements to and from an LRS through ``tincan``: filters, ``more`` paging, timeouts, retries, clear errors."""
from __future__ import annotations

from types import MappingProxyType

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

from elearn_builder.diagnostics import ElearnError

FILTERS = ("agent", "verb", "activity", "registration", "related_activities", "since", "until", "limit")
TRANSIENT = frozenset({429, 500, 502, 503, 504})
MAX_EMPTY_PAGES = 20
"""Empty pages in a row (each with a `more` link) after which paging stops: a hostile or broken LRS."""
DEADLINE = 3600.0
"""Seconds a whole query may take, every page included, by default (``--deadline``)."""
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
    deadline: float = DEADLINE
    """Seconds a whole query (every page) may take."""
    clock: Callable[[], float] = time.monotonic

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
    """Every statement matching the filters, page after page, following ``more`` to the end.

    A ``more`` link is followed only on the endpoint's own scheme, host and port (the credentials go
    nowhere else); paging stops with an error after ``MAX_EMPTY_PAGES`` empty pages in a row or when the
    connection's ``deadline`` has passed."""
    started = connection.clock()
    response = connection.send("GET", "statements", params=query_params(**filters))
    seen: set[str] = set()
    empty = 0
    while True:
        try:
            result = json.loads(response.data)
            statements, more = result["statements"], result.get("more") or ""
        except RecursionError:
            raise LRSError(f"the LRS at {connection.shown} answered JSON nested too deep to read") from None
        except (ValueError, KeyError, TypeError):
            raise LRSError(f"the LRS at {connection.shown} did not answer with a StatementResult") from None
        yield from statements
        if not more:
            return
        if more in seen:
            raise LRSError(f"the LRS at {connection.shown} repeats the same `more` link: {more}")
        seen.add(more)
        empty = 0 if statements else empty + 1
        if empty >= MAX_EMPTY_PAGES:
            raise LRSError(f"the LRS at {connection.shown} sent {empty} empty pages in a row, each with a `more` "
                           "link: stopped (a broken or hostile LRS)")
        if connection.clock() - started > connection.deadline:
            raise LRSError(f"the query of the LRS at {connection.shown} passed its deadline of "
                           f"{connection.deadline:g} s while still paging: stopped (--deadline sets it)")
        response = connection.send("GET", same_origin(connection, more))


def same_origin(connection: Connection, more: str) -> str:
    """The absolute URL of a ``more`` link, refused unless it keeps the endpoint's scheme, host and port."""
    url = urllib.parse.urljoin(connection.endpoint, more)
    there, here = urllib.parse.urlsplit(url), urllib.parse.urlsplit(connection.endpoint)
    try:
        same = (there.scheme, there.hostname, there.port or _PORTS.get(there.scheme)) == \
            (here.scheme, here.hostname, here.port or _PORTS.get(here.scheme))
    except ValueError:  # a port that is not a number
        same = False
    if not same:
        raise LRSError(f"the LRS at {connection.shown} gave a `more` link to another scheme, host or port "
                       f"({there.scheme}://{there.hostname or ''}...): not followed, so the credentials go "
                       "nowhere else")
    return url


_PORTS = MappingProxyType({"http": 80, "https": 443})


def post(connection: Connection, statements: Iterable[dict], batch_size: int = 500) -> int:
    """POST the statements in batches; the number sent."""
    from elearn_builder.xapi.generate import batches

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


def csv_lines(statements: Iterable[dict], keep_formulas: bool = False) -> Iterator[str]:
    """A header, then one CSV line per statement; text a spreadsheet would run as a formula gets a leading
    ``'`` unless ``keep_formulas`` (``csvcells``)."""
    from elearn_builder.report.csvcells import row

    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180 lines (CRLF), so a field holding a lone CR is quoted too
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for statement in statements:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row(csv_row(statement), keep_formulas))
        yield buffer.getvalue()
