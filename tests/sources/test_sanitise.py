"""Hostile content: raw HTML sanitised by an allow-list, refused URL schemes located, the allow-list extended
in programme.yaml, the XSS corpus through a real build, script-safe JSON, autoescaping and the analyst report."""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xss.corpus import MARKDOWN_PLACES, PAYLOADS, REFUSED, TEXT_PLACES, write_course

from elearn_builder.cli.commands import main
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.fields import Fields
from elearn_builder.sources.markdown import MediaRefs, Renderer
from elearn_builder.render.stage import THEME, environment, json_for_script
from elearn_builder.sources.sanitise import DEFAULT_POLICY, NEVER_ATTRIBUTES, NEVER_TAGS, UNSAFE_SCHEMES, clean, problems, read_policy, url_scheme
from elearn_builder.sources.reader import parse_yaml

THEME_TAGS = frozenset({"html", "head", "meta", "title", "link", "style", "noscript", "body", "script", "form", "input",
                        "select", "textarea", "button"})
"""What the theme's own page is made of (each checked on its own in the tests that allow them)."""
MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"
RUNS_SCRIPT = re.compile(r"^\s*(javascript|vbscript|data):", re.I)


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's parser sees them (entities decoded)."""

    def __init__(self, fragment: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def dangers(self, page_tags: frozenset = frozenset()) -> list[str]:
        """Tags that run script or load documents (but ``page_tags``, a whole page's own), handlers, script URLs."""
        out = []
        for tag, attrs in self.tags:
            if tag in NEVER_TAGS - page_tags:
                out.append(f"<{tag}>")
            for name, value in attrs.items():
                never = NEVER_ATTRIBUTES if not page_tags else {"srcdoc", "formaction", "action", "http-equiv"}
                if name.startswith("on") or name in never:
                    out.append(f"{tag} {name}")
                if RUNS_SCRIPT.match(re.sub(r"[\x00-\x20]", "", value or "")):
                    out.append(f"{tag} {name}={value}")
        return out


def renderer(tmp_path: Path, policy=DEFAULT_POLICY) -> tuple[Renderer, Diagnostics]:
    diags = Diagnostics()
    return Renderer(tmp_path, diags, MediaRefs(), policy), diags


# ---- each payload class ----

@pytest.mark.parametrize("payload", PAYLOADS, ids=[p["id"] for p in PAYLOADS])
def test_every_payload_renders_to_nothing_that_runs(tmp_path, payload):
    """As a Markdown page body and as an inline option: no script element, handler or script URL survives;
    refused schemes are errors, everything else at most a warning."""
    r, diags = renderer(tmp_path)
    block, inline = r.render(payload["text"], "modules/m.md", 7), r.inline(payload["text"], "q.yaml", 3)
    assert Elements(block).dangers() == [] and Elements(inline).dangers() == []
    codes = {d.code for d in diags.errors}
    assert codes == ({"link.unsafe-scheme"} if payload.get("refused") else set()), [str(d) for d in diags.items]
    assert {d.code for d in diags.warnings} <= {"html.removed"}


PIECES = ["<script>", "</script>", "<img src=x onerror=go()>", "<a href='javascript:go()'>", "</a>", "[x](", ")",
          "javascript", "&#58;", ":", "<svg", "onload=", "\"", "'", ">", "<", "{: onclick=go() }", "\n", "# ", "<!--",
          "-->", "&#x09;", "data:", "<math>", "<style>", "`", "![i](", "<div markdown=1>", "</div>", "x"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=14))
def test_any_mix_of_markup_renders_without_a_traceback_or_anything_that_runs(tmp_path, parts):
    r, diags = renderer(tmp_path)
    text = "".join(parts)
    for out in (r.render(text, "m.md"), r.inline(text, "m.md")):
        assert Elements(out).dangers() == [], (text, out)
    assert all(d.location.path == "m.md" and d.location.line >= 1 for d in diags.items)


def test_script_is_removed_with_its_content_and_located(tmp_path):
    r, diags = renderer(tmp_path)
    out = r.render("Intro.\n\nSee <script>steal()</script> this.\n", "modules/m.md", 10)
    assert "steal" not in out and "<script" not in out and "this." in out
    assert [str(d) for d in diags.items] == [
        "modules/m.md:12:5: warning [html.removed] raw HTML removed: <script> and its content is not allowed "
        "(it can run script or take over the page)"]


