"""Typed reads of YAML mappings with located diagnostics."""
from __future__ import annotations

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.fields import ID_RE, Fields
from elearn_builder.sources.reader import parse_yaml


def read(text):
    diags = Diagnostics()
    return Fields(parse_yaml(text, "f.yaml", diags), diags, "thing"), diags


def test_required_optional_and_types():
    f, diags = read("id: good-id\ncount: 3\nflag: yes\nname: 12\n")
    assert f.get("id", str, pattern=ID_RE) == "good-id"
    assert f.get("count", int) == 3
    assert f.get("flag", bool) is True
    assert f.get("name", str) == "12"
    assert f.get("absent", int, 7) == 7
    assert not diags.items


def test_missing_and_wrong_type_say_expected_and_received():
    f, diags = read("count: three\n")
    assert f.get("count", int) is None
    assert f.get("title", str) is None
    assert [str(d) for d in diags.items] == [
        'f.yaml:1:8: error [field.type] thing: "count" must be a whole number, not text',
        'f.yaml:1:1: error [field.missing] thing: required key "title" (text) is missing',
    ]


def test_bool_is_not_an_int():
    f, diags = read("count: true\n")
    assert f.get("count", int) is None and diags.items[0].code == "field.type"


def test_bad_id_and_unknown_key_with_suggestion():
    f, diags = read("id: Bad Id\ntitel: x\n")
    f.get("id", str, pattern=ID_RE)
    f.get("title", str, "")
    f.done()
    codes = [(d.severity, d.code) for d in diags.items]
    assert codes == [("error", "id.invalid"), ("warning", "field.unknown")]
    assert 'did you mean "title"?' in diags.items[1].message
