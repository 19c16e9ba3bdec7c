"""The ids a SCORM package will give the LMS, checked against what Moodle accepts (where they can be read).

A package's runtime writes interaction ids and, in SCORM 2004, option ids in learner responses and
correct-response patterns. Where the ids are written down in the package (the course data
``#elearn-data`` that elearn-builder's packages carry in their launch page), they are checked here
against Moodle's formats (``lmsids``): Moodle refuses the whole interaction, and holds back every
later one, when one value does not match. A package whose ids live only in its code cannot be
checked statically and gets no finding.
"""
from __future__ import annotations

import json
import posixpath
import re
import zipfile
import zlib
from urllib.parse import unquote, urlsplit

from elearn_builder.standards.lmsids import moodle_refuses_interaction, moodle_refuses_option
from elearn_builder.check.findings import XML_BASE, Findings

DATA = re.compile(rb'<script type="application/json" id="elearn-data">(.*?)</script>', re.DOTALL)
MAX_PAGE = 20 << 20
"""A launch page larger than this (20 MiB) is not read."""
SHOWN = 5
"""Refused option ids named in one finding; the rest are counted."""


def launch_pages(root, kind: str, names: frozenset[str]) -> list[str]:
    """The zip members that SCO resources launch, in manifest order (xml:base applied, query dropped)."""
    cp = root.tag.split("}")[0] + "}"
    scormtype = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype" if kind == "scorm12" else \
        "{http://www.adlnet.org/xsd/adlcp_v1p3}scormType"
    resources = root.find(cp + "resources")
    pages = []
    for res in root.iter(cp + "resource"):
        if res.get(scormtype) != "sco" or not res.get("href"):
            continue
        base = "".join(e.get(XML_BASE) or "" for e in (root, resources, res) if e is not None)
        path = posixpath.normpath(unquote(urlsplit(base + res.get("href")).path)).lstrip("/")
        if path in names and path not in pages:
            pages.append(path)
    return pages


def check_lms_ids(zf: zipfile.ZipFile, root, kind: str, names: frozenset[str], findings: Findings) -> None:
    """Warn, located to the launch page and line of its course data, on every id Moodle would refuse."""
    for page in launch_pages(root, kind, names):
        try:
            if zf.getinfo(page).file_size > MAX_PAGE:
                continue
            text = zf.read(page)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            continue  # reported by the integrity check
        found = DATA.search(text)
        if not found:
            continue
        line = text.count(b"\n", 0, found.start(1)) + 1
        try:
            data = json.loads(found.group(1))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(data, dict):
            _check_data(data, kind, page, line, findings)


def _sent(thing) -> str | None:
    """The id the runtime gives the LMS for one statement, question or option: ``lmsId``, else ``id``."""
    if not isinstance(thing, dict):
        return None
    value = thing.get("lmsId", thing.get("id"))
    return value if isinstance(value, str) else None


def _listed(value, key: str) -> list:
    inner = value.get(key) if isinstance(value, dict) else None
    return inner if isinstance(inner, list) else []


def _check_data(data: dict, kind: str, page: str, line: int, findings: Findings) -> None:
    edition = "SCORM 1.2" if kind == "scorm12" else "SCORM 2004"
    interactions = [("self-assessment statement", s) for s in _listed(data.get("selfAssessment"), "statements")]
    interactions += [("question", q) for q in _listed(data.get("assessment"), "questions")]
    for what, thing in interactions:
        ident = _sent(thing)
        if ident is None:
            continue
        if moodle_refuses_interaction(ident, kind):
            rule = ("printable ASCII without spaces, at most 255 characters (CMIIdentifier, error 405)"
                    if kind == "scorm12" else "no spaces, not a malformed urn: (CMILongIdentifier, error 406)")
            findings.warning(page, "scorm.interaction-id-refused",
                             f'{what} "{thing.get("id")}": Moodle\'s {edition} player refuses the interaction id '
                             f'"{ident}" ({rule}): that interaction and every later one are not stored', line)
        if kind == "scorm12":
            continue  # SCORM 1.2 responses carry options as letters by position, not ids
        options = [_sent(o) for key in ("choices", "sources", "targets") for o in _listed(thing, key)]
        refused = sorted({o for o in options if o is not None and moodle_refuses_option(o)})
        if refused:
            named = ", ".join(f'"{o}"' for o in refused[:SHOWN])
            more = f" and {len(refused) - SHOWN} more" if len(refused) > SHOWN else ""
            findings.warning(page, "scorm.option-id-refused",
                             f'{what} "{thing.get("id")}": Moodle\'s SCORM 2004 player refuses the option id(s) '
                             f"{named}{more} in responses and patterns (only letters, digits, _ and ., at most "
                             "250: CMIShortIdentifier, error 406), so it stores neither this interaction nor any "
                             "later one; rebuild with an elearn-builder that writes lmsId, or rename the options",
                             line)
