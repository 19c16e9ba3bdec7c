"""The one memo every cache uses: least recently used dropped past its bound, kept in the build cache only
when it changed, a damaged file read as empty, and a new package hash forgetting everything."""
from __future__ import annotations

import json

from elearn_builder.cache.builds import BuildCache
from elearn_builder.cache.memo import Caches, Memo


class JsonCodec:
    """Entries of plain strings; anything else in the file reads as nothing (None)."""

    @staticmethod
    def encode(entries: dict) -> bytes:
        return json.dumps(entries, sort_keys=True).encode()

    @staticmethod
    def decode(data: bytes) -> dict | None:
        try:
            found = json.loads(data)
        except ValueError:
            return None
        return found if isinstance(found, dict) and all(isinstance(v, str) for v in found.values()) else None


def test_the_least_recently_used_go_first_past_the_bound():
    memo = Memo("test", 2)
    memo.put("a", "1")
    memo.put("b", "2")
    assert memo.get("a") == "1"  # now the most recent
    memo.put("c", "3")
    assert list(memo.entries) == ["a", "c"] and memo.get("b") is None and memo.misses == 3


def test_what_a_build_used_is_kept_and_read_back_by_a_new_process(tmp_path):
    store = BuildCache(tmp_path / "cache")
    memo = Memo("test", 10)
    memo.open(store, "course", JsonCodec())
    memo.put("a", "1")
    memo.put("b", "2")
    memo.close()
    (kept,) = [p for p in (store.root / "test").rglob("*") if p.is_file()]
    assert json.loads(store.blob("course", "test")) == {"a": "1", "b": "2"}
    later = Memo("test", 10)  # a new process
    later.open(store, "course", JsonCodec())
    assert later.get("a") == "1" and later.misses == 0
    later.close()  # it used just a, of a and b: the file is rewritten to hold what this build used
    assert json.loads(store.blob("course", "test")) == {"a": "1"}
    again = Memo("test", 10)
    again.open(store, "course", JsonCodec())
    again.get("a")
    stamp = kept.stat().st_mtime_ns
    again.close()  # the same entries, none new: not written again
    assert kept.stat().st_mtime_ns == stamp


def test_a_damaged_or_foreign_file_reads_as_empty(tmp_path):
    store = BuildCache(tmp_path / "cache")
    for payload in (b"{not json", b"[1, 2]", b'{"a": 1}'):
        store.replace_blob("course", payload, "test")
        memo = Memo("test", 10)
        memo.open(store, "course", JsonCodec())
        assert memo.get("a") is None and memo.entries == {}
        memo.close()


def test_without_a_store_the_memo_lives_in_memory_only(tmp_path):
    memo = Memo("test", 10)
    memo.open(None, "course", JsonCodec())
    memo.put("a", "1")
    memo.close()
    assert memo.get("a") == "1" and memo.used == {}


def test_a_new_package_hash_forgets_every_kept_result():
    caches = Caches().salted("hash of the tool")
    caches.parses.put("k", "parse")
    caches.renders.put("k", "render")
    assert caches.salted("hash of the tool").parses.get("k") == "parse"
    caches.salted("hash after a code change")
    assert caches.parses.get("k") is None and caches.renders.get("k") is None
    assert caches.parses.salt == caches.renders.salt == caches.templates.salt == "hash after a code change"
