"""How the test-side cmi5 LMS (``lrs.cmi5_lms``) behaves: ``Cmi5LMS(lrs, profile=...)``.

- ``default``: the LMS of ``cmi5_lms.py`` (one fetch, then ``error-code`` 1 with a 200; statements forwarded).
- ``xblock``: modelled on the Open edX cmi5 XBlock (PyPI ``openedx-cmi5-xblock`` 0.1.3, file
  ``openedx_cmi5_xblock/openedx_cmi5_xblock.py``; repository edly-io/openedx-cmi5-xblock):
  * ``lrs_endpoint`` (lines 201-246) records a statement only when it is PUT with a ``statementId``
    (line 209), reads its verb from ``verb.display["en"]`` (line 211), keeps ``passed``/``failed`` as the
    grade (``result.score.scaled``, lines 216-219) and a cmi5 ``completed`` as completion (lines 220-222),
    and answers 204 (line 233); a State document is kept only for ``LMS.LaunchData`` (served, line 238-239)
    and ``suspendData`` (lines 240-244); everything else, a POST of statements and a statements query
    included, gets ``200 {"success": true}`` (line 246) and is dropped.
  * ``lrs_auth_endpoint`` (lines 249-256) answers every call with an ``auth-token`` and checks nothing; the
    token is never checked on the endpoint. Here every fetch gets a new token (the issue's finding).
  * ``get_launch_state_data`` (lines 561-584): ``contextTemplate`` = ``registration`` (the enrollment's
    UUID, also the launch ``registration``, line 436) and a ``parent`` context activity (the cmi5.xml
    course), ``launchMode`` Normal and ``launchParameters`` ""; no session id, no ``moveOn``, no
    ``masteryScore``, no ``returnURL``.
  Statements the XBlock takes (PUT) are forwarded to Ralph as well, so the tests can read them back;
  ``lms.xblock_status[registration]`` is what the XBlock made of them (status, score, completion) and
  ``lms.swallowed`` the ids of statements it answered ``{"success": true}`` and dropped.
- ``strict``: the cmi5 specification (AICC cmi5 Quartz): the fetch URL gives its token once and answers
  a second POST with ``403`` and ``error-code`` 1 (section 8.2.3, CATAPULT's reading: an error status);
  a cmi5-defined ``completed`` or ``passed`` the registration already has is refused with 403 (section
  9.3: once per registration; 403 is cmi5's rejection status), and noted in ``violations``; the
  ``contextTemplate`` carries an LMS extension of its own beside the session id, whose value must come back
  unchanged in every statement (section 9.6.2). Everything else as ``default``.
"""
from __future__ import annotations

import base64
import json
import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Callable

from lrs.cmi5_lms import _Handler

CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
ONCE_PER_REGISTRATION = ("http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed")
LMS_EXTENSION = "https://lms.elearn-builder.test/extensions/tenant"
"""An extension of the strict LMS's context template, to come back unchanged."""


class XBlockHandler(_Handler):
    """The Open edX cmi5 XBlock's two handlers (see the module docstring for the lines modelled)."""

    def _dispatch(self) -> None:
        self._begin()
        if self.route.startswith("/fetch/"):  # lrs_auth_endpoint: any method, a token every time
            token = secrets.token_hex(32)
            with self.lms._lock:
                self.lms.fetch_count += 1
                self.lms.issued.add(token)
            return self._send(200, {"auth-token": token})
        if not self.route.startswith("/xAPI/"):
            return self._error(404, "not found")
        resource = self.route.removeprefix("/xAPI/").rstrip("/")
        if resource == "statements" and self.params.get("statementId") and self.command == "PUT":
            return self._take_statement()
        state_id = self.params.get("stateId")
        if state_id == "LMS.LaunchData":
            key = (self.params.get("activityId"), self.params.get("registration"))
            launch = next((la for la in self.lms.launches if (la.activity_id, la.registration) == key), None)
            return self._send(200, launch.launch_data if launch else {})
        if state_id == "suspendData" and self.command in ("GET", "PUT"):
            store_key = (self.params.get("activityId"), self.params.get("agent"), "suspendData")
            with self.lms._lock:
                if self.command == "PUT":
                    self.lms._state[store_key] = json.loads(self.body or b"{}")
                    return self._send(204)
                return self._send(200, self.lms._state.get(store_key, {}))
        if resource == "statements" and self.command == "POST":
            try:
                sent = json.loads(self.body or b"[]")
            except ValueError:
                sent = []
            with self.lms._lock:
                self.lms.swallowed += [s.get("id") for s in (sent if isinstance(sent, list) else [sent])]
        return self._send(200, {"success": True})

    def _take_statement(self) -> None:
        statement = json.loads(self.body)
        status = statement.get("verb", {}).get("display", {}).get("en")
        activities = statement.get("context", {}).get("contextActivities", {})
        categories = [c.get("id") for c in activities.get("category", [])]
        registration = statement.get("context", {}).get("registration", "")
        with self.lms._lock:
            seen = self.lms.xblock_status.setdefault(registration, {"lesson_status": "unknown", "grades": [],
                                                                    "completion": 0.0})
            if status == "failed" and seen["lesson_status"] in ("passed", "completed"):
                return self._send(204)
            if status in ("passed", "failed"):
                seen["lesson_status"] = status
                seen["grades"].append(statement.get("result", {}).get("score", {}).get("scaled"))
            elif status == "completed" and CMI5_CATEGORY in categories:
                seen["lesson_status"] = status
                seen["completion"] = 1.0
        try:  # the XBlock sends it on to its external LRS (Ralph here) and answers 204 whatever that says
            path = "/xAPI/statements?" + urllib.parse.urlencode({"statementId": self.params["statementId"]})
            status, body, _headers = self._ask_lrs(self.lms.lrs.authorization, path)
            self.lms.xblock_lrs_answers.append((status, body[:300]))
        except OSError as error:
            self.lms.xblock_lrs_answers.append((0, str(error).encode()))
        return self._send(204)


