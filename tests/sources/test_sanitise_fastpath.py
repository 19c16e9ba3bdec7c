"""The sanitiser's shortcuts agree with the long way: ``problems`` (which skips the html.parser walk when
``plainly_allowed`` proves it would find nothing) equals ``scan`` (the walk), and ``clean`` (one nh3 Cleaner
per policy) equals a fresh ``nh3.clean`` with the same settings, on every fragment Markdown makes from the
bundled programme and the XSS corpus, on the corpus payloads as raw HTML, and on random HTML."""
from __future__ import annotations

from pathlib import Path

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from locations import REPO_ROOT
from xss.corpus import PAYLOADS, write_course

from elearn_builder.sources import markdown as markup
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.course import load_course
from elearn_builder.sources.sanitise import DEFAULT_POLICY, DROPPED_WITH_CONTENT, LINK_REL, HtmlPolicy, _filter, clean, plainly_allowed, problems, scan

WIDER = HtmlPolicy(DEFAULT_POLICY.tags | {"video", "source"},
                   tuple(sorted({**dict(DEFAULT_POLICY.attributes), "video": frozenset({"controls", "src", "poster"}),
                                 "source": frozenset({"src", "type"}), "*": frozenset({"class", "id", "aria-label"})}
                                .items())),
                   DEFAULT_POLICY.url_schemes | {"ftp"})
"""An allow-list extended as programme.yaml can: more tags, attributes (also on every tag) and a scheme."""


def reference_clean(fragment: str, policy: HtmlPolicy) -> str:
    """What ``clean`` gave before it kept a Cleaner: nh3 made afresh with the same settings."""
    return nh3.clean(fragment, tags=set(policy.tags), clean_content_tags=set(DROPPED_WITH_CONTENT),
                     attributes={tag: set(names) for tag, names in policy.attributes}, attribute_filter=_filter,
                     url_schemes=set(policy.url_schemes), strip_comments=True, link_rel=LINK_REL)


def fragments_of(source: Path) -> list[tuple[str, HtmlPolicy]]:
    """Every HTML fragment loading ``source`` asks ``problems`` about, with its policy."""
    seen = []

    def record(fragment, policy=DEFAULT_POLICY, proven=None):
        seen.append((fragment, policy))
        return problems(fragment, policy, proven)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(markup, "problems", record)
        load_course(source, Diagnostics())  # errors are collected, not raised: every text is rendered
    return seen


def agree(fragment: str, policy: HtmlPolicy) -> bool:
    """Assert the shortcuts agree with the long way on ``fragment``; True when the quick proof held."""
    walked = scan(fragment, policy)
    quick = plainly_allowed(fragment, policy)
    assert not (quick and walked), (fragment, walked)
    assert problems(fragment, policy) == walked, fragment
    assert clean(fragment, policy) == reference_clean(fragment, policy), fragment
    return quick


def test_the_programme_takes_the_quick_way_and_loses_nothing():
    found = fragments_of(REPO_ROOT / "content")
    assert len(found) > 20
    quick = [agree(fragment, policy) for fragment, policy in found]
    assert all(quick), [f for (f, _), q in zip(found, quick) if not q][:3]


@pytest.mark.parametrize("with_refused", [False, True])
def test_the_xss_corpus_gives_the_same_problems_and_html(tmp_path, with_refused):
    write_course(tmp_path / "course", with_refused)
    found = fragments_of(tmp_path / "course")
    quick = [agree(fragment, policy) for fragment, policy in found]
    assert len(found) > 50 and 0 < sum(quick) < len(quick)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p["id"] for p in PAYLOADS])
@pytest.mark.parametrize("policy", [DEFAULT_POLICY, WIDER], ids=["default", "wider"])
def test_each_payload_as_raw_html_gives_the_same_problems_and_html(payload, policy):
    agree(payload["text"], policy)
    agree(f'<p>{payload["text"]}</p>', policy)


