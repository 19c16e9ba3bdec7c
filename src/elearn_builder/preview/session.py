"""``elearn preview``: rebuild the course in memory whenever a source changes, and keep what the LMS frame needs."""
from __future__ import annotations

import hashlib
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable

from elearn_builder.cache.memo import Caches
from elearn_builder.diagnostics import ElearnError, SourceErrors
from elearn_builder.preview.watch import source_stamp
from elearn_builder.standards import preview_formats, standard

PREVIEW_FORMATS = preview_formats()
"""The formats the preview page can host (its own recording LMS, ``static/lms.js``, speaks their API)."""


@dataclass(frozen=True)
class PreviewOptions:
    source: Path = Path("content")
    templates: Path | None = Path("templates")
    profile: Path | None = Path("xapi_profiles")
    stages: tuple[str, ...] = ()
    formats: tuple[str, ...] = PREVIEW_FORMATS
    interval: float = 0.2
    """Seconds between two looks at the sources' modification times."""
    quiet: float = 1.5
    """After a change, seconds without another before the packages the page does not show are rebuilt."""


@dataclass(frozen=True)
class Launch:
    """One package the page can launch: a stage in one format."""

    package: str
    stage: str
    stage_title: str
    format: str
    xapi: bool
    """True when the package sends xAPI statements (the build had the programme's xAPI profile)."""
    digest: str = ""
    """Changes when any file of the package changes: the page relaunches only then."""
    label: str = ""
    """The format's name in the page's list (``SCORM 2004``), from its standard's record."""
    state_limit: int = 0
    """Characters the preview's LMS keeps in ``cmi.suspend_data``: the standard's ``state_limit``."""


@dataclass(frozen=True)
class Snapshot:
    """The outcome of the latest build; ``packages`` and ``launches`` are the last good build's."""

    generation: int = 0
    ok: bool = False
    title: str = ""
    packages: dict[str, dict[str, bytes]] = field(default_factory=dict)
    launches: tuple[Launch, ...] = ()
    diagnostics: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    built: int = 0
    """How many packages this build made (the others, if any, are the previous build's)."""


def build_in_memory(options: PreviewOptions, caches=None) -> tuple[dict[str, dict[str, bytes]], tuple[str, ...]]:
    """Read and render every selected package in memory, nothing written: {zip stem: {path: bytes}}, and the
    build's diagnostics and notes. ``caches`` (a ``cache.memo.Caches``) keeps parses, renders and fragments
    between rebuilds."""
    from elearn_builder.build import BuildOptions, salt
    from elearn_builder.read import read
    from elearn_builder.render.packages import render

    build_options = BuildOptions(source=options.source, templates=options.templates, formats=options.formats,
                                 stages=options.stages, profile=options.profile)
    if caches is not None:
        salt(caches)
    course = read(build_options, caches)
    files = render(course, build_options, caches)
    packages = {name.removesuffix(".zip"): files[name] for name in files}
    return packages, tuple(str(d) for d in course.diagnostics) + course.notes


def course_data(files: dict[str, bytes]) -> dict:
    """The course data a package carries (``#elearn-data`` and ``assets/package.js``), or {} when unreadable."""
    from elearn_builder.render.stage import package_data

    return package_data(files)


def digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()[:16]


def launches(packages: dict[str, dict[str, bytes]], formats: tuple[str, ...]) -> tuple[str, tuple[Launch, ...]]:
    """The programme's title and the launchable packages, by stage order and then ``formats`` order."""
    title, found = "", []
    for name, files in packages.items():
        data = course_data(files)
        title = title or data.get("programme", {}).get("title", "")
        stage = data.get("stage", {})
        fmt = data.get("format", "")
        known = standard(fmt) if fmt in PREVIEW_FORMATS else None
        found.append(Launch(name, stage.get("id", name), stage.get("title", name), fmt, bool(data.get("xapi")),
                            digest(files), known.preview.label if known else fmt, known.state_limit if known else 0))
    stage_order: dict[str, int] = {}
    for launch in found:
        stage_order.setdefault(launch.stage, len(stage_order))
    found.sort(key=lambda l: (stage_order[l.stage], formats.index(l.format) if l.format in formats else len(formats)))
    return title, tuple(found)


class Superseded(Exception):
    """The sources changed during a build: its result would be stale."""


