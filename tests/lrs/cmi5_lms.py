"""A test-side cmi5 LMS: launch URL, fetch token, State and Agent Profile, in front of a real Ralph.

Why: Ralph is a real LRS for statements, but it has no State API and no fetch-token endpoint, and a
cmi5 AU needs both. So an AU under test talks to this small threaded HTTP server on 127.0.0.1 only:

    browser (AU page)                     Cmi5LMS (127.0.0.1:P)                    Ralph (127.0.0.1:R)
    POST  {fetch}  ------------------->   /fetch/<token>: auth-token once, then error-code 1
    GET   {endpoint}activities/state -->  State documents in memory (LMS.LaunchData given by the test)
    GET   {endpoint}agents/profile ---->  Agent Profile in memory (cmi5LearnerPreferences: 404 or a doc)
    GET   {endpoint}about ------------>   {"version": ["1.0.3"]}
    *     {endpoint}statements ------->   forwarded unchanged (headers, body, status) ------> /xAPI/statements

The launch ``endpoint`` is therefore this server's ``/xAPI/``, and the statements end up in Ralph,
where the tests read them back (``ralph.statements(...)``). The ``auth-token`` is base64 of Ralph's
``user:password``, so the ``Authorization: Basic <auth-token>`` the AU sends is what Ralph checks;
this server checks it too on State and Profile calls. Ralph's ``more`` links (``/xAPI/statements?..``)
resolve against this server as well, so paging works through it.

It behaves as a strict LMS/LRS where that helps the tests catch runtime mistakes: every xAPI request
needs ``X-Experience-API-Version`` (else 400); writing ``LMS.LaunchData`` is refused (403), since an AU
must never modify it; a GET on the fetch URL is refused (405). Each such mistake is also appended to
``violations``, and every request to ``requests``, so a test can assert ``lms.violations == []``.
Every answer carries ``X-Experience-API-Version: 1.0.3`` and, for an allowed ``Origin`` (the page
server's, e.g. ``http://127.0.0.1:8200``; all origins when ``origins`` is ``None``), the CORS headers,
including preflight answers. Stopping the server (``stop()``) and starting it again keeps its port and
documents; stopping only Ralph makes the statements calls answer 503.

Use (see also tests/lrs/fixtures.py)::

    launch = cmi5_lms.launch(au_url, publisher_id="https://example.org/au/1", move_on="Passed",
                             mastery_score=0.8)
    page.goto(launch.url)
    ...
    assert cmi5_lms.fetches(launch) == 1 and not cmi5_lms.violations
    statements = ralph.statements(registration=launch.registration)
"""
from __future__ import annotations

import hashlib
import http.client
import http.server
import json
import secrets
import threading
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from lrs.server import XAPI_VERSION, RalphServer, free_port

LAUNCH_DATA = "LMS.LaunchData"
LEARNER_PREFERENCES = "cmi5LearnerPreferences"
SESSION_ID_EXTENSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
HOME_PAGE = "https://lms.elearn-builder.test"
"""Account home page of the learners this LMS launches (a reserved ``.test`` name)."""

CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Type, X-Experience-API-Version, "
                                     "X-Experience-API-Consistent-Through",
    "Access-Control-Max-Age": "600",
}
FORWARDED_REQUEST_HEADERS = {"authorization", "content-type", "x-experience-api-version", "if-match",
                             "if-none-match", "accept"}
FORWARDED_RESPONSE_HEADERS = {"content-type", "etag", "last-modified", "x-experience-api-consistent-through"}


@dataclass
class Launch:
    """One AU launch: what the LMS put in the URL and in ``LMS.LaunchData``."""

    url: str
    au_url: str
    publisher_id: str
    activity_id: str
    actor: dict
    registration: str
    session_id: str
    token_id: str
    endpoint: str
    fetch_url: str
    launch_data: dict


@dataclass
class LoggedRequest:
    method: str
    path: str
    params: dict[str, str]
    status: int = 0
    origin: str | None = None


@dataclass
class _Document:
    body: bytes
    content_type: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest() + '"'


def agent_key(agent: dict) -> tuple:
    """An agent's identity: its Inverse Functional Identifier, whatever else the JSON carries."""
    if "account" in agent:
        return ("account", agent["account"].get("homePage"), agent["account"].get("name"))
    for ifi in ("mbox", "mbox_sha1sum", "openid"):
        if ifi in agent:
            return (ifi, agent[ifi])
    raise ValueError("agent without an Inverse Functional Identifier")


