"""What ``elearn build`` tells a person while and after it works: progress, a one-line summary, detail."""
from __future__ import annotations

import time
from typing import Callable, TextIO

PROGRESS_AFTER = 0.3
"""Seconds a build runs before a terminal shows progress (short builds print only the summary)."""


class Progress:
    """Progress on stderr: one rewritten line on a terminal (after ``PROGRESS_AFTER``), a line per step with -v."""

    def __init__(self, stream: TextIO, terminal: bool, verbose: bool, clock: Callable[[], float] = time.perf_counter):
        self.stream, self.terminal, self.verbose, self.clock = stream, terminal, verbose, clock
        self.started = clock()
        self.shown = False

    def __call__(self, done: int, total: int, what: str) -> None:
        elapsed = self.clock() - self.started
        if self.verbose and not self.terminal:
            self.stream.write(f"[{done}/{total}] {what} ({elapsed:.2f} s)\n")
        elif self.terminal and (self.verbose or elapsed >= PROGRESS_AFTER):
            self.stream.write(f"\r\033[K[{done}/{total}] {what}")
            self.shown = True
        self.stream.flush()

    def close(self) -> None:
        """Clear the rewritten line so the summary starts on a clean one."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


def summary(result, output) -> str:
    """One line: packages, files, size, time, and what the cache did."""
    files = sum(p.files for p in result.packages)
    total = sum(p.size for p in result.packages)
    status = result.cache.get("status", "off")
    cached = {"hit": "nothing changed: reused the previous build", "off": "no cache"}.get(
        status, f"{result.cache.get('reused', 0)} entries reused, {result.cache.get('deflated', 0)} compressed")
    return (f"built {len(result.packages)} package(s), {files} files, {kib(total)} into {output} "
            f"in {result.seconds:.2f} s ({cached}; {result.written} written)")


def package_lines(result, verbose: bool) -> list[str]:
    """A line per package; with ``verbose`` its build time too."""
    lines = []
    for p in result.packages:
        line = f"  {p.path}  ({p.files} files, {kib(p.size)})"
        if verbose:
            line += f"  {p.seconds * 1000:.0f} ms" if p.seconds else "  cached"
        lines.append(line)
    return lines


def detail_lines(result) -> list[str]:
    """Verbose detail after the packages: time per step and the cache's work."""
    lines = []
    if result.timings:
        steps = (f"{step} {seconds * 1000:.0f} ms" for step, seconds in result.timings.items())
        lines.append("steps: " + ", ".join(steps))
    cache = result.cache
    lines.append(f"cache: {cache.get('status', 'off')}, {cache.get('reused', 0)} compressed entries reused, "
                 f"{cache.get('deflated', 0)} compressed, "
                 f"{result.written} of {len(result.packages)} package(s) written")
    return lines


def as_json(result) -> dict:
    return {"ok": True, "seconds": round(result.seconds, 3), "cache": dict(result.cache),
            "timings": {k: round(v, 4) for k, v in result.timings.items()}, "written": result.written,
            "diagnostics": [d.as_dict() for d in result.diagnostics],
            "packages": [{"path": str(p.path), "stage": p.stage, "format": p.format, "files": p.files,
                          "bytes": p.size, "seconds": round(p.seconds, 4)} for p in result.packages]}


def rebuild_line(result, changed: str) -> str:
    """``elearn build --watch``: one line per rebuild: what changed, packages rewritten, milliseconds."""
    warnings = sum(d.severity == "warning" for d in result.diagnostics)
    status = result.cache.get("status", "off")
    how = {"hit": "inputs as before", "off": "no cache"}.get(status, f"{result.cache.get('deflated', 0)} entries compressed")
    return (f"rebuilt after {changed} changed: {result.written} of {len(result.packages)} package(s) rewritten "
            f"in {result.seconds * 1000:.0f} ms ({how}" + (f", {warnings} warning(s)" if warnings else "") + ")")


def failed_line(error, changed: str, seconds: float, output) -> str:
    """``elearn build --watch``: the line after a failed build's diagnostics; the output folder is as it was."""
    where = f"after {changed} changed" if changed else "on the first build"
    return (f"{error.message} ({where}, {seconds * 1000:.0f} ms): the zips in {output} are the last good "
            "build's; still watching")
