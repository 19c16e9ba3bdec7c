"""What each launch asks of the packages: cmi5's launchMode, masteryScore, returnURL and verdict rules
(through the test cmi5 LMS), and a SCORM launch without an LRS, which records in SCORM only, or naming one the build
does not allow. Statements are read back from Ralph. The same rules at the runtime's level, with the tincan launch's
pre-1.0 actor and kept registration, in every case: tests/js/launch.test.js."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import zipfile

import pytest
import yaml
from xapi_session import ADL, REPO, Learner, Session, cmi5_problems, new_tab, problems, stored, verbs_and_objects

from elearn_builder.xapi.profile import load_profile

PROFILE = load_profile()
STAGE = "social-worker"
STATE_ID = "https://xapi.reflective-supervision.org.uk/state/v2"
ORGANISATION = "https://xapi.reflective-supervision.org.uk/extensions/organisation"


STRINGS = yaml.safe_load((REPO / "src/elearn_builder/theme/strings.en-GB.yaml").read_text(encoding="utf-8"))


def scorm_package(built, name: str, *options: str) -> str:
    """The programme's SCORM 2004 package of one stage built with ``options``, unzipped under /packages/ (its path)."""
    target = built.root / name
    if not target.exists():
        proc = subprocess.run([sys.executable, "-m", "elearn_builder.cli", "build", "--source", str(REPO / "content"),
                               "--output", str(target), "--templates", str(REPO / "templates"), "--format",
                               "scorm2004", "--stage", STAGE, "--no-cache", *options],
                              cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for zip_path in target.glob("*.zip"):
            with zipfile.ZipFile(zip_path) as zf:
                zf.extractall(built.packages / name)
    return f"/packages/{name}/index.html"


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def verbs(statements: list[dict]) -> list[str]:
    return [s["verb"]["id"].removeprefix(ADL) for s in statements]


@pytest.mark.parametrize("mode", ["Review"])  # Browse too: tests/js/launch.test.js
def test_browse_and_review_send_initialized_and_terminated_only_and_save_nothing(
        xapi_packages, server, fresh_lrs, lms, learner_context, mode):
    learner = Learner("cmi5", STAGE, server, fresh_lrs, lms, launch_options={"launch_mode": mode})
    tab = new_tab(learner_context)
    session = Session(learner, learner.open(tab), [])
    session.self_assess()
    session.visit(session.content_pages()[:3] + ["assessment"])
    session.attempt(passing=True)
    session.frame.locator('[data-action="exit"]').first.click()
    session.drained()
    got = stored(fresh_lrs, learner.registration)
    assert verbs(got) == ["initialized", "terminated"]
    assert not problems(got, PROFILE) and not cmi5_problems(got, learner.launches)
    assert lms.state(learner.launches[0], STATE_ID) is None  # nothing recorded for the learner
    assert not lms.violations


def test_the_launch_mastery_score_replaces_the_pass_mark(xapi_packages, server, fresh_lrs, lms, learner_context):
    learner = Learner("cmi5", STAGE, server, fresh_lrs, lms, launch_options={
        "mastery_score": 0.5, "launch_parameters": json.dumps({"organisation": "council-a"})})
    tab = new_tab(learner_context)
    expected: list = []
    session = Session(learner, learner.open(tab), expected)
    session.started("self-assessment")
    session.self_assess()
    session.visit(session.content_pages() + ["assessment"])
    _, score = session.attempt(passing=True, completes=True, pass_mark=50)
    assert 50 <= score < session.data["assessment"]["passMark"]  # a fail by the package's own pass mark
    assert session.frame.locator("[data-assessment-result]").get_attribute("data-passed") == "true"
    session.exit()
    session.drained()
    got = stored(fresh_lrs, learner.registration)
    assert verbs_and_objects(got) == expected
    verdicts = [s for s in got if verbs([s]) == ["passed"]]
    assert len(verdicts) == 2  # the assessment's, and cmi5's on the AU
    for s in verdicts:
        assert s["result"]["score"]["scaled"] == score / 100 >= 0.5
        assert s["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == 0.5
    assert {s["context"]["extensions"][ORGANISATION] for s in got} == {"council-a"}
    assert not problems(got, PROFILE) and not cmi5_problems(got, learner.launches)


def test_one_cmi5_verdict_per_session_a_failure_waits_for_the_end_unless_no_attempt_is_left(
        xapi_packages, server, fresh_lrs, lms, learner_context):
    learner = Learner("cmi5", STAGE, server, fresh_lrs, lms)
    tab = new_tab(learner_context)
    expected: list = []
    first = Session(learner, learner.open(tab), expected)
    first.started("self-assessment")
    first.visit(["assessment"])
    first.attempt(passing=False)
    first.exit()  # the session's failure goes to the LMS at its end
    first.drained()
    learner.left(tab)
    tab.close()

    tab = new_tab(learner_context)
    second = Session(learner, learner.open(tab), expected)
    second.started("assessment", resumed=True)
    second.attempt(passing=False, retry=True)
    second.attempt(passing=False, retry=True)  # the last attempt: the failure is final, sent at once
    second.expect("failed", second.course)
    second.pending_failed = False
    second.exit()
    second.drained()
    got = stored(fresh_lrs, learner.registration)
    assert verbs_and_objects(got) == expected
    assert not problems(got, PROFILE) and not cmi5_problems(got, learner.launches)


def test_exit_returns_to_the_lms_return_url_once_the_statements_are_sent(
        xapi_packages, server, fresh_lrs, lms, learner_context):
    back = f"{server}/host/host.html?returned=1"
    learner = Learner("cmi5", STAGE, server, fresh_lrs, lms, launch_options={"return_url": back})
    tab = new_tab(learner_context)
    session = Session(learner, learner.open(tab), [])
    session.frame.locator('[data-action="exit"]').first.click()
    tab.wait_for_url(back)
    got = stored(fresh_lrs, learner.registration)
    assert verbs(got) == ["initialized", "experienced", "suspended", "terminated"]
    assert lms.state(learner.launches[0], STATE_ID)["location"] == "self-assessment"


@pytest.mark.parametrize("fmt", ["scorm12"])  # no tracker, no request in both editions: tests/js/launch.test.js
def test_scorm_without_an_lrs_records_in_scorm_only(xapi_packages, server, fresh_lrs, learner_context, fmt):
    tab = new_tab(learner_context)
    asked = []
    tab.on("request", lambda request: asked.append(request.url))
    tab.goto(f"{server}/host/host.html")
    tab.evaluate("config => startLms(config)", {
        "format": fmt, "sco": f"/packages/all-reflective-supervision-{STAGE}-{fmt}/index.html",
        "learner": {"id": "learner-1", "name": "Okafor, Ada"}, "entry": "ab-initio", "cmi": None})
    frame = tab.frame(name="sco")
    frame.wait_for_function("() => document.documentElement.dataset.elearnAdapter")
    frame.locator('[data-action="exit"]').first.click()
    assert frame.evaluate("document.documentElement.dataset.elearnAdapter") == fmt
    assert frame.evaluate("window.Elearn.active === undefined")
    assert all(url.startswith(server) for url in asked), [u for u in asked if not u.startswith(server)]
    assert not fresh_lrs.statements()


def test_scorm_launch_with_a_token_url_asks_for_the_credentials_once(
        xapi_packages, built, server, fresh_lrs, lms, learner_context):
    """The LMS gives an endpoint and a token URL (here the test LMS's one-time fetch URL), never the secret; the
    build allows the LRS's origin (--lrs-allow-origin), so the launch URL may name it."""
    sco = scorm_package(built, "allowed-lrs", "--lrs-allow-origin", origin(fresh_lrs.endpoint))
    token_url = lms.launch(f"{server}/x", "https://example.org/unused").fetch_url
    tab = new_tab(learner_context)
    tab.goto(f"{server}/host/host.html")
    query = urllib.parse.urlencode({"endpoint": fresh_lrs.endpoint, "token_url": token_url})
    tab.evaluate("config => startLms(config)", {
        "format": "scorm2004", "sco": f"{sco}?{query}",
        "learner": {"id": "learner-7", "name": "Okafor, Ada"}, "entry": "ab-initio", "cmi": None})
    frame = tab.frame(name="sco")
    frame.wait_for_function("() => window.Elearn && Elearn.active")
    frame.locator('[data-action="exit"]').first.click()
    frame.wait_for_function("() => Elearn.active.queue.pending() === 0")
    registration = frame.evaluate("Elearn.active.conn.registration")
    got = stored(fresh_lrs, registration)
    assert verbs(got) == ["initialized", "experienced", "suspended", "terminated"]
    assert got[0]["actor"] == {"objectType": "Agent", "name": "Okafor, Ada",
                               "account": {"homePage": server, "name": "learner-7"}}
    assert lms.fetches(lms.launches[-1]) == 1 and not lms.violations
    assert not problems(got, PROFILE)


def test_a_scorm_launch_naming_an_lrs_the_build_does_not_allow_sends_nothing(
        xapi_packages, server, fresh_lrs, lms, learner_context):
    """The launch URL is the attacker's: an endpoint it names never gets the token the link's token URL hands out with
    the LMS's cookie, nor any statement; the learner sees a plain status line. (The build's own token URL and an
    origin the build does not allow: tests/js/launch.test.js, at the runtime's level.)"""
    launch = lms.launch(f"{server}/x", "https://example.org/unused")
    query = {"endpoint": fresh_lrs.endpoint, "token_url": launch.fetch_url}
    sco = f"/packages/all-reflective-supervision-{STAGE}-scorm2004/index.html"
    tab = new_tab(learner_context)
    asked = []
    tab.on("request", lambda request: asked.append(request.url))
    tab.goto(f"{server}/host/host.html")
    tab.evaluate("config => startLms(config)", {
        "format": "scorm2004", "sco": f"{sco}?{urllib.parse.urlencode(query)}",
        "learner": {"id": "learner-8", "name": "Okafor, Ada"}, "entry": "ab-initio", "cmi": None})
    frame = tab.frame(name="sco")
    frame.wait_for_function("() => document.documentElement.dataset.elearnAdapter")
    status = frame.locator("[data-status]")
    assert status.text_content() == STRINGS["lrs_refused"]
    frame.locator('[data-action="exit"]').first.click()
    frame.wait_for_function("() => document.querySelector('[data-status]').textContent === "
                            f"{json.dumps(STRINGS['saved_exit'])}")
    assert frame.evaluate("window.Elearn.active === undefined")
    assert lms.fetches(launch) == 0
    assert not fresh_lrs.statements()
    lrs_origin, lms_origin = origin(fresh_lrs.endpoint), origin(launch.fetch_url)
    assert not [url for url in asked if url.startswith((lrs_origin, lms_origin))]


@pytest.mark.parametrize("return_url", ["javascript:window.top.pwned = document.cookie || 1"])  # more: tests/js/launch.test.js
def test_a_return_url_that_is_not_a_web_address_is_never_followed(
        xapi_packages, server, fresh_lrs, lms, learner_context, return_url):
    """LaunchData comes from whatever endpoint the launch link names: a javascript: returnURL would run in the
    LMS's origin when the learner exits. It is refused at launch with a status line, and exit stays put."""
    learner = Learner("cmi5", STAGE, server, fresh_lrs, lms, launch_options={"return_url": return_url})
    tab = new_tab(learner_context)
    session = Session(learner, learner.open(tab), [])
    assert session.frame.locator("[data-status]").text_content() == STRINGS["return_refused"]
    where = tab.url
    session.frame.locator('[data-action="exit"]').first.click()
    session.frame.wait_for_function("() => Elearn.active.queue.pending() === 0")
    tab.wait_for_timeout(300)  # where a followed returnURL would already have run
    assert tab.evaluate("window.pwned === undefined") and tab.url == where
    assert verbs(stored(fresh_lrs, learner.registration)) == ["initialized", "experienced", "suspended", "terminated"]