def launch_url(au_url: str, *, endpoint: str, fetch: str, actor: dict, registration: str, activity_id: str) -> str:
    """The cmi5 launch URL (§8.1): the AU's URL with the five launch parameters appended, URL-encoded
    (``%20``, never ``+``, so ``decodeURIComponent`` reads them right)."""
    params = {"endpoint": endpoint, "fetch": fetch, "actor": json.dumps(actor, separators=(",", ":")),
              "registration": registration, "activityId": activity_id}
    query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote, safe="")
    return au_url + ("&" if "?" in au_url else "?") + query


class Cmi5LMS:
    """The test-side cmi5 LMS; ``start()`` serves it on 127.0.0.1 (a free port, kept across restarts)."""

    def __init__(self, lrs: RalphServer, origins: Iterable[str] | None = (), port: int | None = None,
                 profile: str = "default"):
        from lrs.cmi5_profiles import PROFILES

        if profile not in PROFILES:
            raise ValueError(f"unknown LMS profile {profile!r} (known: {', '.join(sorted(PROFILES))})")
        self.profile = profile
        """How the LMS behaves: ``default`` (this module), ``xblock`` or ``strict`` (``lrs.cmi5_profiles``)."""
        self.lrs = lrs
        self.origins = None if origins is None else set(origins)
        self.port = port or free_port()
        self.requests: list[LoggedRequest] = []
        self.violations: list[str] = []
        self.launches: list[Launch] = []
        self._lock = threading.RLock()
        self._tokens: dict[str, int] = {}  # token id -> times fetched
        self.fetch_count = 0
        """Every POST to a fetch URL, of every launch."""
        self.issued: set[str] = set()  # auth-tokens handed out by a profile that makes one per fetch
        self.swallowed: list[str] = []  # ids of statements answered {"success": true} and dropped (xblock)
        self.xblock_status: dict[str, dict] = {}  # registration -> what the XBlock's lrs_endpoint made of it
        self.xblock_lrs_answers: list[tuple[int, bytes]] = []  # what Ralph answered the statements it sent on
        self._state: dict[tuple, _Document] = {}  # (activityId, agent key, registration, stateId)
        self._profiles: dict[tuple, _Document] = {}  # (agent key, profileId)
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- server ------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/xAPI/"

    def start(self) -> "Cmi5LMS":
        if self._server is None:
            from lrs.cmi5_profiles import PROFILES

            handler = type("BoundHandler", (PROFILES[self.profile].handler,), {"lms": self})
            self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
            self._server.daemon_threads = True
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"cmi5-lms-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            self._thread.join(timeout=10)

    def reset(self) -> None:
        """Forget launches, documents and the request log."""
        with self._lock:
            self.requests.clear()
            self.violations.clear()
            self.launches.clear()
            self._tokens.clear()
            self.fetch_count = 0
            self.issued.clear()
            self.swallowed.clear()
            self.xblock_status.clear()
            self.xblock_lrs_answers.clear()
            self._state.clear()
            self._profiles.clear()

    # -- launching ---------------------------------------------------------------------------------
    def launch(self, au_url: str, publisher_id: str, *, actor: dict | None = None, registration: str | None = None,
               activity_id: str | None = None, launch_mode: str = "Normal", move_on: str = "NotApplicable",
               mastery_score: float | None = None, return_url: str | None = None,
               launch_parameters: str | None = None, entitlement_key: str | None = None,
               learner_preferences: dict | None = None) -> Launch:
        """Prepare one launch of the AU at ``au_url`` (absolute) whose cmi5.xml id is ``publisher_id``:
        a new fetch token, a new session id, and its ``LMS.LaunchData``. Pass the ``actor``,
        ``registration`` and ``activity_id`` of an earlier launch to launch the same AU again."""
        actor = actor or {"objectType": "Agent", "name": "Test Learner",
                          "account": {"homePage": HOME_PAGE, "name": f"learner-{uuid.uuid4().hex[:8]}"}}
        registration = registration or str(uuid.uuid4())
        activity_id = activity_id or f"{HOME_PAGE}/activities/{uuid.uuid4()}"  # LMS-made, not the publisher id
        session_id = str(uuid.uuid4())
        token_id = secrets.token_hex(16)
        launch_data: dict[str, Any] = {
            "contextTemplate": {
                "contextActivities": {"grouping": [{"objectType": "Activity", "id": publisher_id}]},
                "extensions": {SESSION_ID_EXTENSION: session_id},
            },
            "launchMode": launch_mode,
            "moveOn": move_on,
        }
        optional = {"masteryScore": mastery_score, "returnURL": return_url, "launchParameters": launch_parameters,
                    "entitlementKey": None if entitlement_key is None else {"courseStructure": entitlement_key}}
        launch_data.update({key: value for key, value in optional.items() if value is not None})
        fetch_url = f"{self.base_url}/fetch/{token_id}"
        from lrs.cmi5_profiles import PROFILES

        launch_data, fetch_url = PROFILES[self.profile].launch(self, launch_data, fetch_url, publisher_id=publisher_id,
                                                               registration=registration, token_id=token_id)
        launch = Launch(url=launch_url(au_url, endpoint=self.endpoint, fetch=fetch_url, actor=actor,
                                       registration=registration, activity_id=activity_id),
                        au_url=au_url, publisher_id=publisher_id, activity_id=activity_id, actor=actor,
                        registration=registration, session_id=session_id, token_id=token_id,
                        endpoint=self.endpoint, fetch_url=fetch_url, launch_data=launch_data)
        with self._lock:
            self._tokens[token_id] = 0
            key = (activity_id, agent_key(actor), registration, LAUNCH_DATA)
            self._state[key] = _Document(json.dumps(launch_data).encode(), "application/json")
            if learner_preferences is not None:
                self.set_learner_preferences(actor, learner_preferences)
            self.launches.append(launch)
        return launch

    def fetches(self, launch: Launch) -> int:
        """How often the launch's fetch URL was POSTed."""
        with self._lock:
            return self._tokens.get(launch.token_id, 0)

    def set_learner_preferences(self, agent: dict, document: dict) -> None:
        with self._lock:
            self._profiles[(agent_key(agent), LEARNER_PREFERENCES)] = _Document(json.dumps(document).encode(),
                                                                                "application/json")

    def state(self, launch: Launch, state_id: str) -> Any:
        """A State document the AU saved for this launch (decoded JSON), or None."""
        with self._lock:
            document = self._state.get((launch.activity_id, agent_key(launch.actor), launch.registration, state_id))
        if document is None:
            return None
        try:
            return json.loads(document.body)
        except ValueError:
            return document.body

    def violation(self, text: str) -> None:
        with self._lock:
            self.violations.append(text)


