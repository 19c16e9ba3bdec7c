"""The build use case: load -> validate -> model -> render -> package -> verify, behind a build cache."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from elearn_builder.diagnostics import Diagnostic, Diagnostics, ElearnError, SourceErrors, did_you_mean

if TYPE_CHECKING:  # imported where used: a build whose inputs are unchanged needs neither the model nor the
    from elearn_builder.model import Programme  # renderers (see tests/cli/test_imports.py)

SCHEMAS_ENV = "ELEARN_SCHEMAS"
EMBED_WARNING = ("WARNING: --embed-lrs-auth writes an LRS credential into every package. Anyone who can "
                 "open the zip, or the course in a browser, can read it and write statements as anyone. Prefer "
                 "credentials from the launch (cmi5, xAPI launch) or --lrs-token-url.")


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


def package_name(programme: Programme, stage_id: str, fmt: str) -> str:
    return f"{programme.id}-{stage_id}-{fmt}.zip"


def schema_folder(options: BuildOptions) -> Path | None:
    return options.schemas or (Path(os.environ[SCHEMAS_ENV]) if os.environ.get(SCHEMAS_ENV) else None)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build every selected stage and format; raise SourceErrors (writing nothing) on any error.

    With the cache on, a build whose inputs all hash as before reuses the finished zips, and any
    other build reuses the deflated entries whose content did not change. The output is the same
    bytes either way.
    """
    from elearn_builder.cache.builds import BuildCache, default_root, inputs_key

    started = time.perf_counter()
    store = key = None
    if options.cache:
        store = BuildCache(options.cache_dir or default_root(options.output))
        settings = {name: getattr(options, name) for name in BuildOptions.__dataclass_fields__
                    if name not in ("output", "cache", "cache_dir", "jobs")}
        trees = {"source": options.source, "templates": options.templates, "profile": options.profile,
                 "schemas": schema_folder(options)}
        try:
            key = inputs_key(settings, trees, options.output, store)
        except OSError:  # an unreadable input: the build itself will say what is wrong
            key = None
        if key is not None:
            hit = from_cache(store, key, options, started)
            if hit is not None:
                return hit
    result, shas = build_fresh(options, store, started, progress)
    if store is not None and key is not None:
        store.put_record(key, {
            "order": [p.path.name for p in result.packages],
            "packages": {p.path.name: {"stage": p.stage, "format": p.format, "files": p.files, "sha256": sha}
                         for p, sha in zip(result.packages, shas)},
            "diagnostics": [d.as_dict() for d in result.diagnostics], "notes": list(result.notes)})
        store.trim()
    return result


def from_cache(store, key: str, options: BuildOptions, started: float) -> BuildResult | None:
    """The finished build recorded for these inputs, written out where the output differs; None on any doubt."""
    from elearn_builder.packaging.write import digest, write_packages

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
    changed = unchanged_removed(options.output, zips)
    write_packages(options.output, changed)
    return BuildResult(tuple(infos), diagnostics, notes, time.perf_counter() - started,
                       {"status": "hit", "deflated": 0, "reused": 0}, {}, len(changed))


def stored_diagnostics(items: list) -> tuple[Diagnostic, ...]:
    """The diagnostics a cache record holds (the model is imported only when there are some)."""
    if not items:
        return ()
    from elearn_builder.model import Location

    return tuple(Diagnostic(Location(str(d["path"]), int(d["line"]), int(d["col"])), str(d["severity"]),
                            str(d["code"]), str(d["message"])) for d in items)


def unchanged_removed(output: Path, zips: dict[str, bytes]) -> dict[str, bytes]:
    """The zips whose file in ``output`` is missing or holds other bytes."""
    changed = {}
    for name, data in zips.items():
        try:
            same = (output / name).stat().st_size == len(data) and (output / name).read_bytes() == data
        except OSError:
            same = False
        if not same:
            changed[name] = data
    return changed


