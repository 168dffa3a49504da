"""The only module that talks to Copier: copying the template, and updating a project.

Copier costs ~0.45 s to import, so it is imported inside the functions that run it, never at
module level: ``fastasync --help`` and ``--version`` never pay for it. Where the template
comes from is source.py's business.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastasync_cli.errors import (
    Aborted,
    DirtyTreeError,
    DowngradeError,
    FastasyncError,
    InvalidAnswerError,
    NotAProjectError,
    NotInteractiveError,
    OutputDirError,
    TemplateError,
)
from fastasync_cli.source import Source

if TYPE_CHECKING:
    from copier import Worker

# Copier's own wording for an answer it refuses (`Question.validate_answer`, `parse_answer`,
# and a question left without any answer under `defaults=True`).
_ANSWER_ERRORS = ("Validation error for question", "Invalid choice for", "is required")
_NO_TERMINAL = (
    "no terminal to ask the remaining questions: "
    "pass --defaults, --preset or flags (see `fastasync options`)"
)


@dataclass(frozen=True)
class Rendered:
    """What a render produced, besides its files."""

    answers: dict[str, Any]
    """The answers that apply (a question whose `when` is false has none)."""
    questions: frozenset[str]
    """Every question of the template version rendered."""


def generate(
    source: Source, dst: Path, data: Mapping[str, Any], *, defaults: bool
) -> dict[str, Any]:
    """Copy the template into `dst` (missing or empty) and return the answers that apply.

    With ``defaults=False`` Copier asks, in the terminal, every question `data` does not
    answer. On any failure or interrupt, `dst` is left as it was found.
    """
    with undo_on_failure(dst):
        worker = _copy(source.url, source.ref, dst, data, defaults=defaults, pretend=False)
    return _answers(worker)


def render(src: str, ref: str | None, dst: Path, answers: Mapping[str, Any]) -> Rendered:
    """Render template `src` at `ref` into the new folder `dst` with `answers`, asking nothing."""
    worker = _copy(src, ref, dst, answers, defaults=True, pretend=False)
    return Rendered(_answers(worker), frozenset(worker.template.questions_data))


def update(project: Path, *, ref: str | None, data: Mapping[str, Any]) -> None:
    """``copier update`` the project at `project` from its own template source, to `ref`.

    Answers in `data` replace the recorded ones; every other question keeps its recorded
    answer (or takes its default if it is new). Conflicts are left inline for the caller to
    find: Copier reports none of them.
    """
    with _copier_errors():
        import copier

        with warnings.catch_warnings():
            _ignore_dirty_checkout()
            copier.run_update(
                project,
                data=dict(data),
                vcs_ref=ref,
                defaults=True,
                overwrite=True,
                conflict="inline",
                unsafe=False,
                quiet=True,
            )


@contextmanager
def undo_on_failure(dst: Path) -> Iterator[None]:
    """Put `dst` back as it was if the block fails or is interrupted.

    Copier's ``cleanup_on_error`` covers an Exception in a folder it created, not Ctrl-C while
    rendering, nor an existing empty folder: this covers all of them, and only ever removes
    what was not there before.
    """
    dst = dst.absolute()  # Copier may change the working directory meanwhile
    before = set(dst.iterdir()) if dst.is_dir() else None
    try:
        yield
    except BaseException:
        _restore(dst, before=before)
        raise


def missing_answers(source: Source, dst: Path, data: Mapping[str, Any]) -> list[str]:
    """Validate `data` as Copier would, writing nothing; return the questions left to ask.

    The questions returned are the ones `data` does not answer and that apply (their
    ``when`` holds), in the order of copier.yml.
    """
    worker = _copy(source.url, source.ref, dst, data, defaults=True, pretend=True)
    # Questions whose `when` is false are hidden: they are never asked.
    hidden: set[str] = getattr(worker.answers, "hidden", set())
    return [name for name in worker.answers.user if name not in data and name not in hidden]


def _copy(
    src: str,
    ref: str | None,
    dst: Path,
    data: Mapping[str, Any],
    *,
    defaults: bool,
    pretend: bool,
) -> Worker:
    with _copier_errors():
        import copier

        with warnings.catch_warnings():
            _ignore_dirty_checkout()
            return copier.run_copy(
                src,
                dst,
                data=dict(data),
                vcs_ref=ref,
                defaults=defaults,
                pretend=pretend,
                cleanup_on_error=True,
                unsafe=False,
                quiet=True,
            )


def _ignore_dirty_checkout() -> None:
    """A development checkout with uncommitted changes is the point of ``vcs_ref=HEAD``."""
    from copier.errors import DirtyLocalWarning

    warnings.simplefilter("ignore", DirtyLocalWarning)


def _answers(worker: Worker) -> dict[str, Any]:
    """The answers that apply: a question whose `when` is false is hidden, not answered."""
    hidden: set[str] = getattr(worker.answers, "hidden", set())
    return {
        k: v
        for k, v in worker.answers.combined.items()
        if not str(k).startswith("_") and k not in hidden
    }


@contextmanager
def _copier_errors() -> Iterator[None]:
    """Turn what Copier raises for bad input or an interrupt into the CLI's error tree."""
    try:
        yield
    except FastasyncError:
        raise
    except KeyboardInterrupt as error:  # CopierAnswersInterrupt is one too
        raise Aborted("nothing was written") from error
    except EOFError as error:  # stdin closed under a prompt Copier did not wrap
        raise NotInteractiveError(_NO_TERMINAL) from error
    except Exception as error:
        translated = _translate(error)
        if translated is None:
            raise
        raise translated from error


