"""``elearn new``: write a small working course (the package's ``scaffold/``) into a new folder."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from elearn_builder.diagnostics import ElearnError

SCAFFOLD = "scaffold"
PLACEHOLDERS = ("__ID__", "__TITLE__")
"""Written into ``content/programme.yaml`` only: the course id and title, from the folder's name."""
FALLBACK_ID = "my-course"
GITIGNORE = ("# written by elearn build: packages, and the build cache (never commit or share it)\n"
             "/build/\n/.elearn-cache/\n")
"""The course's ``.gitignore``: the output folder and the build cache stay out of version control."""


def course_id(folder: Path) -> str:
    """A programme id ([a-z0-9-]) made from the folder's name, or ``my-course`` when nothing is left."""
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return slug or FALLBACK_ID


def course_title(identifier: str) -> str:
    words = identifier.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def scaffold_files() -> dict[str, bytes]:
    """The scaffold as {relative path: bytes}, read from the installed package."""
    files: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name.startswith((".", "__pycache__")):
                continue
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            else:
                files[f"{prefix}{child.name}"] = child.read_bytes()

    walk(resources.files("elearn_builder") / SCAFFOLD, "")
    if "content/programme.yaml" not in files:
        raise ElearnError("internal error: the package's course scaffold is missing (reinstall elearn-builder)")
    return files


def new_course(target: Path) -> list[Path]:
    """Write the scaffold into ``target`` (absent or empty); returns the files written, sorted.

    The files are written into a temporary sibling folder first and renamed into place, so a failure
    never leaves a half-written course. Refuses a folder that is not empty, or a path that is a file.
    """
    if target.exists() and not target.is_dir():
        raise ElearnError(f'"{target}" exists and is not a folder: choose a new folder for the course')
    if target.is_dir() and any(target.iterdir()):
        raise ElearnError(f'"{target}" is not empty: elearn new only writes into a new or empty folder '
                          "(nothing was changed)")
    identifier = course_id(target)
    files = scaffold_files()
    files["content/programme.yaml"] = (files["content/programme.yaml"].decode("utf-8")
                                       .replace(PLACEHOLDERS[0], identifier)
                                       .replace(PLACEHOLDERS[1], course_title(identifier)).encode("utf-8"))
    files[".gitignore"] = GITIGNORE.encode("utf-8")
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=parent))
    except OSError as exc:
        raise ElearnError(f'cannot create "{target}": {exc.strerror or exc}') from None
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(staging, 0o777 & ~_umask())
        if target.is_dir():
            target.rmdir()  # empty, checked above
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ElearnError(f'cannot write the course into "{target}": {exc.strerror or exc}') from None
    return sorted(target / relative for relative in files)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
