"""The test-side cmi5 LMS: launch URL, fetch once, LMS.LaunchData, other State, Agent Profile, CORS,
and statements forwarded to Ralph."""
from __future__ import annotations

import base64
import json
import urllib.parse
import uuid

import pytest

from lrs.cmi5_lms import LAUNCH_DATA, SESSION_ID_EXTENSION, Cmi5LMS
from lrs.server import http_request

AU_URL = "http://127.0.0.1:9/pkg/au/index.html?lang=en-GB"
PUBLISHER_ID = "https://elearn-builder.test/course/au/stage-1"
PAGE_ORIGIN = "http://127.0.0.1:9"


@pytest.fixture
def lms(clean_ralph):
    """A fresh LMS for each test, allowing PAGE_ORIGIN, in front of an empty Ralph."""
    lms = Cmi5LMS(clean_ralph, origins=[PAGE_ORIGIN]).start()
    yield lms
    lms.stop()


def xapi(lms, method, resource, launch, *, params=None, body=None, auth=None, headers=None):
    """An xAPI call as the AU makes it: launch endpoint, Basic <auth-token>, version header."""
    query = {"activityId": launch.activity_id, "agent": json.dumps(launch.actor),
             "registration": launch.registration, **(params or {})}
    url = launch.endpoint + resource + "?" + urllib.parse.urlencode(query)
    all_headers = {"Authorization": "Basic " + (auth or lms.lrs.auth_token), "X-Experience-API-Version": "1.0.3",
                   **(headers or {})}
    return http_request(method, url, body=body, headers=all_headers)


