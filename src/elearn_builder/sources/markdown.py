"""Markdown to HTML with Python-Markdown, sanitised; local images and links are checked and mapped into the package."""
from __future__ import annotations

from types import MappingProxyType

import hashlib
import html
import importlib
import json
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import Registry

from elearn_builder.diagnostics import Diagnostic, Diagnostics
from elearn_builder.model import Location
from elearn_builder.sources.sanitise import DEFAULT_POLICY, HtmlPolicy, clean, make_cleaner, problems, url_scheme
from elearn_builder.sources.reader import safe_join

EXTENSIONS = ("extra", "sane_lists", "admonition")
MAX_INDENT = 256
"""Leading whitespace (columns) beyond which a line is refused: about 60 nested lists, far past any page."""
EXTENSION_CONFIGS = MappingProxyType({"extra": MappingProxyType({"tables": MappingProxyType({"use_align_attribute": True})})})
"""Table alignment as ``align`` (allowed), not ``style`` (never allowed)."""
_BLOCK_TAGS = re.compile(r"</?(?:p|div|li|ul|ol|br|h[1-6]|blockquote|tr|td|th|table|pre|dd|dt)\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_BLOCK_START = re.compile(r"^(\d*)([.)#>*+-])(?=\s|$)")
"""A list number or bullet, heading or quote marker at the start of a short text."""
PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9,.;:?'’()/-]*(?: [A-Za-z0-9,.;:?'’()/-]+)*")
"""One line with nothing Markdown or HTML reads (a choice, a label): it renders as ``<p>text</p>``."""
_HIDDEN = ("\x02", "\x03")
"""Python-Markdown deletes these from a text first, so the characters either side of one can meet."""
GATES: MappingProxyType[str, MappingProxyType[str, tuple[str, ...]]] = MappingProxyType({kind: MappingProxyType(gates) for kind, gates in {
    "preprocessors": {"fenced_code_block": ("`", "~"), "html_block": ("<", "&")},
    "blockprocessors": {
        "markdown_block": ("<",), "admonition": ("!", "<"), "defindent": (":", "<"), "table": ("|",),
        "hashheader": ("#",), "setextheader": ("=", "-"), "hr": ("-", "_", "*"), "ulist": ("*", "+", "-"),
        "deflist": (":",), "quote": (">",), "footnote": ("[",), "abbr": ("*[", *_HIDDEN), "reference": ("[",)},
    "treeprocessors": {"attr_list": ("{",), "unescape": ("\\",)},
    "inlinePatterns": {
        "backtick": ("`",), "escape": ("\\",), "footnote": ("[",), "reference": ("[",), "link": ("[",),
        "image_link": ("![", *_HIDDEN), "image_reference": ("![", *_HIDDEN), "short_reference": ("[",),
        "short_image_ref": ("![", *_HIDDEN), "autolink": ("<",), "automail": ("<",), "html": ("<",),
        "linebreak": ("  ", "\t", *_HIDDEN), "entity": ("&",), "em_strong": ("*", "_")}}.items()})
"""Python-Markdown's processors and inline patterns that can only act on a text holding one of these strings.

Each needs them to match (``table`` a ``|``, ``link`` a ``[``, ``linebreak`` two spaces, which a tab
becomes): leaving it out for a text without them gives the same HTML, sooner (every pattern is
tried on every run of text, every block processor on every block). What is not named here always
runs. tests/sources/test_markdown_gates.py renders every course text, the XSS corpus and random Markdown
both ways and compares.
"""


@dataclass(frozen=True)
class Rendered:
    """What rendering one text gave: the HTML, its diagnostics, the media it references (course path, where
    first) and the course paths it checked, each as ``checked_state`` saw it."""

    html: str
    diags: tuple[Diagnostic, ...] = ()
    media: tuple[tuple[str, Location], ...] = ()
    checked: tuple[tuple[str, bool, bool], ...] = ()


