"""Warnings for a bank (or a whole assessment) whose keys can be guessed without knowing the answer: the same place in the
list, or the longest option, in more than 40% of its choice and multiple-response questions.

The runtime shuffles options (unless a question says ``shuffle: false``), but the authored order is
what previews, printouts, LMS reports and unshuffled questions show, and length is never shuffled."""
from __future__ import annotations

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.model import Location, Question

SHARE = 0.4
"""More than this share of a bank's choice items with one tell is a warning."""
MIN_ITEMS = 5
"""Fewer choice items than this tell nothing by chance alone."""


def place(q: Question) -> str | None:
    """Where the key stands: "first", "last", "place k" (single choice), or None when it tells nothing."""
    flags = [c.correct for c in q.choices]
    k, n = sum(flags), len(flags)
    if k == n:
        return None
    if flags[:k] == [True] * k:
        return "first"
    if flags[n - k:] == [True] * k:
        return "last"
    return f"place {flags.index(True) + 1}" if k == 1 else None


def longest(q: Question) -> bool:
    """The key is longer than every other option (for several keys: each longer than every wrong one)."""
    right = [len(c.text) for c in q.choices if c.correct]
    wrong = [len(c.text) for c in q.choices if not c.correct]
    return bool(right and wrong) and min(right) > max(wrong)


def check_key_tells(what: str, questions: tuple[Question, ...], where: Location, diags: Diagnostics) -> None:
    """``what`` is ``bank "id"`` or ``assessment``; the codes are ``<first word>.key-position`` and
    ``<first word>.key-longest``."""
    items = [q for q in questions if q.type in ("choice", "multiple-response")]
    if len(items) < MIN_ITEMS:
        return
    kind = what.split()[0]
    places: dict[str, list[str]] = {}
    for q in items:
        at = place(q)
        if at is not None:
            places.setdefault(at, []).append(q.id)
    for at, ids in sorted(places.items()):
        if len(ids) > SHARE * len(items):
            said = f"in {at}" if at.startswith("place") else f"the {at} option"
            diags.warning(where, f"{kind}.key-position", f'{what}: the key is {said} in {len(ids)} of {len(items)} '
                          f'choice and multiple-response questions ({", ".join(ids)}); '
                          'vary where the key stands (what previews, reports and unshuffled questions show)')
    long_ids = [q.id for q in items if longest(q)]
    if len(long_ids) > SHARE * len(items):
        diags.warning(where, f"{kind}.key-longest", f'{what}: the key is the longest option in {len(long_ids)} '
                      f'of {len(items)} choice and multiple-response questions ({", ".join(long_ids)}); make a wrong '
                      'option as full, or the key shorter')