def _translate(error: Exception) -> FastasyncError | None:
    """The CLI error for what Copier raised; None for a bug, which keeps its traceback."""
    from copier.errors import CopierError, InteractiveSessionError, InvalidTypeError

    text = str(error)
    if isinstance(error, InteractiveSessionError):
        return NotInteractiveError(_NO_TERMINAL)
    if isinstance(error, InvalidTypeError) or (
        isinstance(error, ValueError) and any(m in text for m in _ANSWER_ERRORS)
    ):
        return InvalidAnswerError(text or repr(error))
    if (refused := _update_refusal(error)) is not None:
        return refused
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else " the project"
        return OutputDirError(f"could not write{where}: {error.strerror or error}")
    if isinstance(error, CopierError):
        return TemplateError(f"the template failed: {text}")
    from jinja2 import TemplateError as JinjaError

    if isinstance(error, JinjaError):
        return TemplateError(f"the template failed to render: {text}")
    return None


def _update_refusal(error: Exception) -> FastasyncError | None:
    """What Copier refuses to update (the commands check most of it first), and git failures."""
    from copier.errors import UserMessageError
    from plumbum import ProcessExecutionError

    text = " ".join(str(error).split())
    if isinstance(error, ProcessExecutionError):
        lines = str(error.stderr or "").strip().splitlines()
        return TemplateError(f"git failed: {lines[-1] if lines else text}")
    if isinstance(error, ValueError) and text.startswith("Unknown revision"):
        return TemplateError(f"the template has no such version: {text}")
    if isinstance(error, ValueError) and "Local template must be a directory" in text:
        return TemplateError("the template source is missing or not a template")
    if not isinstance(error, UserMessageError):
        return None
    if "is dirty" in text:
        return DirtyTreeError("the project has uncommitted changes: commit or stash them first")
    if "downgrading" in text.lower():
        return DowngradeError(text)
    if "git-tracked subprojects" in text or "version from last update" in text:
        return NotAProjectError(f"the project cannot be updated: {text}")
    if "git-tracked templates" in text or "version from template" in text:
        return TemplateError(f"the template has no version tag to update to: {text}")
    return None


def _restore(dst: Path, *, before: set[Path] | None) -> None:
    """Put `dst` back as it was: absent, or holding only what it held `before`."""
    if before is None:
        shutil.rmtree(dst, ignore_errors=True)
        return
    for child in set(dst.iterdir()) - before if dst.is_dir() else ():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
