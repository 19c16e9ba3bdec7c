"""Where the tests find the repository and the official schemas (importable: conftest modules are not)."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def find_schemas() -> Path | None:
    """The official schema folder: $ELEARN_SCHEMAS, else ../shared/schemas beside the repository."""
    env = os.environ.get("ELEARN_SCHEMAS")
    candidate = Path(env) if env else REPO_ROOT.parent / "shared" / "schemas"
    return candidate if (candidate / "validate.py").is_file() else None
