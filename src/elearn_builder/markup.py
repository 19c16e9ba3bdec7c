"""Markdown to HTML with Python-Markdown; local images and links are checked and mapped into the package."""
from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .diagnostics import Diagnostics
from .model import Location
from .sources import safe_join

EXTENSIONS = ["extra", "sane_lists", "admonition"]
_BLOCK_TAGS = re.compile(r"</?(?:p|div|li|ul|ol|br|h[1-6]|blockquote|tr|td|th|table|pre|dd|dt)\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_BLOCK_START = re.compile(r"^(\d*)([.)#>*+-])(?=\s|$)")
"""A list number or bullet, heading or quote marker at the start of a short text."""


@dataclass
class MediaRefs:
    """Course files referenced from Markdown: course-relative path -> first location that used it."""

    used: dict[str, Location] = field(default_factory=dict)


class _LocalRefs(Treeprocessor):
    def __init__(self, md, owner: "Renderer"):
        super().__init__(md)
        self.owner = owner

    def run(self, root):
        for el in root.iter():
            if el.tag == "img":
                self.owner.image(el)
            elif el.tag == "a" and el.get("href"):
                self.owner.link(el)


class _Ext(Extension):
    def __init__(self, owner: "Renderer"):
        super().__init__()
        self.owner = owner

    def extendMarkdown(self, md):
        md.treeprocessors.register(_LocalRefs(md, self.owner), "elearn-local-refs", 5)


class Renderer:
    """Renders Markdown for one course; resolves local references relative to the current file."""

    def __init__(self, root: Path, diags: Diagnostics, media: MediaRefs):
        self.root, self.diags, self.media = root, diags, media
        self.md = markdown.Markdown(extensions=EXTENSIONS + [_Ext(self)], output_format="html")
        self._path, self._text, self._first_line = "", "", 1

    def render(self, text: str, path: str, first_line: int = 1) -> str:
        """HTML for ``text``, which starts at ``first_line`` of the course file ``path``."""
        self._path, self._text, self._first_line = path, text, first_line
        self.md.reset()
        return self.md.convert(text)

    def inline(self, text: str, path: str, first_line: int = 1) -> str:
        """HTML for a short text (a choice, a label) without the paragraph Markdown wraps it in.

        A leading "1." or "-" is the text, not a list: block markers at the start are escaped.
        """
        out = self.render(_BLOCK_START.sub(r"\1\\\2", text.strip()), path, first_line)
        if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
            return out[3:-4]
        return out

    def _where(self, needle: str) -> Location:
        index = self._text.find(needle)
        if index < 0:
            return Location(self._path, self._first_line, 1)
        line = self._text.count("\n", 0, index)
        col = index - (self._text.rfind("\n", 0, index) + 1) + 1
        return Location(self._path, self._first_line + line, col)

    def _resolve(self, ref: str, where: Location, what: str) -> str | None:
        """Course-relative path for a local reference, reported when missing or outside the course."""
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(self._path), unquote(urlsplit(ref).path)))
        target = safe_join(self.root, rel)
        if target is None:
            self.diags.error(where, "path.outside", f'{what} "{ref}" points outside the course folder')
            return None
        if not target.is_file():
            self.diags.error(where, f"{what}.missing", f'{what} "{ref}" not found (looked for {rel})')
            return None
        self.media.used.setdefault(rel, where)
        return rel

    def image(self, el) -> None:
        src = el.get("src", "")
        where = self._where(src)
        if not el.get("alt", "").strip():
            self.diags.warning(where, "image.no-alt", f'image "{src}" has no alt text: describe it for screen readers')
        if _is_local(src):
            rel = self._resolve(src, where, "image")
            if rel:
                el.set("src", rel)

    def link(self, el) -> None:
        href = el.get("href", "")
        if _is_local(href) and not href.startswith("#"):
            rel = self._resolve(href, self._where(href), "link")
            if rel:
                el.set("href", rel)


def _is_local(ref: str) -> bool:
    parts = urlsplit(ref)
    return bool(ref) and not parts.scheme and not parts.netloc


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, whitespace collapsed (for LMS reports)."""
    return " ".join(html.unescape(_TAGS.sub("", _BLOCK_TAGS.sub(" ", fragment))).split())
