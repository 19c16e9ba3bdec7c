"""``elearn build --watch`` for real: a separate process that rebuilds on edits, keeps the last good zips
when a source breaks, and stops cleanly on Ctrl-C."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from elearn_builder.build import BuildOptions, build
from elearn_builder.preview.watch import changed_paths, describe, source_stamp

MINIMAL = Path(__file__).parents[1] / "courses" / "minimal"
TIMEOUT = 180.0
"""Seconds to wait for any one step: generous, the machine running the tests may be busy."""

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="needs POSIX signals")


def zips(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.zip"))}


def clean_build(course: Path, output: Path) -> dict[str, str]:
    """The zips a clean build (no cache) of ``course`` makes, as the watcher is started."""
    build(BuildOptions(source=course, output=output, templates=None, profile=None, cache=False))
    return zips(output)


class Watcher:
    """``elearn build --watch`` in a subprocess, its stdout and stderr collected line by line."""

    def __init__(self, course: Path, output: Path, cwd: Path):
        argv = [sys.executable, "-m", "elearn_builder.cli", "build", "--watch", "-s", str(course), "-o", str(output),
                "--templates", str(cwd / "no-templates"), "--profile", str(cwd / "no-profile")]
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = {"out": [], "err": []}
        self.changed = threading.Condition()
        self.readers = [threading.Thread(target=self.read, args=(name, stream), daemon=True)
                        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr))]
        for reader in self.readers:
            reader.start()

    def read(self, name: str, stream) -> None:
        for line in stream:
            with self.changed:
                self.lines[name].append(line.rstrip("\n"))
                self.changed.notify_all()

    def text(self) -> str:
        return "\n".join(self.lines["out"]) + "\n--- stderr ---\n" + "\n".join(self.lines["err"])

    def wait_for(self, stream: str, pattern: str, count: int = 1) -> list[str]:
        """The lines of ``stream`` matching ``pattern`` once there are ``count`` of them."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + TIMEOUT
        with self.changed:
            while True:
                found = [line for line in self.lines[stream] if regex.search(line)]
                if len(found) >= count:
                    return found
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"no {count} line(s) matching {pattern!r}; output so far:\n{self.text()}")
                self.changed.wait(0.2)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(TIMEOUT)
        for reader in self.readers:
            reader.join(TIMEOUT)
        return code


def edit(path: Path, text: str) -> None:
    """Write ``text`` so that the watcher sees a new stamp even on a coarse-mtime file system."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_watch_rebuilds_on_edits_keeps_good_zips_on_errors_and_stops_on_ctrl_c(tmp_path):
    course, output = tmp_path / "course", tmp_path / "build"
    shutil.copytree(MINIMAL, course)
    watcher = Watcher(course, output, tmp_path)
    try:
        watcher.wait_for("err", r"^watching .* for changes; Ctrl-C to stop$")
        watcher.wait_for("out", r"^built 4 package\(s\), .* in [\d.]+ s ")
        first = zips(output)
        assert len(first) == 4 and first == clean_build(course, tmp_path / "clean-0")

        page = course / "modules" / "one.md"
        edit(page, page.read_text(encoding="utf-8").replace("Some **bold** text.",
                                                            "Some **bold** text, edited while watching."))
        line = watcher.wait_for("out", r"^rebuilt after .*one\.md changed: \d+ of 4 package\(s\) rewritten in \d+ ms")
        edited = zips(output)
        assert edited != first and edited == clean_build(course, tmp_path / "clean-1"), line

        programme = course / "programme.yaml"
        good = programme.read_text(encoding="utf-8")
        edit(programme, good.replace("title: Mini course", "title: [Mini course"))
        failed = watcher.wait_for("err", r"^build failed: 1 error\(s\).*after .*programme\.yaml changed")
        diagnostic = watcher.wait_for("err", r"^programme\.yaml:\d+:\d+: error \[yaml")
        assert "still watching" in failed[0] and diagnostic
        assert zips(output) == edited  # nothing written: the last good build's zips

        edit(programme, good)
        watcher.wait_for("out", r"^rebuilt after .*programme\.yaml changed", count=1)
        assert zips(output) == edited
        assert len(watcher.wait_for("out", r"^rebuilt after ")) == 2
    finally:
        code = watcher.stop()
    assert code == 0, watcher.text()
    assert "Traceback" not in watcher.text() and "Aborted" not in watcher.text()
    assert watcher.lines["err"][-1] == "stopped watching", watcher.text()


def test_the_stamp_names_what_changed(tmp_path):
    shutil.copytree(MINIMAL, tmp_path / "course")
    options = BuildOptions(source=tmp_path / "course", templates=tmp_path / "templates", profile=None)
    before = source_stamp(options)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html.j2").write_text("x")
    (tmp_path / "course" / "programme.yaml").unlink()
    paths = changed_paths(before, source_stamp(options))
    assert paths == sorted([str(tmp_path / "course" / "programme.yaml"), str(tmp_path / "templates" / "page.html.j2")])
    assert describe(paths) == f"{paths[0]} and 1 more" and describe(paths[:1]) == paths[0]
    assert changed_paths(before, before) == [] and describe([]) == "nothing"
