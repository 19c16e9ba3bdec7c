"""The build use case: load -> validate -> model -> render -> package -> verify."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .diagnostics import Diagnostic, Diagnostics, ElearnError, SourceErrors, did_you_mean
from .load import PROGRAMME_FILE, load_course
from .model import Location, Programme
from .package import write_packages
from .render import TemplateError, environment, load_strings, render_stage
from .standards import Standard, registry
from .state import STATE_LIMITS, largest_written_answer, worst_case

SCHEMAS_ENV = "ELEARN_SCHEMAS"
EMBED_WARNING = ("WARNING: --embed-lrs-auth writes an LRS credential into every package. Anyone who can "
                 "open the zip, or the course in a browser, can read it and write statements as anyone. Prefer "
                 "credentials from the launch (cmi5, xAPI launch) or --lrs-token-url.")
XAPI_ONLY = ("cmi5", "xapi")
"""Formats whose only tracking is xAPI."""


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
    embed_lrs_auth: str = ""
    """An Authorization value baked into every package: readable by anyone holding the zip."""
    strict: bool = False


@dataclass(frozen=True)
class PackageInfo:
    path: Path
    stage: str
    format: str
    files: int
    size: int


@dataclass(frozen=True)
class BuildResult:
    packages: tuple[PackageInfo, ...]
    diagnostics: tuple[Diagnostic, ...]
    notes: tuple[str, ...] = field(default=())
    seconds: float = 0.0


def package_name(programme: Programme, stage_id: str, fmt: str) -> str:
    return f"{programme.id}-{stage_id}-{fmt}.zip"


def build(options: BuildOptions) -> BuildResult:
    """Build every selected stage and format; raise SourceErrors (writing nothing) on any error."""
    started = time.perf_counter()
    diags = Diagnostics()
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
    schema_dir = options.schemas or (Path(os.environ[SCHEMAS_ENV]) if os.environ.get(SCHEMAS_ENV) else None)
    if schema_dir is None:
        notes.append("no schema folder given (--schemas or ELEARN_SCHEMAS): packages are built without the "
                     "XSD control files; most LMSs accept that")
    elif not schema_dir.is_dir():
        raise ElearnError(f'schema folder "{schema_dir}" not found (from --schemas or {SCHEMAS_ENV})')
    packages = render_all(programme, stages, formats, options, schema_dir, vocabulary)
    for name, files in packages.items():
        verify(name, files)
    write_packages(options.output, packages)
    infos = []
    for standard in formats:
        for stage in stages:
            name = package_name(programme, stage.id, standard.name)
            path = options.output / name
            infos.append(PackageInfo(path, stage.id, standard.name, len(packages[name]), path.stat().st_size))
    return BuildResult(tuple(infos), tuple(diags.sorted()), tuple(notes), time.perf_counter() - started)


def select(programme: Programme | None, options: BuildOptions, diags: Diagnostics) -> tuple[list, list]:
    """The stages and standards to build, checking ``--stage``/``--format`` against the programme."""
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


def check_state_budget(programme: Programme, stages, formats: list[Standard], diags: Diagnostics) -> None:
    """Fail a stage whose largest possible saved state would not fit the format's suspend data."""
    for stage in stages:
        assessment = programme.assessment_for(stage.id)
        worst = worst_case(programme, assessment)
        for standard in formats:
            limit = STATE_LIMITS[standard.name]
            if worst > limit:
                biggest = largest_written_answer(assessment)
                hint = (f"; the longest typed answer is {biggest.id} (max_length {biggest.max_length} at "
                        f"{biggest.location})" if biggest else "")
                diags.error(assessment.location, "state.too-large",
                            f'stage "{stage.id}": the saved state could reach {worst:,} characters, over the '
                            f"{limit:,} that {standard.label} keeps in cmi.suspend_data{hint}: lower max_length, "
                            "draw fewer questions, or build without this format")


def read_media(programme: Programme, source: Path) -> dict[str, bytes]:
    return {m.target: (source / m.source).read_bytes() for m in programme.media}


def profile_vocabulary(programme: Programme, options: BuildOptions, formats: list[Standard], diags: Diagnostics,
                       notes: list[str]):
    """The xAPI vocabulary for the runtime; the xAPI-only formats cannot be built without it."""
    from .xapidata import find_profile, load_vocabulary

    path = find_profile(options.profile, programme)
    if path is not None:
        return load_vocabulary(path, diags)
    needing = [s.name for s in formats if s.name in XAPI_ONLY]
    where = Location(PROGRAMME_FILE, 1, 1)
    if needing:
        diags.error(where, "xapi.no-profile", f"format(s) {', '.join(needing)} need the programme's xAPI profile; "
                    f'none found at "{options.profile}" (expected {programme.id}.jsonld there, or give --profile)')
    else:
        notes.append(f'no xAPI profile found at "{options.profile}": the packages record in SCORM only')
    return None


def lrs_settings(options: BuildOptions) -> dict[str, str]:
    """LRS settings baked into the packages: only what was asked for, nothing by default."""
    pairs = (("endpoint", options.lrs_endpoint), ("tokenUrl", options.lrs_token_url), ("auth", options.embed_lrs_auth))
    return {key: value for key, value in pairs if value}


def render_all(programme: Programme, stages, formats: list[Standard], options: BuildOptions,
               schema_dir: Path | None, vocabulary=None) -> dict[str, dict[str, bytes]]:
    """Every package in memory: {zip name: {path: bytes}}."""
    from .controlfiles import ControlFileError, control_files
    from .xapidata import runtime_xapi

    env = environment(options.templates)
    strings = load_strings(programme.language)
    media = read_media(programme, options.source)
    packages = {}
    for standard in formats:
        for stage in stages:
            xapi = runtime_xapi(programme, stage, vocabulary, lrs_settings(options))
            try:
                files = render_stage(env, programme, stage, standard.name, standard.adapter, strings, media, xapi)
            except TemplateError as exc:
                raise ElearnError(str(exc)) from None
            descriptors = standard.manifest(programme, stage, sorted(files))
            files.update(descriptors)
            if schema_dir is not None:
                for manifest in descriptors.values():
                    try:
                        files.update(control_files(manifest, schema_dir, standard.schema_subdir))
                    except ControlFileError as exc:
                        raise ElearnError(str(exc)) from None
            packages[package_name(programme, stage.id, standard.name)] = files
    return packages


DESCRIPTORS = ("imsmanifest.xml", "cmi5.xml", "tincan.xml")
LOCAL_REFS = ("//*[local-name()='resource']/@href | //*[local-name()='file']/@href"
              " | //*[local-name()='url']/text() | //*[local-name()='launch']/text()")


def verify(name: str, files: dict[str, bytes]) -> None:
    """Self-check before writing: one descriptor parses and every file it names is in the package."""
    present = [d for d in DESCRIPTORS if d in files]
    if len(present) != 1:
        raise ElearnError(f"{name}: internal error: expected one package descriptor, found {present or 'none'}")
    root = etree.fromstring(files[present[0]])
    for ref in root.xpath(LOCAL_REFS):
        if ref.strip() not in files:
            raise ElearnError(f"{name}: internal error: {present[0]} names {ref.strip()!r}, which is not in the package")
