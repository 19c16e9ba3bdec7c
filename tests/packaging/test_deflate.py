"""A large index.html is deflated in segments: one valid stream, about as small, and an edit re-deflates little."""
from __future__ import annotations

import io
import random
import shutil
import subprocess
import zipfile
import zlib

import pytest

from elearn_builder.packaging import deflate as deflater, write as package


def page(number: int, words: int = 400) -> bytes:
    """One content page as the theme writes it, with text that differs from page to page."""
    rng = random.Random(number)
    vocabulary = ["supervision", "reflective", "practice", "the", "a", "worker", "family", "model", "cycle",
                  "learning", "manager", "of", "and", "to", "in", "social", "capabilities", "framework"]
    text = " ".join(rng.choice(vocabulary) for _ in range(words))
    return (f'<section class="el-page" id="page-p{number}" data-page-id="p{number}" aria-labelledby="title-p{number}" '
            f'hidden>\n  <p class="el-kicker">Module {number // 6}</p>\n  <h1 id="title-p{number}" tabindex="-1">'
            f'Page {number}</h1>\n  <div class="el-body">\n<p>{text}</p>\n  </div>\n</section>\n').encode()


def index(pages: list[bytes]) -> bytes:
    return b"<!DOCTYPE html>\n<html><body><main>\n" + b"".join(pages) + b"</main></body></html>\n"


PAGES = [page(n) for n in range(60)]
BIG = index(PAGES)


def edited(number: int, words: int = 400) -> bytes:
    pages = list(PAGES)
    pages[number] = pages[number].replace(b"<p>", b"<p>An edited sentence, a little longer than before. ", 1)
    return index(pages)


def test_a_big_page_file_is_cut_before_pages_and_inflates_back():
    cuts = deflater.segment_cuts(BIG)
    assert len(BIG) > deflater.SEGMENT_FROM and len(cuts) > 3
    assert cuts[0] == 0 and cuts[-1] == len(BIG)
    assert all(BIG.startswith(deflater.SEGMENT_MARK, at) for at in cuts[1:-1])
    assert all(b - a >= deflater.SEGMENT_MIN for a, b in zip(cuts, cuts[1:]))
    packed = deflater.compress(BIG)
    assert packed != deflater.deflate(BIG)  # really in segments
    assert zlib.decompress(packed, wbits=-15) == BIG
    one = zlib.decompressobj(wbits=-15)
    assert one.decompress(packed) == BIG and one.eof and one.unused_data == b""  # one stream, ended once


def test_segments_cost_next_to_nothing_in_size():
    """Each segment is primed with the window before it, so it compresses as if the stream were whole."""
    assert len(deflater.compress(BIG)) <= 1.01 * len(deflater.deflate(BIG))


def test_small_files_and_files_without_pages_are_deflated_whole_as_zipfile_does():
    plain = b"no pages here " * 20_000
    assert deflater.segment_cuts(plain) == [0, len(plain)]
    assert deflater.compress(plain) == deflater.deflate(plain)
    small = index(PAGES[:3])
    assert len(small) < deflater.SEGMENT_FROM and deflater.compress(small) == deflater.deflate(small)


def test_zip_readers_read_a_segmented_entry(tmp_path):
    files = {"index.html": BIG, "assets/x.js": b"var x = 1;\n" * 500}
    data = package.zip_bytes(files)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert {n: zf.read(n) for n in zf.namelist()} == files
    if shutil.which("unzip"):
        (tmp_path / "p.zip").write_bytes(data)
        run = subprocess.run(["unzip", "-t", str(tmp_path / "p.zip")], capture_output=True, text=True)
        assert run.returncode == 0 and "No errors detected" in run.stdout, run.stdout


def test_an_edit_re_deflates_only_the_segments_around_it():
    store: dict[str, bytes] = {}
    first = deflater.Deflater(store.get, store.__setitem__)
    first.prepare([BIG])
    segments = len(deflater.segment_cuts(BIG)) - 1
    assert len(store) == segments and first.deflated == 1
    after = edited(30)
    before = set(store)
    second = deflater.Deflater(store.get, store.__setitem__)
    packed = second(after)
    made = set(store) - before
    assert 1 <= len(made) <= 3 < segments
    assert packed == deflater.compress(after)  # the bytes of a clean build
    assert second.deflated == 1 and second.reused == 0


def test_a_later_build_takes_the_segments_from_the_cache_and_without_one_deflates_again():
    store: dict[str, bytes] = {}
    deflater.Deflater(store.get, store.__setitem__).prepare([BIG])
    uncached = deflater.Deflater()  # --no-cache: all the work again
    assert uncached(BIG) == deflater.compress(BIG)
    assert uncached.deflated == 1 and uncached.reused == 0
    cached = deflater.Deflater(store.get, store.__setitem__)
    assert cached(BIG) == deflater.compress(BIG)
    assert cached.deflated == 0 and cached.reused == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_threads_and_a_cache_give_the_bytes_of_a_clean_build(monkeypatch, workers):
    monkeypatch.setattr(deflater, "PARALLEL_BYTES", 1)
    files = {"index.html": edited(7), "other.html": edited(44), "a.js": b"x" * 1000}
    clean = package.zip_bytes(files)
    store: dict[str, bytes] = {}
    package.zip_bytes({"index.html": BIG, "a.js": b"x" * 1000}, deflater.Deflater(store.get, store.__setitem__))
    assert package.zip_bytes(files, deflater.Deflater(store.get, store.__setitem__, workers=workers)) == clean
