"""What a rebuild does not do again: parse unchanged YAML (``Caches.parses``) and read unchanged inputs (``Caches.stats``).

A kept parse must be indistinguishable from a fresh one (values, every location, the diagnostics), an edit
must be seen, a damaged kept file must be a miss, and a file changed too close to its hashing is hashed again.
"""
from __future__ import annotations

import hashlib
from functools import partial
import math
import os
import pickle
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elearn_builder.cache import builds as cache
from elearn_builder.build import BuildOptions, build
from elearn_builder.cache.builds import BuildCache, inputs_key
from elearn_builder.cache.memo import Caches, Memo
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.cache.parses import KIND, ParseCodec
from elearn_builder.sources.reader import YList, YMap, copy, parse_fresh, parse_yaml, split_front_matter

ROOT = Path(__file__).resolve().parents[2]
TRICKY = [
    "a: 1\nlist:\n  - x\n  - {b: 2, c: [3, 4]}\n",
    "a: 1\nb: 2\na: 3\n",                                   # duplicate key: a diagnostic
    "base: &b {x: 1, y: [1, 2]}\nother:\n  <<: *b\n  y: 2\nthird: *b\n",
    "a: [1, 2\nb: 3\n",                                     # syntax error: None and a diagnostic
    "a: !!python/name:os.system\nb: !!set {x}\n",           # refused tags
    "day: 2024-02-29\nwhen: 2024-02-29T10:11:12+01:00\nblob: !!binary aGk=\n",
    "n: .nan\ni: -.inf\nz: -0.0\nbig: " + "9" * 400 + "\nno: 1" + "0" * 5000 + "\n",
    "# only a comment\n",
    "- 1\n- [a, {b: c}]\n- ~\n",
    'a: ok\nb: "x\\ud800"\n',                               # lone surrogate: a located error
    "a: " + "[" * 70 + "]" * 70 + "\n",                      # too deep
    "\u00e9t\u00e9: \u2018quoted\u2019\n",
]


@pytest.fixture
def memos() -> Caches:
    """What a process keeps between builds, as a build is given it; its memos salted as a build salts them."""
    return Caches().salted("the package's hash")


def view(value):
    """Everything a caller can see of a parsed value: types, keys and values in order, every location."""
    if isinstance(value, YMap):
        return ("map", value.loc, [(view(k), value.key_locs[k], value.value_locs[k], view(v)) for k, v in value.items()])
    if isinstance(value, YList):
        return ("list", value.loc, [(loc, view(v)) for loc, v in zip(value.item_locs, value, strict=True)])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def parsed(memo: Memo, text: str, path: str = "f.yaml", line_offset: int = 0, store=None):
    """``parse_yaml`` with ``memo`` (kept in ``store``): the view, the diagnostics and the parses it took."""
    diags, before = Diagnostics(), memo.misses
    memo.open(store, "course", ParseCodec())
    value = parse_yaml(text, path, diags, line_offset, memo)
    memo.close()
    return view(value), [str(d) for d in diags.items], memo.misses - before


def fresh(text: str, path: str = "f.yaml", line_offset: int = 0):
    diags = Diagnostics()
    return view(parse_fresh(text, path, diags, line_offset)), [str(d) for d in diags.items]


def course_texts() -> list[tuple[str, str]]:
    out = []
    for folder in (ROOT / "content", *sorted((ROOT / "tests" / "courses").iterdir())):
        out += [(p.read_text(encoding="utf-8"), p.relative_to(folder).as_posix()) for p in sorted(folder.rglob("*.yaml"))]
    return out


def test_a_kept_parse_equals_a_fresh_one_with_every_location_and_diagnostic(memos, tmp_path):
    store = BuildCache(tmp_path / "cache")
    cases = [(text, "f.yaml", 0) for text in TRICKY] + [(t, p, 0) for t, p in course_texts()]
    cases.append(("id: x\ntitle: [a,\n  b]\n", "modules/m.md", 1))  # front matter: lines start after '---'
    cases = list(dict.fromkeys(cases))  # two courses may hold the same file
    assert len(cases) > len(TRICKY) + 5
    expected = [fresh(*case) for case in cases]
    assert [d for _, d in expected].count([]) < len(expected) - 5  # the cases do report things
    memo = memos.parses
    assert parse_all(memo, cases, store) == (expected, len(cases))
    assert parse_all(memo, cases, store) == (expected, 0)  # from memory
    memo.clear()  # a new process: only what the build cache kept
    assert parse_all(memo, cases, store) == (expected, 0)  # from the cache's file


