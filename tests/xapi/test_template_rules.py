"""The statement template checker: the JSONPath subset, rule semantics, templates, slots and patterns."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn_builder.xapi.catalogue import example_statements
from elearn_builder.xapi.jsonpath import JSONPathError, evaluate, parse
from elearn_builder.xapi.profile import Vocabulary, load_profile
from elearn_builder.xapi.template_rules import Problem, check_sequence, check_statement, matches, normalise, rule_failures

VOCAB = Vocabulary(load_profile())
IRI = VOCAB.profile_id.rsplit("/", 1)[0]
EXAMPLES = example_statements(VOCAB)
STAGE = f"{IRI}/extensions/stage"


def example(verb: str, object_type: str | None = None, n: int = 0) -> dict:
    """A deep copy of the n-th example statement with that verb (and object type)."""
    found = [s for s in EXAMPLES if s["verb"]["id"] == VOCAB.verb(verb)["id"]
             and (object_type is None or s["object"]["definition"]["type"] == VOCAB.activity_type(object_type))]
    return copy.deepcopy(found[n])


def paths(statement: dict) -> list[str]:
    return [p.path for p in check_statement(statement, VOCAB)]


def templates_of(statement: dict) -> list[str]:
    return [t["id"].rsplit("/", 1)[-1] for t in VOCAB.templates.values() if matches(normalise(statement), t)]


# --- JSONPath subset -------------------------------------------------------------------------------

DOC = {"a": {"b": 1, "c.d": 2, "it's": 3, "list": [10, 20, 30], "none": None},
       "arr": [{"id": "x"}, {"id": "y"}, {"other": 1}], "nested": [[1, 2], [3]]}


@pytest.mark.parametrize("path, expected", [
    ("$", [DOC]),
    ("$.a.b", [1]),
    ("a.b", [1]),
    ("$['a']['b']", [1]),
    ('$["a"]["c.d"]', [2]),
    ("$.a['it\\'s']", [3]),
    ("$.a.list[1]", [20]),
    ("$.a.list[7]", []),
    ("$.a.list[*]", [10, 20, 30]),
    ("$.a.list[0,2]", [10, 30]),
    ("$.a['b','c.d']", [1, 2]),
    ("$.arr[*].id", ["x", "y"]),
    ("$.a.*", [1, 2, 3, [10, 20, 30]]),
    ("$.a.none", []),
    ("$.a.missing.deeper", []),
    ("$.a.b.c", []),
    ("$.a.list", [[10, 20, 30]]),
    ("$.a.list | $.a.b", [[10, 20, 30], 1]),
    ("$.a.b|$.a.b", [1, 1]),
    ("$.arr[*].id |  $.a['c.d'] | $.nope", ["x", "y", 2]),
    ("$.nested[*][0]", [1, 3]),
    ("$.nested[*][*]", [1, 2, 3]),
    ("$[ 'a' , 'arr' ][0]", [{"id": "x"}]),
])
def test_jsonpath_subset(path, expected):
    assert evaluate(path, DOC) == expected


@pytest.mark.parametrize("path, message", [
    ("$.arr[?(@.id == 'x')]", "filter and script expressions"),
    ("$.arr[(@.length-1)]", "filter and script expressions"),
    ("$..id", "recursive descent"),
    ("$.a[-1]", "expected a quoted name, an index or *"),
    ("$.a['b'", "expected , or ]"),
    ("$.a['b]", "unterminated string"),
    ("$.a.", "expected a name after ."),
    ("$.a b", "unexpected 'b'"),
    ("$.a | ", "expected \\$ or a name"),
    ("", "expected \\$ or a name"),
])
def test_jsonpath_outside_the_subset_is_refused(path, message):
    with pytest.raises(JSONPathError, match=message.replace("*", "\\*").replace("(", "\\(")):
        parse(path)


def test_jsonpath_errors_say_where():
    with pytest.raises(JSONPathError, match=r"at column 4 of '\$\.\.id'|at column 2"):
        parse("$..id")


@given(st.lists(st.text(alphabet="abcdefghij-_:/", min_size=1, max_size=8), min_size=1, max_size=5),
       st.integers())
def test_jsonpath_finds_what_a_nested_lookup_finds(keys, value):
    document: object = value
    for key in reversed(keys):
        document = {key: document}
    quoted = "$" + "".join(f"['{k}']" for k in keys)
    assert evaluate(quoted, document) == [value]
    assert evaluate(quoted + " | " + quoted, document) == [value, value]


# --- rule semantics (Communication §2.1 follows_rule) --------------------------------------------

STATEMENT = {"result": {"success": True, "score": {"scaled": 1}},
             "context": {"contextActivities": {"parent": [{"id": "p1", "definition": {"type": "t1"}}, {"id": "p2"}]}}}


@pytest.mark.parametrize("rule, fails", [
    ({"location": "$.result.success", "presence": "included"}, False),
    ({"location": "$.result.response", "presence": "included"}, True),
    ({"location": "$.result.response", "presence": "excluded"}, False),
    ({"location": "$.result.success", "presence": "excluded"}, True),
    ({"location": "$.result.response", "presence": "recommended", "all": ["x"]}, False),
    ({"location": "$.result.success", "presence": "recommended", "all": [False]}, True),
    ({"location": "$.result.success", "all": [True]}, False),
    ({"location": "$.result.success", "all": [1]}, True),
    ({"location": "$.result.score.scaled", "all": [1.0]}, False),
    ({"location": "$.result.response", "all": ["x"]}, False),
    ({"location": "$.result.response", "any": ["x"]}, True),
    ({"location": "$.result.success", "none": [True]}, True),
    ({"location": "$.result.success", "none": [False]}, False),
    ({"location": "$.context.contextActivities.parent[*].id", "any": ["p2", "p9"]}, False),
    ({"location": "$.context.contextActivities.parent[*].id", "all": ["p2", "p9"]}, True),
    ({"location": "$.context.contextActivities.parent[*]", "selector": "$.definition.type", "any": ["t1"]}, False),
    ({"location": "$.context.contextActivities.parent[*]", "selector": "$.definition.type", "all": ["t1"]}, True),
    ({"location": "$.context.contextActivities.parent[*]", "selector": "$.definition.type",
      "presence": "included"}, True),
    ({"location": "$.context.contextActivities.parent[*]", "selector": "$.definition.type",
      "presence": "excluded"}, True),
    ({"location": "$.context.contextActivities.parent[1]", "selector": "$.definition.type",
      "presence": "excluded"}, False),
])
def test_rule_semantics_follow_the_spec(rule, fails):
    assert bool(rule_failures(STATEMENT, rule)) is fails


def test_rule_failures_say_expected_and_found():
    assert rule_failures(STATEMENT, {"location": "$.result.success", "all": [False]}) == \
        ["may only be false, found true"]
    assert rule_failures(STATEMENT, {"location": "$.result.response", "presence": "included"}) == \
        ["is required but missing"]


# --- the examples pass -----------------------------------------------------------------------------

@pytest.mark.parametrize("statement", EXAMPLES, ids=[f"{i + 1}-{s['verb']['display']['en-GB']}"
                                                     for i, s in enumerate(EXAMPLES)])
def test_every_example_passes_exactly_one_template(statement):
    assert check_statement(statement, VOCAB) == []
    assert len(templates_of(statement)) == 1


def test_the_examples_cover_every_template():
    assert {t for s in EXAMPLES for t in templates_of(s)} == {t.rsplit("/", 1)[-1] for t in VOCAB.templates}


def test_the_checker_accepts_the_profile_document_as_well():
    assert check_statement(EXAMPLES[0], load_profile()) == []


def test_singleton_context_activities_are_normalised_first():
    statement = example("experienced")
    statement["context"]["contextActivities"]["parent"] = statement["context"]["contextActivities"]["parent"][0]
    assert check_statement(statement, VOCAB) == []


def test_a_written_answer_has_no_success_and_passes():
    statement = example("answered", "interaction")
    statement["object"]["definition"]["interactionType"] = "long-fill-in"
    for key in ("choices", "correctResponsesPattern"):
        del statement["object"]["definition"][key]
    statement["result"] = {"response": "I would start by asking Amira how she is."}
    assert check_statement(statement, VOCAB) == []


# --- broken statements fail, at the right path --------------------------------------------------

def test_missing_registration():
    statement = example("initialized")
    del statement["context"]["registration"]
    problems = check_statement(statement, VOCAB)
    assert [p.path for p in problems] == ["$.context.registration"]
    assert problems[0] == Problem(statement["id"], "$.context.registration",
                                  "is required but missing (template 'course initialised')",
                                  f"{IRI}/profile/templates/initialized")
    assert str(problems[0]).startswith(statement["id"] + ": $.context.registration: is required")


def test_a_verb_no_template_uses():
    statement = example("initialized")
    statement["verb"] = {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en-GB": "launched"}}
    assert paths(statement) == ["$.verb.id"]
    assert "no statement template of the profile uses the verb http://adlnet.gov/expapi/verbs/launched" in \
        check_statement(statement, VOCAB)[0].message


def test_the_wrong_verb_for_the_object():
    statement = example("completed")
    statement["verb"] = VOCAB.verb("experienced")
    assert paths(statement) == ["$.object.definition.type"]
    assert "expected one of http://adlnet.gov/expapi/activities/lesson" in check_statement(statement, VOCAB)[0].message


def test_passed_without_a_score():
    statement = example("passed")
    del statement["result"]["score"]
    assert "$.result.score.scaled" in paths(statement)


def test_failed_with_success():
    statement = example("failed")
    statement["result"]["success"] = True
    assert paths(statement) == ["$.result.success"]


def test_a_context_extension_in_the_result():
    statement = example("initialized")
    statement["result"] = {"extensions": {STAGE: statement["context"]["extensions"].pop(STAGE)}}
    assert set(paths(statement)) == {f"$.result.extensions['{STAGE}']", f"$.context.extensions['{STAGE}']",
                                     "$.result"}
    slot = next(p for p in check_statement(statement, VOCAB) if p.path.startswith("$.result.extensions"))
    assert slot.message == "stage is a ContextExtension: it belongs in $.context.extensions, not $.result.extensions"


def test_a_result_extension_in_the_context():
    statement = example("self-assessed")
    gaps = f"{IRI}/extensions/gaps"
    statement["context"]["extensions"][gaps] = statement["result"]["extensions"].pop(gaps)
    assert set(paths(statement)) == {f"$.context.extensions['{gaps}']", f"$.result.extensions['{gaps}']"}


def test_a_statement_that_matches_no_template():
    statement = example("experienced")
    statement["object"]["definition"]["type"] = "http://activitystrea.ms/schema/1.0/page"
    assert paths(statement) == ["$.object.definition.type"]


def test_a_statement_outside_the_profile_category():
    statement = example("answered", "self-assessment-statement")
    statement["context"]["contextActivities"]["category"] = [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]
    assert paths(statement) == ["$.context.contextActivities.category[*].id"]


def test_a_rating_with_success_and_no_parent():
    statement = example("answered", "self-assessment-statement")
    statement["result"]["success"] = True
    del statement["context"]["contextActivities"]["parent"]
    assert set(paths(statement)) == {"$.result.score | $.result.success",
                                     "$.context.contextActivities.parent[*].definition.type"}


def test_a_parent_without_a_type_is_unmatchable():
    statement = example("answered", "interaction")
    del statement["context"]["contextActivities"]["parent"][0]["definition"]
    problems = check_statement(statement, VOCAB)
    assert [p.path for p in problems] == ["$.context.contextActivities.parent[*].definition.type"] * 2
    assessment = VOCAB.activity_type("assessment")
    assert [p.message.split(" (")[0] for p in problems] == ["is required but missing",
                                                          f'needs one of "{assessment}", found nothing']


def test_a_parent_of_a_cmi5_context_template_beside_ours_is_allowed():
    """An LMS's contextTemplate may bring its own parent (the Open edX cmi5 XBlock: the course, no type):
    the AU must keep it (cmi5 section 9.6.2), so the profile asks for ours among the parents, not alone."""
    statement = example("answered", "interaction")
    lms_parent = {"id": "https://lms.example.org/course", "definition": {"name": {"en-US": "Course"}}}
    statement["context"]["contextActivities"]["parent"].insert(0, lms_parent)
    assert check_statement(statement, VOCAB) == []
    del statement["context"]["contextActivities"]["parent"][1]  # ours gone: only the LMS's is left
    left = [p.path for p in check_statement(statement, VOCAB)]
    assert left == ["$.context.contextActivities.parent[*].definition.type"] * 2


def test_extension_values_are_checked_against_their_inline_schema():
    pytest.importorskip("jsonschema", reason="jsonschema is in the test extras")
    statement = example("answered", "interaction")
    statement["context"]["extensions"][f"{IRI}/extensions/pcf-domains"] = [0, 6]
    problems = check_statement(statement, VOCAB)
    assert [p.path for p in problems] == [f"$.context.extensions['{IRI}/extensions/pcf-domains']"]
    assert problems[0].message == "PCF domains: 0 is less than the minimum of 1"
    assert check_statement(statement, VOCAB, check_values=False) == []


def test_a_statement_with_no_id_is_still_reported():
    statement = example("resumed")
    del statement["id"]
    assert [(p.statement, p.path) for p in check_statement(statement, VOCAB)] == [("(no id)", "$.id")]


def test_a_mangled_statement_gives_problems_not_exceptions():
    problems = check_statement({"verb": "answered", "context": {"extensions": ["x"]}, "result": 3}, VOCAB)
    assert [p.path for p in problems] == ["$.verb.id"]


# --- patterns ------------------------------------------------------------------------------------

def test_the_example_registration_follows_the_primary_pattern():
    assert check_sequence(EXAMPLES, VOCAB) == []


def test_order_comes_from_the_timestamps_not_the_list():
    assert check_sequence(list(reversed(EXAMPLES)), VOCAB) == []


def test_a_session_must_start_with_initialized():
    statements = [s for s in EXAMPLES if s["id"] != EXAMPLES[7]["id"]]  # the second session's initialized
    problems = check_sequence(statements, VOCAB)
    assert [p.statement for p in problems] == [EXAMPLES[8]["id"]]
    assert "statement 8 of registration" in problems[0].message
    assert problems[0].message.endswith("does not fit the profile's primary pattern here")


def test_nothing_may_follow_terminated_in_a_session():
    late = copy.deepcopy(EXAMPLES[4])
    late["id"], late["timestamp"] = "late", "2026-11-02T09:30:00.000Z"
    problems = check_sequence(EXAMPLES[:7] + [late], VOCAB)
    assert [p.statement for p in problems] == ["late"]


def test_resumed_only_straight_after_initialized():
    moved = copy.deepcopy(EXAMPLES[8])
    moved["timestamp"] = "2026-11-03T09:01:30.000Z"  # after the assessment page
    statements = [s for s in EXAMPLES if s["id"] != moved["id"]] + [moved]
    assert [p.statement for p in check_sequence(statements, VOCAB)] == [moved["id"]]


def test_a_session_cut_short_still_follows_the_pattern():
    assert check_sequence(EXAMPLES[:5], VOCAB) == []
    assert check_sequence(EXAMPLES[:1], VOCAB) == []


def test_registrations_are_checked_apart():
    other = copy.deepcopy(EXAMPLES[:7])
    for statement in other:
        statement["context"]["registration"] = "0e4e2a9c-8d7b-4f0e-9a51-6d2b8f3c1a77"
        statement["id"] += "-b"
    assert check_sequence(EXAMPLES + other, VOCAB) == []
    problems = check_sequence(EXAMPLES + other[1:], VOCAB)
    assert [p.statement for p in problems] == [other[1]["id"]]


def test_statement_problems_are_reported_with_the_sequence():
    broken = copy.deepcopy(EXAMPLES)
    del broken[3]["result"]["extensions"][f"{IRI}/extensions/scores"]
    assert [p.path for p in check_sequence(broken, VOCAB)] == [f"$.result.extensions['{IRI}/extensions/scores']"]


# --- the pattern algorithm on a small profile of its own -----------------------------------------

def tiny_profile(*patterns: dict) -> Vocabulary:
    """Templates a, b and c (one verb each, no rules) and the given patterns, the first primary."""
    base = "https://example.org/tiny"
    templates = [{"id": f"{base}/templates/{n}", "type": "StatementTemplate", "inScheme": f"{base}/v1",
                  "prefLabel": {"en-GB": n}, "definition": {"en-GB": n}, "verb": f"{base}/verbs/{n}"} for n in "abc"]
    expand = lambda ref: f"{base}/templates/{ref}" if len(ref) == 1 else f"{base}/patterns/{ref}"  # noqa: E731
    docs = []
    for i, pattern in enumerate(patterns):
        kind, value = next((k, v) for k, v in pattern.items() if k != "id")
        value = [expand(v) for v in value] if isinstance(value, list) else expand(value)
        docs.append({"id": f"{base}/patterns/{pattern['id']}", "type": "Pattern", kind: value, "primary": i == 0})
    return Vocabulary({"id": f"{base}", "versions": [{"id": f"{base}/v1"}], "templates": templates, "patterns": docs})


def run(vocab: Vocabulary, letters: str) -> list[int]:
    """The 1-based positions check_sequence blames, for statements with these verbs in this order."""
    statements = [{"id": str(i + 1), "verb": {"id": f"https://example.org/tiny/verbs/{v}"},
                   "timestamp": f"2026-01-01T00:00:{i:02d}.000Z", "context": {"registration": "r"}}
                  for i, v in enumerate(letters)]
    return [int(p.statement) for p in check_sequence(statements, vocab)]


@pytest.mark.parametrize("letters, blamed", [("ac", []), ("abc", []), ("abbc", [3]), ("bc", [1]), ("ab", [2])])
def test_sequence_with_an_optional_member(letters, blamed):
    vocab = tiny_profile({"id": "top", "sequence": ["a", "maybe-b", "c"]}, {"id": "maybe-b", "optional": "b"})
    assert run(vocab, letters) == blamed


@pytest.mark.parametrize("letters, blamed", [("a", []), ("aaa", []), ("aab", [3]), ("b", [1])])
def test_one_or_more(letters, blamed):
    assert run(tiny_profile({"id": "top", "oneOrMore": "a"}), letters) == blamed


@pytest.mark.parametrize("letters, blamed", [("c", []), ("abababc", []), ("abac", [4]), ("ba", [1])])
def test_zero_or_more_of_a_sequence_then_a_template(letters, blamed):
    vocab = tiny_profile({"id": "top", "sequence": ["pairs", "c"]}, {"id": "pairs", "zeroOrMore": "ab"},
                         {"id": "ab", "sequence": ["a", "b"]})
    assert run(vocab, letters) == blamed


def test_alternates_match_greedily_without_backtracking():
    vocab = tiny_profile({"id": "top", "sequence": ["either", "b"]}, {"id": "either", "alternates": ["a", "ab"]},
                         {"id": "ab", "sequence": ["a", "b"]})
    assert run(vocab, "abb") == []
    assert run(vocab, "ab") == [2]  # the longer alternative wins: the sequence still waits for its b
    statements = [{"id": v, "verb": {"id": f"https://example.org/tiny/verbs/{v}"}, "context": {"registration": "r"},
                   "timestamp": f"2026-01-01T00:00:0{i}.000Z"} for i, v in enumerate("ab")]
    assert check_sequence(statements, vocab)[0].message.endswith("in the middle of the primary pattern")
