"""Leaving out the Python-Markdown processors and patterns that cannot act on a text (markup.GATES) changes
nothing: the HTML and the diagnostics are those of the whole pipeline, for the bundled programme, the test
courses, the XSS corpus and random Markdown made of the syntax every gate is about."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from locations import REPO_ROOT
from xss.corpus import PAYLOADS, write_course

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.course import load_course
from elearn_builder.sources import markdown as markdown_module
from elearn_builder.sources.markdown import GATES, MediaRefs, Renderer


def texts_of(source: Path) -> list[tuple[Path, object, str, str, int]]:
    """Every Markdown text loading ``source`` renders: (course root, policy, text, path, first line)."""
    seen = []
    fresh = Renderer.render_fresh

    def record(self, text, path, first_line=1):
        seen.append((self.root, self.policy, text, path, first_line))
        return fresh(self, text, path, first_line)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Renderer, "render_fresh", record)
        load_course(source, Diagnostics())  # errors are collected, not raised: every text is rendered
    return seen


PAIRS: dict = {}


def pair(root: Path, policy, fresh: bool = False) -> list[Renderer]:
    """A gated and a whole renderer for ``root`` and ``policy`` (kept for the next call unless ``fresh``)."""
    made = PAIRS.get((root, policy))
    if made is None or fresh:
        made = [Renderer(root, Diagnostics(), MediaRefs(), *([policy] if policy is not None else [])) for _ in "ab"]
        made[1].gated = False
        PAIRS[(root, policy)] = made
    return made


def both(root: Path, policy, text: str, path: str = "modules/m.md", first_line: int = 3, fresh: bool = False):
    """(HTML, diagnostics, media used, paths checked) from the gated renderer and from the whole one."""
    out = []
    for r in pair(root, policy, fresh):
        done = r.render_fresh(text, path, first_line)
        out.append((done.html, [str(d) for d in done.diags], dict(done.media), done.checked))
    return out


def same_with_and_without_gates(cases) -> int:
    """Render every case gated and whole; assert equal results."""
    for root, policy, text, path, first_line in cases:
        gated, whole = both(root, policy, text, path, first_line)
        assert gated == whole, text
    return len(cases)


def test_every_gate_names_something_python_markdown_has(tmp_path):
    """A renamed processor would be kept (safe, but no longer gated): this says so."""
    r = Renderer(tmp_path, Diagnostics(), MediaRefs())
    registries = dict(zip(GATES, r._full))
    for kind, gates in GATES.items():
        missing = set(gates) - {item.name for item in registries[kind]._priority}
        assert not missing, (kind, missing)


def test_plain_prose_goes_through_less_and_comes_out_the_same(tmp_path):
    text = "Supervision is a conversation.\n\nIt has **three** functions, and each matters."
    gated, whole = both(tmp_path, None, text)
    assert gated == whole and gated[0].startswith("<p>Supervision")
    r = Renderer(tmp_path, Diagnostics(), MediaRefs())
    r.render_fresh(text, "m.md")
    patterns = [item.name for item in r._inline.inlinePatterns._priority]
    assert patterns == ["em_strong"]
    blocks = [item.name for item in r.md.parser.blockprocessors._priority]
    assert "table" not in blocks and "paragraph" in blocks
    r.render_fresh("| a | b |\n|---|---|\n| 1 | 2 |", "m.md")
    assert "table" in [item.name for item in r.md.parser.blockprocessors._priority]


COURSES = REPO_ROOT / "tests" / "courses"


@pytest.mark.parametrize("source", [REPO_ROOT / "content", COURSES / "all-types", COURSES / "minimal"],
                         ids=lambda p: p.name)
def test_courses_render_the_same_with_and_without_gates(source):
    assert same_with_and_without_gates(texts_of(source)) > 0


def test_courses_with_errors_render_the_same_with_and_without_gates(tmp_path):
    """Each case of tests/courses/errors laid over the minimal course, as tests/test_build_errors.py does."""
    rendered = 0
    for case in sorted(p for p in (COURSES / "errors").iterdir() if p.is_dir()):
        course = tmp_path / case.name
        shutil.copytree(COURSES / "minimal", course)
        for src in case.rglob("*"):
            if src.is_file() and src.name not in ("expect.txt", "args.txt"):
                (course / src.relative_to(case)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, course / src.relative_to(case))
        rendered += same_with_and_without_gates(texts_of(course))
    assert rendered > 10


@pytest.mark.parametrize("with_refused", [False, True])
def test_xss_corpus_renders_the_same_with_and_without_gates(tmp_path, with_refused):
    write_course(tmp_path / "course", with_refused)
    assert same_with_and_without_gates(texts_of(tmp_path / "course")) > 50


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p["id"] for p in PAYLOADS])
def test_each_payload_renders_the_same_with_and_without_gates(tmp_path, payload):
    gated, whole = both(tmp_path, None, payload["text"])
    assert gated == whole


@pytest.mark.parametrize("text", [
    "a\t\nb", "a \x02 \nb", "a \x03 \nb", "!\x02[i](m.png)", "!\x03[i][r]\n\n[r]: m.png",
    "*\x03[HTML]: Hyper\n\nHTML", '<div class="admonition note" markdown="1">\nx\n</div>\n\n    more',
    '<dl markdown="1">\n<dd>x</dd>\n</dl>\n\n    more',
    "a &amp b &copy c", "~~~\ncode\n~~~", "para\n\n* * *\n\nx", "x\n===", "t\n---", "+ item", "a\\*b\\*",
    "## h {: .c }", "term\n:   def"], ids=repr)
def test_what_each_gate_hinges_on_renders_the_same_with_and_without_gates(tmp_path, text):
    """A tab becomes spaces and STX/ETX are deleted before Python-Markdown looks: "  ", "![" and "*[" can appear
    in the text it reads without being in the text given; md_in_html can make an admonition or definition without
    "!" or ":". Random Markdown rarely finds these: each is named here."""
    gated, whole = both(tmp_path, None, text)
    assert gated == whole


SYNTAX = ["`", "``", "```", "~~~", "\\", "\\*", "[", "]", "(", ")", "!", "![", "<", ">", "&", "*", "**", "_", "__",
          "|", "#", "# ", "## ", "=", "===", "-", "---", "+", "+ ", "- ", "* ", "1. ", "2) ", ":", ": ", "{", "}",
          "{: .c #i }", " ", "  ", "    ", "\t", "\n", "\n\n", "\r\n", "\r", "\x02", "\x03", "^", "[^1]",
          "[^1]: a note", "*[HTML]: Hyper", "HTML", "!!! note", '!!! tip "T"', "??? x", '<div markdown="1">',
          "</div>", "<div>", '<span class="x">', "</span>", '<dl markdown="1">', "<p>", "&amp;", "&#35;", "&num;",
          "&copy", "<https://x.org>", "<a@b.c>", "[x](y)", "[x](../media/a.svg)", "![i](m.png)", "![i][r]", "[r]",
          "[r]: /u", '[r]: /u "t"', "<!-- c -->", "<!--", "-->", "a", "b", "x y", "Term", "|---|---|", "| a | b |",
          "'", '"', ".", "1", "/", "@", "%", "é"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(SYNTAX) | st.text(max_size=3), max_size=30))
def test_random_markdown_renders_the_same_with_and_without_gates(tmp_path, parts):
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "a.svg").write_text("<svg/>")
    gated, whole = both(tmp_path, None, "".join(parts))
    assert gated == whole


def test_a_gate_that_left_out_too_much_would_be_caught(tmp_path, monkeypatch):
    """The comparison above is not vacuous: gate links on a character they do not need and it fails."""
    changed = {kind: dict(gates) for kind, gates in GATES.items()}
    changed["inlinePatterns"]["link"] = ("@",)
    monkeypatch.setattr(markdown_module, "GATES", changed)
    gated, whole = both(tmp_path, None, "see [the site](https://example.org)", fresh=True)
    assert gated != whole and "<a " in whole[0] and "<a " not in gated[0]


PREFIXES = ["", "", "    ", "        ", "\t", "  ", "- ", "* ", "+ ", "1. ", "> ", "> > ", ": ", "    - ",
            "!!! note\n    ", "# ", "| ", "```\n", "~~~\n", "*[", "[^1]: ", "[r]: "]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(PREFIXES), st.lists(st.sampled_from(SYNTAX), max_size=6)), max_size=12))
def test_random_markdown_lines_render_the_same_with_and_without_gates(tmp_path, lines):
    """Block structure (lists, quotes, code, admonitions, definitions) with inline syntax inside."""
    text = "\n".join(prefix + "".join(parts) for prefix, parts in lines)
    gated, whole = both(tmp_path, None, text)
    assert gated == whole