def test_handlers_go_and_the_element_stays(tmp_path):
    r, diags = renderer(tmp_path)
    text = '<p><img src="m.png" alt="x" onerror="go()"> <a href="https://example.org" onclick="go()">a</a></p>'
    out = r.render(text, "m.md", 1)
    assert out == ('<p><img src="m.png" alt="x"> <a href="https://example.org" rel="noopener noreferrer">a</a></p>')
    assert [(d.location.col, d.message) for d in diags.items] == [
        (text.index("<img") + 1,
         'raw HTML removed: attribute "onerror" of <img> is not allowed (it can run script or take over the page)'),
        (text.index("<a ") + 1,
         'raw HTML removed: attribute "onclick" of <a> is not allowed (it can run script or take over the page)')]


def test_markdown_attribute_lists_cannot_add_handlers(tmp_path):
    r, diags = renderer(tmp_path)
    out = r.render('## Heading {: onfocus="go()" #anchor .el-page .wide }\n', "m.md", 4)
    assert out == '<h2 class="wide" id="md-anchor">Heading</h2>'
    assert [(str(d.location), d.code) for d in diags.items] == [("m.md:4:15", "html.removed")]


@pytest.mark.parametrize("text, col, scheme", [
    ("[x](javascript:go())", 5, "javascript"),
    ("[x](JaVaScRiPt:go())", 5, "javascript"),
    ("[x](javascript&#58;go())", 5, "javascript"),
    ("![pic](data:image/png;base64,AAAA)", 8, "data"),
    ("[x](vbscript:go)", 5, "vbscript"),
    ('<a href="&#106;avascript:go()">x</a>', 1, "javascript"),
    ('<a href="java&#x09;script:go()">x</a>', 1, "javascript"),
    ('<a href="  javascript:go()">x</a>', 1, "javascript"),
    ('<img src="javascript:go()" alt="x">', 1, "javascript"),
    ('<form action="javascript:go()"></form>', 1, "javascript"),
])
def test_refused_schemes_are_located_errors(tmp_path, text, col, scheme):
    r, diags = renderer(tmp_path)
    out = r.render(f"Line one.\n\n{text}\n", "modules/m.md", 20)
    errors = diags.errors
    assert len(errors) == 1 and errors[0].code == "link.unsafe-scheme", [str(d) for d in diags.items]
    assert (errors[0].location.line, errors[0].location.col) == (22, col)
    assert f"uses the {scheme}: scheme, which is refused" in errors[0].message
    assert Elements(out).dangers() == []


