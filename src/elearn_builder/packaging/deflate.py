"""The deflated data of zip entries: each distinct content compressed once, big pages in segments.

An entry's deflated bytes are ``compress(data)``. Most entries are deflated whole, as ``zipfile``
does it. A large entry holding pages (``index.html``) is deflated in segments cut before its pages
(``segment_cuts``): each segment is deflated by a fresh compressor primed with the 32 KB before it
(the window any reader holds at that point) and ends byte-aligned (``Z_FULL_FLUSH``; the last one
``Z_FINISH``), so the concatenation is one valid raw deflate stream, about as small as deflating
the whole, and a segment's bytes depend only on itself and that window. Editing one page then
re-deflates the one or two segments around it; the others come from the build cache.
"""
from __future__ import annotations

import hashlib
import zlib
from typing import Callable, Iterable, NamedTuple

LEVEL = 9
"""Deflate level of every entry."""
PARALLEL_BYTES = 512 * 1024
"""With several workers, less data than this is still deflated in one thread (threads cost more)."""
SEGMENT_FROM = 64 * 1024
"""Entries at least this big are deflated in segments when they hold pages (``SEGMENT_MARK``)."""
SEGMENT_MIN = 16 * 1024
"""A segment is at least this big, so that the extra block headers stay negligible."""
SEGMENT_MAX = 4 * SEGMENT_MIN
"""Past this size a segment ends before the next page, whichever it is."""
SEGMENT_MARK = b'<section class="el-page'
"""Where a page starts in ``index.html`` (the DOM contract, docs/runtime.md): where a segment may start."""
WINDOW = 32 * 1024
"""Deflate's window: each segment's compressor is primed with this much of what precedes it."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def deflate(data: bytes) -> bytes:
    """Raw deflate, as ``zipfile`` does it (``compressobj(level, DEFLATED, -15)``)."""
    return zlib.compress(data, LEVEL, wbits=-15)


def segment_cuts(data: bytes) -> list[int]:
    """Where ``data`` is cut: ``[0, ..., len(data)]``; ``[0, len(data)]`` when it is deflated whole.

    A cut falls before a page (``SEGMENT_MARK``) at least ``SEGMENT_MIN`` after the previous cut,
    and only before a page whose opening bytes (its id) hash even, unless ``SEGMENT_MAX`` has
    passed: cuts depend on the pages they fall before rather than on offsets, so an edit moves
    none of them but (rarely) the nearest.
    """
    cuts = [0]
    if len(data) >= SEGMENT_FROM:
        at = data.find(SEGMENT_MARK, SEGMENT_MIN)
        while at != -1:
            since = at - cuts[-1]
            if since >= SEGMENT_MAX or (since >= SEGMENT_MIN and not zlib.crc32(data[at:at + 120]) & 1):
                cuts.append(at)
            at = data.find(SEGMENT_MARK, at + 1)
        if len(cuts) > 1 and len(data) - cuts[-1] < SEGMENT_MIN:
            cuts.pop()  # a short tail joins the segment before it
    return cuts + [len(data)]


class Segment(NamedTuple):
    """``data[start:end]``, deflated after the window before it; the one ending ``data`` ends the stream."""
    data: bytes
    start: int
    end: int

    def key(self) -> str:
        """A hash of all the deflated bytes depend on: the window, the segment, whether it is the last."""
        begin = max(0, self.start - WINDOW)
        hasher = hashlib.sha256(b"segment %d %d %d\0" % (LEVEL, self.end == len(self.data), self.start - begin))
        hasher.update(memoryview(self.data)[begin:self.end])
        return hasher.hexdigest()

    def deflate(self) -> bytes:
        window = self.data[max(0, self.start - WINDOW):self.start]
        packer = (zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=window) if window
                  else zlib.compressobj(LEVEL, zlib.DEFLATED, -15))
        last = self.end == len(self.data)
        return packer.compress(memoryview(self.data)[self.start:self.end]) + packer.flush(
            zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)


def segments(data: bytes) -> list[Segment]:
    cuts = segment_cuts(data)
    return [Segment(data, a, b) for a, b in zip(cuts, cuts[1:])]


def compress(data: bytes) -> bytes:
    """The deflated bytes of an entry holding ``data``: in segments or whole (``segment_cuts``)."""
    parts = segments(data)
    return b"".join(s.deflate() for s in parts) if len(parts) > 1 else deflate(data)


def _run(task: bytes | Segment) -> bytes:
    return task.deflate() if isinstance(task, Segment) else deflate(task)


def _size(task: bytes | Segment) -> int:
    return task.end - task.start if isinstance(task, Segment) else len(task)


class Deflater:
    """``compress`` for each distinct content once; ``load``/``save`` let a cache keep results across builds.

    ``deflated`` counts the entries this build compressed (wholly or in part), ``reused`` those it
    took from ``load`` (for a segmented entry: at least one segment, none compressed).
    """

    def __init__(self, load: Callable[[str], bytes | None] | None = None,
                 save: Callable[[str, bytes], None] | None = None, workers: int = 1):
        self.done: dict[str, bytes] = {}
        self._keys: dict[int, tuple[bytes, str]] = {}
        self._crcs: dict[str, int] = {}
        self.load, self.save = load, save
        self.workers = max(1, workers or 1)
        self.reused = self.deflated = 0

    def key(self, data: bytes) -> str:
        """``digest(data)``, worked out once per bytes object: the same objects recur in many packages."""
        known = self._keys.get(id(data))
        if known is not None and known[0] is data:  # the object is held here, so its id cannot be reused
            return known[1]
        key = digest(data)
        self._keys[id(data)] = (data, key)
        return key

    def crc32(self, data: bytes) -> int:
        """``zlib.crc32(data)``, worked out once per content: the same contents recur in many packages."""
        key = self.key(data)
        if key not in self._crcs:
            self._crcs[key] = zlib.crc32(data)
        return self._crcs[key]

    def prepare(self, contents: Iterable[bytes]) -> None:
        """Deflate every content not seen yet (in threads when there is enough of it: zlib frees the GIL)."""
        todo: dict[str, bytes | Segment] = {}  # by key: whole contents and segments to deflate
        pieces: dict[str, bytes] = {}  # segments at hand, by key
        loaded: set[str] = set()
        joined: dict[str, list[str]] = {}  # segmented contents: their segments' keys
        for data in contents:
            key = self.key(data)
            if key in self.done or key in todo or key in joined:
                continue
            parts = segments(data)
            if len(parts) == 1:
                cached = self.load(key) if self.load else None
                if cached is not None:
                    self.done[key] = cached
                    self.reused += 1
                else:
                    todo[key] = data
                continue
            joined[key] = [s.key() for s in parts]
            for part, skey in zip(parts, joined[key]):
                if skey in pieces or skey in todo:
                    continue
                cached = self.load(skey) if self.load else None
                if cached is not None:
                    loaded.add(skey)
                if cached is not None:
                    pieces[skey] = cached
                else:
                    todo[skey] = part
        items = sorted(todo.items(), key=lambda kv: -_size(kv[1]))
        if self.workers > 1 and sum(_size(t) for _, t in items) >= PARALLEL_BYTES:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(self.workers) as pool:
                results = list(pool.map(_run, (t for _, t in items)))
        else:
            results = [_run(t) for _, t in items]
        for (key, task), packed in zip(items, results):
            if self.save:
                self.save(key, packed)
            if isinstance(task, Segment):
                pieces[key] = packed
            else:
                self.done[key] = packed
                self.deflated += 1
        for key, keys in joined.items():
            self.done[key] = b"".join(pieces[k] for k in keys)
            if any(k in todo for k in keys):
                self.deflated += 1
            elif any(k in loaded for k in keys):
                self.reused += 1

    def __call__(self, data: bytes) -> bytes:
        key = self.key(data)
        if key not in self.done:
            self.prepare([data])
        return self.done[key]
