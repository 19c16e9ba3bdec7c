"""Identifiers every LMS accepts: the author's ids mapped one to one onto ``[A-Za-z0-9_.]``, and Moodle's rules.

Author ids keep their hyphens everywhere a person or an LRS reads them (pages, xAPI activity ids and
response text, interaction descriptions); the ids that reach an LMS's SCORM API (interaction ids,
option ids in learner responses and correct-response patterns) are the mapped ones, carried as
``lmsId`` in the course data (docs/runtime.md).
"""
from __future__ import annotations

import re

LMS_ID_RE = re.compile(r"^[A-Za-z0-9_.]{1,250}\Z")
"""What every LMS we know accepts: Moodle's 2004 ``CMIShortIdentifier`` (``^[\\w.]{1,250}$``, ASCII)."""

AUTHOR_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")
"""The alphabet the loaders allow for question, statement and option ids (``fields.ID_RE``, ``QUESTION_ID_RE``)."""

# Moodle's value formats, from mod/scorm/datamodels/scorm_13.js (SCORMapi1_3) and scorm_12.js (SCORMapi1_2).
MOODLE_2004_SHORT = re.compile(r"^[A-Za-z0-9_.]{1,250}\Z")
"""``CMIShortIdentifier``: choice, sequencing, matching and likert values in responses and patterns (error 406)."""
MOODLE_2004_LONG = re.compile(r"^(?:(?!urn:)\S{1,4000}|urn:[A-Za-z0-9-]{1,31}:\S{1,4000})\Z")
"""``CMILongIdentifier``: ``cmi.interactions.n.id`` in SCORM 2004 (error 406)."""
MOODLE_12_IDENTIFIER = re.compile(r"^[\x21-\x7e]{0,255}\Z")
"""``CMIIdentifier``: ``cmi.interactions.n.id`` in SCORM 1.2 (error 405)."""


def lms_id(author_id: str) -> str:
    """The id an LMS is given for ``author_id``: ``-`` becomes ``_`` and ``_`` becomes ``_.``.

    Deterministic and independent of every other id (a rebuild, or a question added elsewhere, never
    changes it), and one to one on the author alphabet: in the result ``.`` only ever follows a ``_``
    that was an ``_``, so the author's id can be read back (``author_id``). The usual lower-case,
    hyphenated ids read naturally: ``evidence-base`` -> ``evidence_base``.
    """
    if not AUTHOR_ID_RE.match(author_id):
        raise ValueError(f"not an author id (letters, digits, - and _, at most 64): {author_id!r}")
    return author_id.replace("_", "_.").replace("-", "_")


def lms_description(author: str, text: str, limit: int = 250) -> str:
    """The interaction description an LMS is given: the author's id, then the text, on one line, at most
    ``limit`` characters (SCORM 2004 ``cmi.interactions.n.description``, SPM 250), so a report that shows
    the mapped id still names the author's."""
    return " ".join(f"{author}: {text}".split())[:limit].rstrip()


def author_id(mapped: str) -> str:
    """The inverse of ``lms_id``."""
    out, k = [], 0
    while k < len(mapped):
        if mapped[k] == "_":
            if mapped[k + 1:k + 2] == ".":
                out.append("_")
                k += 2
                continue
            out.append("-")
        else:
            out.append(mapped[k])
        k += 1
    return "".join(out)


def moodle_refuses_option(value: str) -> bool:
    """True when Moodle's SCORM 2004 player refuses ``value`` as a choice, sequencing or matching id."""
    return not MOODLE_2004_SHORT.match(value)


def moodle_refuses_interaction(value: str, edition: str) -> bool:
    """True when Moodle refuses ``value`` as ``cmi.interactions.n.id`` in ``edition`` (scorm12 or scorm2004)."""
    if edition == "scorm12":
        return not value or not MOODLE_12_IDENTIFIER.match(value)
    return not MOODLE_2004_LONG.match(value)