def test_safe_links_and_markdown_structure_survive_untouched(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    r, diags = renderer(tmp_path)
    out = r.render("[web](https://example.org) [mail](mailto:a@b.org) [tel](tel:+44) [file](notes.pdf) [top](#top)\n\n"
                   "| a | b |\n|:-:|--:|\n| 1 | 2 |\n\nText[^1].\n\n[^1]: A note.\n\n"
                   "!!! note \"Reflect\"\n    Think.\n",
                   "m.md")
    assert diags.items == []
    assert all(h in out for h in ('href="https://example.org"', 'href="mailto:a@b.org"', 'href="tel:+44"',
                                  'href="notes.pdf"', 'href="#md-top"'))
    assert '<th align="center">a</th>' in out and '<td align="right">2</td>' in out and "style=" not in out
    assert '<sup id="md-fnref:1"><a class="footnote-ref" href="#md-fn:1"' in out and 'id="md-fn:1"' in out
    assert 'class="admonition note"' in out


def test_author_ids_and_classes_cannot_clash_with_the_runtime():
    out = clean('<div id="elearn-data" class="el-page note" data-page-id="x">a</div><a name="API">b</a>')
    assert out == '<div id="md-elearn-data" class="note">a</div><a rel="noopener noreferrer">b</a>'


def test_template_syntax_stays_text(tmp_path):
    r, _ = renderer(tmp_path)
    assert r.inline("{{ 7*7 }} {% if true %}yes{% endif %}", "m.md") == "{{ 7*7 }} {% if true %}yes{% endif %}"


def test_url_scheme_reads_urls_as_a_browser_does():
    assert url_scheme(" \tJava\nScript:x") == "javascript" and url_scheme("data:,x") == "data"
    assert url_scheme("media/a:b.png") is None and url_scheme("#x") is None and url_scheme("//host/x") is None


def test_the_scan_reports_each_kind_once_and_nothing_inside_removed_content():
    found = problems('<svg><g onload="x"><a href="javascript:x">a</a></g></svg>'
                     '<b onclick="1">x</b><b onclick="2">y</b>')
    assert [(p.code, p.message.split(":")[1].strip()) for p in found] == [
        ("html.removed", "<svg> and its content is not allowed (it can run script or take over the page)"),
        ("html.removed", 'attribute "onclick" of <b> is not allowed (it can run script or take over the page)')]


# ---- the allow-list in programme.yaml ----

def policy_from(text: str):
    diags = Diagnostics()
    data = parse_yaml(text, "programme.yaml", diags)
    f = Fields(data, diags, "programme")
    return read_policy(f, diags), diags


def test_allow_list_extension_keeps_what_the_author_allows(tmp_path):
    policy, diags = policy_from("html:\n  allow_tags: [video, source, Track]\n  allow_attributes:\n"
                                "    video: [controls, src, poster]\n    source: [src, type]\n    '*': [aria-label]\n"
                                "  allow_url_schemes: [ftp]\n")
    assert diags.items == []
    r, rdiags = renderer(tmp_path, policy)
    out = r.render('<video controls src="clip.mp4" aria-label="Clip"><source src="ftp://host/c.webm" type="video/webm">'
                   '</video>', "m.md")
    assert out == ('<video controls="" src="clip.mp4" aria-label="Clip"><source src="ftp://host/c.webm" '
                   'type="video/webm"></video>') and rdiags.items == []
    plain, pdiags = renderer(tmp_path)
    assert plain.render('<video controls src="clip.mp4"></video>', "m.md") == "" and \
        {d.code for d in pdiags.items} == {"html.removed"}
    assert "track" in policy.tags and "ftp" in policy.url_schemes


def test_allow_list_refuses_what_runs_script():
    policy, diags = policy_from("html:\n  allow_tags: [script, iframe]\n  allow_attributes:\n    a: [onclick, target]\n"
                                "    '*': [style, data-action]\n  allow_url_schemes: [javascript, Data]\n"
                                "  allow_colours: x\n")
    assert [(str(d.location), d.severity, d.code) for d in diags.sorted()] == [
        ("programme.yaml:2:16", "error", "html.unsafe-allow"), ("programme.yaml:2:24", "error", "html.unsafe-allow"),
        ("programme.yaml:4:8", "error", "html.unsafe-allow"), ("programme.yaml:5:10", "error", "html.unsafe-allow"),
        ("programme.yaml:5:10", "error", "html.unsafe-allow"), ("programme.yaml:6:23", "error", "html.unsafe-allow"),
        ("programme.yaml:6:35", "error", "html.unsafe-allow"), ("programme.yaml:7:3", "warning", "field.unknown")]
    assert "script" not in policy.tags and policy.allowed("a", "target") and not policy.allowed("a", "onclick")
    assert all(s not in policy.url_schemes for s in UNSAFE_SCHEMES)


def test_what_is_dropped_with_its_content_can_never_be_allowed():
    """nh3 panics when a tag is both allowed and dropped with its content, and refuses an allowed rel."""
    from elearn_builder.sources.sanitise import DROPPED_WITH_CONTENT

    assert DROPPED_WITH_CONTENT <= NEVER_TAGS
    policy, diags = policy_from("html:\n  allow_tags: [noscript, xmp]\n  allow_attributes: {a: [rel, target]}\n")
    assert [d.code for d in diags.items] == ["html.unsafe-allow"] * 3
    assert clean('<a href="x" rel="opener" target="_blank">a</a><xmp>x</xmp>', policy) == \
        '<a href="x" target="_blank" rel="noopener noreferrer">a</a>'


def test_allow_list_reports_malformed_settings():
    _, diags = policy_from("html:\n  allow_tags: [1, 'two words']\n  allow_attributes:\n    video: controls\n"
                           "    'bad tag': [x]\n")
    assert [(str(d.location), d.code) for d in diags.sorted()] == [
        ("programme.yaml:2:16", "field.value"), ("programme.yaml:2:19", "field.value"),
        ("programme.yaml:4:12", "field.value"), ("programme.yaml:5:16", "field.value")]


def test_allow_list_reaches_the_build(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(MINIMAL, course)
    programme = course / "programme.yaml"
    programme.write_text(programme.read_text(encoding="utf-8") + "html:\n  allow_tags: [kbd2]\n  allow_tags_x: 1\n"
                         "  allow_attributes: {'*': [onload]}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--source", str(course), "--output", str(tmp_path / "out"),
                                       "--templates", str(tmp_path / "none")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert re.search(r"programme\.yaml:\d+:\d+: error \[html\.unsafe-allow\] html: attribute \"onload\"", result.output)
    assert re.search(r"programme\.yaml:\d+:\d+: warning \[field\.unknown\] html: unknown key \"allow_tags_x\"",
                     result.output)


# ---- the corpus through a real build ----

def test_the_corpus_has_thirty_payloads_in_every_place(tmp_path):
    corpus = write_course(tmp_path / "c", with_refused=False)
    assert len(PAYLOADS) >= 30 and len({p["id"] for p in PAYLOADS}) == len(PAYLOADS)
    assert {place for _, place in corpus.placed} == set(MARKDOWN_PLACES) | set(TEXT_PLACES)
    by_payload: dict[str, set] = {}
    for pid, place in corpus.placed:
        by_payload.setdefault(pid, set()).add(place)
    markdown = {"page body", "question prompt", "option", "feedback correct", "feedback incorrect",
                "self-assessment statement"}
    for p in PAYLOADS:
        assert {"page title"} | (set() if p.get("refused") else markdown) <= by_payload[p["id"]], p["id"]


def build(source: Path, out: Path):
    return CliRunner().invoke(main, ["build", "--source", str(source), "--output", str(out), "--format", "scorm2004",
                                     "--stage", "social-worker", "--templates", str(out.parent / "none")])


def test_corpus_with_refused_links_fails_with_every_one_located(tmp_path):
    corpus = write_course(tmp_path / "course", with_refused=True)
    result = build(tmp_path / "course", tmp_path / "out")
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    errors = [line for line in result.output.splitlines() if ": error [" in line]
    assert errors and all("[link.unsafe-scheme]" in line for line in errors), errors
    located = {tuple(line.split(":")[:2]) for line in errors}
    for pid, places in corpus.refused_at.items():
        for path, line in places:
            assert (path, str(line)) in located, (pid, path, line)
    assert len(corpus.refused_at) == len(REFUSED)


def test_corpus_builds_sanitised_and_nothing_in_the_package_runs(tmp_path):
    write_course(tmp_path / "course", with_refused=False)
    result = build(tmp_path / "course", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.output.count("warning [html.removed]") >= 30 and ": error [" not in result.output
    with zipfile.ZipFile(tmp_path / "out" / "mini-social-worker-scorm2004.zip") as zf:
        page = zf.read("index.html").decode("utf-8")
    tags = Elements(page)
    assert tags.dangers(THEME_TAGS) == []
    assert [a for t, a in tags.tags if t == "meta"] == [{"charset": "utf-8"}, {"name": "viewport", "content":
                                                         "width=device-width, initial-scale=1"}]
    assert sorted(a["rel"] for t, a in tags.tags if t == "link") == ["icon", "stylesheet"]
    assert sum(t == "form" for t, _ in tags.tags) == 2
    scripts = [attrs for tag, attrs in tags.tags if tag == "script"]
    assert scripts[0] == {"type": "application/json", "id": "elearn-data"} and all("src" in s for s in scripts[1:])
    data_json = page.split('<script type="application/json" id="elearn-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(data_json)
    assert {p["title"] for p in data["pages"]} >= {f'{p["id"]} {p["text"]}'.strip() for p in PAYLOADS}
    assert "{{ 7*7 }}" in page and "{% for i in range(3) %}" in page  # shown, never evaluated


# ---- JSON in <script>, autoescaping, the analyst report ----

def test_json_for_script_cannot_end_the_script_or_open_a_comment():
    text = json_for_script({"a": "</script><script>x()</script>", "b": "<!-- <script>", "c": "\u2028\u2029&"})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><script>x()</script>", "b": "<!-- <script>", "c": "\u2028\u2029&"}


SANITISED = {"page.html", "assessment.intro_html", "bank.intro_html", "question.prompt_html", "choice.html",
             "question.guidance_html", "question.feedback_correct_html", "question.feedback_incorrect_html",
             "sa.intro_html", "data_json",
             # the facilitator guide's Markdown, through the same renderer (facilitation.markdown)
             "facilitation.intro_html", "c.when_html", "c.self_assessment_html", "a.html", "item.notes"}
"""Values allowed through ``|safe``: Markdown after sanitising, and ``json_for_script`` output."""


def test_templates_autoescape_and_mark_safe_only_sanitised_html(tmp_path):
    env = environment(tmp_path / "none")
    assert env.from_string("{{ x }}").render(x='<script>"x"</script>') == "&lt;script&gt;&#34;x&#34;&lt;/script&gt;"
    for template in (THEME / "templates").iterdir():
        text = template.read_text(encoding="utf-8")
        assert env.get_template(template.name).environment.autoescape is True
        for value in re.findall(r"\{\{\s*([\w.]+)\s*\|\s*safe", text):
            assert value in SANITISED, f"{template.name}: {value}|safe"
        assert "autoescape false" not in text and "|safe" not in re.sub(r"\{\{\s*[\w.]+\s*\|\s*safe", "", text)
