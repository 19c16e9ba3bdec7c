"""Issue 16's assessment fields on the loaded model: shuffle, the module to revisit, partial credit,
alternative orders, word limits, written-answer criteria, feedback after a failed attempt, typed-answer
normalisation, and the warnings for keys that give themselves away."""
from __future__ import annotations

from pathlib import Path

import pytest

from elearn_builder.sources.answertext import normalise, word_count
from elearn_builder.sources.assessments import load_assessment
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.markdown import MediaRefs, Renderer
from elearn_builder.model import Location, Module
from elearn_builder.sources.questions import QuestionReader
from elearn_builder.sources.reader import parse_yaml

HEAD = "id: q1\nkey_area: pcf\npcf_domains: [3]\nprompt: Which?\n"
MODULES = (Module("intro", "Introduction", (1,), ("pcf", "skills"), "PT5M", (), Location("m1.md")),
           Module("power", "Power and difference", (3,), ("pcf",), "PT5M", (), Location("m2.md")))


def read(text: str, tmp_path: Path):
    diags = Diagnostics()
    node = parse_yaml(text, "a.yaml", diags)
    reader = QuestionReader("a.yaml", {"pcf", "skills"}, Renderer(tmp_path, diags, MediaRefs()), {}, diags, MODULES)
    return reader.read(node, "b"), diags


def codes(diags) -> list[tuple[str, str, int]]:
    return [(d.severity, d.code, d.location.line) for d in diags.items]


CHOICE = HEAD + "type: choice\nchoices:\n  - {id: a, text: A}\n  - {id: b, text: B, correct: true}\n"


def test_choices_shuffle_unless_told_not_to(tmp_path):
    q, diags = read(CHOICE, tmp_path)
    assert not diags.items and q.shuffle is True
    q, diags = read(CHOICE + "shuffle: false\n", tmp_path)
    assert not diags.items and q.shuffle is False


def test_shuffle_means_nothing_on_a_sequence(tmp_path):
    q, diags = read(HEAD + "type: true-false\nanswer: true\nshuffle: false\n", tmp_path)
    assert codes(diags) == [("warning", "field.unknown", 7)]


def test_module_given_or_derived(tmp_path):
    q, diags = read(CHOICE + "module: intro\n", tmp_path)
    assert not diags.items and q.module == "intro"
    q, diags = read(CHOICE, tmp_path)  # pcf in both; only "power" shares domain 3
    assert q.module == "power"
    q, diags = read(CHOICE.replace("key_area: pcf", "key_area: skills"), tmp_path)
    assert q.module == "intro"  # no module on "skills" shares domain 3: the first on the area


def test_unknown_module_is_located(tmp_path):
    q, diags = read(CHOICE + "module: powr\n", tmp_path)
    assert q is None
    assert str(diags.errors[0]) == ('a.yaml:9:9: error [question.unknown-module] question: module "powr" is not a '
                                    'module of the programme (did you mean "power"?)')


MATCH = (HEAD + "type: matching\npartial: true\npairs:\n  - {source: {id: a, text: A}, target: {id: x, text: X}}\n"
         "  - {source: {id: b, text: B}, target: {id: y, text: Y}}\n")
SEQ = HEAD + "type: sequencing\nitems:\n" + "".join(f"  - {{id: {i}, text: {i}}}\n" for i in "abcd")


def test_partial_credit_where_the_author_says(tmp_path):
    q, diags = read(MATCH, tmp_path)
    assert not diags.items and q.partial is True
    q, diags = read(CHOICE.replace("type: choice", "type: multiple-response") + "partial: true\n", tmp_path)
    assert not diags.items and q.partial is True
    q, diags = read(CHOICE, tmp_path)
    assert q.partial is False


def test_sequencing_accepts_other_orders(tmp_path):
    q, diags = read(SEQ + "accept:\n  - [a, b, d, c]\n  - [a, b, c, d]\n  - [a, b, d, c]\n", tmp_path)
    assert not diags.items
    assert q.accept == (("a", "b", "d", "c"),)  # the listed order and repeats add nothing


@pytest.mark.parametrize("order", ["[a, b, c]", "[a, b, c, c]", "[a, b, c, e]", "a b c d"])
def test_an_accepted_order_names_every_item_once(tmp_path, order):
    q, diags = read(SEQ + f"accept:\n  - {order}\n", tmp_path)
    assert q is None and codes(diags) == [("error", "question.bad-order", 12)]


FILL = HEAD + "type: fill-in\n"