def checked_state(root: Path, rel: str) -> tuple[str, bool, bool]:
    """How a course path resolves now: (path, inside the course, is a file)."""
    target = safe_join(root, rel)
    return rel, target is not None, target is not None and target.is_file()


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
    """Renders Markdown for one course; resolves local references relative to the current file.

    Raw HTML and attributes outside ``policy`` are removed with a located ``html.removed`` warning;
    a link or image with a refused URL scheme (``javascript:``, ``data:`` ...) is an error.
    """

    def __init__(self, root: Path, diags: Diagnostics, media: MediaRefs, policy: HtmlPolicy = DEFAULT_POLICY,
                 memo=None):
        self.root, self.diags, self.media, self.policy = root, diags, media, policy
        self.memo = memo
        """Renders kept by what they were rendered from (a ``cache.memo.Memo``, see ``render``), or None."""
        self.md = markdown.Markdown(extensions=[*_extensions(), _Ext(self)], output_format="html")
        self.gated = True
        """Leave out what cannot act on the text (``GATES``); off, every text goes through all of Python-Markdown."""
        self._inline = self.md.treeprocessors["inline"]
        self._full = (self.md.preprocessors, self.md.parser.blockprocessors, self.md.treeprocessors,
                      self._inline.inlinePatterns)
        self._needles = tuple(sorted({n for gates in GATES.values() for alts in gates.values() for n in alts}))
        self._gated: dict[tuple[bool, ...], tuple[Registry, ...]] = {}
        self._path, self._text, self._first_line = "", "", 1
        self._found, self._media, self._checked = Diagnostics(), MediaRefs(), []
        self._scope: str | None = None
        self._cleaner = make_cleaner(policy)
        self._proven: set[str] = set()
        """The sanitiser's fast path: plain tags found allowed by ``policy`` (``sanitise.problems``)."""

    def render(self, text: str, path: str, first_line: int = 1) -> str:
        """HTML for ``text``, which starts at ``first_line`` of the course file ``path``; its diagnostics and
        media references go to the renderer's. With a ``memo``, a render done before (same text, place,
        course folder, HTML policy and tool) is reused while the course paths it checked resolve as they did."""
        if PLAIN.fullmatch(text):  # what Python-Markdown gives, about a hundred times sooner
            return f"<p>{text}</p>"
        if self.memo is None:
            done = self.render_fresh(text, path, first_line)
        else:
            key = self._key(text, path, first_line)
            done = self.memo.get(key)
            if done is None or not all(checked_state(self.root, c[0]) == c for c in done.checked):
                done = self.render_fresh(text, path, first_line)
                self.memo.put(key, done)
        self.diags.items.extend(done.diags)
        for rel, where in done.media:
            self.media.used.setdefault(rel, where)
        return done.html

    def _key(self, text: str, path: str, first_line: int) -> str:
        if self._scope is None:  # once per renderer: resolving a path costs more than a lookup
            self._scope = json.dumps([self.memo.salt, str(self.root.resolve()), self.policy.key()])
        hasher = hashlib.sha256(json.dumps([self._scope, path, first_line]).encode())  # a JSON list ends itself
        hasher.update(text.encode("utf-8", "surrogatepass"))
        return hasher.hexdigest()

    def render_fresh(self, text: str, path: str, first_line: int = 1) -> Rendered:
        """What rendering ``text`` gives (``render`` without the memo)."""
        self._found, self._media, self._checked = Diagnostics(), MediaRefs(), []
        html = self._convert(text, path, first_line)
        return Rendered(html, tuple(self._found.items), tuple(self._media.used.items()),
                        tuple(checked_state(self.root, rel) for rel in dict.fromkeys(self._checked)))

    def _convert(self, text: str, path: str, first_line: int) -> str:
        self._path, self._text, self._first_line = path, text, first_line
        self.md.reset()
        self._gate(text if self.gated else None)
        deep = next((n for n, line in enumerate(text.split("\n")) if _indent(line) > MAX_INDENT), None)
        try:
            if deep is not None:  # Python-Markdown nests recursively: hundreds of levels exhaust the stack, slowly
                raise RecursionError
            out = self.md.convert(text)
        except RecursionError:
            self._found.error(Location(path, first_line + (deep or 0), 1), "markdown.too-deep",
                              f"lists or blocks nested too deeply (indented over {MAX_INDENT} columns): flatten them")
            return ""
        for problem in problems(out, self.policy, self._proven):
            report = self._found.error if problem.severity == "error" else self._found.warning
            report(self._where(*problem.needles), problem.code, problem.message)
        return clean(out, self.policy, self._cleaner)

    def _gate(self, text: str | None) -> None:
        """Give Python-Markdown only the processors and patterns that can act on ``text`` (all of them for None)."""
        key = tuple(n in text for n in self._needles) if text is not None else ()
        chosen = self._gated.get(key)
        if chosen is None:
            if len(self._gated) > 256:
                self._gated.clear()
            present = {n for n, there in zip(self._needles, key) if there}
            chosen = self._full if text is None else tuple(
                _subset(registry, GATES[kind], present) for registry, kind in zip(self._full, GATES))
            self._gated[key] = chosen
        md = self.md
        md.preprocessors, md.parser.blockprocessors, md.treeprocessors, self._inline.inlinePatterns = chosen

    def inline(self, text: str, path: str, first_line: int = 1) -> str:
        """HTML for a short text (a choice, a label) without the paragraph Markdown wraps it in.

        A leading "1." or "-" is the text, not a list: block markers at the start are escaped.
        """
        out = self.render(_BLOCK_START.sub(r"\1\\\2", text.strip()), path, first_line)
        if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
            return out[3:-4]
        return out

    def _where(self, *needles: str) -> Location:
        """Where the first of ``needles`` found (ignoring case) stands in the source; else the text's start."""
        lower = self._text.lower()
        index = next((i for i in (lower.find(n.lower()) for n in needles if n) if i >= 0), -1)
        if index < 0:
            return Location(self._path, self._first_line, 1)
        line = self._text.count("\n", 0, index)
        col = index - (self._text.rfind("\n", 0, index) + 1) + 1
        return Location(self._path, self._first_line + line, col)

    def _resolve(self, ref: str, where: Location, what: str) -> str | None:
        """Course-relative path for a local reference, reported when missing or outside the course."""
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(self._path), unquote(urlsplit(ref).path)))
        self._checked.append(rel)
        target = safe_join(self.root, rel)
        if target is None:
            self._found.error(where, "path.outside", f'{what} "{ref}" points outside the course folder')
            return None
        if not target.is_file():
            self._found.error(where, f"{what}.missing", f'{what} "{ref}" not found (looked for {rel})')
            return None
        self._media.used.setdefault(rel, where)
        return rel

    def image(self, el) -> None:
        src = el.get("src", "")
        where = self._where(src)
        if not el.get("alt", "").strip():
            self._found.warning(where, "image.no-alt", f'image "{src}" has no alt text: describe it for screen readers')
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


