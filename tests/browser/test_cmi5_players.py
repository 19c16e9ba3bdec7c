"""A cmi5 package in two kinds of cmi5 player (tests/lrs/cmi5_profiles.py): one modelled on the Open edX cmi5
XBlock (statements kept only when PUT, {"success": true} to everything else, no session id in LMS.LaunchData,
a token per fetch) and one modelled on the specification (a single-use fetch URL, a second completed or
passed in a registration refused). Three launches of one learner: the first reloaded half-way, the second in
the same browser, the third in a second browser. Every statement made reaches the LRS (Ralph) and is
confirmed before the package lets it go; one fetch per launch; one completed and one passed in the
registration; the context template's values come back unchanged."""
from __future__ import annotations

import uuid

import pytest
from lrs.cmi5_lms import Cmi5LMS
from lrs.cmi5_profiles import LMS_EXTENSION
from xapi_session import (
    ADL,
    CMI5_CATEGORY,
    Learner,
    Session,
    cmi5_problems,
    learner_browser,
    new_tab,
    problems,
    stored,
    verbs_and_objects,
)

from elearn_builder.xapi.profile import load_profile

PROFILE = load_profile()
STAGE = "social-worker"
COURSE = f"https://xapi.reflective-supervision.org.uk/stages/{STAGE}"
"""The cmi5.xml course id: the XBlock's launch activityId (course_data["course_id"])."""


@pytest.fixture(scope="module")
def players(lrs, server):
    """One running test LMS per profile, in front of the browser tests' Ralph."""
    started = {name: Cmi5LMS(lrs, origins=[server], profile=name).start() for name in ("xblock", "strict")}
    yield started
    for lms in started.values():
        lms.stop()


@pytest.fixture
def second_browser(browser):
    """Another browser of the same learner: nothing in its storage."""
    yield from learner_browser(browser)


def defined(statements: list[dict], verb: str) -> list[dict]:
    return [s for s in statements if s["verb"]["id"] == ADL + verb
            and CMI5_CATEGORY in [c["id"] for c in s["context"]["contextActivities"].get("category", [])]]


@pytest.mark.parametrize("profile", ["xblock", "strict"])
def test_three_launches_with_a_reload_and_a_second_browser(xapi_packages, server, lrs, players, learner_context,
                                                          second_browser, profile, record_property):
    lms = players[profile]
    lrs.start()
    lrs.reset()
    lms.reset()
    learner = Learner("cmi5", STAGE, server, lrs, lms)
    if profile == "xblock":  # the enrollment's UUID is the registration; the course id is the activityId
        learner.registration, learner.activity_id = str(uuid.uuid4()), COURSE
    expected: list = []
    made: list[str] = []

    tab = new_tab(learner_context)
    first = Session(learner, learner.open(tab), expected)
    first.started("self-assessment")
    first.self_assess()
    pages = first.content_pages()
    first.visit(pages[:3])
    first.drained()
    made += first.made()
    tab.reload()  # the same launch goes on: no second fetch, no second initialized
    tab.main_frame.wait_for_function("() => window.Elearn && Elearn.active"
                                     " && document.documentElement.dataset.elearnAdapter")
    assert tab.evaluate("document.documentElement.dataset.elearnAdapter") == "cmi5"
    first.expect("experienced", first.page_iri(pages[2]))  # the bookmark, shown again
    first.visit(pages[3:] + ["assessment"])
    first.attempt(passing=True, completes=True)
    first.exit()
    first.drained()
    made += first.made()
    assert lms.fetch_count == 1
    tab.close()

    tab = new_tab(learner_context)
    second = Session(learner, learner.open(tab), expected)
    second.started("assessment", resumed=True)
    second.exit()
    second.drained()
    made += second.made()
    assert lms.fetch_count == 2
    tab.close()

    tab = new_tab(second_browser)
    third = Session(learner, learner.open(tab), expected)
    if profile == "strict":  # the LMS keeps the State document: the learner is where they left, passed
        third.started("assessment", resumed=True)
    else:  # the XBlock keeps none of it: a fresh start
        third.started("self-assessment")
    third.exit()
    third.drained()
    made += third.made()
    assert lms.fetch_count == 3

    got = stored(lrs, learner.registration)
    assert sorted(s["id"] for s in got) == sorted(made)  # every statement made, confirmed by the LRS, once
    assert verbs_and_objects(got) == expected
    assert len(defined(got, "completed")) == 1 and len(defined(got, "passed")) == 1
    assert not problems(got, PROFILE)
    for launch in learner.launches:  # the template's values, unchanged, in every statement of the launch
        template = launch.launch_data["contextTemplate"]
        ours = [s for s in got if s["context"].get("extensions", {}).get(
            "https://w3id.org/xapi/cmi5/context/extensions/sessionid") == launch.session_id] \
            if profile == "strict" else got
        assert ours
        for s in ours:
            context = s["context"]
            assert context["registration"] == template.get("registration", learner.registration)
            for kind, activities in template.get("contextActivities", {}).items():
                assert context["contextActivities"][kind][:len(activities)] == activities
            for key, value in template.get("extensions", {}).items():
                assert context["extensions"][key] == value
    if profile == "strict":
        assert not cmi5_problems(got, learner.launches)
        assert lms.violations == []  # no second fetch, no second completed or passed
        assert {s["context"]["extensions"][LMS_EXTENSION] for s in got} == \
            {la.launch_data["contextTemplate"]["extensions"][LMS_EXTENSION] for la in learner.launches}
    else:
        assert lms.swallowed and set(lms.swallowed) <= {s["id"] for s in got}  # answered {"success": true}: sent again
        seen = lms.xblock_status[learner.registration]  # what the XBlock made of display["en"]
        assert seen["completion"] == 1.0 and len(seen["grades"]) == 2  # the assessment's and the AU's passed
    record_property("statements", len(got))
    record_property("fetches", lms.fetch_count)
    print(f"{profile}: {len(got)} statements stored, each confirmed; {lms.fetch_count} fetches for 3 launches "
          f"(one reloaded); {len(lms.swallowed)} answered {{'success': true}} and sent again with PUT")


def test_a_launch_link_used_again_says_so_on_the_status_line(xapi_packages, server, lrs, players, learner_context,
                                                             second_browser):
    """The strict LMS's fetch URL gives its token once: the same launch link opened in another browser (or
    bookmarked) cannot track, and the learner reads that, rather than a standalone course that looks fine."""
    lms = players["strict"]
    lrs.start()
    lms.reset()
    learner = Learner("cmi5", STAGE, server, lrs, lms)
    first = learner.open(new_tab(learner_context))
    assert first.evaluate("document.documentElement.dataset.elearnAdapter") == "cmi5"
    tab = new_tab(second_browser)
    tab.goto(learner.launches[0].url)
    tab.wait_for_function("() => document.documentElement.dataset.elearnAdapter")
    strings = tab.evaluate("JSON.parse(document.getElementById('elearn-data').textContent).strings")
    assert tab.evaluate("document.documentElement.dataset.elearnAdapter") == "standalone"
    line = tab.locator("[data-status]")
    assert line.inner_text().strip() == strings["lms_token_failed"]
    assert line.get_attribute("data-level") == "warning" and line.get_attribute("role") == "status"
    assert lms.fetch_count == 2 and len(lms.violations) == 1  # the second fetch, refused with 403
