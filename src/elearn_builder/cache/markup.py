"""Rendered Markdown kept by what it was rendered from, so a rebuild renders only the texts that changed.

An entry is keyed by the SHA-256 of the text, its file and first line, the course folder, the HTML
policy and the code and libraries that render it. It holds the HTML, the diagnostics and the media
references the render made (replayed on a hit, so a hit is indistinguishable from a render) and the
course paths it checked: a hit whose paths no longer resolve as they did is a miss. Entries live in
memory for the process (``elearn preview`` builds again and again) and, through the build cache, in
one file per course folder in ``.elearn-cache``; a damaged file reads as empty. It is only used while
``MEMO.active``: the build turns it on when its cache is on.
"""
from __future__ import annotations

import hashlib
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from elearn_builder.diagnostics import Diagnostic, Diagnostics
from elearn_builder.model import Location

KIND = "markdown"
"""The build cache's folder for these files."""
MAX_ENTRIES = 50_000
"""Kept in memory at most; the oldest go first."""
CODE = ("sources/markdown.py", "sources/sanitise.py", "sources/reader.py", "cache/markup.py")
"""The modules whose code decides what a render gives."""
_salt: str | None = None


def salt() -> str:
    """What else a render depends on: this package's version and rendering code, Python and the libraries."""
    global _salt
    if _salt is None:
        from elearn_builder import __version__
        from elearn_builder.cache.builds import PACKAGE_DIR, _libraries

        hasher = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
        hasher.update("\n".join(_libraries()).encode())
        for name in CODE:
            hasher.update((PACKAGE_DIR / name).read_bytes())
        _salt = hasher.hexdigest()
    return _salt


def policy_key(policy) -> list:
    """The HTML policy in a stable form (its sets sorted)."""
    return [sorted(policy.tags), [[tag, sorted(names)] for tag, names in policy.attributes], sorted(policy.url_schemes)]


def checked_state(root: Path, rel: str) -> list:
    """How a course path resolves now: [path, inside the course, is a file]."""
    from elearn_builder.sources.reader import safe_join

    target = safe_join(root, rel)
    return [rel, target is not None, target is not None and target.is_file()]


class MarkdownMemo:
    def __init__(self):
        self.entries: dict[str, dict] = {}
        self.active = False
        self.rendered = 0
        """Texts actually rendered (misses) since this process started: how tests see what was reused."""
        self.used: dict[str, dict] = {}
        """Entries used since ``using`` began: what the build cache keeps."""
        self.loaded: set[tuple[Path, str]] = set()
        """The build cache files read already (once per process)."""
        self.stored: dict[tuple[Path, str], dict[str, dict]] = {}
        """The entries each build cache file holds, as last read or written: the same ones are not written again."""

    def clear(self) -> None:
        """Forget everything held in memory (the build cache's files are read again)."""
        self.entries.clear()
        self.used.clear()
        self.loaded.clear()
        self.stored.clear()

    def render(self, renderer, text: str, path: str, first_line: int) -> str:
        """``renderer.render_fresh(...)``'s HTML, from memory when the same render was done before."""
        if not self.active:
            self.rendered += 1
            return renderer.render_fresh(text, path, first_line)
        scope = renderer.__dict__.get("memo_scope")
        if scope is None:  # once per renderer: resolving a path costs more than a lookup
            scope = json.dumps([salt(), str(renderer.root.resolve()), policy_key(renderer.policy)])
            renderer.memo_scope = scope
        hasher = hashlib.sha256(json.dumps([scope, path, first_line]).encode())  # a JSON list ends itself
        hasher.update(text.encode("utf-8", "surrogatepass"))
        key = hasher.hexdigest()
        entry = self.entries.get(key)
        if entry is not None and all(checked_state(renderer.root, c[0]) == c for c in entry["checked"]):
            self.entries[key] = self.entries.pop(key)  # most recently used last
        else:
            entry = self._record(renderer, text, path, first_line)
            self.entries[key] = entry
            while len(self.entries) > MAX_ENTRIES:
                del self.entries[next(iter(self.entries))]
        self.used[key] = entry
        for d in entry["diags"]:
            report = renderer.diags.error if d["severity"] == "error" else renderer.diags.warning
            report(Location(d["path"], d["line"], d["col"]), d["code"], d["message"])
        for rel, where in entry["media"]:
            renderer.media.used.setdefault(rel, Location(*where))
        return entry["html"]

    def _record(self, renderer, text: str, path: str, first_line: int) -> dict:
        """Render with a fresh collector, media list and checked paths, and keep what came out."""
        from elearn_builder.sources.markdown import MediaRefs

        diags, media, checked = renderer.diags, renderer.media, renderer.checked
        renderer.diags, renderer.media, renderer.checked = Diagnostics(), MediaRefs(), []
        try:
            self.rendered += 1
            html = renderer.render_fresh(text, path, first_line)
            found: list[Diagnostic] = renderer.diags.items
            return {"html": html, "diags": [d.as_dict() for d in found],
                    "media": [[rel, [w.path, w.line, w.col]] for rel, w in renderer.media.used.items()],
                    "checked": [checked_state(renderer.root, rel) for rel in dict.fromkeys(renderer.checked)]}
        finally:
            renderer.diags, renderer.media, renderer.checked = diags, media, checked

    @contextmanager
    def using(self, store, source: Path):
        """Active while the block runs, backed by ``store`` (a ``BuildCache``) when there is one; afterwards the
        entries this build used are kept in it (unless it holds just those already). Parsed YAML is kept
        alike meanwhile (``loadmemo.PARSES``)."""
        from elearn_builder.cache.parses import PARSES

        name = hashlib.sha256(f"{salt()}\0{source.resolve()}".encode()).hexdigest()
        where = (getattr(store, "root", None), name)
        if store is not None and where not in self.loaded:
            found = self._read(store, name)
            self.entries.update(found)
            self.loaded.add(where)
            self.stored[where] = found
        self.used, self.active = {}, store is not None
        try:
            with PARSES.using(store, source):
                yield self
        finally:
            self.active = False
        if store is None or not self.used:
            return
        kept = self.stored.get(where, {})
        if kept.keys() == self.used.keys() and all(kept[k] is e for k, e in self.used.items()) \
                and store.has_blob(name, KIND):
            return
        if store.replace_blob(name, json.dumps(self.used, sort_keys=True).encode(), KIND):
            self.stored[where] = self.used

    @staticmethod
    def _read(store, name: str) -> dict[str, dict]:
        """The entries kept in ``store``, or none when the file is missing, damaged or not in the expected shape."""
        data = store.blob(name, KIND)
        try:
            entries = json.loads(data) if data is not None else {}
            for entry in entries.values():
                if not (isinstance(entry["html"], str) and all(len(c) == 3 for c in entry["checked"])
                        and all(isinstance(d["message"], str) and isinstance(d["line"], int) for d in entry["diags"])
                        and all(isinstance(r, str) and len(w) == 3 for r, w in entry["media"])):
                    return {}
        except (ValueError, KeyError, TypeError, AttributeError):
            return {}
        return entries if isinstance(entries, dict) else {}


MEMO = MarkdownMemo()
