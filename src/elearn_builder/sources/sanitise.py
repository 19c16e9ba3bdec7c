"""Sanitise rendered HTML with nh3 (Rust ammonia): an allow-list of tags, attributes and URL schemes.

The allow-list below is what Markdown produces plus a few harmless inline tags; a programme can
extend it in ``programme.yaml`` (``html: {allow_tags, allow_attributes, allow_url_schemes}``), but
never to the tags, attributes and schemes that run script or take over the page (``NEVER_*``).
``problems`` scans the same HTML to tell the author what was removed or refused; the removal
itself is nh3's, so a gap in the scan can cost a diagnostic, never safety.
"""
from __future__ import annotations

import re
from types import MappingProxyType
from dataclasses import dataclass
from functools import cached_property
from html import unescape
from html.parser import HTMLParser

import nh3

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.sources.fields import Fields
from elearn_builder.model import Location

DEFAULT_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var"})
"""Everything Python-Markdown's extra, admonition and sane_lists produce, and common inline markup."""
DEFAULT_ATTRIBUTES = MappingProxyType({
    "*": frozenset({"class", "id", "title", "lang", "dir"}),
    "a": frozenset({"href"}), "img": frozenset({"src", "alt", "width", "height"}),
    "ol": frozenset({"start", "type"}), "li": frozenset({"value"}), "q": frozenset({"cite"}),
    "blockquote": frozenset({"cite"}), "th": frozenset({"align", "colspan", "rowspan", "scope"}),
    "td": frozenset({"align", "colspan", "rowspan"}), "details": frozenset({"open"})})
DEFAULT_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
"""Relative links (``page.html``, ``#note``, ``../media/x.png``) are always allowed."""

NEVER_TAGS = frozenset({
    "applet", "base", "body", "button", "embed", "form", "frame", "frameset", "head", "html", "iframe", "input",
    "link", "math", "meta", "noembed", "noframes", "noscript", "object", "param", "plaintext", "portal", "script",
    "select", "style", "svg", "template", "textarea", "title", "xmp"})
"""Tags that run script, load other documents, or break out of the page: refused even if allowed."""
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "title", "textarea", "xmp", "noembed",
                                  "noframes", "iframe", "object", "svg", "math"})
NEVER_ATTRIBUTES = frozenset({"style", "srcdoc", "srcset", "formaction", "action", "background", "dynsrc", "lowsrc",
                              "ping", "http-equiv", "name", "form", "xmlns", "xlink:href", "is", "slot"})
"""Attributes that run script, load content or clobber the runtime's globals; also ``on*`` and ``data-*``."""
LINK_REL = "noopener noreferrer"
"""nh3 sets ``rel`` on every link, so an author cannot allow it."""
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data", "file", "blob", "filesystem", "jar",
                            "view-source"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "poster", "background", "xlink:href",
                            "data", "codebase", "longdesc", "dynsrc", "lowsrc", "ping", "srcset"})
ID_PREFIX = "md-"
"""Author ids are prefixed (and same-page ``#links`` with them) so they cannot clash with the runtime's."""
RESERVED_CLASS = "el-"
"""The theme's and runtime's class names: removed from author markup."""
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_PLAIN_TAG = re.compile(r'<(?:([a-zA-Z][a-zA-Z0-9]*)((?:[ \n]+[a-zA-Z][a-zA-Z0-9-]*(?:="[^"<>]*")?)*)[ \n]*/?>'
                        r'|/[a-zA-Z][a-zA-Z0-9]*[ \n]*>)?')
"""Any ``<``, with what follows when it makes a plain tag: a start tag whose attributes are all ``name`` or
``name="value"``, or a bare end tag (what Markdown writes)."""
_PLAIN_ATTRIBUTE = re.compile(r'([a-zA-Z][a-zA-Z0-9-]*)(?:="([^"]*)")?')


@dataclass(frozen=True)
class HtmlPolicy:
    """What survives sanitising: tags, attributes per tag (``*`` = any tag) and URL schemes."""

    tags: frozenset[str] = DEFAULT_TAGS
    attributes: tuple[tuple[str, frozenset[str]], ...] = tuple(sorted(DEFAULT_ATTRIBUTES.items()))
    url_schemes: frozenset[str] = DEFAULT_SCHEMES

    def allowed(self, tag: str, attribute: str) -> bool:
        table = self._table
        return attribute in table.get(tag, ()) or attribute in table.get("*", ())

    @cached_property
    def _table(self) -> dict[str, frozenset[str]]:
        return dict(self.attributes)

    def key(self) -> list:
        """The policy in a stable form (its sets sorted), for a memo's key."""
        return [sorted(self.tags), [[tag, sorted(names)] for tag, names in self.attributes], sorted(self.url_schemes)]


