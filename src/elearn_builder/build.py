"""The build use case: read (``read.py``) -> render -> package -> write, behind a build cache."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from elearn_builder.diagnostics import Diagnostic
from elearn_builder.read import Course, read, schema_folder

Progress = Callable[[int, int, str], None]
"""Called as (packages done, packages in all, what was just done) while a build runs."""


@dataclass(frozen=True)
class BuildOptions:
    source: Path = Path("content")
    output: Path = Path("build")
    templates: Path | None = Path("templates")
    formats: tuple[str, ...] = ()
    """Formats to build; empty means the programme's ``formats``."""
    stages: tuple[str, ...] = ()
    """Stage ids to build; empty means every stage."""
    schemas: Path | None = None
    """Folder of official schemas whose control files go into each package (else ``$ELEARN_SCHEMAS``)."""
    profile: Path | None = Path("xapi_profiles")
    """The xAPI profile file, or a folder holding ``<programme id>.jsonld``."""
    lrs_endpoint: str = ""
    """An LRS endpoint for launches that name none (no secret: credentials still come from the launch)."""
    lrs_token_url: str = ""
    """Where the package asks for LRS credentials when the launch gives an endpoint but no auth."""
    lrs_origins: tuple[str, ...] = ()
    """LRS origins (scheme://host[:port]) a SCORM launch URL may name as its endpoint; others are refused."""
    embed_lrs_auth: str = ""
    """An Authorization value baked into every package: readable by anyone holding the zip."""
    strict: bool = False
    max_image_width: int = 0
    """Resize wider PNG/JPEG/GIF/WebP media to this many pixels and recompress them (0: copy media as they are)."""
    cache: bool = True
    """Reuse earlier work from the build cache (``.elearn-cache`` beside the output, or ``cache_dir``)."""
    cache_dir: Path | None = None
    jobs: int = 1
    """Processes that render packages (and threads that compress them). One by default: on the 2-core
    machine this was measured on, shared with other work, more was slower (see the README's Performance)."""


@dataclass(frozen=True)
class PackageInfo:
    path: Path
    stage: str
    format: str
    files: int
    size: int
    seconds: float = 0.0
    """Time spent rendering and zipping this package (0 when it came from the cache)."""


@dataclass(frozen=True)
class BuildResult:
    packages: tuple[PackageInfo, ...]
    diagnostics: tuple[Diagnostic, ...]
    notes: tuple[str, ...] = field(default=())
    seconds: float = 0.0
    cache: dict = field(default_factory=dict)
    """``status`` (``hit``: the whole build reused, ``miss``, ``off``), ``deflated`` and ``reused`` entries."""
    timings: dict = field(default_factory=dict)
    """Seconds per step: ``inputs``, ``load``, ``render``, ``zip``, ``write``."""
    written: int = 0
    """Packages actually rewritten (the others were already byte-identical in the output folder)."""


def build(options: BuildOptions, progress: Progress | None = None, caches=None) -> BuildResult:
    """Build every selected stage and format; raise SourceErrors (writing nothing) on any error.

    The pipeline: ``read`` the sources, ``render`` every package in memory, ``package`` them as zips,
    ``write`` the zips; with the cache on, a build whose inputs all hash as before reuses the finished
    zips instead, and any other build reuses what is unchanged (parses, renders, fragments, deflated
    entries). ``caches`` (a ``cache.memo.Caches``) is what this process remembers between builds: a
    long-lived process passes the same one every time. The output is the same bytes either way.
    """
    from elearn_builder.cache.memo import Caches

    caches = caches if caches is not None else Caches()
    clock = Clock()
    store = key = None
    if options.cache:
        store, key = cache_key(options, caches)
        if key is not None:
            hit = from_cache(store, key, options, clock)
            if hit is not None:
                return hit
    clock.lap("inputs")
    course = read(options, caches if options.cache else None, store)
    clock.lap("load")
    result, shas = build_fresh(options, course, caches, store, clock, progress)
    if store is not None and key is not None:
        store.put_record(key, {
            "order": [p.path.name for p in result.packages],
            "packages": {p.path.name: {"stage": p.stage, "format": p.format, "files": p.files, "sha256": sha}
                         for p, sha in zip(result.packages, shas)},
            "diagnostics": [d.as_dict() for d in result.diagnostics], "notes": list(result.notes)})
        store.trim()
    return result


class Clock:
    """Seconds per step of a build (``lap``), and since it began."""

    def __init__(self):
        self.started = self.mark = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = now - self.mark
        self.mark = now

    def total(self) -> float:
        return time.perf_counter() - self.started


