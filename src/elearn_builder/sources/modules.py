"""Load one Markdown module: front matter, then one page per level-1 heading."""
from __future__ import annotations

import re
from pathlib import Path

from elearn_builder.diagnostics import Diagnostics, did_you_mean
from elearn_builder.sources.fields import ID_RE, Fields, type_name
from elearn_builder.sources.markdown import Renderer
from elearn_builder.model import Location, Module, Page
from elearn_builder.sources.reader import read_text, split_front_matter

DURATION_RE = re.compile(r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_H1 = re.compile(r"^#(?!#)\s*(.*?)\s*#*\s*$")


def split_pages(body: str, first_line: int) -> tuple[list[tuple[str, int, str]], int | None]:
    """Split at ATX level-1 headings outside fenced code: ([(title, line, text)], line of stray text)."""
    pages: list[tuple[str, int, list[str]]] = []
    stray = None
    fence = None
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        match = _FENCE.match(line.lstrip())
        if match:
            marker = match.group(1)[0] * 3
            fence = None if fence and marker == fence else (fence or marker)
        heading = None if fence else _H1.match(line)
        if heading and line.startswith("#"):
            pages.append((heading.group(1), number, []))
        elif pages:
            pages[-1][2].append(line)
        elif line.strip() and stray is None:
            stray = number
    return [(title, number, "\n".join(lines)) for title, number, lines in pages], stray


MAX_MODULE = 1 << 20
"""Characters a Markdown module may have (1 MiB, about 80 times the longest of the programme's): a larger one
would keep the build, and every save under ``elearn preview``, busy for minutes."""


def load_module(root: Path, rel: str, where: Location, known_areas: set[str], renderer: Renderer,
                diags: Diagnostics, parses=None) -> Module | None:
    """Read ``rel`` (course-relative) into a Module; report every problem found."""
    text = read_text(root, rel, diags, where)
    if text is None:
        return None
    if len(text) > MAX_MODULE:
        diags.error(Location(rel, 1, 1), "markdown.too-large", f"the module has {len(text):,} characters, more than "
                    f"the {MAX_MODULE:,} a module may have: split it into several modules (listed at {where})")
        return None
    meta, body, body_line = split_front_matter(text, rel, diags, parses)
    if meta is None:
        return None
    f = Fields(meta, diags, "module")
    module_id = f.get("id", str, pattern=ID_RE)
    title = f.get("title", str)
    summary = f.get("summary", str, "")
    domains = pcf_domains(f, "pcf_domains", diags)
    areas = key_area_list(f, known_areas, diags)
    duration = f.get("duration", str, "")
    if duration and not DURATION_RE.match(duration):
        diags.error(f.at("duration"), "field.value",
                    f'module: duration "{duration}" is not an ISO 8601 duration such as PT30M')
    f.done()
    sections, stray = split_pages(body, body_line)
    if stray is not None:
        diags.error(Location(rel, stray, 1), "markdown.no-page-heading",
                    "text before the first '# ' heading: every page starts with a level-1 heading")
    if not sections:
        diags.error(Location(rel, body_line, 1), "module.no-pages",
                    "no pages: start each page with a level-1 heading ('# Title')")
    pages = []
    for number, (page_title, line, page_text) in enumerate(sections, start=1):
        if not page_title:
            diags.error(Location(rel, line, 1), "page.no-title", "a '# ' page heading needs a title")
        html = renderer.render(page_text, rel, line + 1)
        pages.append(Page(id=f"{module_id}-{number}", module_id=module_id or "", title=page_title,
                          html=html, location=Location(rel, line, 1)))
    if module_id is None or title is None:
        return None
    return Module(id=module_id, title=title, pcf_domains=domains, key_areas=areas, duration=duration,
                  pages=tuple(pages), location=Location(rel, 1, 1), summary=summary)


def pcf_domains(f: Fields, key: str, diags: Diagnostics) -> tuple[int, ...]:
    """A list of PCF domain numbers 1-9."""
    values = f.get(key, list, None)
    if values is None:
        return ()
    out = []
    for i, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9:
            diags.error(values.at(i), "field.value", f'{key}: "{value}" is not a PCF domain number (1-9)')
        else:
            out.append(value)
    return tuple(sorted(set(out)))


def key_area_list(f: Fields, known: set[str], diags: Diagnostics) -> tuple[str, ...]:
    values = f.get("key_areas", list, None)
    if values is None:
        return ()
    out = []
    for i, value in enumerate(values):
        if check_key_area(value, values.at(i), known, diags):
            out.append(value)
    return tuple(out)


def check_key_area(value, loc: Location, known: set[str], diags: Diagnostics) -> bool:
    if not isinstance(value, str):  # a list or mapping would not even hash
        diags.error(loc, "field.type", f"a key area is an id (text), not {type_name(value)}")
        return False
    if value in known:
        return True
    diags.error(loc, "ref.unknown-key-area",
                f'unknown key area "{value}"; expected one of {", ".join(sorted(known))}{did_you_mean(value, known)}')
    return False
