"""``elearn guide``: the master classes as one facilitator guide per stage, written apart from the packages."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn_builder.cli.commands import main
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.course import load_course

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def course(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_one_guide_per_stage_outside_build_and_the_same_bytes_twice(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = run("guide", "-s", str(ROOT / "content"), "-o", str(out), "-t", str(ROOT / "templates"))
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in first.iterdir())
    assert names == [f"reflective-supervision-{s}-facilitator-guide.html"
                     for s in ("experienced-social-worker", "manager", "social-worker")]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    # The build writes the packages only: no guide beside the zips.
    build = tmp_path / "build"
    assert run("build", "-s", str(ROOT / "content"), "-o", str(build), "-t", str(ROOT / "templates"), "-q").exit_code == 0
    assert sorted(p.suffix for p in build.iterdir() if p.is_file()) == [".zip"] * 12


def test_each_guide_holds_the_three_plans_with_this_stages_notes_and_levels(tmp_path):
    run("guide", "-s", str(ROOT / "content"), "-o", str(tmp_path), "--stage", "manager")
    html = (tmp_path / "reflective-supervision-manager-facilitator-guide.html").read_text(encoding="utf-8")
    for title in ("Master class 1: introduction", "Master class 2: the challenges of supervision",
                  "Master class 3: action learning"):
        assert html.count(f">{title}<") >= 2, title  # the overview row and the section heading
    for heading in ("Aims", "Materials", "Using the self-assessment results", "Timings and activities",
                    "Notes for this stage"):
        assert html.count(f"<h3>{heading}</h3>") == 3, heading
    assert "supervising other supervisors" in html  # the manager notes, not another stage's
    assert "Focus the goals on preparing for supervision" not in html
    assert "<th scope=\"row\">Supervision skills</th><td>4 " in html  # the manager's expected level
    assert "<th scope=\"row\">Academic credit route</th><td><span class=\"not-set\">Not set" in html
    assert "<script" not in html and "http" not in html.split("</style>")[0]


def test_the_organisations_settings_fill_the_guide(course, tmp_path):
    programme = course / "programme.yaml"
    programme.write_text(programme.read_text(encoding="utf-8").replace(
        'credit_route: ""', "credit_route: A 20-credit module at Example University"), encoding="utf-8")
    assert run("guide", "-s", str(course), "-o", str(tmp_path / "g"), "--stage", "social-worker").exit_code == 0
    html = next((tmp_path / "g").iterdir()).read_text(encoding="utf-8")
    assert "<th scope=\"row\">Academic credit route</th><td>A 20-credit module at Example University</td>" in html


def test_timings_modules_and_stages_are_checked_where_they_are_written(course):
    classes = course / "master-classes.yaml"
    text = classes.read_text(encoding="utf-8")
    text = text.replace("      - minutes: 15\n        title: Welcome, aims and ground rules",
                        "      - minutes: 20\n        title: Welcome, aims and ground rules", 1)
    text = text.replace("    modules: [action-learning]", "    modules: [action-learnin]")
    text = text.replace("      manager: |\n        Add the team view", "      managers: |\n        Add the team view")
    classes.write_text(text, encoding="utf-8")
    diags = Diagnostics()
    assert load_course(course, diags) is None
    found = {(d.code, d.location.path) for d in diags.items}
    assert ("masterclass.timing", "master-classes.yaml") in found
    assert ("ref.unknown-module", "master-classes.yaml") in found
    assert ("ref.unknown-stage", "master-classes.yaml") in found
    timing = next(d for d in diags.items if d.code == "masterclass.timing")
    assert "185 minutes, the session 180" in timing.message and timing.location.line > 1
    assert 'did you mean "action-learning"' in next(d.message for d in diags.items if d.code == "ref.unknown-module")


def test_a_course_without_master_classes_says_so(course, tmp_path):
    programme = course / "programme.yaml"
    programme.write_text(programme.read_text(encoding="utf-8").replace("master_classes: master-classes.yaml", ""),
                         encoding="utf-8")
    result = CliRunner().invoke(main, ["guide", "-s", str(course), "-o", str(tmp_path / "g")])
    assert result.exit_code == 1 and "names no master classes file" in result.output
    assert not (tmp_path / "g").exists()
    result = CliRunner().invoke(main, ["guide", "-s", str(ROOT / "content"), "-o", str(tmp_path / "g"), "--stage", "boss"])
    assert result.exit_code == 1 and 'unknown stage "boss"' in result.output


MASTER_CLASS = {
    "title": "Guide",
    "intro": "Read *this* first.",
    "classes": [{
        "id": "intro", "title": "Master class 1", "minutes": 30, "when": "First.", "modules": ["one"],
        "aims": ["An aim."], "materials": ["A flip chart."], "self_assessment": "Use the baseline.",
        "activities": [{"minutes": 10, "title": "Welcome", "how": "Say hello."},
                       {"minutes": 20, "title": "Talk", "how": "In pairs."}],
        "stages": {"manager": "Add the team view."},
    }],
}


def paths(value, prefix=()):
    """Every place in a YAML document: (keys...) tuples, containers included."""
    yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from paths(child, (*prefix, key))


def replaced(document, where, junk):
    import copy

    out = copy.deepcopy(document)
    node = out
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = junk
    return out


def test_any_value_of_the_wrong_kind_in_master_classes_is_a_located_problem_never_a_crash(tmp_path):
    import yaml

    course = tmp_path / "course"
    shutil.copytree(ROOT / "tests" / "courses" / "minimal", course)
    with (course / "programme.yaml").open("a", encoding="utf-8") as handle:
        handle.write("master_classes: master-classes.yaml\norganisation: {name: Org, credit_route: A module}\n")
    classes = course / "master-classes.yaml"
    classes.write_text(yaml.safe_dump(MASTER_CLASS), encoding="utf-8")
    diags = Diagnostics()
    programme = load_course(course, diags)
    assert programme is not None and not diags.items, [str(d) for d in diags.items]
    assert dict(programme.organisation)["credit_route"] == "A module"
    checked = 0
    for where in list(paths(MASTER_CLASS))[1:]:
        for junk in ([["x"]], {"k": [1]}, 7, None):
            classes.write_text(yaml.safe_dump(replaced(MASTER_CLASS, where, junk)), encoding="utf-8")
            diags = Diagnostics()
            result = load_course(course, diags)  # never raises
            if result is None:
                assert diags.errors and all(d.location.line >= 1 for d in diags.items), (where, junk)
            checked += 1
    assert checked > 100