def cache_key(options: BuildOptions, caches) -> tuple[object, str | None]:
    """The build cache and the key of this build's inputs (None when one cannot be read: the build itself will
    say what is wrong); the memos of ``caches`` are salted with the package's hash."""
    from elearn_builder.cache.builds import BuildCache, default_root, inputs_key

    store = BuildCache(options.cache_dir or default_root(options.output))
    settings = {name: getattr(options, name) for name in BuildOptions.__dataclass_fields__
                if name not in ("output", "cache", "cache_dir", "jobs")}
    trees = {"source": options.source, "templates": options.templates, "profile": options.profile,
             "schemas": schema_folder(options)}
    try:
        key, tool = inputs_key(settings, trees, options.output, store, caches.stats)
    except OSError:
        salt(caches)
        return store, None
    caches.salted(tool)
    return store, key


def salt(caches):
    """``caches`` salted with the package's hash (``cache.builds.package_hash``)."""
    from functools import partial

    from elearn_builder.cache.builds import file_digest, package_hash

    return caches.salted(package_hash(partial(file_digest, caches.stats)))


def from_cache(store, key: str, options: BuildOptions, clock: Clock) -> BuildResult | None:
    """The finished build recorded for these inputs, written out where the output differs; None on any doubt."""
    from elearn_builder.packaging.write import digest, write

    record = store.record(key)
    if record is None:
        return None
    try:
        zips, infos = {}, []
        for name in record["order"]:
            entry = record["packages"][name]
            data = store.blob(entry["sha256"], "zips")
            if data is None or digest(data) != entry["sha256"] or Path(name).name != name or name.startswith("."):
                return None
            zips[name] = data
            infos.append(PackageInfo(options.output / name, str(entry["stage"]), str(entry["format"]),
                                     int(entry["files"]), len(data)))
        diagnostics = stored_diagnostics(record["diagnostics"])
        notes = tuple(str(n) for n in record["notes"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    written = write(options.output, zips)
    return BuildResult(tuple(infos), diagnostics, notes, clock.total(),
                       {"status": "hit", "deflated": 0, "reused": 0}, {}, len(written))


def stored_diagnostics(items: list) -> tuple[Diagnostic, ...]:
    """The diagnostics a cache record holds (the model is imported only when there are some)."""
    if not items:
        return ()
    from elearn_builder.model import Location

    return tuple(Diagnostic(Location(str(d["path"]), int(d["line"]), int(d["col"])), str(d["severity"]),
                            str(d["code"]), str(d["message"])) for d in items)


def build_fresh(options: BuildOptions, course: Course, caches, store, clock: Clock,
                progress: Progress | None) -> tuple[BuildResult, list[str]]:
    """Render, package and write ``course`` (reusing deflated entries from ``store`` when there is one); the
    result and each zip's SHA-256."""
    from elearn_builder.packaging.write import Deflater, digest, package, write
    from elearn_builder.render.packages import package_name, render

    programme = course.programme
    names = [package_name(programme, stage.id, standard.name) for standard in course.formats for stage in course.stages]
    seconds = dict.fromkeys(names, 0.0)
    steps = {"done": 0}

    def done(what: str):
        def report(name: str, took: float) -> None:
            seconds[name] += took
            steps["done"] += 1
            if progress is not None:
                progress(steps["done"], 2 * len(names), f"{what} {name}")
        return report

    files = render(course, options, caches, store, done("rendered"), reuse=options.cache)
    clock.lap("render")
    deflater = Deflater(store.blob if store else None, store.put_blob if store else None, workers=options.jobs)
    zips = package({name: files[name] for name in names}, deflater, done("zipped"))
    clock.lap("zip")
    written = write(options.output, zips)
    clock.lap("write")
    infos, shas = [], []
    for standard in course.formats:
        for stage in course.stages:
            name = package_name(programme, stage.id, standard.name)
            infos.append(PackageInfo(options.output / name, stage.id, standard.name, len(files[name]),
                                     len(zips[name]), seconds[name]))
            shas.append(digest(zips[name]))
            if store is not None:
                store.put_blob(shas[-1], zips[name], "zips")
    cache = {"status": "miss" if store else "off", "deflated": deflater.deflated, "reused": deflater.reused}
    return BuildResult(tuple(infos), course.diagnostics, course.notes, clock.total(), cache, dict(clock.laps),
                       len(written)), shas


