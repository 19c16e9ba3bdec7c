"""The validate use case: check any SCORM 1.2, SCORM 2004, cmi5 or xAPI (tincan.xml) zip, ours or not."""
from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import MappingProxyType
from typing import Callable

from lxml import etree

from elearn_builder.check.activecontent import check_members
from elearn_builder.check.lms_ids import check_lms_ids
from elearn_builder.check.findings import Descriptor, Finding, Findings
from elearn_builder.check.scorm_rules import older_edition
from elearn_builder.check.ziplayout import check_count, check_layout
from elearn_builder.check.zipsafety import Limits, check_integrity, check_names, check_safety
from elearn_builder.standards import Standard, descriptors, registry

DESCRIPTORS = descriptors()
"""The descriptor names a package may have at its root, from the standards' records."""
ROOTS = MappingProxyType({s.root: s for s in registry().values()})
"""The standard a descriptor is, by its root element: how a zip, ours or not, is told apart."""
MAX_DESCRIPTOR = 20 << 20
"""A descriptor larger than this (20 MiB) is not parsed."""


@dataclass(frozen=True)
class PackageReport:
    """What ``validate`` found in one zip."""

    path: str
    format: str = ""
    """``scorm12``, ``scorm2004``, ``cmi5`` or ``xapi`` (the build's format names); ``""`` when unknown."""
    label: str = "unknown format"
    files: int = 0
    size: int = 0
    xsd: str = "not checked"
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def summary(self) -> str:
        return (f"{self.path}: {self.label}, {self.files} file{'' if self.files == 1 else 's'}, "
                f"{self.size / 1024:.1f} KiB, XSD {self.xsd}: "
                f"{self.errors} error(s), {self.warnings} warning(s)")

    def as_dict(self) -> dict:
        return {"path": self.path, "format": self.format or None, "label": self.label, "files": self.files,
                "bytes": self.size, "xsd": self.xsd, "errors": self.errors, "warnings": self.warnings,
                "notes": list(self.notes), "diagnostics": [f.as_dict() for f in self.findings]}


def check_package(path: Path, schemas: Path | None = None, limits: Limits = Limits()) -> PackageReport:
    """Check one zip: safety first (the declared entry count, each entry's metadata, local headers one to one
    with the central directory; nothing is read from an unsafe zip), then names, descriptor, XSD, rules."""
    findings, notes, facts = Findings(), [], {"path": str(path)}
    try:
        facts["size"] = Path(path).stat().st_size
        with open(path, "rb") as handle:  # the count the end records declare, before the central directory is read
            if not check_count(handle, facts["size"], findings, limits.max_entries):
                notes.append("the zip was refused as unsafe: no member was read or unpacked")
                return PackageReport(**facts, findings=tuple(findings.sorted()), notes=tuple(notes))
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        reason = "it is empty" if facts.get("size") == 0 and Path(path).is_file() else str(exc)
        findings.error("", "zip.unreadable", f"not a readable zip file: {reason}")
        return PackageReport(**facts, findings=tuple(findings.sorted()))
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        facts["files"] = len(names)
        size = facts["size"]
        if not check_safety(zf, findings, limits, size) or not check_layout(zf, findings):
            notes.append("the zip was refused as unsafe: no member was read or unpacked")
            return PackageReport(**facts, findings=tuple(findings.sorted()), notes=tuple(notes))
        check_integrity(zf, findings)
        check_names(names, findings, limits)
        members = _descriptors(set(names), findings)
        roots: list = []
        for member in members:
            facts.update(_check_descriptor(zf, member, frozenset(names), schemas, findings, notes, facts, roots))
        check_members(zf, names, roots, findings)
    return PackageReport(**facts, findings=tuple(findings.sorted()), notes=tuple(notes))


def _descriptors(names: set[str], findings: Findings) -> list[str]:
    """The descriptors at the root; reports one that is missing, misnamed or in a subfolder."""
    found = [d for d in DESCRIPTORS if d in names]
    if found:
        if len(found) > 1:
            findings.warning(found[1], "package.several-descriptors", f"the zip has {' and '.join(found)} at its "
                                                                      "root: LMSs differ on which one they import")
        return found
    for name in sorted(names):
        if "/" not in name and name.casefold() in DESCRIPTORS:
            findings.error(name, "package.descriptor-case", f'"{name}" must be named "{name.casefold()}" exactly: '
                                                            "LMSs look for it case-sensitively")
            return []
    nested = sorted((n for n in names if posixpath.basename(n) in DESCRIPTORS), key=lambda n: (n.count("/"), n))
    if nested:
        folder = posixpath.dirname(nested[0]) + "/"
        findings.error(nested[0], "package.descriptor-in-subfolder",
                       f'{posixpath.basename(nested[0])} is in "{folder}", not at the root of the zip: zip the '
                       "contents of that folder, not the folder itself")
    else:
        findings.error("", "package.no-descriptor", f"no {', '.join(DESCRIPTORS[:-1])} or {DESCRIPTORS[-1]} at the "
                                                    "root of the zip: this is not a SCORM, cmi5 or xAPI package")
    return []


