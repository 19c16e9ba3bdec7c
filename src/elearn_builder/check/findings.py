"""What every package check shares: findings located by zip member and line, hrefs, IRIs, numbers."""
from __future__ import annotations

import difflib
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from elearn_builder.diagnostics import ERROR, WARNING, Collector

IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
"""An absolute IRI: a scheme, a colon and no whitespace (xAPI Data §2.4.4.1, cmi5 §13.1.x ids)."""

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class Finding:
    """One problem in a package: the zip member (``""`` for the zip itself), an optional line, a stable code."""

    member: str
    line: int | None
    severity: str
    code: str
    message: str

    def where(self, package: str) -> str:
        place = package + (f":{self.member}" if self.member else "") + (f":{self.line}" if self.line else "")
        return f"{place}: {self.severity} [{self.code}] {self.message}"

    def as_dict(self) -> dict:
        return {"member": self.member, "line": self.line, "severity": self.severity, "code": self.code,
                "message": self.message}


@dataclass
class Findings(Collector):
    """The package checks' collector: problems located by zip member and line."""

    items: list[Finding] = field(default_factory=list)

    def error(self, member: str, code: str, message: str, line: int | None = None) -> None:
        self.items.append(Finding(member, line, ERROR, code, message))

    def warning(self, member: str, code: str, message: str, line: int | None = None) -> None:
        self.items.append(Finding(member, line, WARNING, code, message))

    def sorted(self) -> list[Finding]:
        """Package-level first, then by member and line; errors before warnings at one place."""
        return sorted(self.items, key=lambda f: (f.member != "", f.member, f.line or 0, f.severity != ERROR,
                                                 f.code, f.message))


@dataclass(frozen=True)
class Descriptor:
    """The parsed descriptor and what the rules need to know about the zip around it."""

    member: str
    """``imsmanifest.xml``, ``cmi5.xml`` or ``tincan.xml``."""
    root: object
    """The lxml root element."""
    names: frozenset[str]
    """Every file member of the zip (directories left out)."""


def text(element) -> str:
    """The element's text with surrounding whitespace removed (``""`` for None)."""
    return (element.text or "").strip() if element is not None else ""


def collapse(value: str | None) -> str | None:
    """An ``xsd:ID``/``IDREF`` value as the schema compares it: whitespace collapsed."""
    return " ".join(value.split()) if value is not None else None


def package_path(href: str) -> tuple[str | None, str]:
    """(path inside the package, or None for an absolute URL; the problem, or "") for a relative href."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        if len(parts.scheme) == 1:  # "C:\\x" or "C:/x": a Windows path, not a URL
            return None, "is an absolute file path"
        return None, ""
    path = unquote(parts.path)
    if path.startswith(("/", "\\")):
        return None, "is an absolute path"
    if "\\" in path:
        return None, "uses backslashes (zip and URL paths use /)"
    normal = posixpath.normpath(path) if path else ""
    if normal == ".." or normal.startswith("../"):
        return None, "points outside the package"
    return ("" if normal == "." else normal), ""


def check_file_reference(desc: Descriptor, findings: Findings, code: str, owner: str, href: str,
                         line: int | None) -> None:
    """Report a relative ``href`` whose file is not in the zip (with a near miss, such as a case change)."""
    path, problem = package_path(href)
    if problem:
        findings.error(desc.member, code, f'{owner}: "{href}" {problem}', line)
        return
    if path is None or path == "" or path in desc.names:
        return
    folded = {n.casefold(): n for n in desc.names}
    hint = (f' (the zip has "{folded[path.casefold()]}": names are case-sensitive on most LMS servers)'
            if path.casefold() in folded else _near_miss(path, desc.names))
    findings.error(desc.member, code, f'{owner}: file "{path}" is not in the package{hint}', line)


def _near_miss(path: str, names) -> str:
    """A ' (did you mean "x"?)' suffix for a name one typo away, else ``""`` (stricter than for source keys)."""
    close = difflib.get_close_matches(path, sorted(names), n=1, cutoff=0.85)
    return f' (did you mean "{close[0]}"?)' if close else ""


def number(value: str | None) -> float | None:
    """A decimal as written in XML (``None`` when missing or not a number)."""
    try:
        result = float((value or "").strip())
    except ValueError:
        return None
    return result if result == result and result not in (float("inf"), float("-inf")) else None


def check_unique(desc: Descriptor, findings: Findings, code: str, what: str, elements, attribute: str,
                 rule: str) -> None:
    """Report every repeat of an identifier attribute (naming the line of its first use)."""
    first: dict[str, int] = {}
    for element in elements:
        value = collapse(element.get(attribute))
        if not value:
            continue
        if value in first:
            findings.error(desc.member, code, f'{what} "{value}" is used twice (first at line {first[value]}); '
                                              f"{rule}", element.sourceline)
        else:
            first[value] = element.sourceline
