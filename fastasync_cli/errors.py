"""One error tree for everything the CLI refuses, and the one place that reports it.

Every error a user can cause is a `FastasyncError`; its class decides the exit code, its text is
the one line printed after ``error:``. Nothing else in the package prints errors or picks exit
codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from rich.console import Console


class FastasyncError(Exception):
    """Root of every error the CLI reports to the user (exit code 1 unless a subclass says)."""

    exit_code: ClassVar[int] = 1

    @property
    def message(self) -> str:
        """The error as one line: Copier's multi-line messages are folded."""
        return " ".join(str(self).split())


class UsageError(FastasyncError):
    """A flag, argument, preset or ``--data`` value that cannot be used."""

    exit_code = 2


class InvalidAnswerError(UsageError):
    """Copier refused an answer (its validator in copier.yml, or a choice it does not offer)."""


class NotInteractiveError(UsageError):
    """Questions are left to ask but there is no terminal to ask them on."""


class TargetExistsError(FastasyncError):
    """The project directory already exists and holds something."""


class OutputDirError(FastasyncError):
    """The output directory is missing, not a directory, or not writable."""


class TemplateError(FastasyncError):
    """The template cannot be found or Copier failed while rendering it."""


class Aborted(FastasyncError):
    """The user interrupted (Ctrl-C); whatever was started has been removed."""

    exit_code = 130


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def report(error: FastasyncError) -> int:
    """Print `error` as one red line on stderr and return its exit code."""
    from rich.text import Text

    if isinstance(error, Aborted):
        line = Text.assemble(("Aborted", "red"), f": {error.message}" if error.message else "")
    else:
        line = Text.assemble(("error:", "bold red"), " ", error.message)
    _stderr().print(line)
    return error.exit_code


def warn(message: str) -> None:
    """Print a one-line warning on stderr; the command goes on."""
    from rich.text import Text

    _stderr().print(Text.assemble(("warning:", "yellow"), " ", " ".join(message.split())))
