"""The read step of a build: the course folder, checked, to a ``Course`` ready to render.

Loads the sources (``sources.course.load_course``), selects the stages and formats asked for, checks
that every format's saved state fits, finds the xAPI vocabulary and the schema folder; any error (or
warning, when strict) raises ``SourceErrors`` with every diagnostic. Used by ``build.build`` and by
``elearn preview``.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from elearn_builder.diagnostics import Diagnostic, Diagnostics, ElearnError, SourceErrors, did_you_mean

if TYPE_CHECKING:  # imported where used: a build whose inputs are unchanged needs no model (tests/cli/test_imports.py)
    from elearn_builder.build import BuildOptions
    from elearn_builder.model import Programme

SCHEMAS_ENV = "ELEARN_SCHEMAS"
EMBED_WARNING = ("WARNING: --embed-lrs-auth writes an LRS credential into every package. Anyone who can "
                 "open the zip, or the course in a browser, can read it and write statements as anyone. Prefer "
                 "credentials from the launch (cmi5, xAPI launch) or --lrs-token-url.")


@dataclass(frozen=True)
class Course:
    """What ``read`` gives: the programme and what of it to build, ready to render."""

    programme: Programme
    stages: tuple
    formats: tuple
    """The ``Standard``s to build."""
    vocabulary: object = None
    """The xAPI profile's vocabulary, or None (then the packages record in SCORM only)."""
    schema_dir: Path | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()


def schema_folder(options: BuildOptions) -> Path | None:
    return options.schemas or (Path(os.environ[SCHEMAS_ENV]) if os.environ.get(SCHEMAS_ENV) else None)


def read(options: BuildOptions, caches=None, store=None) -> Course:
    """Load and check the course, select what to build and find the xAPI vocabulary; raise SourceErrors on
    any error (or warning, when strict). With ``caches`` (salted: ``salt``), parses and renders done before
    are reused, from ``store`` (the build cache) too, where the ones this build used are kept."""
    from elearn_builder.sources.course import load_course

    diags = Diagnostics()
    if caches is None:
        programme = load_course(options.source, diags)
    else:
        from elearn_builder.cache.markup import RenderCodec
        from elearn_builder.cache.parses import ParseCodec

        name = hashlib.sha256(f"{caches.parses.salt}\0{options.source.resolve()}".encode()).hexdigest()
        caches.parses.open(store, name, ParseCodec())
        caches.renders.open(store, name, RenderCodec())
        programme = load_course(options.source, diags, caches.parses, caches.renders)
        caches.parses.close()
        caches.renders.close()
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
    return Course(programme, tuple(stages), tuple(formats), vocabulary, schema_dir, tuple(diags.sorted()),
                  tuple(notes))


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
