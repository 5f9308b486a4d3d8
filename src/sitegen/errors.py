"""Problems found while building, and the exception that carries them to the CLI.

Every problem names a place (`path:line`) so an editor can jump straight to it.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import click


@dataclass(frozen=True, order=True)
class Location:
    """A place in a site file: its path relative to the site root, and a 1-based line."""

    path: PurePosixPath
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, printed as `path:line: message`."""

    location: Location
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.is_error else "warning: "
        return f"{self.location}: {prefix}{self.message}"


def error(location: Location, message: str) -> Problem:
    return Problem(location, message, Severity.ERROR)


def warning(location: Location, message: str) -> Problem:
    return Problem(location, message, Severity.WARNING)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Order problems by file and line so output is stable and easy to scan."""
    return sorted(problems, key=lambda p: (str(p.location.path), p.location.line or 0, p.message))


def shown(value: object, limit: int = 80) -> str:
    """`value` as a message shows it: its repr, cut short (a pasted article body as a
    title would otherwise fill the terminal). Every message quoting a value from the
    site's files goes through it; file paths are not values and stay whole."""
    return cut(repr(value), limit)


def cut(text: str, limit: int = 80) -> str:
    """`text` cut short with '…': for user text a message shows unquoted (a key, a
    parser's complaint that quotes the value)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_installed(library: str, extra: str) -> str:
    """The end of a message for an optional library that is missing, with the command
    that installs it (`install_command`)."""
    return f"needs {library}, which is not installed; install it with: {install_command(extra)}"


def install_command(extra: str) -> str:
    """How to install one of sitegen's optional extras (`pyproject.toml`)."""
    return f"pip install 'sitegen[{extra}]'"


def suggest(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class SitegenError(click.ClickException):
    """A build cannot go on; carries every problem found so far."""

    exit_code = 1

    def __init__(self, problems: Sequence[Problem], what: str = "build failed") -> None:
        self.problems = tuple(sort_problems(problems))
        self.what = what
        errors = sum(p.is_error for p in self.problems)
        super().__init__(f"{what} ({errors} problem{'s' if errors != 1 else ''})")

    def __reduce__(self) -> tuple[type[SitegenError], tuple[list[Problem], str]]:
        """Picklable as itself: one raised in a forked worker reaches the parent whole."""
        return type(self), (list(self.problems), self.what)

    def format_message(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def show(self, file: object = None) -> None:
        echo_problems(self.problems)
        click.echo(f"error: {self.message}", err=True)


def echo_problems(problems: Iterable[Problem]) -> None:
    """Print problems to stderr in one write: an archive can have thousands of warnings,
    and a write per line cost a one-article rebuild a tenth of a second."""
    if text := "\n".join(str(p) for p in problems):
        click.echo(text, err=True)


class ConfigError(SitegenError):
    """sitegen.yaml is missing something or holds a wrong value."""


class ContentError(SitegenError):
    """One or more content files or templates cannot be built."""


class OutputError(SitegenError):
    """The output directory cannot be written safely."""