class StrictHandler(_Handler):
    """The specification's LMS: a single-use fetch URL (4xx after), completed and passed once per registration."""

    def _fetch(self, token_id: str) -> None:
        if self.command == "POST":
            with self.lms._lock:
                fetched = self.lms._tokens.get(token_id, 0)
            if fetched:
                with self.lms._lock:
                    self.lms.fetch_count += 1
                    self.lms._tokens[token_id] = fetched + 1
                self.lms.violation(f"fetch URL of token {token_id} POSTed again")
                return self._send(403, {"error-code": "1",
                                        "error-text": "already in use: the token was fetched before"})
        return super()._fetch(token_id)

    def _forward_to_lrs(self) -> None:
        if self.command in ("POST", "PUT") and self.route.rstrip("/").endswith("/statements"):
            try:
                sent = json.loads(self.body or b"[]")
            except ValueError:
                sent = []
            duplicate = self._second_once_per_registration(sent if isinstance(sent, list) else [sent])
            if duplicate:
                return self._error(403, duplicate, violation=True)
        return super()._forward_to_lrs()

    def _second_once_per_registration(self, statements: list) -> str | None:
        seen: set[tuple] = set()
        for s in statements:
            if not isinstance(s, dict) or s.get("verb", {}).get("id") not in ONCE_PER_REGISTRATION:
                continue
            context = s.get("context", {})
            if CMI5_CATEGORY not in [c.get("id") for c in context.get("contextActivities", {}).get("category", [])]:
                continue
            key = (context.get("registration"), s["verb"]["id"], s.get("object", {}).get("id"))
            stored = [x for x in self.lms.lrs.statements(registration=key[0], verb=key[1], activity=key[2])
                      if x.get("id") != s.get("id")]
            if key in seen or stored:
                return f"a second cmi5 {key[1].rsplit('/', 1)[-1]} in registration {key[0]} (statement {s.get('id')})"
            seen.add(key)
        return None


def _default_launch(lms, launch_data: dict, fetch_url: str, **_launch) -> tuple[dict, str]:
    return launch_data, fetch_url


def _xblock_launch(lms, launch_data: dict, fetch_url: str, *, publisher_id: str, registration: str,
                   **_launch) -> tuple[dict, str]:
    data = {"contextTemplate": {"registration": registration, "contextActivities": {"parent": [
        {"id": publisher_id, "definition": {"name": {"en-US": "Reflective supervision"},
                                            "description": {"en-US": "A cmi5 course"}}}]}},
            "launchMode": "Normal", "launchParameters": ""}
    return data, f"{lms.base_url}/fetch/xblock"  # one handler URL for every launch


def _strict_launch(lms, launch_data: dict, fetch_url: str, **_launch) -> tuple[dict, str]:
    data = json.loads(json.dumps(launch_data))
    data["contextTemplate"]["extensions"][LMS_EXTENSION] = "tenant-" + base64.b32encode(secrets.token_bytes(5)).decode()
    return data, fetch_url


@dataclass(frozen=True)
class Profile:
    handler: type
    launch: Callable[..., tuple[dict, str]]


PROFILES = {"default": Profile(_Handler, _default_launch), "xblock": Profile(XBlockHandler, _xblock_launch),
            "strict": Profile(StrictHandler, _strict_launch)}
