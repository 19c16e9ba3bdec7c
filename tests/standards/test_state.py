"""The saved state's fingerprint and worst-case size, and the build refusing a state that cannot fit."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from elearn_builder.cli.commands import main
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.course import load_course
from elearn_builder.standards.state import compact, fingerprint, worst_case, worst_response

COURSES = Path(__file__).parents[1] / "courses"


def programme(name="all-types"):
    diags = Diagnostics()
    p = load_course(COURSES / name, diags)
    assert not diags.errors
    return p


def test_fingerprint_is_stable_and_follows_structure():
    p = programme()
    a = p.assessment_for("manager")
    assert fingerprint(p, a) == fingerprint(programme(), programme().assessment_for("manager"))
    assert len(fingerprint(p, a)) == 8
    renamed = dataclasses.replace(a.banks[0], questions=(dataclasses.replace(a.banks[0].questions[0], id="other"),)
                                  + a.banks[0].questions[1:])
    assert fingerprint(p, dataclasses.replace(a, banks=(renamed,) + a.banks[1:])) != fingerprint(p, a)
    reworded = dataclasses.replace(a, title="Another title")
    assert fingerprint(p, reworded) == fingerprint(p, a)


def test_worst_responses():
    qs = {q.id: q for q in programme().assessment_for("manager").questions}
    assert worst_response(qs["mgr-order"]) == [0, 1, 2, 3]
    assert worst_response(qs["mgr-match"]) == [10, 10, 10]
    assert compact(worst_response(qs["mgr-reflection"])) == '"' + "\\n" * 600 + '"'
    assert worst_response(qs["mgr-frequency"]) == [1]


def test_worst_case_bounds_a_full_state():
    """A real, full state of the same shape is never longer than the computed worst case."""
    p = programme()
    a = p.assessment_for("manager")
    full = {"v": 2, "h": fingerprint(p, a), "p": "7", "s": {"b": "555", "l": "123"},
            "a": {"n": 2, "d": [0, 1, 2, 4, 5], "r": [[1], [0, 1, 3], [3, 2, 1, 0], [0], "x\n\"" * 150], "s": 60,
                  "o": 4000000000, "c": {"4": "7"}},
            "i": 3 * 40 + 2 * 5}
    assert len(compact(full)) <= worst_case(p, a)
    assert worst_case(p, a) == len(compact({
        "v": 2, "h": "00000000", "p": "f", "s": {"b": "999", "l": "999"},
        "a": {"n": 2, "d": [1, 2, 0, 3, 5], "r": [[10, 10, 10], [0, 1, 2, 3], [1], "\n" * 20, "\n" * 600],
              "s": 100, "o": 4294967295, "c": {"4": "f"}},
        "i": 3 * 9_999_999 + 2 * (5 + 1),  # every statement on every retake; per attempt 5 questions, 1 check
        "x": {"r": "0" * 36, "k": 9_999_999}}))


def test_oversized_state_fails_the_scorm12_build_with_a_clear_message(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSES / "all-types", course)
    path = course / "assessments" / "manager.yaml"
    path.write_text(path.read_text().replace("max_length: 600", "max_length: 2500"))
    result = CliRunner().invoke(main, ["build", "-s", str(course), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert ('assessments/manager.yaml:1:1: error [state.too-large] stage "manager": the saved state could reach '
            in result.output)
    assert "over the 4,096 that SCORM 1.2 keeps in cmi.suspend_data; the longest typed answer is mgr-reflection" \
        in result.output
    assert not (tmp_path / "out").exists()
    ok = CliRunner().invoke(main, ["build", "-s", str(course), "-o", str(tmp_path / "out"), "-f", "scorm2004"])
    assert ok.exit_code == 0, ok.output


def test_course_data_carries_limit_and_worst_case(tmp_path):
    from elearn_builder.render.stage import course_data, load_strings

    p = programme()
    data = course_data(p, p.stage("manager"), "scorm12", load_strings("en-GB"))
    assert (data["stateLimit"], data["stateWorstCase"]) == (4096, worst_case(p, p.assessment_for("manager")))
    json.dumps(data)
