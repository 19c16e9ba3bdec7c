"""Located diagnostics: collect every problem, then stop once with all of them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

import click

if TYPE_CHECKING:  # annotations only: importing the model here would load it on every command
    from elearn_builder.model import Location

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem in the sources, with where it is and a stable code."""

    location: Location
    severity: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity} [{self.code}] {self.message}"

    def as_dict(self) -> dict:
        loc = self.location
        return {"path": loc.path, "line": loc.line, "col": loc.col, "severity": self.severity,
                "code": self.code, "message": self.message}


@dataclass
class Collector:
    """Problems gathered by checks that never raise for one bad item (each with a ``severity``)."""

    items: list = field(default_factory=list)

    @property
    def errors(self) -> list:
        return [d for d in self.items if d.severity == ERROR]

    @property
    def warnings(self) -> list:
        return [d for d in self.items if d.severity == WARNING]


@dataclass
class Diagnostics(Collector):
    """The source validators' collector: problems located by ``path:line:col``."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, code: str, message: str) -> None:
        self.items.append(Diagnostic(location, ERROR, code, message))

    def warning(self, location: Location, code: str, message: str) -> None:
        self.items.append(Diagnostic(location, WARNING, code, message))

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics in source order (path, line, column), errors before warnings at one place."""
        return sorted(self.items, key=lambda d: (d.location.path, d.location.line, d.location.col,
                                                 d.severity != ERROR, d.code))


class ElearnError(click.ClickException):
    """Root of our errors: caught once at the CLI boundary, printed without a traceback."""

    exit_code = 1


class SourceErrors(ElearnError):
    """The sources have errors (or warnings under ``--strict``); carries every diagnostic."""

    def __init__(self, diagnostics: Iterable[Diagnostic], strict: bool = False):
        self.diagnostics = list(diagnostics)
        errors = sum(d.severity == ERROR for d in self.diagnostics)
        warnings = len(self.diagnostics) - errors
        reason = f"{errors} error(s), {warnings} warning(s)"
        if strict and not errors:
            reason += " (warnings fail the build under --strict)"
        super().__init__(f"build failed: {reason}; nothing was written")

    def show(self, file=None) -> None:
        """Every diagnostic on its own line, then the one-line verdict (on stderr)."""
        for diagnostic in self.diagnostics:
            click.echo(str(diagnostic), err=True)
        super().show(file)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A ' (did you mean "x"?)' suffix for a near miss, or an empty string."""
    import difflib

    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""
