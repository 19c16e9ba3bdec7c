"""The ``elearn`` command line: thin click commands over the parts."""
from __future__ import annotations

from elearn_builder.cli.commands import main

__all__ = ["main"]
