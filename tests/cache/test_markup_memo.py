"""Rendered Markdown kept between builds: a hit gives what a render gives, and a rebuild renders only what changed."""
from __future__ import annotations

import hashlib
import json
import random
import shutil
import zipfile
from pathlib import Path

import pytest

from elearn_builder.build import BuildOptions, build
from elearn_builder.cache.builds import BuildCache
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.cache.markup import KIND, RenderCodec
from elearn_builder.cache.memo import Caches, Memo
from elearn_builder.sources.markdown import PLAIN, MediaRefs, Renderer

ROOT = Path(__file__).resolve().parents[2]
TEXT = "See ![](media/pic.svg) and [the notes](notes.txt).\n\n<span onclick=\"x()\">hi</span>\n"


@pytest.fixture
def memo():
    """A memo of renders, as a build's ``Caches`` holds it."""
    made = Memo(KIND, 1000)
    made.salt = "the package's hash"
    return made


def render(root: Path, store, memo: Memo, text: str = TEXT) -> tuple[str, list, dict, int]:
    """Render ``text`` with ``memo``, kept in ``store``: HTML, diagnostics, media and how many renders it took."""
    diags, media, before = Diagnostics(), MediaRefs(), memo.misses
    memo.open(store, "course", RenderCodec())
    html = Renderer(root, diags, media, memo=memo).render(text, "page.md", 3)
    memo.close()
    return html, diags.items, dict(media.used), memo.misses - before


def test_plain_text_skips_markdown_for_the_same_html(tmp_path):
    renderer = Renderer(tmp_path, Diagnostics(), MediaRefs())
    alphabet, rnd, seen = "aZq09,.;:?'’()/- ", random.Random(8), 0
    samples = ["Monthly", "Yes, it's (mostly) true: 1/2 - or so?", "e.g. this.", "Q. What"]
    samples += [rnd.choice("aQx") + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
                for _ in range(3000)]
    for text in samples:
        if PLAIN.fullmatch(text):
            seen += 1
            assert renderer.render(text, "x.md") == renderer.render_fresh(text, "x.md").html == f"<p>{text}</p>", text
    assert seen > 2000
    for text in ("1. one", "- item", "a  b", "a *b*", "a_b_", "x & y", "a <b>", "Title\n===", " lead", "tail "):
        assert not PLAIN.fullmatch(text), text


def test_a_hit_replays_diagnostics_and_media_exactly(memo, tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "pic.svg").write_text("<svg/>")
    store = BuildCache(tmp_path / "cache")
    first = render(tmp_path, store, memo)
    again = render(tmp_path, store, memo)
    assert first[3] == 1 and again[3] == 0 and first[:3] == again[:3]
    codes = sorted(d.code for d in first[1])
    assert codes == ["html.removed", "image.no-alt", "link.missing"] and list(first[2]) == ["media/pic.svg"]
    memo.clear()  # a new process reads what the build cache kept
    fresh = render(tmp_path, store, memo)
    assert fresh[:3] == first[:3] and fresh[3] == 0
    memo.clear()
    memo.salt = "another version of the tool"  # its renders are kept apart: all made again
    assert render(tmp_path, store, memo)[3] == 1


def test_a_hit_whose_files_changed_is_a_miss(memo, tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "pic.svg").write_text("<svg/>")
    store = BuildCache(tmp_path / "cache")
    render(tmp_path, store, memo)
    (tmp_path / "notes.txt").write_text("now here")
    (tmp_path / "media" / "pic.svg").unlink()
    _, diags, media, renders = render(tmp_path, store, memo)
    assert renders == 1 and sorted(d.code for d in diags) == ["html.removed", "image.missing", "image.no-alt"]
    assert list(media) == ["notes.txt"]


def test_a_damaged_or_foreign_memo_file_reads_as_empty(memo, tmp_path):
    store = BuildCache(tmp_path / "cache")
    render(tmp_path, store, memo, "Some *text*.")
    files = [p for p in (store.root / KIND).rglob("*") if p.is_file()]
    assert len(files) == 1
    kept = json.loads(store.blob(files[0].name, KIND))
    (key, entry), = kept.items()
    damaged = [{key: {**entry, "html": 1}}, {key: {**entry, "checked": [["a"]]}}, {key: {**entry, "diags": [{}]}},
               {key: {**entry, "media": [["m", ["p", 1]]]}}, {key: "x"}, [1, 2]]
    for payload in [b"\x00garbage", *(json.dumps(d).encode() for d in damaged), json.dumps(kept).encode()]:
        files[0].write_bytes(hashlib.sha256(payload).digest() + payload)
        memo.clear()
        html, _, _, renders = render(tmp_path, store, memo, "Some *text*.")
        assert (html, renders) == ("<p>Some <em>text</em>.</p>", 0 if payload == json.dumps(kept).encode() else 1)


def zips(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.zip"))}


def test_index_html_is_the_same_in_every_format_of_a_stage(tmp_path):
    build(BuildOptions(source=ROOT / "content", output=tmp_path, templates=ROOT / "templates", cache=False,
                       formats=("scorm12", "scorm2004", "cmi5", "xapi")))
    pages: dict[str, set[bytes]] = {}
    for name in zips(tmp_path):
        stage = name.rsplit("-", 1)[0]
        with zipfile.ZipFile(tmp_path / name) as zf:
            pages.setdefault(stage, set()).add(zf.read("index.html"))
            assert b'"format":"' + name.rsplit("-", 1)[1][:-4].encode() + b'"' in zf.read("assets/package.js")
    assert len(pages) == 3 and all(len(found) == 1 for found in pages.values())


def test_a_one_page_edit_renders_only_that_page_and_builds_the_clean_bytes(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "content", course)
    formats = ("scorm12", "scorm2004", "cmi5", "xapi")
    options = BuildOptions(source=course, output=tmp_path / "out", templates=ROOT / "templates", formats=formats)
    caches = Caches()
    build(options, caches=caches)
    assert caches.renders.misses > 100
    page = min((course / "modules").rglob("*.md"))
    page.write_text(page.read_text() + "\nOne *more* sentence.\n")
    caches = Caches()  # as a fresh process would: only what the build cache kept
    result = build(options, caches=caches)
    assert result.cache["status"] == "miss" and caches.renders.misses == 1
    build(BuildOptions(source=course, output=tmp_path / "clean", templates=ROOT / "templates", formats=formats,
                       cache=False))
    assert zips(tmp_path / "out") == zips(tmp_path / "clean")
