"""Strict checks of xAPI statements, because Ralph itself accepts invalid ones.

Both functions take a list of statements and return one list of problems per statement (empty
when it is valid), in one subprocess for the whole list:

- ``validate_with_learninglocker``: npm ``@learninglocker/xapi-validation`` 3.0.0 under node
  (``npm ci`` installs it into node_modules);
- ``validate_with_ralph``: Ralph's ``BaseXapiStatement`` pydantic model, in Ralph's venv.

Statements read back from Ralph carry ``stored`` and ``authority``: both validators accept those.
``ValidatorUnavailable`` says what is missing (tests turn it into a skip, or a failure in CI).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from lrs.server import REPO, RalphUnavailable, find_ralph_python

HERE = Path(__file__).resolve().parent
NODE_SCRIPT = HERE / "learninglocker_check.js"
RALPH_SCRIPT = HERE / "ralph_model_check.py"
LEARNINGLOCKER = REPO / "node_modules" / "@learninglocker" / "xapi-validation"


class ValidatorUnavailable(RuntimeError):
    """node, the npm package or Ralph's venv is missing."""


def learninglocker_missing() -> str | None:
    """Why ``validate_with_learninglocker`` cannot run here, or None."""
    if shutil.which("node") is None:
        return "node not found"
    if not (LEARNINGLOCKER / "package.json").is_file():
        return f"{LEARNINGLOCKER.relative_to(REPO)} not found (run npm ci in the repository)"
    return None


def _run(command: list[str], statements: list[Any], what: str) -> list[list[str]]:
    proc = subprocess.run(command, input=json.dumps(statements), capture_output=True, text=True,
                          timeout=300, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    results = json.loads(proc.stdout)
    assert len(results) == len(statements), f"{what} gave {len(results)} results for {len(statements)} statements"
    return results


def validate_with_learninglocker(statements: list[Any]) -> list[list[str]]:
    """Problems per statement according to @learninglocker/xapi-validation (one node process)."""
    missing = learninglocker_missing()
    if missing:
        raise ValidatorUnavailable(missing)
    return _run(["node", str(NODE_SCRIPT)], list(statements), "@learninglocker/xapi-validation")


def validate_with_ralph(statements: list[Any], python: Path | None = None) -> list[list[str]]:
    """Problems per statement according to Ralph's BaseXapiStatement (one process in Ralph's venv)."""
    if python is None:
        try:
            python = find_ralph_python()
        except RalphUnavailable as error:
            raise ValidatorUnavailable(str(error)) from error
    return _run([str(python), str(RALPH_SCRIPT)], list(statements), "Ralph's BaseXapiStatement")


def report(statements: list[Any], problems: list[list[str]]) -> str:
    """The problems, one line each, prefixed with the statement's id (or index): for assertion messages."""
    lines = []
    for index, (statement, found) in enumerate(zip(statements, problems)):
        name = statement.get("id", f"#{index}") if isinstance(statement, dict) else f"#{index}"
        lines += [f"{name}: {problem}" for problem in found]
    return "\n".join(lines)
