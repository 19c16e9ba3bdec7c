"""The generated statement catalogue: in step with the profile, complete, and with examples that pass."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from elearn_builder.xapi.catalogue import example_statements, render
from elearn_builder.xapi.profile import Vocabulary, load_profile
from elearn_builder.xapi.template_rules import check_sequence, check_statement

REPO_ROOT = Path(__file__).resolve().parents[2]
PROFILE = load_profile()
VOCAB = Vocabulary(PROFILE)
CATALOGUE = REPO_ROOT / "docs" / "statements.md"
TEXT = render(PROFILE)


def test_the_committed_catalogue_matches_the_profile():
    """Regenerate with: python -m elearn_builder.xapi.catalogue > docs/statements.md"""
    assert CATALOGUE.read_text(encoding="utf-8") == TEXT


def test_the_command_prints_the_catalogue():
    run = subprocess.run([sys.executable, "-m", "elearn_builder.xapi.catalogue"], capture_output=True, text=True,
                         timeout=60, cwd=REPO_ROOT, check=True)
    assert run.stdout == TEXT and run.stderr == ""


def test_rendering_is_deterministic():
    assert render(load_profile()) == TEXT


def sections(text: str) -> dict[str, str]:
    parts = re.split(r"^### (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_template_has_a_section_with_its_verb_object_type_and_example():
    found = sections(TEXT)
    for template in PROFILE["templates"]:
        body = found[template["prefLabel"]["en-GB"]]
        assert f"- Template: `{template['id']}`" in body
        if "verb" in template:
            assert f"`{template['verb']}`" in body.split("Example:")[0]
        if "objectActivityType" in template:
            assert f"- Object type: {VOCAB.by_id[template['objectActivityType']].label}" in body
        assert body.count("```json") == 1


def examples_in(text: str) -> list[dict]:
    return [json.loads(block) for block in re.findall(r"^```json\n(.*?)^```$", text, flags=re.M | re.S)]


def test_the_examples_printed_in_the_catalogue_pass_the_checker():
    printed = examples_in(TEXT)
    assert len(printed) == len(PROFILE["templates"])
    for statement in printed:
        assert check_statement(statement, VOCAB) == []


def test_the_example_session_follows_the_primary_pattern():
    assert check_sequence(example_statements(VOCAB), VOCAB) == []


def test_the_catalogue_lists_the_vocabulary_and_explains_our_extensions():
    vocabulary = TEXT.split("## Vocabulary", 1)[1]
    for term in VOCAB.by_id.values():
        assert f"`{term.id}`" in vocabulary
    for concept in PROFILE["concepts"]:
        assert concept["definition"]["en-GB"] in vocabulary


def test_the_catalogue_shows_activity_ids_and_the_order_of_statements():
    iri = VOCAB.profile_id.rsplit("/", 1)[0]
    assert f"| the stage's course | `{iri}/stages/<stage>` |" in TEXT
    assert f"| a question | `{iri}/questions/<question>` |" in TEXT
    assert "- **registration** (primary): one or more of *session*." in TEXT
    assert "- **session**: in order: *course initialised*, *resumption*, *activities*, *suspension*, *termination*." \
        in TEXT


def test_the_catalogue_sorts_rules_by_what_they_demand():
    passed = sections(TEXT)["assessment passed"]
    required = passed.split("Required, besides what every statement carries:", 1)[1].split("Recommended:", 1)[0]
    assert "`$.result.score.scaled`" in required and "`$.result.success`, only `true`" in required
    assert "`$.result.score.raw | $.result.score.min | $.result.score.max`" in passed.split("Recommended:", 1)[1]


def test_a_changed_profile_changes_the_catalogue():
    changed = json.loads(json.dumps(PROFILE))
    changed["templates"][0]["definition"]["en-GB"] = "Changed."
    assert render(changed) != TEXT


@pytest.mark.parametrize("line", [line for line in TEXT.splitlines() if line.startswith("|") and "---" not in line])
def test_table_rows_keep_their_columns(line):
    cells = re.split(r"(?<!\\)\|", line)[1:-1]
    assert len(cells) in (2, 6, 7), line