def test_launch_url_carries_the_five_cmi5_parameters(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    parsed = urllib.parse.urlsplit(launch.url)
    assert launch.url.startswith(AU_URL + "&")
    query = dict(urllib.parse.parse_qsl(parsed.query))
    assert query["lang"] == "en-GB"  # the AU's own parameter is kept
    assert query["endpoint"] == lms.endpoint == f"http://127.0.0.1:{lms.port}/xAPI/"
    assert query["fetch"] == launch.fetch_url and query["fetch"].startswith(f"http://127.0.0.1:{lms.port}/fetch/")
    assert json.loads(query["actor"]) == launch.actor and "account" in launch.actor
    assert uuid.UUID(query["registration"]).version == 4
    assert query["activityId"] == launch.activity_id != PUBLISHER_ID
    assert "+" not in parsed.query  # spaces as %20: decodeURIComponent reads them right
    assert "Test%20Learner" in parsed.query


def test_fetch_gives_the_token_once_then_error_code_1(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    first = http_request("POST", launch.fetch_url)
    assert first.status == 200
    token = first.json()["auth-token"]
    assert base64.b64decode(token).decode() == f"{lms.lrs.username}:{lms.lrs.password}"
    second = http_request("POST", launch.fetch_url)
    assert second.status == 200
    assert second.json()["error-code"] == "1" and second.json()["error-text"]
    assert lms.fetches(launch) == 2
    assert http_request("GET", launch.fetch_url).status == 405  # POST only
    assert http_request("POST", lms.base_url + "/fetch/unknown").json()["error-code"] == "3"
    assert len(lms.violations) == 2  # the second fetch and the GET are the AU's mistakes


def test_launch_data_is_served_and_read_only(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID, launch_mode="Normal", move_on="CompletedAndPassed",
                        mastery_score=0.8, return_url="http://127.0.0.1:9/lms/done")
    reply = xapi(lms, "GET", "activities/state", launch, params={"stateId": LAUNCH_DATA})
    assert reply.status == 200, reply.body
    assert reply.headers["x-experience-api-version"] == "1.0.3"
    data = reply.json()
    assert data == launch.launch_data
    assert data["contextTemplate"]["extensions"][SESSION_ID_EXTENSION] == launch.session_id
    assert data["contextTemplate"]["contextActivities"]["grouping"][0]["id"] == PUBLISHER_ID
    assert (data["launchMode"], data["moveOn"], data["masteryScore"], data["returnURL"]) == \
        ("Normal", "CompletedAndPassed", 0.8, "http://127.0.0.1:9/lms/done")
    # the actor may come with other members (name, objectType): it is the account that counts
    other_form = xapi(lms, "GET", "activities/state", launch,
                      params={"stateId": LAUNCH_DATA, "agent": json.dumps({"account": launch.actor["account"]})})
    assert other_form.json() == data
    assert xapi(lms, "PUT", "activities/state", launch, params={"stateId": LAUNCH_DATA}, body={}).status == 403
    assert lms.violations == [f"PUT /xAPI/activities/state: an AU must never modify {LAUNCH_DATA}"]


def test_a_new_launch_of_the_same_registration_has_a_new_session(lms):
    first = lms.launch(AU_URL, PUBLISHER_ID, move_on="Passed")
    again = lms.launch(AU_URL, PUBLISHER_ID, actor=first.actor, registration=first.registration,
                       activity_id=first.activity_id, move_on="Passed")
    assert again.session_id != first.session_id and again.token_id != first.token_id
    served = xapi(lms, "GET", "activities/state", again, params={"stateId": LAUNCH_DATA}).json()
    assert served["contextTemplate"]["extensions"][SESSION_ID_EXTENSION] == again.session_id


def test_other_state_documents_and_etags(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    state = {"stateId": "suspend"}
    assert xapi(lms, "GET", "activities/state", launch, params=state).status == 404
    put = xapi(lms, "PUT", "activities/state", launch, params=state, body={"page": 3})
    assert put.status == 204 and put.headers["etag"]
    assert xapi(lms, "POST", "activities/state", launch, params=state, body={"score": 2}).status == 204
    got = xapi(lms, "GET", "activities/state", launch, params=state)
    assert got.json() == {"page": 3, "score": 2}
    assert lms.state(launch, "suspend") == {"page": 3, "score": 2}
    stale = xapi(lms, "PUT", "activities/state", launch, params=state, body={},
                 headers={"If-Match": put.headers["etag"]})
    assert stale.status == 412
    fresh = xapi(lms, "PUT", "activities/state", launch, params=state, body={"page": 4},
                 headers={"If-Match": got.headers["etag"]})
    assert fresh.status == 204
    assert sorted(xapi(lms, "GET", "activities/state", launch).json()) == [LAUNCH_DATA, "suspend"]
    assert xapi(lms, "DELETE", "activities/state", launch, params=state).status == 204
    assert xapi(lms, "GET", "activities/state", launch, params=state).status == 404
    assert lms.violations == []


def test_learner_preferences_404_or_the_document(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    params = {"agent": json.dumps(launch.actor), "profileId": "cmi5LearnerPreferences"}
    headers = {"Authorization": "Basic " + lms.lrs.auth_token, "X-Experience-API-Version": "1.0.3"}
    url = launch.endpoint + "agents/profile?" + urllib.parse.urlencode(params)
    assert http_request("GET", url, headers=headers).status == 404
    preferences = {"languagePreference": "en-GB,cy-GB", "audioPreference": "off"}
    with_preferences = lms.launch(AU_URL, PUBLISHER_ID, actor=launch.actor, learner_preferences=preferences)
    assert with_preferences.actor == launch.actor
    assert http_request("GET", url, headers=headers).json() == preferences


def test_xapi_calls_need_the_token_and_the_version_header(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    state = {"stateId": LAUNCH_DATA}
    assert xapi(lms, "GET", "activities/state", launch, params=state, auth="d3Jvbmc6d3Jvbmc=").status == 401
    no_version = http_request("GET", launch.endpoint + "activities/state?" + urllib.parse.urlencode(
        {"activityId": launch.activity_id, "agent": json.dumps(launch.actor), "stateId": LAUNCH_DATA}),
        headers={"Authorization": "Basic " + lms.lrs.auth_token})
    assert no_version.status == 400
    assert http_request("GET", launch.endpoint + "about").json() == {"version": ["1.0.3"]}
    assert len(lms.violations) == 2


def test_cors_preflight_for_the_page_origin(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    for url in (launch.fetch_url, launch.endpoint + "activities/state", launch.endpoint + "statements"):
        reply = http_request("OPTIONS", url, headers={"Origin": PAGE_ORIGIN, "Access-Control-Request-Method": "PUT",
                                                      "Access-Control-Request-Headers": "authorization"})
        assert reply.status == 204
        assert reply.headers["access-control-allow-origin"] == PAGE_ORIGIN
        assert "X-Experience-API-Version" in reply.headers["access-control-allow-headers"]
        assert "PUT" in reply.headers["access-control-allow-methods"]
    elsewhere = http_request("OPTIONS", launch.fetch_url, headers={"Origin": "http://127.0.0.1:10"})
    assert "access-control-allow-origin" not in elsewhere.headers


def test_statements_posted_through_the_lms_reach_ralph(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    token = http_request("POST", launch.fetch_url).json()["auth-token"]
    one = {"id": str(uuid.uuid4()), "actor": launch.actor,
           "verb": {"id": "http://adlnet.gov/expapi/verbs/initialized", "display": {"en-US": "initialized"}},
           "object": {"id": launch.activity_id, "objectType": "Activity"},
           "context": {**launch.launch_data["contextTemplate"], "registration": launch.registration},
           "timestamp": "2025-01-06T09:00:00.000Z"}
    headers = {"Authorization": "Basic " + token, "X-Experience-API-Version": "1.0.3", "Origin": PAGE_ORIGIN}
    posted = http_request("POST", launch.endpoint + "statements", body=[one], headers=headers)
    assert posted.status == 200 and posted.json() == [one["id"]]
    assert posted.headers["access-control-allow-origin"] == PAGE_ORIGIN
    assert posted.headers["x-experience-api-version"] == "1.0.3"
    assert http_request("POST", launch.endpoint + "statements", body=[one], headers=headers).status == 204
    read = http_request("GET", launch.endpoint + "statements?registration=" + launch.registration, headers=headers)
    assert [s["id"] for s in read.json()["statements"]] == [one["id"]]
    wrong = http_request("POST", launch.endpoint + "statements", body=[one],
                         headers={**headers, "Authorization": "Basic d3Jvbmc6d3Jvbmc="})
    assert wrong.status == 401  # Ralph's answer, passed on
    assert [s["id"] for s in lms.lrs.statements(registration=launch.registration)] == [one["id"]]
    assert lms.violations == []


def test_paging_through_the_lms(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    sent = [{"id": str(uuid.uuid4()), "actor": launch.actor,
             "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
             "object": {"id": f"{launch.activity_id}/page/{n}"}} for n in range(3)]
    assert lms.lrs.post(sent).status == 200
    headers = {"Authorization": lms.lrs.authorization, "X-Experience-API-Version": "1.0.3"}
    page = http_request("GET", launch.endpoint + "statements?limit=2", headers=headers).json()
    assert len(page["statements"]) == 2 and page["more"].startswith("/xAPI/statements?")
    rest = http_request("GET", urllib.parse.urljoin(launch.endpoint, page["more"]), headers=headers).json()
    assert [s["id"] for s in page["statements"] + rest["statements"]] == [s["id"] for s in sent]


def test_ralph_down_gives_503_through_the_lms_and_the_lms_restarts(lms):
    launch = lms.launch(AU_URL, PUBLISHER_ID)
    headers = {"Authorization": lms.lrs.authorization, "X-Experience-API-Version": "1.0.3"}
    lms.lrs.stop()
    try:
        assert http_request("GET", launch.endpoint + "statements", headers=headers).status == 503
    finally:
        lms.lrs.start()
    lms.stop()
    with pytest.raises(OSError):
        http_request("POST", launch.fetch_url, timeout=2)
    lms.start()  # same port, same launches
    assert http_request("POST", launch.fetch_url).json()["auth-token"] == lms.lrs.auth_token


# --- profiles (lrs/cmi5_profiles.py) -----------------------------------------------------------------

def profile_lms(clean_ralph, profile):
    return Cmi5LMS(clean_ralph, origins=[PAGE_ORIGIN], profile=profile).start()


def statements(lms, method, launch, body, statement_id=None, auth=None):
    """A Statement API call as the AU makes it (POST of a list, or PUT ?statementId=)."""
    url = launch.endpoint + "statements" + (f"?statementId={statement_id}" if statement_id else "")
    return http_request(method, url, body=body, headers={"Authorization": "Basic " + (auth or lms.lrs.auth_token),
                                                         "X-Experience-API-Version": "1.0.3"})


def cmi5_statement(launch, verb, registration=None):
    return {"id": str(uuid.uuid4()), "actor": launch.actor,
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-GB": verb, "en": verb}},
            "object": {"id": launch.activity_id, "objectType": "Activity"},
            "result": {"completion": True, "success": True, "score": {"scaled": 0.9}},
            "context": {"registration": registration or launch.registration, "contextActivities": {"category": [
                {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]}},
            "timestamp": "2025-01-06T09:00:00.000Z"}


def test_xblock_profile_keeps_only_put_statements_and_answers_success_to_the_rest(clean_ralph):
    lms = profile_lms(clean_ralph, "xblock")
    try:
        course = "https://elearn-builder.test/course"
        launch = lms.launch(AU_URL, course, activity_id=course)
        tokens = {http_request("POST", launch.fetch_url).json()["auth-token"] for _ in range(2)}
        assert len(tokens) == 2 and lms.fetch_count == 2  # a new token per fetch, never refused
        data = xapi(lms, "GET", "activities/state", launch, params={"stateId": LAUNCH_DATA}).json()
        assert data == {"contextTemplate": {"registration": launch.registration, "contextActivities": {"parent": [
            {"id": course, "definition": {"name": {"en-US": "Reflective supervision"},
                                          "description": {"en-US": "A cmi5 course"}}}]}},
            "launchMode": "Normal", "launchParameters": ""}  # no session id, moveOn or masteryScore
        posted = cmi5_statement(launch, "passed")
        reply = statements(lms, "POST", launch, [posted], auth="anything")
        assert (reply.status, reply.json()) == (200, {"success": True}) and lms.swallowed == [posted["id"]]
        assert xapi(lms, "GET", "statements", launch).json() == {"success": True}
        ours = {"stateId": "https://example.org/state"}
        assert xapi(lms, "PUT", "activities/state", launch, params=ours, body={"t": 1}).json() == {"success": True}
        assert xapi(lms, "GET", "activities/state", launch, params=ours).json() == {"success": True}
        put = cmi5_statement(launch, "completed")
        assert statements(lms, "PUT", launch, put, put["id"], auth="eA==").status == 204
        assert lms.xblock_lrs_answers == [(204, b"")]  # Ralph's answer to a PUT
        assert [s["id"] for s in clean_ralph.statements(registration=launch.registration)] == [put["id"]]
        assert lms.xblock_status[launch.registration] == {"lesson_status": "completed", "grades": [], "completion": 1.0}
        no_en = cmi5_statement(launch, "passed")
        no_en["verb"]["display"] = {"en-GB": "passed"}
        statements(lms, "PUT", launch, no_en, no_en["id"])
        assert lms.xblock_status[launch.registration]["grades"] == []  # display.en is all it reads
    finally:
        lms.stop()


def test_strict_profile_single_use_fetch_and_completed_once_per_registration(clean_ralph):
    from lrs.cmi5_profiles import LMS_EXTENSION

    lms = profile_lms(clean_ralph, "strict")
    try:
        launch = lms.launch(AU_URL, PUBLISHER_ID)
        assert launch.launch_data["contextTemplate"]["extensions"][LMS_EXTENSION].startswith("tenant-")
        assert http_request("POST", launch.fetch_url).status == 200
        second = http_request("POST", launch.fetch_url)
        assert second.status == 403 and second.json()["error-code"] == "1"
        assert lms.fetch_count == 2 == lms.fetches(launch)
        first = cmi5_statement(launch, "completed")
        assert statements(lms, "POST", launch, [first]).status == 200
        again = cmi5_statement(launch, "completed")
        refused = statements(lms, "PUT", launch, again, again["id"])
        assert refused.status == 403
        both = [cmi5_statement(launch, "passed"), cmi5_statement(launch, "passed")]
        assert statements(lms, "POST", launch, both).status == 403
        other = cmi5_statement(launch, "completed", registration=str(uuid.uuid4()))
        assert statements(lms, "POST", launch, [other]).status == 200
        assert len(lms.violations) == 3  # the second fetch and the two refusals
    finally:
        lms.stop()