def parse_all(memo: Memo, cases: list, store) -> tuple[list, int]:
    """Parse every (text, path, line offset) in one build's session: the views and diagnostics, and the parses."""
    out, before = [], memo.misses
    memo.open(store, "course", ParseCodec())
    for text, path, offset in cases:
        diags = Diagnostics()
        out.append((view(parse_yaml(text, path, diags, offset, memo)), [str(d) for d in diags.items]))
    memo.close()
    return out, memo.misses - before


YAMLISH = st.text(alphabet=st.sampled_from(list("ab1.-:,&*!<>[]{}'\"#|~ \n\t\u00e9")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(YAMLISH, st.integers(0, 3))
def test_any_text_kept_and_read_back_equals_a_fresh_parse(text, offset):
    """What the memo keeps, handed out from memory or after the round trip through a build cache file."""
    expected = fresh(text, "f.yaml", offset)
    memo = Memo(KIND, 10)
    for _ in range(2):
        diags = Diagnostics()
        assert (view(parse_yaml(text, "f.yaml", diags, offset, memo)), [str(d) for d in diags.items]) == expected
    assert memo.misses == 1
    read = ParseCodec.decode(ParseCodec.encode(memo.entries))
    assert read is not None  # the codec reads back only entries in the shape a parse gives
    (back,) = read.values()
    assert (view(copy(back[0])), [str(d) for d in back[1]]) == expected


def test_front_matter_from_the_memo_reports_as_a_fresh_parse(memos, tmp_path):
    text = "---\nid: m\nid: n\ntitle: [x\n---\n# Page\n"
    diags = Diagnostics()
    split_front_matter(text, "m.md", diags)
    for _ in range(2):
        found = Diagnostics()
        memos.parses.open(BuildCache(tmp_path / "cache"), "course", ParseCodec())
        split_front_matter(text, "m.md", found, memos.parses)
        memos.parses.close()
        assert [str(d) for d in found.items] == [str(d) for d in diags.items] != []
    assert memos.parses.misses == 1


def test_the_same_text_at_another_path_or_line_is_another_parse(memos, tmp_path):
    store = BuildCache(tmp_path / "cache")
    text = "a: 1\nb: [2]\n"
    for path, offset in (("a.yaml", 0), ("b.yaml", 0), ("a.yaml", 3)):
        assert parsed(memos.parses, text, path, offset, store) == (*fresh(text, path, offset), 1)
    twice = parsed(memos.parses, text, "b.yaml", 0, store)[0][1], parsed(memos.parses, text, "b.yaml", 0, store)[0][1]
    assert twice[0] == twice[1] != fresh(text)[0][1]


def test_without_a_build_cache_the_memo_is_kept_in_memory_only(memos, tmp_path):
    assert parsed(memos.parses, TRICKY[0], store=None) == (*fresh(TRICKY[0]), 1)
    assert parsed(memos.parses, TRICKY[0], store=None) == (*fresh(TRICKY[0]), 0)
    memos.parses.clear()
    assert parsed(memos.parses, TRICKY[0], store=None) == (*fresh(TRICKY[0]), 1)  # nothing was kept elsewhere


def test_an_edit_is_a_miss_and_gives_the_new_value(memos, tmp_path):
    store = BuildCache(tmp_path / "cache")
    old, new = "pass_mark: 80\nitems: [a, b]\n", "pass_mark: 90\nitems: [a, b]\n"
    memo = memos.parses
    assert parsed(memo, old, store=store)[2] == 1
    edited = parsed(memo, new, store=store)
    assert edited == (*fresh(new), 1) and edited[0] != fresh(old)[0]
    assert parsed(memo, old, store=store)[2] == 0 and parsed(memo, new, store=store)[2] == 0


def test_what_a_caller_changes_never_reaches_a_later_parse(memos, tmp_path):
    store = BuildCache(tmp_path / "cache")
    text = "a: {b: [1, 2]}\nc: [x]\n"
    expected = fresh(text)
    for _ in range(2):
        value = parse_yaml(text, "f.yaml", Diagnostics(), memo=memos.parses)
        value["a"]["b"].append(3)
        value["a"]["b"].item_locs.clear()
        value["a"].key_locs["z"] = value.loc
        value["c"][0] = "changed"
        value["new"] = 1
        value.loc = None
        assert parsed(memos.parses, text, store=store) == (*expected, 0)


def kept_file(store: BuildCache) -> Path:
    (path,) = [p for p in (store.root / KIND).rglob("*") if p.is_file()]
    return path


class Evil:
    """Unpickled by the standard unpickler, this would create a folder."""

    def __init__(self, target: Path):
        self.target = target

    def __reduce__(self):
        return os.mkdir, (str(self.target),)


def test_a_damaged_or_foreign_kept_file_is_a_miss_never_an_error(memos, tmp_path):
    store = BuildCache(tmp_path / "cache")
    text = TRICKY[0]
    expected = fresh(text)
    memo = memos.parses
    parsed(memo, text, store=store)
    path = kept_file(store)
    good = store.blob(path.name, KIND)
    (key, entry), = pickle.loads(good).items()
    bare = YMap()
    marker = tmp_path / "ran"
    payloads = [b"", b"\x80\x05garbage", good[: len(good) // 2], pickle.dumps([1, 2]), pickle.dumps({key: "x"}),
                pickle.dumps({key: (entry[0], ("not a diagnostic",))}), pickle.dumps({key: (bare, ())}),
                pickle.dumps({key: (Evil(marker), ())}), pickle.dumps({key: (entry[0], (), "extra")})]
    for payload in payloads:
        path.write_bytes(hashlib.sha256(payload).digest() + payload)  # intact to the store: only the content is bad
        memo.clear()
        assert parsed(memo, text, store=store) == (*expected, 1)
    assert not marker.exists()
    for damage in (lambda d: d[:-7], lambda d: d[:40] + bytes([d[40] ^ 0xFF]) + d[41:], lambda d: b""):  # damaged on disk
        path.write_bytes(damage(hashlib.sha256(good).digest() + good))
        memo.clear()
        assert parsed(memo, text, store=store) == (*expected, 1)
    path.write_bytes(hashlib.sha256(good).digest() + good)
    memo.clear()
    assert parsed(memo, text, store=store) == (*expected, 0)  # and the intact file is used


def zips(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.zip"))}


@pytest.mark.parametrize("fresh_process", [False, True], ids=["in-process", "new-process"])
def test_a_rebuild_after_yaml_edits_parses_only_those_and_gives_clean_bytes(memos, tmp_path, fresh_process):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "content", course)
    formats = ("scorm12", "scorm2004", "cmi5", "xapi")
    options = BuildOptions(source=course, output=tmp_path / "out", templates=ROOT / "templates", formats=formats)
    build(options, caches=memos)
    assert memos.parses.misses > 5
    module = min((course / "modules").rglob("*.md"))
    text = module.read_text()
    assert "\ntitle: " in text
    module.write_text(text.replace("\ntitle: ", "\ntitle: Edited ", 1))
    assessment = min((course / "assessments").glob("*.yaml"))
    assert '\ntitle: "' in assessment.read_text()
    assessment.write_text(assessment.read_text().replace('\ntitle: "', '\ntitle: "Edited ', 1))
    if fresh_process:
        memos = Caches()
    before = memos.parses.misses
    result = build(options, caches=memos)
    assert result.cache["status"] == "miss" and memos.parses.misses - before == 2
    build(BuildOptions(source=course, output=tmp_path / "clean", templates=ROOT / "templates", formats=formats,
                       cache=False))
    assert zips(tmp_path / "out") == zips(tmp_path / "clean")
    name = next(iter(zips(tmp_path / "out")))
    with zipfile.ZipFile(tmp_path / "out" / name) as zf:
        assert any(b"Edited " in zf.read(n) for n in zf.namelist() if n.endswith(".html"))


# ---------------------------------------------------------------- the inputs key and the stat memo

def key_of(course: Path, stats: Memo, store=None) -> str:
    trees = {"source": course, "templates": None, "profile": None, "schemas": None}
    return inputs_key({"x": 1}, trees, course.parent / "out", store, stats)[0]


def age(path: Path, seconds: float) -> None:
    """Set ``path``'s mtime ``seconds`` in the past (its ctime stays now: no program can set it)."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


@pytest.fixture
def stats() -> Memo:
    return Caches().stats


@pytest.fixture
def small(tmp_path, monkeypatch) -> Path:
    """A course of three old files; the builder's own code (hashed too) is one old file, so that code edited
    moments ago (racy: hashed every time) does not count here."""
    course, builder = tmp_path / "course", tmp_path / "builder"
    (course / "sub").mkdir(parents=True)
    builder.mkdir()
    for path, text in {course / "a.yaml": "a: 1\n", course / "sub/b.md": "bee\n", course / "c.txt": "sea\n",
                       builder / "code.py": "pass\n"}.items():
        path.write_text(text)
        age(path, 3600)
    monkeypatch.setattr(cache, "PACKAGE_DIR", builder)
    return course


def test_an_unchanged_old_file_is_not_read_again(stats, small):
    first, hashed = key_of(small, stats), stats.misses
    assert hashed >= 3
    assert key_of(small, stats) == first and stats.misses == hashed


def test_a_recently_changed_file_is_always_hashed_again(stats, small):
    """The racy case: a file modified within RACY_NS of its hashing may change again unseen by its stat."""
    (small / "a.yaml").write_text("a: 2\n")  # mtime: now
    key_of(small, stats)
    hashed = stats.misses
    key_of(small, stats)
    assert stats.misses == hashed + 1  # the recent file alone, although its stat is as it was
    future = time.time_ns() + 3600 * 10**9
    os.utime(small / "c.txt", ns=(future, future))
    key_of(small, stats)
    hashed = stats.misses
    key_of(small, stats)
    assert stats.misses == hashed + 2  # a file dated in the future too


def test_the_racy_case_a_same_size_edit_in_the_same_tick_is_seen(stats, small, monkeypatch):
    """Written, hashed, then written again with the same size and mtime: without the racy rule (and the ctime)
    the stat would match; the key must still change."""
    path = small / "a.yaml"
    path.write_text("a: 1\n")
    stamp = path.stat().st_mtime_ns
    before = key_of(small, stats)
    path.write_text("a: 9\n")
    os.utime(path, ns=(stamp, stamp))
    assert path.stat().st_size == 5 and path.stat().st_mtime_ns == stamp
    assert key_of(small, stats) != before


def test_any_content_change_changes_the_key_even_with_the_old_mtime_put_back(stats, small):
    path = small / "sub" / "b.md"
    original = key_of(small, stats)
    old = path.stat()
    path.write_text("BEE\n")  # same size
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    edited = key_of(small, stats)
    assert edited != original
    path.write_text("bee\n")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert key_of(small, stats) == original
    (small / "sub" / "new.txt").write_text("")
    assert key_of(small, stats) not in (original, edited)


def test_the_stat_memo_is_kept_in_the_build_cache_and_a_damaged_one_is_ignored(stats, small, tmp_path):
    store = BuildCache(tmp_path / "cache")
    expected = key_of(small, stats, store)
    stats.clear()  # a new process
    hashed = stats.misses
    assert key_of(small, stats, store) == expected and stats.misses == hashed  # nothing read: digests from the file
    (kept,) = [p for p in (store.root / cache.STAT_KIND).rglob("*") if p.is_file()]
    for payload in (b"{", b'{"x": [1]}', b"[]", b'{"/a": [1, 2, 3, 4, 5, 6, "zz"]}'):
        kept.write_bytes(hashlib.sha256(payload).digest() + payload)
        stats.clear()
        hashed = stats.misses
        assert key_of(small, stats, store) == expected and stats.misses >= hashed + 3
    (small / "c.txt").write_text("SEA\n")
    age(small / "c.txt", 3600)
    stats.clear()
    assert key_of(small, stats, store) != expected


def test_moving_or_editing_any_file_of_the_package_changes_its_hash_and_empties_the_memos(stats, small):
    """Every memo's keys start with the package's hash: code moved or changed anywhere can keep no stale entry."""
    builder = cache.PACKAGE_DIR  # the fixture's one-file package
    digest = partial(cache.file_digest, stats)
    first = cache.package_hash(digest)
    assert cache.package_hash(digest) == first
    (builder / "render").mkdir()
    (builder / "code.py").rename(builder / "render" / "code.py")
    moved = cache.package_hash(digest)
    (builder / "render" / "code.py").write_text("pass  # edited\n")
    assert len({first, moved, cache.package_hash(digest)}) == 3
    caches = Caches().salted(first)
    caches.renders.put("k", "old render")
    assert caches.salted(first).renders.get("k") == "old render"
    assert caches.salted(moved).renders.get("k") is None