class _Handler(http.server.BaseHTTPRequestHandler):
    """One request; the class attribute ``lms`` is set per server. HTTP/1.0: one request per connection,
    so stopping the server leaves no keep-alive connection behind."""

    lms: Cmi5LMS
    server_version = "elearn-test-cmi5-lms"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # the request log is self.lms.requests

    # -- plumbing ----------------------------------------------------------------------------------
    def _begin(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        self.route = parsed.path
        self.params = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        self.logged = LoggedRequest(self.command, self.route, self.params, origin=self.headers.get("Origin"))
        with self.lms._lock:
            self.lms.requests.append(self.logged)
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes | dict | list | None = None, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        body = body or b""
        self.logged.status = status
        self.send_response(status)
        self.send_header("X-Experience-API-Version", XAPI_VERSION)
        origin = self.headers.get("Origin")
        if origin and (self.lms.origins is None or origin in self.lms.origins):
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
            for name, value in CORS_HEADERS.items():
                self.send_header(name, value)
        headers = dict(headers or {})
        for name in [name for name in headers if name.lower() == "content-type"]:
            content_type = headers.pop(name)
        for name, value in headers.items():
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, text: str, violation: bool = False) -> None:
        if violation:
            self.lms.violation(f"{self.command} {self.route}: {text}")
        self._send(status, {"error": text})

    # -- dispatch ------------------------------------------------------------------------------------
    def do_OPTIONS(self):
        self._begin()
        self._send(204)

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self) -> None:
        self._begin()
        try:
            if self.route.startswith("/fetch/"):
                return self._fetch(self.route.removeprefix("/fetch/"))
            if not self.route.startswith("/xAPI/"):
                return self._error(404, "not found")
            resource = self.route.removeprefix("/xAPI/").rstrip("/")
            if resource == "about":
                return self._send(200, {"version": [XAPI_VERSION]})
            if not self.headers.get("X-Experience-API-Version", "").startswith("1.0."):
                return self._error(400, "missing or unsupported X-Experience-API-Version header", violation=True)
            if resource == "statements":
                return self._forward_to_lrs()
            if self.headers.get("Authorization") != self.lms.lrs.authorization:
                return self._error(401, "missing or wrong Authorization (expected Basic <auth-token>)", True)
            if resource == "activities/state":
                return self._state()
            if resource == "agents/profile":
                return self._agent_profile()
            return self._error(404, f"no resource {resource!r} in this test LMS")
        except (ValueError, KeyError) as error:  # bad JSON, missing parameter
            return self._error(400, f"bad request: {error}", violation=True)

    # -- cmi5 fetch (§8.2) -----------------------------------------------------------------------------
    def _fetch(self, token_id: str) -> None:
        if self.command != "POST":
            return self._error(405, "the fetch URL takes POST only", violation=True)
        with self.lms._lock:
            self.lms.fetch_count += 1
            known = token_id in self.lms._tokens
            fetched = self.lms._tokens.get(token_id, 0)
            if known:
                self.lms._tokens[token_id] = fetched + 1
        if not known:
            return self._send(200, {"error-code": "3", "error-text": "unknown token"})
        if fetched:
            self.lms.violation(f"fetch URL of token {token_id} POSTed again")
            return self._send(200, {"error-code": "1", "error-text": "already in use: the token was fetched before"})
        return self._send(200, {"auth-token": self.lms.lrs.auth_token})

    # -- State API (xAPI Communication §2.3) -----------------------------------------------------------
    def _state(self) -> None:
        activity_id = self.params["activityId"]
        agent = agent_key(json.loads(self.params["agent"]))
        registration = self.params.get("registration", "")
        state_id = self.params.get("stateId")
        if state_id is None:
            return self._many(self.lms._state, lambda key: key[:3] == (activity_id, agent, registration),
                              protected=LAUNCH_DATA)
        if state_id == LAUNCH_DATA and self.command != "GET":
            return self._error(403, "an AU must never modify LMS.LaunchData", violation=True)
        self._document(self.lms._state, (activity_id, agent, registration, state_id))

    def _agent_profile(self) -> None:
        agent = agent_key(json.loads(self.params["agent"]))
        profile_id = self.params.get("profileId")
        if profile_id is None:
            return self._many(self.lms._profiles, lambda key: key[0] == agent)
        self._document(self.lms._profiles, (agent, profile_id))

    def _many(self, store: dict, selects, protected: str | None = None) -> None:
        """GET: the ids of the matching documents; DELETE: delete them (never ``protected``)."""
        with self.lms._lock:
            keys = [key for key in store if selects(key)]
            if self.command == "GET":
                return self._send(200, [key[-1] for key in keys])
            if self.command == "DELETE":
                for key in keys:
                    if key[-1] != protected:
                        del store[key]
                return self._send(204)
        return self._error(400, f"{self.command} needs a document id", violation=True)

    def _document(self, store: dict, key: tuple) -> None:
        """One document: GET, PUT (replace), POST (merge JSON objects), DELETE; with ETag preconditions."""
        with self.lms._lock:
            current = store.get(key)
            if_match, if_none_match = self.headers.get("If-Match"), self.headers.get("If-None-Match")
            if self.command != "GET" and if_match and (current is None or if_match not in ("*", current.etag)):
                return self._error(412, "If-Match does not match")
            if self.command != "GET" and if_none_match == "*" and current is not None:
                return self._error(412, "the document exists (If-None-Match: *)")
            if self.command == "GET":
                if current is None:
                    return self._error(404, "no such document")
                return self._send(200, current.body, {"ETag": current.etag, "Content-Type": current.content_type})
            if self.command == "DELETE":
                store.pop(key, None)
                return self._send(204)
            content_type = (self.headers.get("Content-Type") or "application/octet-stream").split(";")[0].strip()
            if self.command == "POST" and current is not None:
                try:
                    old, new = json.loads(current.body), json.loads(self.body)
                except ValueError:
                    old = new = None
                if not (isinstance(old, dict) and isinstance(new, dict)):
                    return self._error(400, "POST merges JSON objects only", violation=True)
                store[key] = _Document(json.dumps({**old, **new}).encode(), "application/json")
            else:
                store[key] = _Document(self.body, content_type)
            return self._send(204, headers={"ETag": store[key].etag})

    # -- statements: forwarded to Ralph --------------------------------------------------------------
    def _forward_to_lrs(self) -> None:
        try:
            status, body, kept = self._ask_lrs()
        except OSError as error:
            return self._error(503, f"the LRS is unreachable: {error}")
        self._send(status, body, kept)

    def _ask_lrs(self, authorization: str | None = None, path: str | None = None) -> tuple[int, bytes, dict[str, str]]:
        """This request, sent to Ralph (with ``authorization`` instead of the AU's, and to ``path``, when given)."""
        headers = {name: value for name, value in self.headers.items() if name.lower() in FORWARDED_REQUEST_HEADERS}
        if authorization:
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            headers["Authorization"] = authorization
        connection = http.client.HTTPConnection("127.0.0.1", self.lms.lrs.port, timeout=60)
        try:
            connection.request(self.command, path or self.path, body=self.body if self.body else None, headers=headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        kept = {name: value for name, value in response.getheaders() if name.lower() in FORWARDED_RESPONSE_HEADERS}
        return response.status, body, kept


__all__ = ["Cmi5LMS", "Launch", "LoggedRequest", "launch_url", "agent_key", "LAUNCH_DATA", "LEARNER_PREFERENCES",
           "SESSION_ID_EXTENSION", "HOME_PAGE"]
