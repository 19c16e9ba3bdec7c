"""elearn-builder: Markdown and YAML course sources to SCORM packages that track in any LMS."""
from __future__ import annotations

from types import MappingProxyType

__version__ = "0.1.0"
__all__ = ("BuildOptions", "BuildResult", "Diagnostic", "ElearnError", "SourceErrors", "build", "__version__")

_LAZY = MappingProxyType({"BuildOptions": "build", "BuildResult": "build", "build": "build", "Diagnostic": "diagnostics",
                          "ElearnError": "diagnostics", "SourceErrors": "diagnostics"})


def __getattr__(name: str):
    """Import the public API on first use, so ``elearn --help`` stays instant."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