DEFAULT_POLICY = HtmlPolicy()


def refused_attribute(name: str) -> bool:
    return name in NEVER_ATTRIBUTES or name.startswith(("on", "data-"))


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see (controls and whitespace removed, lower case), or None if relative."""
    match = _SCHEME.match(_CONTROL.sub("", value))
    return match.group(1).lower() if match else None


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return ID_PREFIX + value if value else None
    if attribute == "href" and value.startswith("#") and len(value) > 1:
        return "#" + ID_PREFIX + value[1:]
    if attribute == "class":
        kept = [name for name in value.split() if not name.startswith(RESERVED_CLASS)]
        return " ".join(kept) or None
    return value


def clean(fragment: str, policy: HtmlPolicy = DEFAULT_POLICY, cleaner: nh3.Cleaner | None = None) -> str:
    """``fragment`` with everything outside ``policy`` removed (nh3 does the removing): by ``cleaner`` (made by
    ``make_cleaner(policy)``) when given, since making one costs as much as cleaning a page."""
    return (cleaner or make_cleaner(policy)).clean(fragment)


def make_cleaner(policy: HtmlPolicy) -> nh3.Cleaner:
    """nh3's cleaner for ``policy`` (a renderer makes one and keeps it)."""
    return nh3.Cleaner(tags=set(policy.tags), clean_content_tags=set(DROPPED_WITH_CONTENT),
                       attributes={tag: set(names) for tag, names in policy.attributes},
                       attribute_filter=_filter, url_schemes=set(policy.url_schemes), strip_comments=True,
                       link_rel=LINK_REL)


@dataclass(frozen=True)
class Problem:
    """Something ``clean`` removes, and the strings to look for in the source to locate it."""

    severity: str
    code: str
    message: str
    needles: tuple[str, ...]


class _Scan(HTMLParser):
    def __init__(self, policy: HtmlPolicy):
        super().__init__(convert_charrefs=True)
        self.policy, self.found, self.seen, self.dropped = policy, [], set(), 0

    def add(self, key, severity: str, code: str, message: str, *needles: str) -> None:
        if key not in self.seen:
            self.seen.add(key)
            self.found.append(Problem(severity, code, message, tuple(n for n in needles if n)))

    def handle_starttag(self, tag, attrs):
        if self.dropped:  # inside an element removed with its content: nothing of it survives
            self.dropped += tag in DROPPED_WITH_CONTENT
            return
        raw = self.get_starttag_text() or ""
        for name, value in attrs:
            scheme = url_scheme(value or "") if name in URL_ATTRIBUTES else None
            if scheme and scheme not in self.policy.url_schemes:
                what = "image" if tag == "img" else "link"
                self.add(("scheme", value), "error", "link.unsafe-scheme",
                         f'{what} "{_short(value)}" uses the {scheme}: scheme, which is refused (allowed: '
                         f'{", ".join(sorted(self.policy.url_schemes))} and relative links)',
                         raw, value, f"{scheme}:", scheme)
        if tag not in self.policy.tags:
            gone = "and its content " if tag in DROPPED_WITH_CONTENT else ""
            self.add(("tag", tag), "warning", "html.removed",
                     f"raw HTML removed: <{tag}> {gone}is not allowed" + _hint(tag in NEVER_TAGS, "allow_tags"),
                     raw, f"<{tag}")
            self.dropped += tag in DROPPED_WITH_CONTENT and not raw.rstrip().endswith("/>")
            return
        for name, _ in attrs:
            if not self.policy.allowed(tag, name):
                self.add(("attr", tag, name), "warning", "html.removed",
                         f'raw HTML removed: attribute "{name}" of <{tag}> is not allowed'
                         + (f' (links get rel="{LINK_REL}")' if name == "rel" else
                            _hint(refused_attribute(name), "allow_attributes")), raw, f"{name}=", name)

    def handle_startendtag(self, tag, attrs):
        dropped = self.dropped
        self.handle_starttag(tag, attrs)
        self.dropped = dropped

    def handle_endtag(self, tag):
        if self.dropped and tag in DROPPED_WITH_CONTENT:
            self.dropped -= 1


def _hint(never: bool, key: str) -> str:
    return " (it can run script or take over the page)" if never else f" (programme.yaml html.{key} can allow it)"


def _short(value: str) -> str:
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def problems(fragment: str, policy: HtmlPolicy = DEFAULT_POLICY, proven: set[str] | None = None) -> list[Problem]:
    """What ``clean`` would remove from ``fragment`` or refuse in it, once per kind, in document order.

    ``proven`` (a set kept by the caller for one policy) remembers the plain tags found allowed already."""
    if plainly_allowed(fragment, policy, proven):
        return []
    return scan(fragment, policy)