def test_word_limit(tmp_path):
    q, diags = read(FILL + "accepted: [case record]\nmax_words: 2\n", tmp_path)
    assert not diags.items and q.max_words == 2
    q, diags = read(FILL + "accepted: [the case record]\nmax_words: 2\n", tmp_path)
    assert q is None
    assert str(diags.errors[0]) == ('a.yaml:6:11: error [field.value] question "q1": accepted answer "the case '
                                    'record" has 3 words, more than max_words 2')
    q, diags = read(FILL + "accepted: [x]\nmax_words: -1\n", tmp_path)
    assert q is None and codes(diags) == [("error", "field.value", 7)]


def test_an_answer_of_punctuation_matches_nothing(tmp_path):
    q, diags = read(FILL + "accepted: ['...']\n", tmp_path)
    assert q is None and codes(diags) == [("error", "field.value", 6)]


def test_written_answers_have_criteria(tmp_path):
    q, diags = read(HEAD + "type: long-fill-in\nmax_words: 200\ncriteria:\n  - Names the risk\n  - ' Says  who acts '\n",
                    tmp_path)
    assert not diags.items and q.criteria == ("Names the risk", "Says who acts") and q.max_words == 200


def test_a_written_answer_without_criteria_is_a_warning(tmp_path):
    q, diags = read(HEAD + "type: long-fill-in\n", tmp_path)
    assert q is not None and q.criteria == ()
    assert codes(diags) == [("warning", "question.no-criteria", 1)]


def test_the_check_against_criteria_takes_an_id(tmp_path):
    diags = Diagnostics()
    ids = {"q1-criteria": Location("b.yaml", 4, 7)}
    reader = QuestionReader("a.yaml", {"pcf"}, Renderer(tmp_path, diags, MediaRefs()), ids, diags, MODULES)
    q = reader.read(parse_yaml(HEAD + "type: long-fill-in\ncriteria: [Fine]\n", "a.yaml", diags), "b")
    assert q is None
    assert str(diags.errors[0]) == ('a.yaml:6:11: error [id.duplicate] question "q1": its check against the criteria '
                                    'is recorded as "q1-criteria", an id already used at b.yaml:4:7')
    q, diags = read(HEAD + "type: long-fill-in\ncriteria: [Fine]\n", tmp_path)
    assert q is not None and not diags.items


@pytest.mark.parametrize("criteria", ["[]", "[Fine, '']", "[Fine, {a: b}]", "[" + ", ".join(["c"] * 27) + "]"])
def test_bad_criteria(tmp_path, criteria):
    q, diags = read(HEAD + f"type: long-fill-in\ncriteria: {criteria}\n", tmp_path)
    assert q is None and codes(diags) == [("error", "field.value", 6)]


@pytest.mark.parametrize("given, same", [
    ("Case record.", "case record"), ("90.", "90"), ("  Case,   record ", "case record"),
    ("self-assessment", "self assessment"), ("Kolb\u2019s cycle", "kolbs cycle"), ("(PCF)", "pcf"),
])
def test_typed_answers_compare_without_punctuation(given, same):
    assert normalise(given) == normalise(same) == same


def test_case_may_matter():
    assert normalise("PCF.", case_matters=True) == "PCF" != normalise("pcf", case_matters=True)


@pytest.mark.parametrize("text, words", [("case record.", 2), ("self-assessment", 1), (" - ", 0), ("a b c", 3)])
def test_word_count(text, words):
    assert word_count(text) == words


def assessment(root: Path, body: str, head: str = "id: a\ntitle: A\npass_mark: 50\n"):
    (root / "a.yaml").write_text(head + body)
    diags = Diagnostics()
    a = load_assessment(root, "a.yaml", Location("programme.yaml", 9, 17), {"pcf"},
                        Renderer(root, diags, MediaRefs()), {}, diags, MODULES)
    return a, diags


def choice(qid: str, key: int, texts=("one", "two", "three", "four")) -> str:
    opts = ", ".join(f"{{id: o{k}, text: {t}{', correct: true' if k == key else ''}}}" for k, t in enumerate(texts))
    return f"  - {{id: {qid}, type: choice, key_area: pcf, prompt: P, choices: [{opts}]}}\n"


def test_feedback_on_fail(tmp_path):
    a, diags = assessment(tmp_path, "feedback_on_fail: revisit\nquestions:\n" + choice("x", 1))
    assert not diags.items and a.feedback_on_fail == "revisit"
    a, diags = assessment(tmp_path, "questions:\n" + choice("x", 1))
    assert a.feedback_on_fail == "full"
    a, diags = assessment(tmp_path, "feedback_on_fail: revist\nquestions:\n" + choice("x", 1))
    assert str(diags.errors[0]) == ('a.yaml:4:19: error [field.value] assessment: feedback_on_fail "revist" must be '
                                    'one of full, revisit (did you mean "revisit"?)')


