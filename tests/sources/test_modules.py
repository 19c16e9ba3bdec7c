"""Module files: front matter and one page per level-1 heading."""
from __future__ import annotations

from pathlib import Path

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.markdown import MediaRefs, Renderer
from elearn_builder.model import Location
from elearn_builder.sources.modules import load_module, split_pages


def test_split_pages_ignores_headings_in_code():
    body = "# One\ntext\n```\n# not a page\n```\n## sub\n# Two\nmore\n"
    pages, stray = split_pages(body, 5)
    assert [(t, line) for t, line, _ in pages] == [("One", 5), ("Two", 11)]
    assert stray is None and "# not a page" in pages[0][2]


def test_stray_text_before_first_heading():
    pages, stray = split_pages("\nintro\n# One\n", 3)
    assert stray == 4 and len(pages) == 1


def load(tmp_path: Path, text: str):
    (tmp_path / "m.md").write_text(text)
    diags = Diagnostics()
    module = load_module(tmp_path, "m.md", Location("programme.yaml", 9, 5), {"pcf"},
                         Renderer(tmp_path, diags, MediaRefs()), diags)
    return module, diags


def test_module_pages_get_ids_and_lines(tmp_path):
    module, diags = load(tmp_path, "---\nid: m\ntitle: M\nkey_areas: [pcf]\npcf_domains: [9, 1]\n"
                                   "duration: PT1H30M\n---\n# A\nx\n# B\ny\n")
    assert not diags.items
    assert [(p.id, p.title, p.location.line) for p in module.pages] == [("m-1", "A", 8), ("m-2", "B", 10)]
    assert module.pcf_domains == (1, 9) and module.pages[1].html == "<p>y</p>"


def test_bad_duration_and_no_pages(tmp_path):
    module, diags = load(tmp_path, "---\nid: m\ntitle: M\nduration: 30 minutes\n---\n")
    assert [str(d) for d in diags.sorted()] == [
        'm.md:4:11: error [field.value] module: duration "30 minutes" is not an ISO 8601 duration such as PT30M',
        "m.md:6:1: error [module.no-pages] no pages: start each page with a level-1 heading ('# Title')",
    ]


def test_missing_module_file_reported_where_listed(tmp_path):
    diags = Diagnostics()
    assert load_module(tmp_path, "none.md", Location("programme.yaml", 9, 5), set(),
                       Renderer(tmp_path, diags, MediaRefs()), diags) is None
    assert str(diags.items[0]).startswith("programme.yaml:9:5: error [file.missing]")
