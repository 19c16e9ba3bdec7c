"""Statements as JSON lines: read a file (or stdin) one line at a time, with located errors."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from elearn_builder.diagnostics import ElearnError


MAX_DEPTH = 100
"""Objects and arrays nested deeper than this in one statement are refused (xAPI's own go about 8 deep)."""


def depth(value) -> int:
    """How deep objects and arrays nest in ``value`` (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


class StatementsFileError(ElearnError):
    """A statements file that cannot be read, or a line of it that is not a JSON object."""


def read_statements(source: str | Path) -> Iterator[dict]:
    """Each statement of a JSON-lines file (``-`` for stdin), blank lines skipped; stops at the first bad line
    with ``FILE:LINE: ...``."""
    name = "<stdin>" if str(source) == "-" else str(source)
    try:
        handle = sys.stdin if str(source) == "-" else open(source, encoding="utf-8")
    except OSError as exc:
        raise StatementsFileError(f"{name}: cannot read the statements file: {exc.strerror}") from None
    try:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                statement = json.loads(line)
            except json.JSONDecodeError as exc:
                raise StatementsFileError(f"{name}:{number}:{exc.pos + 1}: not JSON ({exc.msg}); a statements "
                                          f"file holds one JSON statement per line") from None
            except RecursionError:
                raise StatementsFileError(f"{name}:{number}: the statement is nested too deep to read (more than "
                                          f"{MAX_DEPTH} levels)") from None
            if not isinstance(statement, dict):
                raise StatementsFileError(f"{name}:{number}: expected a JSON object (a statement), "
                                          f"got {type(statement).__name__}")
            if depth(statement) > MAX_DEPTH:
                raise StatementsFileError(f"{name}:{number}: the statement is nested {depth(statement)} levels "
                                          f"deep, more than the {MAX_DEPTH} a statement may have")
            yield statement
    except UnicodeDecodeError as exc:
        raise StatementsFileError(f"{name}: not UTF-8 text ({exc.reason})") from None
    finally:
        if handle is not sys.stdin:
            handle.close()
