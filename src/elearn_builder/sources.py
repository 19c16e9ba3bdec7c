"""Read source files: YAML with a location for every key and value, and Markdown front matter."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from .diagnostics import Diagnostics
from .model import Location

MAX_NODES = 200_000
"""Upper bound on YAML nodes walked per file, so aliases cannot expand exponentially."""


class YMap(dict):
    """A YAML mapping that remembers where it, each key and each value stand."""

    loc: Location
    key_locs: dict
    value_locs: dict

    def at(self, key) -> Location:
        """Location of the value of ``key`` (or of the mapping itself when the key is absent)."""
        return self.value_locs.get(key, self.loc)


class YList(list):
    """A YAML sequence that remembers where it and each item stand."""

    loc: Location
    item_locs: list

    def at(self, index: int) -> Location:
        return self.item_locs[index] if index < len(self.item_locs) else self.loc


def _loc(path: str, mark, line_offset: int) -> Location:
    return Location(path, mark.line + 1 + line_offset, mark.column + 1)


class _Walker:
    """Turns a composed YAML node tree into YMap/YList/scalars, reporting duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader, path: str, line_offset: int, diags: Diagnostics):
        self.loader, self.path, self.offset, self.diags = loader, path, line_offset, diags
        self.count = 0

    def loc(self, node) -> Location:
        return _loc(self.path, node.start_mark, self.offset)

    def walk(self, node):
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooComplex(self.loc(node))
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)  # resolves << merge keys
            out = YMap()
            out.loc, out.key_locs, out.value_locs = self.loc(node), {}, {}
            for key_node, value_node in node.value:
                key = self.walk(key_node)
                if isinstance(key, (YMap, YList)):
                    self.diags.error(self.loc(key_node), "yaml.bad-key", "a mapping key must be a plain value")
                    continue
                if key in out:
                    self.diags.error(self.loc(key_node), "yaml.duplicate-key",
                                     f'duplicate key "{key}" (first at line {out.key_locs[key].line})')
                    continue
                out[key] = self.walk(value_node)
                out.key_locs[key], out.value_locs[key] = self.loc(key_node), self.loc(value_node)
            return out
        if isinstance(node, yaml.SequenceNode):
            out = YList(self.walk(item) for item in node.value)
            out.loc, out.item_locs = self.loc(node), [self.loc(item) for item in node.value]
            return out
        return self.loader.construct_object(node, deep=True)


class _TooComplex(Exception):
    def __init__(self, location: Location):
        self.location = location


def parse_yaml(text: str, path: str, diags: Diagnostics, line_offset: int = 0):
    """Parse YAML text into located values; on a syntax error report it and return None."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # a character YAML does not allow
        diags.error(Location(path, 1 + line_offset, 1), "yaml.syntax", f"YAML error: {exc}")
        return None
    try:
        node = loader.get_single_node()
        if node is None:
            return _empty_map(path, line_offset)
        return _Walker(loader, path, line_offset, diags).walk(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _loc(path, mark, line_offset) if mark else Location(path, 1 + line_offset, 1)
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        diags.error(where, "yaml.syntax", f"YAML syntax error: {problem}")
    except _TooComplex as exc:
        diags.error(exc.location, "yaml.too-complex",
                    f"more than {MAX_NODES} YAML nodes (aliases expanding?): simplify this file")
    except yaml.YAMLError as exc:
        diags.error(Location(path, 1 + line_offset, 1), "yaml.syntax", f"YAML error: {exc}")
    finally:
        loader.dispose()
    return None


def _empty_map(path: str, line_offset: int) -> YMap:
    out = YMap()
    out.loc, out.key_locs, out.value_locs = Location(path, 1 + line_offset, 1), {}, {}
    return out


def read_text(root: Path, rel: str, diags: Diagnostics, where: Location) -> str | None:
    """Read a UTF-8 source file under ``root``; report a missing, unreadable or escaping path at ``where``."""
    target = safe_join(root, rel)
    if target is None:
        diags.error(where, "path.outside", f'"{rel}" points outside the course folder')
        return None
    if not target.is_file():
        diags.error(where, "file.missing", f'file "{rel}" not found in {root}')
        return None
    try:
        data = target.read_bytes()
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error(Location(rel, line, col), "file.encoding",
                    f"not UTF-8 (byte 0x{data[exc.start]:02x}): save the file as UTF-8")
        return None
    except OSError as exc:
        diags.error(where, "file.unreadable", f'cannot read "{rel}": {exc.strerror}')
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def safe_join(root: Path, rel: str) -> Path | None:
    """``root / rel`` if it stays inside ``root`` (no ``..`` escape, no absolute path, no link out); else None."""
    if not rel or os.path.isabs(rel) or "\\" in rel:
        return None
    base = root.resolve()
    target = (base / rel).resolve()
    return target if target == base or base in target.parents else None


def split_front_matter(text: str, path: str, diags: Diagnostics) -> tuple[YMap | None, str, int]:
    """Split ``---`` front matter from a Markdown file: (metadata, body, line number where body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        diags.error(Location(path, 1, 1), "markdown.front-matter",
                    "expected YAML front matter between '---' lines at the top of the file")
        return None, text, 1
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            meta = parse_yaml("\n".join(lines[1:end]), path, diags, line_offset=1)
            if meta is not None and not isinstance(meta, YMap):
                diags.error(Location(path, 2, 1), "markdown.front-matter", "front matter must be a YAML mapping")
                meta = None
            return meta, "\n".join(lines[end + 1:]), end + 2
    diags.error(Location(path, 1, 1), "markdown.front-matter", "front matter is not closed by a '---' line")
    return None, "", len(lines)