def build_fresh(options: BuildOptions, store, started: float,
                progress: Progress | None) -> tuple[BuildResult, list[str]]:
    """Load, check, render, zip and write (reusing deflated entries from ``store`` when there is one)."""
    from elearn_builder.sources.course import load_course
    from elearn_builder.cache.markup import MEMO
    from elearn_builder.packaging.write import Deflater, digest, write_packages, zip_bytes

    timings = {"inputs": time.perf_counter() - started}
    diags = Diagnostics()
    with MEMO.using(store, options.source):  # Markdown rendered by an earlier build is reused
        programme = load_course(options.source, diags)
    stages, formats = select(programme, options, diags)
    vocabulary, notes = None, []
    if options.embed_lrs_auth:
        notes.append(EMBED_WARNING)
    if programme is not None:
        check_state_budget(programme, stages, formats, diags)
        vocabulary = profile_vocabulary(programme, options, formats, diags, notes)
    if diags.errors or (options.strict and diags.warnings):
        raise SourceErrors(diags.sorted(), strict=options.strict)
    schema_dir = schema_folder(options)
    if schema_dir is None:
        notes.append("no schema folder given (--schemas or ELEARN_SCHEMAS): packages are built without the "
                     "XSD control files; most LMSs accept that, `elearn validate --strict` does not")
    elif not schema_dir.is_dir():
        raise ElearnError(f'schema folder "{schema_dir}" not found (from --schemas or {SCHEMAS_ENV})')
    timings["load"] = time.perf_counter() - started - timings["inputs"]
    mark = time.perf_counter()
    names = [package_name(programme, stage.id, standard.name) for standard in formats for stage in stages]
    total = len(names)
    tick = (lambda done, what: progress(done, 2 * total, what)) if progress else (lambda done, what: None)
    from elearn_builder.render.packages import render_all

    packages, seconds = render_all(programme, stages, formats, options, schema_dir, vocabulary, tick, store)
    for name, files in packages.items():
        verify(name, files)
    timings["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    deflater = Deflater(store.blob if store else None, store.put_blob if store else None, workers=options.jobs)
    deflater.prepare(data for files in packages.values() for data in files.values())
    zips = {}
    for done, name in enumerate(names, total + 1):
        began = time.perf_counter()
        zips[name] = zip_bytes(packages[name], deflater)
        seconds[name] += time.perf_counter() - began
        tick(done, f"zipped {name}")
    timings["zip"] = time.perf_counter() - mark
    mark = time.perf_counter()
    changed = unchanged_removed(options.output, zips)
    write_packages(options.output, changed)
    timings["write"] = time.perf_counter() - mark
    infos, shas = [], []
    for standard in formats:
        for stage in stages:
            name = package_name(programme, stage.id, standard.name)
            infos.append(PackageInfo(options.output / name, stage.id, standard.name, len(packages[name]),
                                     len(zips[name]), seconds[name]))
            shas.append(digest(zips[name]))
            if store is not None:
                store.put_blob(shas[-1], zips[name], "zips")
    cache = {"status": "miss" if store else "off", "deflated": deflater.deflated, "reused": deflater.reused}
    return BuildResult(tuple(infos), tuple(diags.sorted()), tuple(notes), time.perf_counter() - started, cache,
                       timings, len(changed)), shas


def select(programme: Programme | None, options: BuildOptions, diags: Diagnostics) -> tuple[list, list]:
    """The stages and standards to build, checking ``--stage``/``--format`` against the programme."""
    from elearn_builder.sources.course import PROGRAMME_FILE
    from elearn_builder.model import Location
    from elearn_builder.standards import registry

    where = Location(PROGRAMME_FILE, 1, 1)
    standards = registry()
    formats = []
    for fmt in options.formats:
        if fmt not in standards:
            diags.error(where, "format.unknown", f'unknown format "{fmt}" (requested with --format); expected one of '
                        f'{", ".join(standards)}{did_you_mean(fmt, standards)}')
        else:
            formats.append(standards[fmt])
    if programme is None:
        return [], []
    known = [s.id for s in programme.stages]
    for stage_id in options.stages:
        if stage_id not in known:
            diags.error(programme.stages[0].location or where, "stage.unknown", f'no stage "{stage_id}" (requested with --stage); the programme has '
                        f'{", ".join(known)}{did_you_mean(stage_id, known)}')
    stages = [s for s in programme.stages if not options.stages or s.id in options.stages]
    if not options.formats:
        formats = [standards[f] for f in programme.formats]
    return stages, formats


def check_state_budget(programme: Programme, stages, formats: list, diags: Diagnostics) -> None:
    """Fail a stage whose largest possible saved state would not fit the format's suspend data."""
    from elearn_builder.standards.state import largest_written_answer, worst_case

    for stage in stages:
        assessment = programme.assessment_for(stage.id)
        worst = worst_case(programme, assessment)
        for standard in formats:
            limit = standard.state_limit
            if worst > limit:
                biggest = largest_written_answer(assessment)
                hint = (f"; the longest typed answer is {biggest.id} (max_length {biggest.max_length} at "
                        f"{biggest.location})" if biggest else "")
                diags.error(assessment.location, "state.too-large",
                            f'stage "{stage.id}": the saved state could reach {worst:,} characters, over the '
                            f"{limit:,} that {standard.label} keeps in cmi.suspend_data{hint}: lower max_length, "
                            "draw fewer questions, or build without this format")


def profile_vocabulary(programme: Programme, options: BuildOptions, formats: list, diags: Diagnostics,
                       notes: list[str]):
    """The xAPI vocabulary for the runtime; the xAPI-only formats cannot be built without it."""
    from elearn_builder.sources.course import PROGRAMME_FILE
    from elearn_builder.model import Location
    from elearn_builder.render.runtime_xapi import find_profile, load_vocabulary

    path = find_profile(options.profile, programme)
    if path is not None:
        return load_vocabulary(path, diags)
    needing = [s.name for s in formats if s.xapi_only]
    where = Location(PROGRAMME_FILE, 1, 1)
    if needing:
        diags.error(where, "xapi.no-profile", f"format(s) {', '.join(needing)} need the programme's xAPI profile; "
                    f'none found at "{options.profile}" (expected {programme.id}.jsonld there, or give --profile)')
    else:
        notes.append(f'no xAPI profile found at "{options.profile}": the packages record in SCORM only')
    return None


LOCAL_REFS = ("//*[local-name()='resource']/@href | //*[local-name()='file']/@href"
              " | //*[local-name()='url']/text() | //*[local-name()='launch']/text()")


def verify(name: str, files: dict[str, bytes]) -> None:
    """Self-check before writing: one descriptor parses and every file it names is in the package."""
    from lxml import etree

    from elearn_builder.standards import descriptors

    present = [d for d in descriptors() if d in files]
    if len(present) != 1:
        raise ElearnError(f"{name}: internal error: expected one package descriptor, found {present or 'none'}")
    root = etree.fromstring(files[present[0]])
    for ref in root.xpath(LOCAL_REFS):
        if ref.strip() not in files:
            raise ElearnError(f"{name}: internal error: {present[0]} names {ref.strip()!r}, which is not in the package")
