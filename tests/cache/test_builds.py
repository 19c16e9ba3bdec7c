"""The build cache: rebuilds reuse work, give the same bytes as a clean build, and survive a broken cache."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn_builder.build import BuildOptions, build
from elearn_builder.cache.builds import CACHE_NAME, BuildCache, default_root
from elearn_builder.cli.commands import main

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"
EDITED = ("modules/one.md", "Some **bold** text.", "Some **bold** text, edited.")


def zips(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.zip"))}


@pytest.fixture
def course(tmp_path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(MINIMAL, target)
    return target


def options(course: Path, output: Path, **more) -> BuildOptions:
    return BuildOptions(source=course, output=output, templates=None, **more)


def edit(course: Path, change=EDITED) -> None:
    path, old, new = change
    text = (course / path).read_text()
    assert old in text
    (course / path).write_text(text.replace(old, new))


def clean_build(course: Path, output: Path) -> dict[str, str]:
    build(options(course, output, cache=False))
    return zips(output)


def test_the_cache_sits_beside_the_output_not_among_the_packages(course, tmp_path):
    out = tmp_path / "out"
    build(options(course, out))
    assert default_root(out) == tmp_path / CACHE_NAME
    assert (tmp_path / CACHE_NAME).is_dir()
    assert sorted(p.name for p in out.iterdir()) == sorted(zips(out))


def test_rebuild_with_nothing_changed_reuses_the_build_and_writes_nothing(course, tmp_path):
    out = tmp_path / "out"
    first = build(options(course, out))
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = build(options(course, out))
    assert first.cache["status"] == "miss" and again.cache["status"] == "hit"
    assert again.written == 0
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert [(p.stage, p.format, p.files, p.size) for p in again.packages] == \
        [(p.stage, p.format, p.files, p.size) for p in first.packages]
    assert zips(out) == clean_build(course, tmp_path / "clean")


def test_a_hit_rewrites_a_deleted_or_damaged_package(course, tmp_path):
    out = tmp_path / "out"
    build(options(course, out))
    expected = zips(out)
    (out / "mini-manager-scorm12.zip").unlink()
    (out / "mini-social-worker-scorm2004.zip").write_bytes(b"damaged")
    result = build(options(course, out))
    assert result.cache["status"] == "hit" and result.written == 2
    assert zips(out) == expected


def test_edit_and_revert_give_the_bytes_of_a_clean_build(course, tmp_path):
    out = tmp_path / "out"
    original = build(options(course, out))
    original_zips = zips(out)
    edit(course)
    edited = build(options(course, out))
    assert edited.cache["status"] == "miss"
    assert edited.cache["reused"] > 0  # the runtime and media were compressed by the first build
    assert zips(out) == clean_build(course, tmp_path / "clean-edited")
    assert zips(out) != original_zips
    edit(course, (EDITED[0], EDITED[2], EDITED[1]))
    reverted = build(options(course, out))
    assert reverted.cache["status"] == "hit"
    assert zips(out) == original_zips == clean_build(course, tmp_path / "clean-reverted")
    assert original.cache["deflated"] > edited.cache["deflated"]


@pytest.mark.parametrize("change", [
    ("programme.yaml", "primary_colour: \"#1d4f91\"", "primary_colour: \"#1d4f92\""),
    ("media/diagram.svg", "</svg>", "<!-- changed --></svg>"),
    ("assessments/manager.yaml", "pass_mark: 100", "pass_mark: 90"),
])
def test_any_source_change_is_seen(course, tmp_path, change):
    out = tmp_path / "out"
    build(options(course, out))
    if change[1] not in (course / change[0]).read_text():
        pytest.skip(f"{change[0]} no longer holds {change[1]!r}")
    edit(course, change)
    result = build(options(course, out))
    assert result.cache["status"] == "miss"
    assert zips(out) == clean_build(course, tmp_path / "clean")


def test_option_and_environment_changes_are_part_of_the_key(course, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(options(course, out))
    assert build(options(course, out, formats=("scorm12",))).cache["status"] == "miss"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = build(options(course, out))
    assert result.cache["status"] == "miss"
    assert zips(out) == clean_build(course, tmp_path / "clean")


def corrupt_every_file(root: Path, how) -> int:
    files = [p for p in root.rglob("*") if p.is_file()]
    for path in files:
        how(path)
    return len(files)


@pytest.mark.parametrize("how", [
    lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # truncated
    lambda p: p.write_bytes(b"\0" * 40 + p.read_bytes()[40:]),            # overwritten header
    lambda p: p.write_bytes(b""),                                           # empty
], ids=["truncated", "garbled", "empty"])
def test_a_corrupt_cache_is_ignored_and_the_output_is_still_right(course, tmp_path, how):
    out = tmp_path / "out"
    build(options(course, out))
    expected = zips(out)
    shutil.rmtree(out)
    assert corrupt_every_file(tmp_path / CACHE_NAME, how) > 10
    result = build(options(course, out))
    assert result.cache["status"] == "miss" and result.cache["reused"] == 0
    assert zips(out) == expected
    assert build(options(course, out)).cache["status"] == "hit"  # and it heals


def test_a_record_in_the_wrong_shape_is_a_miss(course, tmp_path):
    out = tmp_path / "out"
    build(options(course, out))
    store = BuildCache(tmp_path / CACHE_NAME)
    records = list((store.root / "builds").rglob("*"))
    (key,) = [p.name for p in records if p.is_file()]
    store.put_record(key, {"packages": {"../escape.zip": {"sha256": "0" * 64}}, "order": ["../escape.zip"]})
    result = build(options(course, out))
    assert result.cache["status"] == "miss"
    assert not (tmp_path / "escape.zip").exists()


def test_an_unusable_cache_folder_does_not_stop_the_build(course, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache would go")
    result = build(options(course, tmp_path / "out", cache_dir=blocker))
    assert result.cache["status"] == "miss" and len(result.packages) == 4
    assert zips(tmp_path / "out") == clean_build(course, tmp_path / "clean")


def test_no_cache_neither_reads_nor_writes_it(course, tmp_path):
    out = tmp_path / "out"
    result = build(options(course, out, cache=False))
    assert result.cache["status"] == "off"
    assert not (tmp_path / CACHE_NAME).exists()
    runner = CliRunner()
    for _ in range(2):
        run = runner.invoke(main, ["build", "-s", str(course), "-o", str(out), "--no-cache", "--json"])
        assert run.exit_code == 0, run.output
        assert json.loads(run.output)["cache"]["status"] == "off"
    assert not (tmp_path / CACHE_NAME).exists()


def test_cli_reports_the_cache_in_json_and_verbose_output(course, tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    first = json.loads(runner.invoke(main, ["build", "-s", str(course), "-o", str(out), "--json"]).output)
    second = runner.invoke(main, ["build", "-s", str(course), "-o", str(out), "-v"])
    assert first["cache"]["status"] == "miss" and first["written"] == 4
    assert all(p["seconds"] > 0 for p in first["packages"])
    assert second.exit_code == 0, second.output
    assert "cache: hit" in second.output and "0 of 4 package(s) written" in second.output
    assert second.output.count("  cached") == 4


def test_a_broken_source_after_a_good_build_still_fails_and_keeps_the_output(course, tmp_path):
    out = tmp_path / "out"
    build(options(course, out))
    before = zips(out)
    edit(course, ("modules/one.md", "title: Module one", "title: [unclosed"))
    run = CliRunner().invoke(main, ["build", "-s", str(course), "-o", str(out)])
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert "error [" in run.output
    assert zips(out) == before


def test_cache_is_trimmed_past_its_size_limit(course, tmp_path, monkeypatch):
    from elearn_builder.cache import builds as cache

    out = tmp_path / "out"
    monkeypatch.setattr(cache, "MAX_BYTES", 1)
    build(options(course, out))
    assert not BuildCache(tmp_path / CACHE_NAME).root.exists()
    monkeypatch.setattr(cache, "MAX_BYTES", 64 * 1024 * 1024)
    assert build(options(course, out)).cache["status"] == "miss"


def test_an_input_that_cannot_be_read_means_no_cache_not_a_failure(course, tmp_path):
    (course / "notes-link.md").symlink_to(course / "no-such-file.md")  # dangling: cannot be hashed
    out = tmp_path / "out"
    first, second = build(options(course, out)), build(options(course, out))
    assert first.cache["status"] == second.cache["status"] == "miss"
    assert zips(out) == clean_build(course, tmp_path / "clean")
