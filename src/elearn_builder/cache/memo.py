"""One memo for every cache of a build: results by key, in memory for the process and, given a store, on disk.

A ``Memo`` holds values by key, the least recently used dropped first once more than ``limit`` of
them are held. Between ``open(store, name)`` and ``close()`` the values used
are remembered; ``close`` keeps them in the build cache (``store``, a ``BuildCache``) as one file
``name`` of the memo's ``kind`` (through a ``codec``), unless that file holds just those already.
``open`` reads that file once per process; a missing, damaged or foreign file reads as empty (the
codec's ``decode`` returns None for anything not in the shape it writes).

Whoever owns the memo keys it: every key includes the package's own hash (``cache.builds.package_hash``),
so a rebuild after any change to the tool's code, Python or libraries never reuses an old result.
"""
from __future__ import annotations

from typing import Protocol


class Codec(Protocol):
    def encode(self, entries: dict) -> bytes | None: ...
    def decode(self, data: bytes) -> dict | None: ...


class Memo:
    """Values by key (see the module). ``misses`` counts the values made (``put``) since it was created."""

    def __init__(self, kind: str, limit: int):
        self.kind, self.limit = kind, limit
        self.codec: Codec | None = None
        """How entries are written in the store (given to ``open``)."""
        self.salt = ""
        """What every key made for this memo starts with: the package's hash (``Caches.prepare`` sets it)."""
        self.entries: dict = {}
        self.misses = 0
        self.used: dict = {}
        """Entries read or made since ``open`` with a store: what ``close`` keeps there."""
        self.fresh = False
        """Whether any entry was made since ``open``."""
        self.store = None
        self.name = ""
        self.loaded: set[tuple] = set()
        """The store files read already (once per process)."""
        self.kept: dict[tuple, frozenset] = {}
        """The keys each store file holds, as last read or written."""

    def get(self, key):
        """The value kept under ``key`` (now the most recently used), or None."""
        value = self.entries.pop(key, None)
        if value is not None:
            self.entries[key] = value
            if self.store is not None:
                self.used[key] = value
        return value

    def put(self, key, value) -> None:
        """Keep ``value`` (a value just made: counted in ``misses``)."""
        self.misses += 1
        self.fresh = True
        self._hold(key, value)
        if self.store is not None:
            self.used[key] = value

    def _hold(self, key, value) -> None:
        self.entries.pop(key, None)
        self.entries[key] = value
        while len(self.entries) > self.limit:
            del self.entries[next(iter(self.entries))]

    def open(self, store, name: str, codec: Codec | None = None) -> None:
        """Start using the memo for one build: with ``store`` and ``codec``, take what its file ``name`` keeps
        (read once per process)."""
        self.codec = codec
        self.used, self.fresh, self.store, self.name = {}, False, store if codec else None, name
        where = (getattr(store, "root", None), name)
        if store is None or self.codec is None or where in self.loaded:
            return
        self.loaded.add(where)
        data = store.blob(name, self.kind)
        found = self.codec.decode(data) if data is not None else None
        for key, value in (found or {}).items():
            if key not in self.entries:
                self._hold(key, value)
        self.kept[where] = frozenset(found or ())

    def close(self) -> None:
        """Keep the entries used since ``open`` in the store, when any was new or the file holds others (or is gone)."""
        store, self.store = self.store, None
        if store is None or self.codec is None or not self.used:
            return
        where = (getattr(store, "root", None), self.name)
        if not self.fresh and self.kept.get(where) == self.used.keys() and store.has_blob(self.name, self.kind):
            return
        payload = self.codec.encode(self.used)
        if payload is not None and store.replace_blob(self.name, payload, self.kind):
            self.kept[where] = frozenset(self.used)

    def clear(self) -> None:
        """Forget everything held in memory (the store's files are read again): as in a new process."""
        self.entries.clear()
        self.used.clear()
        self.loaded.clear()
        self.kept.clear()


class Caches:
    """What one process remembers from build to build: ``elearn build --watch`` and ``elearn preview`` keep one
    and pass it to every build; each build of ``elearn build`` has its own. With the build cache on, the
    parses, renders and input digests are kept there too (one file per course folder), so a new process
    starts from them.
    """

    def __init__(self):
        self.stats = Memo("stat", 200_000)
        """Input files' digests by their stat (``cache.builds.file_digest``)."""
        self.parses = Memo("yaml", 5_000)
        """YAML parses (``sources.reader.parse_yaml``, kept by ``cache.parses``)."""
        self.renders = Memo("markdown", 50_000)
        """Markdown renders (``sources.markdown.Renderer.render``, kept by ``cache.markup``)."""
        self.templates = Memo("templates", 1)
        """The last build's Jinja environment by a hash of its template sources, with the fragments it
        remembers (``render.packages.template_environment``)."""

    def salted(self, salt: str) -> Caches:
        """Key the memos with ``salt`` (the package's hash); a new salt empties them."""
        for memo in (self.parses, self.renders, self.templates):  # input digests do not depend on the code
            if memo.salt != salt:
                memo.clear()
                memo.salt = salt
        return self
