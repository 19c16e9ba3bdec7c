"""CSV cells a spreadsheet will not run: OWASP's rule against CSV (formula) injection."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets."""


def neutralise(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would take for a formula; numbers and
    other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values, keep_formulas: bool = False) -> list:
    """A CSV row's cells, neutralised unless ``keep_formulas``."""
    return list(values) if keep_formulas else [neutralise(v) for v in values]
