"""Markdown rendering, local references and plain text."""
from __future__ import annotations

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.markdown import MediaRefs, Renderer, plain_text


def make(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.svg").write_text("<svg/>")
    (tmp_path / "modules").mkdir()
    diags, media = Diagnostics(), MediaRefs()
    return Renderer(tmp_path, diags, media), diags, media


def test_images_map_to_package_paths(tmp_path):
    r, diags, media = make(tmp_path)
    html = r.render("text\n\n![A diagram](../media/a.svg)\n", "modules/m.md", 10)
    assert '<img alt="A diagram" src="media/a.svg"' in html
    assert list(media.used) == ["media/a.svg"] and not diags.items


def test_missing_image_is_located(tmp_path):
    r, diags, _ = make(tmp_path)
    r.render("line one\n\nsee ![x](../media/none.png)\n", "modules/m.md", 10)
    assert str(diags.items[0]).startswith("modules/m.md:12:10: error [image.missing]")


def test_image_without_alt_warns(tmp_path):
    r, diags, _ = make(tmp_path)
    r.render("![](../media/a.svg)\n", "modules/m.md", 1)
    assert [(d.severity, d.code) for d in diags.items] == [("warning", "image.no-alt")]


def test_external_links_untouched_local_links_checked(tmp_path):
    r, diags, media = make(tmp_path)
    html = r.render("[web](https://example.org) [file](../media/a.svg) [gone](../media/b.pdf) [anchor](#x)\n",
                    "modules/m.md", 1)
    assert 'href="https://example.org"' in html and 'href="media/a.svg"' in html and 'href="#md-x"' in html
    assert [d.code for d in diags.items] == ["link.missing"]


def test_tables_and_admonitions(tmp_path):
    r, _, _ = make(tmp_path)
    html = r.render("| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! note \"Reflect\"\n    Think.\n", "m.md")
    assert "<table>" in html and 'class="admonition note"' in html


def test_inline_drops_the_paragraph(tmp_path):
    r, _, _ = make(tmp_path)
    assert r.inline("*Nine* domains", "m.md") == "<em>Nine</em> domains"
    assert r.inline("1. Professionalism", "m.md") == "1. Professionalism"
    assert r.inline("- a dash", "m.md") == "- a dash" and r.inline("> quoted", "m.md") == "&gt; quoted"
    assert plain_text("<p>A &amp; <b>B</b>\n  C</p>") == "A & B C"
    assert plain_text("<p>Which is <em>right</em>?</p><p>Line<br>two</p>") == "Which is right? Line two"


def test_lists_nested_hundreds_deep_are_a_located_error_not_a_recursion_error(tmp_path):
    """A regression found by tests/sources/test_fuzz.py's hunt: 800 nested list levels exhausted Python's stack."""
    for text in ("".join("  " * i + "- x\n" for i in range(800)), "".join("\t" * i + "- x\n" for i in range(100))):
        diags = Diagnostics()
        assert Renderer(tmp_path, diags, MediaRefs()).render("Intro.\n\n" + text, "m.md", 10) == ""
        first = next(i for i, line in enumerate(text.split("\n")) if len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip()) > 256)
        assert [str(d) for d in diags.items] == [
            f"m.md:{12 + first}:1: error [markdown.too-deep] lists or blocks nested too deeply (indented over 256 "
            "columns): flatten them"]
    diags = Diagnostics()
    assert "<ul>" in Renderer(tmp_path, diags, MediaRefs()).render("".join("  " * i + "- x\n" for i in range(20)), "m.md")
    assert not diags.items


def test_fenced_code_renders_without_importing_pygments(tmp_path):
    """codehilite is off, so Pygments is not imported (a few ms in every process) and fenced code is plain."""
    import subprocess
    import sys

    script = ("import sys; from pathlib import Path; from elearn_builder.sources.markdown import MediaRefs, Renderer;"
              "from elearn_builder.diagnostics import Diagnostics;"
              "r = Renderer(Path(sys.argv[1]), Diagnostics(), MediaRefs());"
              "print(repr(r.render_fresh('```python\\nx = 1 < 2\\n```\\n', 'm.md').html), 'pygments' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["'<pre><code", 'class="language-python">x', "=", "1", "&lt;", "2\\n</code></pre>'",
                                  "False"]
