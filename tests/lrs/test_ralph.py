"""Ralph as the tests' LRS: started on 127.0.0.1, statements in and out, paging, duplicates, auth, CORS."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from lrs.server import http_request

VERBS = "http://adlnet.gov/expapi/verbs/"
ACTIVITY = "https://elearn-builder.test/activities/"
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)


def statement(n: int = 0, verb: str = "experienced", activity: str = "page-1", **extra) -> dict:
    """A small valid statement; ``n`` sets its timestamp (T0 + n seconds)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": "Learner One",
                  "account": {"homePage": "https://lms.elearn-builder.test", "name": "learner-1"}},
        "verb": {"id": VERBS + verb, "display": {"en-GB": verb}},
        "object": {"objectType": "Activity", "id": ACTIVITY + activity},
        "timestamp": (T0 + timedelta(seconds=n)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        **extra,
    }


def ids(statements: list[dict]) -> list[str]:
    return [s["id"] for s in statements]


def test_ralph_starts_on_loopback_and_knows_our_user(clean_ralph):
    assert clean_ralph.endpoint.startswith("http://127.0.0.1:") and clean_ralph.endpoint.endswith("/xAPI/")
    reply = clean_ralph.request("GET", "/whoami")
    assert reply.status == 200, reply.body
    assert reply.json()["agent"] == {"mbox": clean_ralph.credentials.mbox, "objectType": "Agent"}
    assert clean_ralph.statements() == []


def test_three_statements_come_back_once_each_oldest_first(clean_ralph):
    sent = [statement(n) for n in range(3)]
    for one in sent:  # one POST each: the second POST is the one 5.1.0's fs backend broke
        reply = clean_ralph.post(one)
        assert reply.status == 200, reply.body
        assert reply.json() == [one["id"]]
    stored = clean_ralph.statements()
    assert ids(stored) == ids(sent)
    for original, back in zip(sent, stored):
        assert {key: back[key] for key in original} == original
        assert back["stored"] and back["authority"]


def test_batch_post_and_put(clean_ralph):
    batch = [statement(n) for n in range(2)]
    reply = clean_ralph.post(batch)
    assert (reply.status, reply.json()) == (200, ids(batch))
    single = statement(5)
    assert clean_ralph.put(single).status == 204
    assert ids(clean_ralph.statements()) == ids(batch) + [single["id"]]


def test_the_same_id_again_is_a_duplicate_and_stored_once(clean_ralph):
    one = statement()
    assert clean_ralph.post(one).status == 200
    assert clean_ralph.post(one).status == 204  # identical: accepted, nothing new
    assert clean_ralph.post([one]).status == 204
    assert clean_ralph.put(one).status == 204
    changed = {**one, "verb": {"id": VERBS + "passed", "display": {"en-GB": "passed"}}}
    assert clean_ralph.post(changed).status == 409  # same id, different statement
    assert ids(clean_ralph.statements()) == [one["id"]]


def test_paging_follows_more_to_the_end(clean_ralph):
    sent = [statement(n) for n in range(5)]
    assert clean_ralph.post(sent).status == 200
    pages = list(clean_ralph.pages(limit=2))
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [s["id"] for page in pages for s in page] == ids(sent)
    assert ids(clean_ralph.statements(limit=2)) == ids(sent)
    assert ids(clean_ralph.statements(limit=5)) == ids(sent)  # a multiple of limit: Ralph adds an empty page


def test_filters(clean_ralph):
    learner2 = {"objectType": "Agent", "account": {"homePage": "https://lms.elearn-builder.test", "name": "learner-2"}}
    registration = str(uuid.uuid4())
    sent = [statement(0), statement(1, verb="passed", activity="quiz"),
            statement(2, actor=learner2, context={"registration": registration,
                                                   "contextActivities": {"parent": [{"id": ACTIVITY + "quiz"}]}})]
    assert clean_ralph.post(sent).status == 200
    assert ids(clean_ralph.statements(verb=VERBS + "passed")) == [sent[1]["id"]]  # launcher fix 2
    assert ids(clean_ralph.statements(activity=ACTIVITY + "quiz")) == [sent[1]["id"]]
    assert ids(clean_ralph.statements(activity=ACTIVITY + "quiz", related_activities=True)) == ids(sent[1:])
    assert ids(clean_ralph.statements(agent=learner2)) == [sent[2]["id"]]
    assert ids(clean_ralph.statements(registration=registration)) == [sent[2]["id"]]
    assert ids(clean_ralph.statements(since=sent[0]["timestamp"])) == ids(sent[1:])  # since: by timestamp


def test_wrong_or_missing_credentials_get_401(clean_ralph):
    assert clean_ralph.request("GET", "statements", auth=(clean_ralph.username, "wrong")).status == 401
    assert clean_ralph.request("POST", "statements", body=statement(), auth=("nobody", "x")).status == 401
    no_auth = http_request("GET", clean_ralph.endpoint + "statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert no_auth.status == 401
    assert clean_ralph.statements() == []


def test_reset_and_restart_keep_the_port(clean_ralph):
    assert clean_ralph.post(statement()).status == 200
    port = clean_ralph.port
    clean_ralph.stop()
    assert not clean_ralph.running
    with pytest.raises(OSError):
        http_request("GET", clean_ralph.base_url + "/__lbheartbeat__", timeout=2)
    clean_ralph.start()
    assert clean_ralph.port == port and len(clean_ralph.statements()) == 1  # statements survive a restart
    clean_ralph.reset()
    assert clean_ralph.statements() == []
    assert clean_ralph.post(statement()).status == 200  # and the emptied file takes new ones


def test_cors_for_an_allowed_page_origin_only(ralph_factory):
    origin = "http://127.0.0.1:9"  # a page server's origin; nothing needs to listen there
    server = ralph_factory(origins=[origin])
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version"}
    allowed = http_request("OPTIONS", server.endpoint + "statements", headers={"Origin": origin, **preflight})
    assert allowed.status == 200
    assert allowed.headers["access-control-allow-origin"] == origin
    assert "x-experience-api-version" in allowed.headers["access-control-allow-headers"].lower()
    other = http_request("OPTIONS", server.endpoint + "statements",
                         headers={"Origin": "http://127.0.0.1:10", **preflight})
    assert "access-control-allow-origin" not in other.headers
    reply = server.request("GET", "statements", headers={"Origin": origin})
    assert reply.headers["access-control-allow-origin"] == origin


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port``, from /proc/net/tcp and tcp6 (hex)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_ralph_and_the_lms_listen_on_loopback_only(ralph, cmi5_lms):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp on this system")
    loopback = {"0100007F"}  # 127.0.0.1, little-endian hex
    assert listening_addresses(ralph.port) == loopback
    assert listening_addresses(cmi5_lms.port) == loopback


def test_statement_values_round_trip_as_json(clean_ralph):
    """Extensions, language maps and durations come back unchanged (what analysts' queries read)."""
    one = statement(result={"duration": "PT1M5.5S", "score": {"scaled": 0.75, "raw": 3, "min": 0, "max": 4},
                            "extensions": {"https://elearn-builder.test/ext/gaps": {"a": [1, 2]}}})
    assert clean_ralph.post(one).status == 200
    (back,) = clean_ralph.statements()
    assert json.dumps(back["result"], sort_keys=True) == json.dumps(one["result"], sort_keys=True)