class Preview:
    """The latest build and the statements the packages sent; waiters are woken on every change."""

    def __init__(self, options: PreviewOptions, on_build: Callable[[Snapshot], None] | None = None) -> None:
        self.options = options
        self.on_build = on_build
        self.stamp: tuple = ()
        """The sources as they were when the latest build began."""
        self.snapshot = Snapshot()
        self.statements: list[dict] = []
        self.changed = threading.Condition()
        self.closed = False
        self.focus = ""
        """The package the page shows: rebuilt first after a change."""
        self.building = threading.Lock()
        self.caches = Caches()
        """What this preview remembers between rebuilds (parses, renders, templates, fragments), in memory."""

    @property
    def version(self) -> tuple[int, int]:
        return self.snapshot.generation, len(self.statements)

    def rebuild(self) -> Snapshot:
        """Build after a change: the package the page shows first (published at once), then every package one
        format at a time, giving way as soon as the sources change again (the watcher then starts over).

        A broken source keeps the last good packages and shows its diagnostics.
        """
        with self.building:
            if self.closed:
                return self.snapshot
            return self._rebuild()

    def _rebuild(self) -> Snapshot:
        self.stamp = source_stamp(self.options)  # taken first: an edit during the build triggers another
        shown = next((l for l in self.snapshot.launches if l.package == self.focus), None)
        if shown is None or len(self.snapshot.launches) == 1:
            return self.attempt(lambda: build_in_memory(self.options, self.caches), merge=False)
        one = replace(self.options, stages=(shown.stage,), formats=(shown.format,))
        first = self.attempt(lambda: build_in_memory(one, self.caches), merge=True, publish_failure=False)
        if first is None:  # the whole course reports the problems (the shown stage may be gone, too)
            return self.attempt(lambda: build_in_memory(self.options, self.caches), merge=False)
        return self.attempt(self.build_by_format, merge=False)

    def build_by_format(self) -> tuple[dict[str, dict[str, bytes]], tuple[str, ...]]:
        """Every package, once the sources have been quiet for ``options.quiet`` seconds (while an author is
        editing, only the package shown is rebuilt); gives way as soon as they change."""
        deadline = time.monotonic() + self.options.quiet
        while time.monotonic() < deadline and not self.closed:
            time.sleep(min(self.options.interval, max(0.0, deadline - time.monotonic())))
            if source_stamp(self.options) != self.stamp:
                raise Superseded
        made, notes = {}, ()
        for fmt in self.options.formats:
            if self.closed or source_stamp(self.options) != self.stamp:
                raise Superseded
            part, notes = build_in_memory(replace(self.options, formats=(fmt,)), self.caches)
            made.update(part)
        return made, notes

    def attempt(self, run: Callable[[], tuple[dict, tuple]], merge: bool,
                publish_failure: bool = True) -> Snapshot | None:
        """One build, published as the next generation; ``merge`` keeps the packages it did not make. Without
        ``publish_failure``, a failed build is not published and gives None."""
        started = time.perf_counter()
        previous = self.snapshot
        failed = partial(Snapshot, previous.generation + 1, False, previous.title, previous.packages, previous.launches)
        made: dict[str, dict[str, bytes]] = {}
        try:
            made, notes = run()
            packages = {**previous.packages, **made} if merge else made
            title, found = launches(packages, self.options.formats)
            snapshot = Snapshot(previous.generation + 1, True, title, packages, found, (), notes)
        except Superseded:
            return previous
        except SourceErrors as exc:
            snapshot = failed(tuple(str(d) for d in exc.diagnostics) + (exc.message,))
        except ElearnError as exc:
            snapshot = failed((exc.message,))
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server; its traceback goes to stderr
            traceback.print_exc(file=sys.stderr)
            snapshot = failed((f"internal error while building: {exc!r} (traceback in the terminal)",))
        if not snapshot.ok and not publish_failure:
            return None
        snapshot = replace(snapshot, seconds=time.perf_counter() - started, built=len(made) if snapshot.ok else 0)
        with self.changed:
            self.snapshot = snapshot
            self.changed.notify_all()
        if self.on_build is not None:
            self.on_build(snapshot)
        return snapshot

    def watch(self, stop: threading.Event) -> None:
        """Rebuild whenever the sources change, until ``stop`` is set (run in a thread)."""
        while not stop.wait(self.options.interval) and not self.closed:
            if source_stamp(self.options) != self.stamp:
                self.rebuild()

    def wait(self, seen: tuple[int, int] | None, timeout: float) -> tuple[int, int]:
        """The version (generation, statement count) once it differs from ``seen``, or after ``timeout``."""
        with self.changed:
            self.changed.wait_for(lambda: self.closed or self.version != seen, timeout)
            return self.version

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()
        with self.building:  # a build under way finishes first (it gives way at its next step)
            self.caches = Caches()

    def store(self, statements: list[dict]) -> list[str]:
        """Keep statements as an LRS would (an id for each, ``stored``); a repeated id is kept once."""
        ids = []
        stored = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self.changed:
            known = {s["id"] for s in self.statements}
            for statement in statements:
                statement = {**statement, "id": str(statement.get("id") or uuid.uuid4()), "stored": stored}
                ids.append(statement["id"])
                if statement["id"] not in known:
                    known.add(statement["id"])
                    self.statements.append(statement)
            self.changed.notify_all()
        return ids

    def clear_statements(self) -> None:
        with self.changed:
            self.statements = []
            self.changed.notify_all()