@pytest.mark.parametrize("fragment", [
    '<p onclick="x">a</p>', "<SCRIPT>x</SCRIPT>", '<a href="javascript:x">a</a>', '<a href="&#106;avascript:x">a</a>',
    '<a href="java&#x09;script:x">a</a>', '<img src="data:x" alt="a">', '<p style="x">a</p>',
    '<p class="a" data-x="1">a</p>', "<video controls></video>", '<div title="a>b" onclick="x">', "<p>a <b</p>",
    '<a href="x" rel="y">a</a>', "<p><svg><a>x</a></svg></p>", '<a href="ftp://x">a</a>', "<Textarea>x</Textarea>"])
def test_what_the_walk_reports_is_never_taken_the_quick_way(fragment):
    assert scan(fragment, DEFAULT_POLICY)
    assert not plainly_allowed(fragment, DEFAULT_POLICY)
    assert problems(fragment, DEFAULT_POLICY) == scan(fragment, DEFAULT_POLICY)


def test_what_markdown_writes_is_taken_the_quick_way():
    fragment = ('<h2>Title</h2>\n<p>Some <strong>bold</strong> &amp; <em>em</em> text<br />\n'
                '<a href="https://x.org/?a=1&amp;b=2" title="t">link</a> <img alt="i" src="media/a.png" /></p>\n'
                '<table>\n<tr>\n<th align="left">h</th>\n</tr>\n</table>\n<div class="admonition note">\n'
                '<p class="admonition-title">Note</p>\n</div>\n<details open><summary>s</summary></details>')
    assert plainly_allowed(fragment, DEFAULT_POLICY) and scan(fragment, DEFAULT_POLICY) == []
    assert plainly_allowed("<video controls>", WIDER) and not plainly_allowed("<video controls>", DEFAULT_POLICY)


TAGS = ["p", "a", "img", "b", "div", "span", "details", "td", "ol", "video", "source", "script", "style", "svg", "math",
        "textarea", "title", "iframe", "template", "noscript", "xmp", "P", "A", "IMG", "Script", "br", "table"]
ATTRIBUTES = ["href", "src", "title", "class", "id", "alt", "onclick", "style", "data-x", "align", "cite", "open",
              "controls", "aria-label", "rel", "HREF", "Src", "type", "poster", "srcset", "xlink:href", "name"]
VALUES = ["x", "https://e.org", "ftp://e.org", "javascript:go()", " JavaScript:go()", "&#106;avascript:go()",
          "java&#x09;script:go()", "data:text/html,x", "#top", "media/a.png", "a>b", "a<b", "", "&amp;", "&quot;x",
          "vbscript:x", "mailto:a@b.c", "ja\nvascript:x"]
PIECES = st.one_of(
    st.builds(lambda t, attrs, end: f"<{t}{''.join(attrs)}{end}>", st.sampled_from(TAGS),
              st.lists(st.builds(lambda sep, n, v, q: f"{sep}{n}" + ("" if v is None else f"={q}{v}{q}"),
                                 st.sampled_from([" ", "\n", "  ", "\t", "/", ""]), st.sampled_from(ATTRIBUTES),
                                 st.none() | st.sampled_from(VALUES), st.sampled_from(['"', '"', "'", ""])),
                       max_size=4),
              st.sampled_from(["", "", " /", "/", " "])),
    st.builds(lambda t, sp: f"</{t}{sp}>", st.sampled_from(TAGS), st.sampled_from(["", " ", "\n", " x"])),
    st.sampled_from(["<", ">", "</", "/>", "<!--", "-->", "<![CDATA[", "]]>", "<?x ?>", "<!doctype html>", "&lt;",
                     "&", '"', "'", "=", " ", "\n", "text", "&#60;script&#62;"]),
    st.text(max_size=3))


@settings(max_examples=1500, deadline=None)
@given(st.lists(PIECES, max_size=16), st.sampled_from([DEFAULT_POLICY, WIDER]))
def test_random_html_gives_the_same_problems_and_html(parts, policy):
    agree("".join(parts), policy)


def test_the_kept_cleaner_works_from_other_threads():
    """``elearn preview`` rebuilds on a watcher thread with the Cleaner the first build made."""
    import threading

    fragment = '<p id="a" onclick="x"><a href="#b">b</a></p>'
    expected = reference_clean(fragment, DEFAULT_POLICY)
    assert clean(fragment) == expected
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(clean(fragment))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4
