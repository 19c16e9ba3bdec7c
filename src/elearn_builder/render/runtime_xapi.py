"""What a package's runtime needs to speak xAPI: the profile's vocabulary and the activity IRIs of one stage."""
from __future__ import annotations

import json
from pathlib import Path

from elearn_builder.xapi import iris
from elearn_builder.diagnostics import Diagnostics
from elearn_builder.model import Location, Programme, Stage

PROFILE_SUFFIX = ".jsonld"
PLACEHOLDER = "{id}"


def find_profile(folder_or_file: Path | None, programme: Programme) -> Path | None:
    """The profile file: a file given as such, or ``<folder>/<programme id>.jsonld``."""
    if folder_or_file is None:
        return None
    if folder_or_file.is_file():
        return folder_or_file
    candidate = folder_or_file / f"{programme.id}{PROFILE_SUFFIX}"
    return candidate if candidate.is_file() else None


def load_vocabulary(path: Path, diags: Diagnostics):
    """The profile's vocabulary, or None after diagnostics located at the profile file."""
    from elearn_builder.xapi.profile import Vocabulary
    from elearn_builder.xapi.profile_check import check_profile

    where = Location(str(path), 1, 1)
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        diags.error(where, "xapi.profile-unreadable", f"cannot read the xAPI profile: {exc}")
        return None
    except json.JSONDecodeError as exc:
        diags.error(Location(str(path), exc.lineno, exc.colno), "xapi.profile-json", f"not JSON: {exc.msg}")
        return None
    if not isinstance(doc, dict):
        problems = ["the profile must be a JSON object"]
    else:  # checked in every build: 2 ms for the bundled profile, too little to keep
        problems = check_profile(doc)
    for problem in problems:
        diags.error(where, "xapi.profile-invalid", problem)
    return None if problems else Vocabulary(doc)


def activity_iris(programme: Programme, stage: Stage) -> dict:
    """Activity IRIs for the runtime: fixed ones, and patterns in which ``{id}`` stands for a source id."""
    return {
        "course": iris.stage_course(programme, stage.id),
        "au": iris.stage_au(programme, stage.id),
        "selfAssessment": iris.self_assessment(programme),
        "assessment": iris.assessment(programme, programme.assessment_for(stage.id).id),
        "module": iris.module(programme, PLACEHOLDER),
        "page": iris.page(programme, PLACEHOLDER),
        "question": iris.question(programme, PLACEHOLDER),
        "statement": iris.statement(programme, PLACEHOLDER),
        "keyArea": iris.key_area(programme, PLACEHOLDER),
    }


def runtime_xapi(programme: Programme, stage: Stage, vocabulary, lrs: dict[str, str] | None = None) -> dict | None:
    """The ``xapi`` member of the course data, or None when the build has no profile.

    ``lrs`` holds only the settings the author asked for (endpoint, token URL, and an Authorization value
    only with the explicit ``--embed-lrs-auth``); by default a package holds no LRS address or credential.
    """
    if vocabulary is None:
        return None
    return {"vocabulary": vocabulary.for_runtime(), "activities": activity_iris(programme, stage), "lrs": lrs or {}}
