"""Typed answers as the runtime compares them (elearn-assessment.js does the same): the build uses
this to check accepted answers against ``max_words`` and to refuse answers that would match nothing."""
from __future__ import annotations

import unicodedata

APOSTROPHES = "'\u2018\u2019\u02bc\u0060\u00b4"
"""Dropped, not spaced: "Kolb's" and "Kolbs" are one answer."""


def normalise(text: str, case_matters: bool = False) -> str:
    """Apostrophes dropped, every other punctuation mark a space, runs of spaces one, trimmed:
    "Case record." is "case record", "90." is "90", "self-assessment" is "self assessment"."""
    out = []
    for ch in str(text):
        if ch in APOSTROPHES:
            continue
        out.append(" " if unicodedata.category(ch).startswith("P") or ch.isspace() else ch)
    joined = " ".join("".join(out).split())
    return joined if case_matters else joined.lower()


def word_count(text: str) -> int:
    """Words as the learner sees them: runs between spaces that hold a letter or digit
    ("case record." is two words, "self-assessment" one, a lone "-" none)."""
    return sum(any(ch.isalnum() for ch in word) for word in str(text).split())