def test_keys_in_one_place_warn(tmp_path):
    keys = [0, 0, 0, 1, 2]  # 3 of 5 first: more than 40%
    a, diags = assessment(tmp_path, "questions:\n" + "".join(choice(f"q{i}", k) for i, k in enumerate(keys)))
    assert a is not None and codes(diags) == [("warning", "bank.key-position", 5)]
    assert 'the key is the first option in 3 of 5 choice and multiple-response questions (q0, q1, q2)' \
        in diags.items[0].message


def test_keys_spread_do_not_warn(tmp_path):
    keys = [0, 1, 2, 3, 0]  # 2 of 5 in one place: 40%, not more
    a, diags = assessment(tmp_path, "questions:\n" + "".join(choice(f"q{i}", k) for i, k in enumerate(keys)))
    assert a is not None and not diags.items


def test_multiple_response_keys_listed_first_warn(tmp_path):
    def mr(qid: str, keys: tuple[int, ...]) -> str:
        opts = ", ".join(f"{{id: o{k}, text: t{k}{', correct: true' if k in keys else ''}}}" for k in range(5))
        return f"  - {{id: {qid}, type: multiple-response, key_area: pcf, prompt: P, choices: [{opts}]}}\n"
    body = mr("m0", (0, 1)) + mr("m1", (0, 1, 2)) + mr("m2", (0,)) + mr("m3", (1, 3)) + mr("m4", (2, 4))
    a, diags = assessment(tmp_path, "questions:\n" + body)
    assert codes(diags) == [("warning", "bank.key-position", 5)] and "(m0, m1, m2)" in diags.items[0].message


def test_longest_key_warns(tmp_path):
    long = ("a", "bb", "a much longer option", "ccc")
    body = "".join(choice(f"q{i}", 2 if i < 3 else 0, long if i < 3 else ("x", "y", "z", "w")) for i in range(5))
    keys_spread = body.replace("o2, text: a much", "o2, text: a much")  # keys: 2, 2, 2 -> also one place
    a, diags = assessment(tmp_path, "questions:\n" + keys_spread)
    assert ("warning", "bank.key-longest", 5) in codes(diags)
    assert "the key is the longest option in 3 of 5" in [d for d in diags.items if d.code == "bank.key-longest"][0].message


def test_small_banks_are_judged_together(tmp_path):
    bank = "  - id: {b}\n    questions:\n{qs}"
    qs = lambda b: "".join("    " + choice(f"{b}{i}", 3)  for i in range(3))  # noqa: E731
    a, diags = assessment(tmp_path, "banks:\n" + bank.format(b="b", qs=qs("b")) + bank.format(b="c", qs=qs("c")))
    assert codes(diags) == [("warning", "assessment.key-position", 1)]
    assert "the key is the last option in 6 of 6" in diags.items[0].message


def test_the_runtime_gets_the_new_fields():
    """The course data of the browser tests' "valid" stage carries what elearn-assessment.js reads."""
    from elearn_builder.sources.course import load_course
    from elearn_builder.render.stage import load_strings, stage_data

    diags = Diagnostics()
    programme = load_course(Path(__file__).parents[1] / "browser" / "course-variants", diags)
    assert programme is not None and not diags.items, [str(d) for d in diags.items]
    data = stage_data(programme, programme.stage("valid"), load_strings("en-GB"))["assessment"]
    q = {x["id"]: x for x in data["questions"]}
    assert data["feedbackOnFail"] == "revisit"
    assert (q["v-choice"]["shuffle"], q["v-fixed"]["shuffle"], q["v-choice"]["module"]) == (True, False, "only")
    assert q["v-multi"]["module"] == "framework"  # derived: the module on its key area
    assert q["v-multi"]["partial"] is True and q["v-match"]["partial"] is True and "partial" not in q["v-choice"]
    assert q["v-order"]["accept"] == [["checkin", "actions", "learning", "cases"]]
    assert q["v-words"]["maxWords"] == 2 and "maxWords" not in q["v-write"]
    assert q["v-write"]["criteria"] == [{"id": "c1", "text": "You start with what happened"},
                                        {"id": "c2", "text": "You ask how it felt"},
                                        {"id": "c3", "text": "You agree a next step"}]
