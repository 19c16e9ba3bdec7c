"""Located YAML, front matter, encodings and path safety."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, strategies as st

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.model import Location
from elearn_builder.sources.reader import YList, YMap, parse_yaml, read_text, safe_join, split_front_matter


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


# ---------------------------------------------------------------- edge cases found or checked by tests/sources/test_fuzz.py

def _parse(text: str):
    diags = Diagnostics()
    return parse_yaml(text, "f.yaml", diags), [str(d) for d in diags.items]


def test_recursive_alias_is_refused_not_a_recursion_error():
    data, found = _parse("a: &a [1, *a]\n")
    assert data is None
    assert found == [("f.yaml:1:4: error [yaml.recursive-alias] an alias refers to a mapping or list that contains "
                      "it, so the value would never end")]


def test_deep_nesting_is_refused_at_its_place():
    for text in ("a: " + "[" * 5000 + "]" * 5000, "".join("  " * i + f"k{i}:\n" for i in range(300))):
        data, found = _parse(text)
        assert data is None and len(found) == 1 and "error [yaml.too-deep] nested more than 64 levels" in found[0]
    assert _parse("a: " + "[" * 60 + "]" * 60)[1] == []


def test_alias_chain_deeper_than_the_bound_is_refused():
    lines = ["a0: &a0 " + "[" * 30 + "x" + "]" * 30]
    lines += [f"a{i}: &a{i} " + "[" * 30 + f"*a{i - 1}" + "]" * 30 for i in range(1, 4)]
    data, found = _parse("\n".join(lines))
    assert data is None and found and "[yaml.too-deep]" in found[0]


def test_python_tags_never_run_and_are_reported():
    for text in ("a: !!python/object/apply:os.system ['echo no']\n", "a: !!python/name:os.system\n",
                 "a: !!python/object:builtins.dict {x: 1}\n"):
        found = _parse(text)[1]
        assert found and all("[yaml.tag]" in line for line in found), found
        assert found[0].startswith("f.yaml:1:4: error")


def test_other_tags_on_collections_are_reported():
    for text in ("a: !!set {x, y}\n", "a: !!omap [x: 1]\n", "a: !custom [1]\n"):
        assert any("[yaml.tag]" in line for line in _parse(text)[1]), text


def test_integer_too_long_to_convert_is_a_located_error():
    data, found = _parse("a: 1\nb: " + "9" * 5000 + "\n")
    assert data == {"a": 1, "b": None}
    assert found == [("f.yaml:2:4: error [yaml.bad-value] cannot read this value: Exceeds the limit (4300 digits) for "
                      "integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits() to increase "
                      "the limit")]


def test_huge_and_special_numbers_are_values():
    data, found = _parse("a: 1e400\nb: .inf\nc: -.NaN\nd: " + "9" * 400 + "\n")
    assert not found and data["a"] == "1e400" and data["b"] == float("inf") and data["d"] == int("9" * 400)


def test_lone_surrogate_escape_is_a_located_error():
    data, found = _parse('a: ok\nb: "x\\ud800"\n')
    assert data["a"] == "ok" and len(found) == 1 and found[0].startswith("f.yaml:2:4: error [yaml.bad-value]")


def test_tab_indentation_and_nul_are_syntax_errors():
    assert _parse("a:\n\tb: 1\n")[1][0].startswith("f.yaml:2:1: error [yaml.syntax]")
    assert "[yaml.syntax]" in _parse("a: b\x00c\n")[1][0]


def test_null_or_list_front_matter_is_reported():
    for head in ("null", "~", "- a", "just text"):
        diags = Diagnostics()
        meta, _, _ = split_front_matter(f"---\n{head}\n---\n# Page\n", "m.md", diags)
        assert meta is None and [d.code for d in diags.items] == ["markdown.front-matter"], head


def test_very_long_lines_parse(tmp_path):
    (tmp_path / "f.yaml").write_text("title: " + "x" * 1_000_000 + "\n")
    diags = Diagnostics()
    data = parse_yaml(read_text(tmp_path, "f.yaml", diags, Location("p", 1, 1)), "f.yaml", diags)
    assert not diags.items and len(data["title"]) == 1_000_000


def test_crlf_lone_cr_and_bom_read_alike(tmp_path):
    for name, data in {"crlf": b"\xef\xbb\xbfa: 1\r\nb: 2\r\n", "cr": b"a: 1\rb: 2\r", "lf": b"a: 1\nb: 2\n"}.items():
        (tmp_path / name).write_bytes(data)
        diags = Diagnostics()
        parsed = parse_yaml(read_text(tmp_path, name, diags, Location("p", 1, 1)), name, diags)
        assert parsed == {"a": 1, "b": 2} and parsed.at("b").line == 2 and not diags.items


def test_utf16_is_named_in_the_encoding_error(tmp_path):
    (tmp_path / "f.yaml").write_bytes("a: 1\n".encode("utf-16"))
    diags = Diagnostics()
    assert read_text(tmp_path, "f.yaml", diags, Location("p", 1, 1)) is None
    assert [str(d) for d in diags.items] == ["f.yaml:1:1: error [file.encoding] UTF-16: save the file as UTF-8"]


def test_safe_join_refuses_nul_drive_and_overlong_paths_without_raising(tmp_path):
    for rel in ("a\x00b.md", "C:/x.md", "c:x.md", "x" * 300, "a/" * 600, "\\\\server\\share"):
        assert safe_join(tmp_path, rel) is None, rel


def test_python_apply_tag_never_runs(tmp_path):
    target = tmp_path / "made-by-yaml"
    for text in (f"a: !!python/object/apply:os.mkdir ['{target}']\n", f"a: !!python/object/apply:os.mkdir\n  - {target}\n"):
        found = _parse(text)[1]
        assert any("[yaml.tag]" in line for line in found)
    assert not target.exists()


def test_explicit_key_overrides_a_merged_one_without_a_duplicate_error():
    """A regression: a key given beside ``<<: *anchor`` was reported as a duplicate of the merged one."""
    data, found = _parse("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n")
    assert found == [] and data["c"] == {"x": 3, "y": 1, "z": 2} and data["c"].at("x") == Location("f.yaml", 5, 6)
    assert _parse("a: &a {x: 1}\nc: {<<: *a, x: 2, x: 3}\n")[1] == [
        'f.yaml:2:19: error [yaml.duplicate-key] duplicate key "x" (first at line 2)']
