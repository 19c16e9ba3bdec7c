"""The JSONPath subset of xAPI Profiles 1.0 (§8.1): `$`, `.name`, `['name']`, `[n]`, `[*]`, unions, `|`."""
from __future__ import annotations

import re
from typing import Any

WILD = ("*",)
"""The selector that takes every member of an object or an array."""

_NAME = re.compile(r"[^.\[\]|\s'\"]+")
_INDEX = re.compile(r"\d+")


class JSONPathError(ValueError):
    """A path outside the Profiles subset, with the offending position."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def peek(self, ahead: int = 0) -> str:
        i = self.pos + ahead
        return self.text[i] if i < len(self.text) else ""

    def skip_space(self) -> None:
        while self.peek().isspace():
            self.pos += 1

    def fail(self, message: str) -> JSONPathError:
        return JSONPathError(f"{message} at column {self.pos + 1} of {self.text!r}")

    def match(self, pattern: re.Pattern[str]) -> str:
        found = pattern.match(self.text, self.pos)
        if not found:
            return ""
        self.pos = found.end()
        return found.group()

    def quoted(self) -> str:
        quote, self.pos, chars = self.peek(), self.pos + 1, []
        while (char := self.peek()) != quote:
            if not char:
                raise self.fail("unterminated string")
            if char == "\\":
                self.pos += 1
                char = self.peek()
            chars.append(char)
            self.pos += 1
        self.pos += 1
        return "".join(chars)

    def bracket(self) -> tuple:
        """``[...]``: a comma-separated union of quoted names, non-negative integers and ``*``."""
        self.pos += 1
        members: list = []
        while True:
            self.skip_space()
            char = self.peek()
            if char and char in "'\"":
                members.append(self.quoted())
            elif char == "*":
                self.pos += 1
                members.append(WILD)
            elif char and char in "?(":
                raise self.fail("filter and script expressions are not allowed in profiles")
            elif digits := self.match(_INDEX):
                members.append(int(digits))
            else:
                raise self.fail("expected a quoted name, an index or *")
            self.skip_space()
            if self.peek() == "]":
                self.pos += 1
                return tuple(members)
            if self.peek() != ",":
                raise self.fail("expected , or ]")
            self.pos += 1

    def steps(self) -> tuple[tuple, ...]:
        """One alternative: ``$`` (optional, as in the published profiles) then its steps."""
        self.skip_space()
        steps: list[tuple] = []
        if self.peek() == "$":
            self.pos += 1
        elif name := self.match(_NAME):
            steps.append((name,))
        else:
            raise self.fail("expected $ or a name")
        while (char := self.peek()) and not char.isspace() and char != "|":
            if char == "[":
                steps.append(self.bracket())
            elif char == ".":
                if self.peek(1) == ".":
                    raise self.fail("recursive descent (..) is not in the profiles subset")
                self.pos += 1
                if self.peek() == "*":
                    self.pos += 1
                    steps.append((WILD,))
                elif name := self.match(_NAME):
                    steps.append((name,))
                else:
                    raise self.fail("expected a name after .")
            else:
                raise self.fail(f"unexpected {char!r}")
        return tuple(steps)


def parse(path: str) -> tuple[tuple[tuple, ...], ...]:
    """The alternatives of ``path`` (split at ``|``), each a tuple of steps, each step a tuple of selectors."""
    reader = _Reader(path)
    alternatives = [reader.steps()]
    reader.skip_space()
    while reader.peek() == "|":
        reader.pos += 1
        alternatives.append(reader.steps())
        reader.skip_space()
    if reader.peek():
        raise reader.fail(f"unexpected {reader.peek()!r}")
    return tuple(alternatives)


def _children(node: Any, selector: Any) -> list:
    if selector == WILD:
        members = list(node.values()) if isinstance(node, dict) else list(node) if isinstance(node, list) else []
    elif isinstance(selector, int):
        members = [node[selector]] if isinstance(node, list) and selector < len(node) else []
    else:
        members = [node[selector]] if isinstance(node, dict) and selector in node else []
    return [member for member in members if member is not None]


def evaluate(path: str | tuple, document: Any) -> list:
    """Every value ``path`` finds in ``document``, alternatives flattened in order; ``null`` counts as absent.
    ``path`` is the text or what ``parse`` made of it (parse once, evaluate many statements)."""
    found: list = []
    for steps in parse(path) if isinstance(path, str) else path:
        nodes = [document]
        for step in steps:
            nodes = [child for node in nodes for selector in step for child in _children(node, selector)]
        found.extend(nodes)
    return found
