"""Read source files: YAML with a location for every key and value, and Markdown front matter."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from pathlib import Path
from types import MappingProxyType

import yaml

from elearn_builder.diagnostics import Diagnostics
from elearn_builder.model import Location

MAX_NODES = 200_000
"""Upper bound on YAML nodes walked per file, so aliases cannot expand exponentially."""
MAX_DEPTH = 64
"""Upper bound on nesting (also through aliases): course files need fewer than ten levels."""
_PLAIN_TAGS = MappingProxyType({yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"})
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


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
        self.open_nodes: set[int] = set()
        """Collections being walked: an alias back to one of them is a cycle."""

    def loc(self, node) -> Location:
        return _loc(self.path, node.start_mark, self.offset)

    def walk(self, node):
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooComplex(self.loc(node), "yaml.too-complex",
                              f"more than {MAX_NODES} YAML nodes (aliases expanding?): simplify this file")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if node.tag != _PLAIN_TAGS[type(node)]:
                self.diags.error(self.loc(node), "yaml.tag", f'the YAML tag "{node.tag}" is not allowed here: '
                                 "remove it (course files use plain mappings, lists and values)")
            if id(node) in self.open_nodes:
                raise _TooComplex(self.loc(node), "yaml.recursive-alias", "an alias refers to a mapping or list "
                                  "that contains it, so the value would never end")
            if len(self.open_nodes) >= MAX_DEPTH:
                raise _TooComplex(self.loc(node), "yaml.too-deep", f"nested more than {MAX_DEPTH} levels deep")
            self.open_nodes.add(id(node))
            try:
                return self.collection(node)
            finally:
                self.open_nodes.discard(id(node))
        try:
            value = self.loader.construct_object(node, deep=True)
            if isinstance(value, str):
                value.encode("utf-8")
            return value
        except UnicodeEncodeError:  # "\ud800": a lone surrogate escape, which no UTF-8 page can hold
            self.diags.error(self.loc(node), "yaml.bad-value", "this text holds a lone surrogate escape (like \\ud800), "
                             "which is not a character: remove it")
            return None
        except yaml.constructor.ConstructorError as exc:  # a tag the safe loader does not know: never run
            self.diags.error(self.loc(node), "yaml.tag", f"{exc.problem}: remove the tag")
            return None
        except ValueError as exc:  # e.g. an integer longer than Python converts
            self.diags.error(self.loc(node), "yaml.bad-value", f"cannot read this value: {exc}")
            return None

    def collection(self, node):
        if isinstance(node, yaml.MappingNode):
            explicit = sum(key.tag != "tag:yaml.org,2002:merge" for key, _ in node.value)
            self.loader.flatten_mapping(node)  # resolves << merge keys: merged pairs first, earliest merge last
            merged = len(node.value) - explicit
            out = YMap()
            out.loc, out.key_locs, out.value_locs = self.loc(node), {}, {}
            written: set = set()
            for index, (key_node, value_node) in enumerate(node.value):
                key = self.walk(key_node)
                if isinstance(key, (YMap, YList)):
                    self.diags.error(self.loc(key_node), "yaml.bad-key", "a mapping key must be a plain value")
                    continue
                if key in written:  # only a key written twice in this mapping; merged ones are overridden
                    self.diags.error(self.loc(key_node), "yaml.duplicate-key",
                                     f'duplicate key "{key}" (first at line {out.key_locs[key].line})')
                    continue
                if index >= merged:
                    written.add(key)
                out[key] = self.walk(value_node)
                out.key_locs[key], out.value_locs[key] = self.loc(key_node), self.loc(value_node)
            return out
        out = YList(self.walk(item) for item in node.value)
        out.loc, out.item_locs = self.loc(node), [self.loc(item) for item in node.value]
        return out


class _TooComplex(Exception):
    """A YAML document too large or deep to walk: stops the file with one diagnostic."""

    def __init__(self, location: Location, code: str, message: str):
        self.location, self.code, self.message = location, code, message


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader with a bound on nesting while composing (PyYAML composes recursively)."""

    source_path, line_offset, depth = "", 0, 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooComplex(_loc(self.source_path, self.peek_event().start_mark, self.line_offset), "yaml.too-deep",
                                  f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
"""libyaml's loader (about ten times faster) when PyYAML was built with it; same nodes and marks."""
_LIBYAML = getattr(getattr(yaml, "_yaml", None), "get_version_string", lambda: "none")()


def _parse_fast(text: str, path: str, diags: Diagnostics, line_offset: int):
    """Parse with libyaml; on any YAML error return ``_parse_fast`` itself so the caller re-parses in
    pure Python, whose messages say more. Diagnostics are kept only when the whole parse succeeded."""
    local = Diagnostics()
    try:
        loader = _FAST_LOADER(text)
    except yaml.YAMLError:
        return _parse_fast
    try:
        node = loader.get_single_node()
        value = _empty_map(path, line_offset) if node is None else _Walker(loader, path, line_offset, local).walk(node)
    except yaml.YAMLError:
        return _parse_fast
    except _TooComplex as exc:  # the pure-Python parse would only walk the same nodes again
        diags.error(exc.location, exc.code, exc.message)
        return None
    finally:
        loader.dispose()
    diags.items.extend(local.items)
    return value


def parse_yaml(text: str, path: str, diags: Diagnostics, line_offset: int = 0, memo=None):
    """Parse YAML text into located values; on a syntax error report it and return None.

    With ``memo`` (a ``cache.memo.Memo``), a text parsed before at the same place, under the same limits and
    tool, comes from it: the diagnostics that parse made, and a ``copy`` of its value (what is kept is
    never handed out, so no caller can change what a later build reads)."""
    if memo is None:
        return parse_fresh(text, path, diags, line_offset)
    limits = [memo.salt, MAX_NODES, MAX_DEPTH, _FAST_LOADER is not None, _LIBYAML, path, line_offset]
    hasher = hashlib.sha256(json.dumps(limits).encode())  # a JSON list ends itself: no text can shift into it
    hasher.update(text.encode("utf-8", "surrogatepass"))
    key = hasher.hexdigest()
    entry = memo.get(key)
    if entry is None:
        found = Diagnostics()
        entry = (parse_fresh(text, path, found, line_offset), tuple(found.items))
        memo.put(key, entry)
    diags.items.extend(entry[1])
    return copy(entry[0])


def copy(value):
    """A copy of a parsed value's mappings, lists and location tables (the immutable leaves are shared)."""
    kind = type(value)
    if kind is YMap:
        out = YMap(value)
        for key, item in value.items():
            if type(item) is YMap or type(item) is YList:
                out[key] = copy(item)
        out.loc, out.key_locs, out.value_locs = value.loc, dict(value.key_locs), dict(value.value_locs)
        return out
    if kind is YList:
        out = YList([copy(item) if type(item) is YMap or type(item) is YList else item for item in value])
        out.loc, out.item_locs = value.loc, list(value.item_locs)
        return out
    return value


def parse_fresh(text: str, path: str, diags: Diagnostics, line_offset: int = 0):
    """``parse_yaml`` without the memo: libyaml first, pure Python for the messages of a file it refuses."""
    if _FAST_LOADER is not None:
        value = _parse_fast(text, path, diags, line_offset)
        if value is not _parse_fast:
            return value
    try:
        loader = _BoundedLoader(text)
        loader.source_path, loader.line_offset = path, line_offset
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
        diags.error(exc.location, exc.code, exc.message)
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
        diags.error(where, *refused_path(rel, root))
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
        kind = "UTF-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else f"not UTF-8 (byte 0x{data[exc.start]:02x})"
        diags.error(Location(rel, line, col), "file.encoding", f"{kind}: save the file as UTF-8")
        return None
    except OSError as exc:
        diags.error(where, "file.unreadable", f'cannot read "{rel}": {exc.strerror}')
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def safe_join(root: Path, rel: str) -> Path | None:
    """``root / rel`` if it stays inside ``root`` (no ``..`` escape, no absolute path, no link out); else None."""
    if not rel or os.path.isabs(rel) or "\\" in rel or "\0" in rel or _DRIVE_RE.match(rel) or _too_long(rel):
        return None
    try:
        base = root.resolve()
        target = (base / rel).resolve()
    except (OSError, ValueError, RuntimeError):  # not encodable, or links in a loop (RuntimeError in 3.11)
        return None
    return target if target == base or base in target.parents else None


def _links_in_a_loop(root: Path, rel: str) -> bool:
    try:
        (root / rel).resolve(strict=True)
    except RuntimeError:
        return True
    except (OSError, ValueError) as exc:
        return getattr(exc, "errno", None) == errno.ELOOP
    return False


def _too_long(rel: str) -> bool:
    return len(rel) > 1024 or any(len(part.encode("utf-8", "replace")) > 255 for part in rel.split("/"))


def refused_path(rel: str, root: Path | None = None) -> tuple[str, str]:
    """The (code, message) for a path ``safe_join`` refused (``root`` lets it name a loop of links)."""
    if root is not None and _links_in_a_loop(root, rel):
        return "path.invalid", f'"{rel}" is a link that leads back to itself'
    if any(ord(c) < 32 for c in rel):
        return "path.invalid", f"the path {rel!r} contains a control character"
    if "\\" in rel:
        return "path.invalid", f'the path "{rel}" uses "\\": write course paths with "/"'
    if _too_long(rel):
        return "path.invalid", f'the path "{rel[:60]}..." is too long for the file system'
    return "path.outside", f'"{rel}" points outside the course folder'


def split_front_matter(text: str, path: str, diags: Diagnostics, memo=None) -> tuple[YMap | None, str, int]:
    """Split ``---`` front matter from a Markdown file: (metadata, body, line number where body starts);
    ``memo``: as for ``parse_yaml``."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        diags.error(Location(path, 1, 1), "markdown.front-matter",
                    "expected YAML front matter between '---' lines at the top of the file")
        return None, text, 1
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            errors = len(diags.errors)
            meta = parse_yaml("\n".join(lines[1:end]), path, diags, line_offset=1, memo=memo)
            if not isinstance(meta, YMap):  # a list, a scalar, null, or a YAML error already reported
                if len(diags.errors) == errors:
                    diags.error(Location(path, 2, 1), "markdown.front-matter", "front matter must be a YAML mapping")
                meta = None
            return meta, "\n".join(lines[end + 1:]), end + 2
    diags.error(Location(path, 1, 1), "markdown.front-matter", "front matter is not closed by a '---' line")
    return None, "", len(lines)
