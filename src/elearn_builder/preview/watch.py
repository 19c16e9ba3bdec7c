"""``elearn build --watch``: build, then rebuild in the same process whenever an input changes.

Authors rebuild constantly. A process that stays up skips Python start-up and the imports on every
rebuild, and keeps what the build memoises in memory; with the build cache on, a one-page change
re-renders only what that page touches. Changes are found by polling the inputs' modification times
and sizes (no extra dependency); ``elearn preview`` watches the same way with ``source_stamp``.
"""
from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

INTERVAL = 0.3
"""Seconds between two looks at the inputs' modification times."""


def source_stamp(options) -> tuple:
    """Every file under ``options.source``, ``.templates`` and ``.profile`` (each a file, a folder or None)
    with its mtime and size: changes on any edit, addition or removal. Takes build or preview options."""
    stamp = []
    for root in (options.source, options.templates, options.profile):
        if root is None:
            continue
        paths = [root] if root.is_file() else [Path(d) / f for d, _, fs in os.walk(root) for f in fs]
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue  # removed between the walk and the look
            stamp.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(sorted(stamp))


def changed_paths(before: tuple, after: tuple) -> list[str]:
    """The paths added, removed or modified between two stamps, sorted."""
    old = {path: rest for path, *rest in before}
    new = {path: rest for path, *rest in after}
    return sorted(path for path in old.keys() | new.keys() if old.get(path) != new.get(path))


def describe(paths: list[str]) -> str:
    """What changed, in a few words: ``content/a.md``, ``content/a.md and 2 more``."""
    if not paths:
        return "nothing"
    return paths[0] if len(paths) == 1 else f"{paths[0]} and {len(paths) - 1} more"


Outcome = Callable[[str, object, float], None]
"""Called after each build as (what changed, ``BuildResult`` or the ``ElearnError`` it raised, seconds);
what changed is ``""`` for the first build."""


def watch(options, attempt: Callable[[], object], report: Outcome, interval: float = INTERVAL,
          keep_going: Callable[[], bool] = lambda: True, sleep: Callable[[float], None] = time.sleep) -> None:
    """Run ``attempt`` (one build) now and again after every change to the inputs, while ``keep_going()``.

    Each outcome goes to ``report``: the build's result, or the ``ElearnError`` (``SourceErrors`` included)
    it raised, which leaves the output folder as the last good build wrote it. Any other exception is a
    bug: its traceback goes to stderr and watching goes on. Ctrl-C (KeyboardInterrupt) ends the loop
    by propagating to the caller.
    """
    stamp = source_stamp(options)  # taken before the build: an edit during it triggers another
    once(attempt, report, "")
    while keep_going():
        sleep(interval)
        now = source_stamp(options)
        if now == stamp:
            continue
        what = describe(changed_paths(stamp, now))
        stamp = now
        once(attempt, report, what)


def once(attempt: Callable[[], object], report: Outcome, what: str) -> None:
    """One build and its report."""
    from elearn_builder.diagnostics import ElearnError

    started = time.perf_counter()
    try:
        outcome = attempt()
    except ElearnError as exc:
        outcome = exc
    except Exception:  # noqa: BLE001 - a bug must not end the session; show it and keep watching
        traceback.print_exc(file=sys.stderr)
        print(f"internal error while building after {what or 'start'}: still watching", file=sys.stderr, flush=True)
        return
    report(what, outcome, time.perf_counter() - started)
