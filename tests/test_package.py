"""Zips are reproducible and written all-or-nothing."""
from __future__ import annotations

import io
import zipfile

import pytest

from elearn_builder import package
from elearn_builder.package import write_packages, zip_bytes_to


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
    with pytest.raises(OSError):
        write_packages(tmp_path, {"one.zip": {"a": b"1"}, "two.zip": {"b": b"2"}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.zip"]
    assert (tmp_path / "one.zip").read_bytes() == b"old"
