"""Located YAML, front matter, encodings and path safety."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, strategies as st

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.model import Location
from elearn_builder.sources import YList, YMap, parse_yaml, read_text, safe_join, split_front_matter


def test_values_keep_their_locations():
    diags = Diagnostics()
    data = parse_yaml("a: 1\nlist:\n  - x\n  - {b: 2}\n", "f.yaml", diags)
    assert isinstance(data, YMap) and not diags.items
    assert data.key_locs["list"] == Location("f.yaml", 2, 1)
    assert data.at("a") == Location("f.yaml", 1, 4)
    assert isinstance(data["list"], YList)
    assert data["list"].at(1) == Location("f.yaml", 4, 5)
    assert data["list"][1].at("b") == Location("f.yaml", 4, 9)


def test_duplicate_key_is_an_error_with_both_lines():
    diags = Diagnostics()
    parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml", diags)
    assert [str(d) for d in diags.items] == [
        'f.yaml:3:1: error [yaml.duplicate-key] duplicate key "a" (first at line 1)']


def test_syntax_error_is_located_not_raised():
    diags = Diagnostics()
    assert parse_yaml("a: [1, 2\nb: 3\n", "f.yaml", diags) is None
    (d,) = diags.items
    assert d.code == "yaml.syntax" and d.location.path == "f.yaml" and d.location.line == 2


def test_alias_bomb_is_refused():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    diags = Diagnostics()
    assert parse_yaml("\n".join(lines), "bomb.yaml", diags) is None
    assert [d.code for d in diags.items] == ["yaml.too-complex"]


def test_merge_keys_work():
    diags = Diagnostics()
    data = parse_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "f.yaml", diags)
    assert dict(data["other"]) == {"x": 1, "y": 2} and not diags.items


def test_empty_document_is_an_empty_mapping():
    data = parse_yaml("# only a comment\n", "f.yaml", Diagnostics())
    assert data == {} and data.loc == Location("f.yaml", 1, 1)


def test_front_matter_lines_count_from_top_of_file():
    diags = Diagnostics()
    meta, body, first = split_front_matter("---\nid: x\ntitle: [\n---\n# T\n", "m.md", diags)
    assert meta is None
    assert diags.items[0].location.path == "m.md" and diags.items[0].location.line >= 3
    diags = Diagnostics()
    meta, body, first = split_front_matter("---\nid: x\n---\n# T\nbody\n", "m.md", diags)
    assert meta.at("id") == Location("m.md", 2, 5) and body == "# T\nbody\n" and first == 4


def test_unclosed_front_matter():
    diags = Diagnostics()
    split_front_matter("---\nid: x\n# T\n", "m.md", diags)
    assert [d.code for d in diags.items] == ["markdown.front-matter"]


def test_read_text_strips_bom_and_normalises_newlines(tmp_path):
    (tmp_path / "a.md").write_bytes(b"\xef\xbb\xbfone\r\ntwo\rthree\n")
    assert read_text(tmp_path, "a.md", Diagnostics(), Location("x", 1, 1)) == "one\ntwo\nthree\n"


def test_read_text_reports_non_utf8_position(tmp_path):
    (tmp_path / "a.md").write_bytes(b"ok\nbad \xff here\n")
    diags = Diagnostics()
    assert read_text(tmp_path, "a.md", diags, Location("x", 1, 1)) is None
    assert str(diags.items[0]).startswith("a.md:2:5: error [file.encoding]")


def test_safe_join_refuses_escapes(tmp_path):
    (tmp_path / "inside.txt").write_text("x")
    assert safe_join(tmp_path, "inside.txt") == (tmp_path / "inside.txt").resolve()
    for bad in ("../x", "/etc/passwd", "a/../../x", "", "a\\b"):
        assert safe_join(tmp_path, bad) is None
    (tmp_path / "link").symlink_to("/etc")
    assert safe_join(tmp_path, "link/passwd") is None


@given(st.text(max_size=200))
def test_parse_yaml_never_raises(text):
    diags = Diagnostics()
    parse_yaml(text, "fuzz.yaml", diags)
    assert all(d.location.path == "fuzz.yaml" and d.location.line >= 1 for d in diags.items)