def _extensions() -> list[Extension]:
    """``EXTENSIONS`` with ``EXTENSION_CONFIGS`` as objects, "extra" as the extensions it stands for.

    The same extensions Python-Markdown makes from the names, but naming them makes it read every
    installed distribution's entry points first (about 40 ms in each process).
    """
    from markdown.extensions.extra import extensions as extra

    made = []
    for name in EXTENSIONS:
        group = ([(sub, EXTENSION_CONFIGS.get(name, {}).get(sub, {})) for sub in extra] if name == "extra"
                 else [(name, EXTENSION_CONFIGS.get(name, {}))])
        made += [_module(sub).makeExtension(**dict(config)) for sub, config in group]
    return made


def _module(sub: str):
    """``markdown.extensions.<sub>``; fenced_code is imported without Pygments (a few ms in each process).

    fenced_code imports codehilite, which imports Pygments in case codehilite is turned on; it is not
    (``EXTENSIONS``), so no code is highlighted and codehilite, told Pygments is missing, changes nothing.
    """
    name = f"markdown.extensions.{sub}"
    if sub != "fenced_code" or name in sys.modules or "pygments" in sys.modules:
        return importlib.import_module(name)
    sys.modules["pygments"] = None  # type: ignore[assignment]  # "import pygments" raises ImportError
    try:
        return importlib.import_module(name)
    finally:
        del sys.modules["pygments"]


def _subset(registry: Registry, gates: dict[str, tuple[str, ...]], present: set[str]) -> Registry:
    """``registry`` less the items gated on strings none of which is ``present``, in the same order."""
    kept = Registry()
    registry._sort()  # by priority, ties in registration order: the order they run in
    for item in list(registry._priority):
        if item.name not in gates or present.intersection(gates[item.name]):
            kept.register(registry[item.name], item.name, item.priority)
    return kept


def _indent(line: str) -> int:
    """Columns of leading whitespace, a tab counting as four."""
    return len(line) - len(line.lstrip()) if "\t" not in line else _indent(line.expandtabs(4))


def _is_local(ref: str) -> bool:
    """A path in the course (not ``https:``, ``//host``, nor ``javascript&#58;`` as a browser reads it)."""
    decoded = html.unescape(ref)
    return bool(ref) and url_scheme(decoded) is None and not urlsplit(decoded).netloc


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, whitespace collapsed (for LMS reports)."""
    return " ".join(html.unescape(_TAGS.sub("", _BLOCK_TAGS.sub(" ", fragment))).split())
