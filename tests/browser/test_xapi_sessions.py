"""Whole sessions of every stage's cmi5, xAPI and SCORM packages against a real LRS (Ralph): the statements
read back are exactly the ones the course data calls for, in order, and every one passes
@learninglocker/xapi-validation, Ralph's strict model and the profile's templates and patterns."""
from __future__ import annotations

import pytest
import yaml
from xapi_session import (
    REPO,
    XAPI_FORMATS,
    Learner,
    cmi5_problems,
    new_tab,
    problems,
    stored,
    verbs_and_objects,
    whole_session,
)

from elearn_builder.xapi.profile import load_profile

STAGES = [s["id"] for s in yaml.safe_load((REPO / "content" / "programme.yaml").read_text())["stages"]]
PROFILE = load_profile()


CASES = [("cmi5", STAGES[1]), ("xapi", STAGES[0]), ("scorm12", STAGES[2]), ("scorm2004", STAGES[0])]
"""Every format and every stage at least once (cmi5 in the stage with every kind of question but fill-in, and written
answers checked against criteria): the formats' statements differ from one another only in the launch and cmi5's
rules (tests/js/launch.test.js, tests/js/cmi5.test.js), and from one stage to another only in the questions."""
assert {f for f, _ in CASES} == set(XAPI_FORMATS) and {s for _, s in CASES} == set(STAGES)


@pytest.mark.parametrize("fmt,stage", CASES)
def test_whole_session(xapi_packages, server, fresh_lrs, lms, learner_context, fmt, stage, record_property):
    learner = Learner(fmt, stage, server, fresh_lrs, lms)
    tab = new_tab(learner_context)
    expected: list = []
    session = whole_session(learner, tab, expected)
    session.drained()
    made = session.made()
    got = stored(fresh_lrs, learner.registration)

    assert verbs_and_objects(got) == expected
    assert [s["id"] for s in got] == made  # each statement once, in the order it was made
    assert all(s["actor"] == learner.actor for s in got)
    assert not problems(got, PROFILE)
    if fmt == "cmi5":
        assert not cmi5_problems(got, learner.launches)
        assert not lms.violations and lms.fetches(learner.launches[0]) == 1
        assert {s["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]
                for s in got} == {learner.launches[0].session_id}
    record_property("statements", len(got))