def scan(fragment: str, policy: HtmlPolicy = DEFAULT_POLICY) -> list[Problem]:
    """``problems`` found the slow way, by parsing ``fragment`` as the full walk always does."""
    walk = _Scan(policy)
    walk.feed(fragment)
    walk.close()
    return walk.found


def plainly_allowed(fragment: str, policy: HtmlPolicy = DEFAULT_POLICY, proven: set[str] | None = None) -> bool:
    """True when ``scan`` would find nothing, proved without parsing: every ``<`` opens a plain tag (``_PLAIN_TAG``)
    that ``policy`` allows, with allowed attributes and URLs of allowed schemes. False proves nothing.

    html.parser reads a plain tag as it is written, so it sees these tags and no others; anything else
    (a comment, a tag that changes how the text after it is read, an odd quote) is left to ``scan``.
    Plain tags found allowed are added to ``proven`` (given for ``policy`` alone) and not checked again.
    """
    proven = set() if proven is None else proven
    for match in _PLAIN_TAG.finditer(fragment):
        raw = match.group()
        if raw in proven:
            continue
        if raw == "<":
            return False
        tag = match.group(1)
        if tag is not None:
            tag = tag.lower()
            if tag not in policy.tags or tag in NEVER_TAGS or tag in DROPPED_WITH_CONTENT:
                return False
            for name, value in _PLAIN_ATTRIBUTE.findall(match.group(2)):
                name = name.lower()
                if not policy.allowed(tag, name):
                    return False
                if name in URL_ATTRIBUTES:
                    scheme = url_scheme(unescape(value) if "&" in value else value)
                    if scheme and scheme not in policy.url_schemes:
                        return False
        if len(proven) > 10_000:
            proven.clear()
        proven.add(raw)
    return True


def read_policy(f: Fields, diags: Diagnostics) -> HtmlPolicy:
    """The ``html`` settings of programme.yaml: the default allow-list plus what the author adds."""
    raw = f.get("html", dict, None)
    if raw is None:
        return DEFAULT_POLICY
    hf = Fields(raw, diags, "html")
    tags = set(DEFAULT_TAGS)
    for tag, where in _names(hf, "allow_tags", diags):
        if tag in NEVER_TAGS:
            diags.error(where, "html.unsafe-allow", f"html: <{tag}> can run script or take over the page and "
                        "cannot be allowed")
        else:
            tags.add(tag)
    attributes = {tag: set(names) for tag, names in DEFAULT_ATTRIBUTES.items()}
    table = hf.get("allow_attributes", dict, None) or {}
    for tag in table:
        where = table.at(tag)
        names = table[tag]
        if not isinstance(tag, str) or not (tag == "*" or _NAME.match(tag)):
            diags.error(where, "field.value", f'html.allow_attributes: "{tag}" is not a tag name (or "*")')
            continue
        if not isinstance(names, list) or not all(isinstance(n, str) and _NAME.match(n) for n in names):
            diags.error(where, "field.value", f'html.allow_attributes: "{tag}" needs a list of attribute names')
            continue
        for name in names:
            if name == "rel":
                diags.error(where, "html.unsafe-allow", f'html: attribute "rel" cannot be allowed: every link gets '
                            f'rel="{LINK_REL}"')
            elif refused_attribute(name):
                diags.error(where, "html.unsafe-allow", f'html: attribute "{name}" can run script, load content or '
                            "clash with the runtime and cannot be allowed")
            else:
                attributes.setdefault(tag, set()).add(name)
    schemes = set(DEFAULT_SCHEMES)
    for scheme, where in _names(hf, "allow_url_schemes", diags):
        if scheme in UNSAFE_SCHEMES:
            diags.error(where, "html.unsafe-allow", f"html: the {scheme}: scheme can run script and cannot be allowed")
        else:
            schemes.add(scheme)
    hf.done()
    return HtmlPolicy(frozenset(tags), tuple(sorted((t, frozenset(n)) for t, n in attributes.items())),
                      frozenset(schemes))


def _names(hf: Fields, key: str, diags: Diagnostics) -> list[tuple[str, Location]]:
    """Lower-case names from a list setting, each with its location; bad entries reported."""
    values = hf.get(key, list, None) or []
    out = []
    for i, value in enumerate(values):
        name = value.strip().lower() if isinstance(value, str) else ""
        if not _NAME.match(name):
            diags.error(values.at(i), "field.value", f'html.{key}: "{value}" is not a valid name')
        else:
            out.append((name, values.at(i)))
    return out
