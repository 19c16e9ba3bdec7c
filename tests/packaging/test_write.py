"""Zips are reproducible and written all-or-nothing."""
from __future__ import annotations

import io
import zipfile

import pytest

from elearn_builder.diagnostics import ElearnError
from elearn_builder.packaging import deflate as deflater, write as package
from elearn_builder.packaging.write import write_packages, zip_bytes_to


def as_zip(files):
    buffer = io.BytesIO()
    zip_bytes_to(buffer, files)
    return buffer.getvalue()


def test_same_files_give_same_bytes_whatever_the_order():
    a = as_zip({"b.txt": b"2", "a.txt": b"1", "dir/c.txt": b"3"})
    b = as_zip({"dir/c.txt": b"3", "a.txt": b"1", "b.txt": b"2"})
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        assert zf.namelist() == ["a.txt", "b.txt", "dir/c.txt"]
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.read("dir/c.txt") == b"3"


def test_source_date_epoch_sets_entry_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with zipfile.ZipFile(io.BytesIO(as_zip({"a": b"x"}))) as zf:
        assert zf.infolist()[0].date_time == (2023, 11, 14, 22, 13, 20)


def test_write_packages_replaces_atomically(tmp_path):
    (tmp_path / "one.zip").write_bytes(b"old")
    written = write_packages(tmp_path, {"one.zip": {"a": b"1"}, "two.zip": {"b": b"2"}})
    assert [p.name for p in written] == ["one.zip", "two.zip"]
    assert zipfile.ZipFile(tmp_path / "one.zip").read("a") == b"1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.zip", "two.zip"]


def test_failure_while_writing_leaves_folder_as_it_was(tmp_path, monkeypatch):
    (tmp_path / "one.zip").write_bytes(b"old")
    calls = []

    def failing(handle, files):
        calls.append(files)
        if len(calls) == 2:
            raise OSError("disk full")
        handle.write(b"partial")

    monkeypatch.setattr(package, "zip_bytes_to", failing)
    with pytest.raises(ElearnError, match="disk full; nothing was changed"):
        write_packages(tmp_path, {"one.zip": {"a": b"1"}, "two.zip": {"b": b"2"}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.zip"]
    assert (tmp_path / "one.zip").read_bytes() == b"old"


# ---- our zip writer: the bytes zipfile writes, each distinct content deflated once ----

def zipfile_reference(files: dict[str, bytes], stamp=(1980, 1, 1, 0, 0, 0)) -> bytes:
    """What the standard library writes for the same entries and settings."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


SAMPLE = {"index.html": b"<p>page</p>" * 2000, "media/caf\u00e9 \u00fc.svg": b"<svg/>", "empty.txt": b"",
          "assets/random.bin": bytes(range(256)) * 40}


def test_zip_writer_writes_what_zipfile_writes():
    assert package.zip_bytes(SAMPLE) == zipfile_reference(SAMPLE)
    with zipfile.ZipFile(io.BytesIO(package.zip_bytes(SAMPLE))) as zf:
        assert zf.testzip() is None
        assert {n: zf.read(n) for n in zf.namelist()} == SAMPLE
        assert all(i.external_attr >> 16 == 0o644 and i.create_system == 3 for i in zf.infolist())


def test_zip_writer_follows_source_date_epoch_like_zipfile(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert package.zip_bytes(SAMPLE) == zipfile_reference(SAMPLE, (2023, 11, 14, 22, 13, 20))


def test_deflater_deflates_each_distinct_content_once():
    deflater = package.Deflater()
    shared = b"the same runtime in every package " * 100
    one = package.zip_bytes({"a.js": shared, "index.html": b"one"}, deflater)
    two = package.zip_bytes({"a.js": shared, "index.html": b"two"}, deflater)
    assert deflater.deflated == 3 and deflater.reused == 0
    assert one == package.zip_bytes({"a.js": shared, "index.html": b"one"})
    assert two == package.zip_bytes({"a.js": shared, "index.html": b"two"})


def test_deflater_takes_what_a_cache_holds_and_gives_it_what_it_made():
    store: dict[str, bytes] = {}
    first = package.Deflater(store.get, store.__setitem__)
    first.prepare(SAMPLE.values())
    assert first.deflated == len(SAMPLE) and set(store) == {package.digest(d) for d in SAMPLE.values()}
    second = package.Deflater(store.get, store.__setitem__)
    assert package.zip_bytes(SAMPLE, second) == zipfile_reference(SAMPLE)
    assert second.reused == len(SAMPLE) and second.deflated == 0


def test_threads_give_the_same_bytes(monkeypatch):
    monkeypatch.setattr(deflater, "PARALLEL_BYTES", 1)
    big = {f"f{i}.txt": (b"%d " % i) * 50_000 for i in range(6)}
    assert package.zip_bytes(big, package.Deflater(workers=2)) == zipfile_reference(big)


def test_write_packages_takes_finished_zips_too(tmp_path):
    data = package.zip_bytes({"a": b"1"})
    written = write_packages(tmp_path, {"done.zip": data})
    assert written == [tmp_path / "done.zip"] and (tmp_path / "done.zip").read_bytes() == data