def _check_descriptor(zf: zipfile.ZipFile, member: str, names: frozenset[str], schemas: Path | None,
                      findings: Findings, notes: list[str], facts: dict, roots: list) -> dict:
    """Parse, identify, XSD-check and rule-check one descriptor (its root added to ``roots``); returns the facts
    it learnt."""
    info = zf.getinfo(member)
    if info.file_size > MAX_DESCRIPTOR:
        findings.error(member, "package.descriptor-too-large", f"{member} is {info.file_size:,} bytes: not parsed")
        return {}
    try:
        data = zf.read(member)
        parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False, huge_tree=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        findings.error(member, "xml.malformed", f"{member} is not well-formed XML: {exc.msg}", exc.lineno or None)
        return {}
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return {}  # already reported by check_integrity
    standard = ROOTS.get(root.tag)
    if standard is None or standard.descriptor != member:
        findings.error(member, "package.unknown-format",
                       f"the root element {root.tag} is not what {member} holds in any of SCORM 1.2, SCORM 2004, "
                       "cmi5 or tincan.xml", root.sourceline)
        return {}
    roots.append(root)
    desc = Descriptor(member, root, names)
    older = older_edition(root)
    learnt = {"format": standard.name, "label": older or standard.label} if not facts.get("format") else {}
    learnt["xsd"] = _xsd(standard, bool(older), root, desc, schemas, findings, notes)
    rules(standard)(desc, findings)
    if not standard.xapi_only:  # cmi5 and xAPI ids go to an LRS, which takes any IRI
        check_lms_ids(zf, root, standard.name, names, findings)
    return learnt


def rules(standard: Standard) -> Callable[[Descriptor, Findings], None]:
    """The rule function the standard's record names (``module.function`` in this package)."""
    module, _, function = standard.rules.rpartition(".")
    return getattr(import_module(f"{__package__}.{module}"), function)


def _xsd(standard: Standard, older: bool, root, desc: Descriptor, schemas: Path | None, findings: Findings,
         notes: list[str]) -> str:
    """Validate against the standard's official schema set; returns how it went (``checked``, ``not checked``, ...);
    ``older``: a SCORM 2004 manifest of an edition before the 4th, checked against the 4th's schemas."""
    from elearn_builder.check.xsd import SchemaUnavailable, schema_errors

    if schemas is None:
        return "not checked"
    try:
        errors, more = schema_errors(Path(schemas), standard.schemas, root.getroottree())
    except SchemaUnavailable as exc:
        notes.append(f"{desc.member}: XSD check skipped: {exc}")
        return "skipped"
    notes.extend(f"{desc.member}: {note}" for note in more)
    for line, message in errors:
        if older:  # 4th Edition schemas on an older edition: what they reject may be right for that edition
            findings.warning(desc.member, "xsd.invalid", f"{message} (checked against the 4th Edition schemas)",
                             line or None)
        else:
            findings.error(desc.member, "xsd.invalid", message, line or None)
    return "checked against 4th Edition" if older else "checked"


def render_text(reports: list[PackageReport]) -> list[str]:
    """The human output: every finding, the notes, one summary line per package, one total line."""
    lines = []
    for report in reports:
        lines += [f.where(report.path) for f in report.findings]
        lines += [f"{report.path}: note: {note}" for note in report.notes]
        lines.append(report.summary())
    if len(reports) > 1:
        lines.append(f"checked {len(reports)} packages: {sum(r.errors for r in reports)} error(s), "
                     f"{sum(r.warnings for r in reports)} warning(s)")
    return lines


def as_json(reports: list[PackageReport], strict: bool = False) -> dict:
    """The ``--json`` output for CI."""
    return {"ok": not failed(reports, strict), "errors": sum(r.errors for r in reports),
            "warnings": sum(r.warnings for r in reports), "packages": [r.as_dict() for r in reports]}


def failed(reports: list[PackageReport], strict: bool = False) -> bool:
    """True when any package has an error (or, under ``strict``, a warning)."""
    return any(r.errors or (strict and r.warnings) for r in reports)
