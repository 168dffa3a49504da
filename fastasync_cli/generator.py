"""The only module that talks to Copier: where the template is, and copying it.

Copier costs ~0.45 s to import, so it is imported inside the functions that run it, never at
module level: ``fastasync --help`` and ``--version`` never pay for it.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastasync_cli.errors import (
    Aborted,
    FastasyncError,
    InvalidAnswerError,
    NotInteractiveError,
    OutputDirError,
    TemplateError,
)

if TYPE_CHECKING:
    from copier import Worker

#: A checkout of the template to use instead of the one shipped with the CLI.
TEMPLATE_ENV = "FASTASYNC_TEMPLATE"
CONFIG_FILES = ("copier.yml", "copier.yaml")

_PACKAGE_DIR = Path(__file__).resolve().parent
# Copier's own wording for an answer it refuses (`Question.validate_answer`, `parse_answer`,
# and a question left without any answer under `defaults=True`).
_ANSWER_ERRORS = ("Validation error for question", "Invalid choice for", "is required")
_NO_TERMINAL = (
    "no terminal to ask the remaining questions: "
    "pass --defaults, --preset or flags (see `fastasync options`)"
)


def config_file(directory: Path) -> Path | None:
    """The Copier configuration file of a template directory, if it has one."""
    return next((directory / n for n in CONFIG_FILES if (directory / n).is_file()), None)


def template_dir() -> Path:
    """Where the template is, in this order of preference.

    1. ``$FASTASYNC_TEMPLATE``: a checkout, for working on the template itself;
    2. ``fastasync_cli/_template/``: the copy an installed wheel ships;
    3. the repository root: an editable install runs from the repository.
    """
    if override := os.environ.get(TEMPLATE_ENV):
        path = Path(override).expanduser().resolve()
        if config_file(path) is None:
            raise TemplateError(
                f"{TEMPLATE_ENV}={override} is not a template: it has no copier.yml"
            )
        return path
    for candidate in (_PACKAGE_DIR / "_template", _PACKAGE_DIR.parent):
        if config_file(candidate) is not None:
            return candidate
    raise TemplateError(
        "the template is missing from this installation: reinstall fastasync "
        f"or set {TEMPLATE_ENV} to a checkout"
    )


def _is_git_checkout(path: Path) -> bool:
    return (path / ".git").exists()


def _copier_options(src: Path) -> dict[str, Any]:
    """Options every run shares: the template needs no trust, and leaves no debris."""
    options: dict[str, Any] = {
        "unsafe": False,
        "cleanup_on_error": True,
        "quiet": True,
    }
    if _is_git_checkout(src):
        # HEAD plus the working tree: Copier includes uncommitted changes of a local checkout.
        options["vcs_ref"] = "HEAD"
    return options


def generate(dst: Path, data: Mapping[str, Any], *, defaults: bool) -> dict[str, Any]:
    """Copy the template into `dst` (missing or empty) and return the answers that apply.

    With ``defaults=False`` Copier asks, in the terminal, every question `data` does not
    answer. On any failure or interrupt, `dst` is left as it was found.
    """
    with undo_on_failure(dst):
        worker = _run(dst, data, defaults=defaults, pretend=False)
    return _answers(worker)


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


def missing_answers(dst: Path, data: Mapping[str, Any]) -> list[str]:
    """Validate `data` as Copier would, writing nothing; return the questions left to ask.

    The questions returned are the ones `data` does not answer and that apply (their
    ``when`` holds), in the order of copier.yml.
    """
    worker = _run(dst, data, defaults=True, pretend=True)
    # Questions whose `when` is false are hidden: they are never asked.
    hidden: set[str] = getattr(worker.answers, "hidden", set())
    return [name for name in worker.answers.user if name not in data and name not in hidden]


def _run(dst: Path, data: Mapping[str, Any], *, defaults: bool, pretend: bool) -> Worker:
    src = template_dir()
    with _copier_errors():
        import copier
        from copier.errors import DirtyLocalWarning

        with warnings.catch_warnings():
            # A development checkout with uncommitted changes is the point of vcs_ref=HEAD.
            warnings.simplefilter("ignore", DirtyLocalWarning)
            return copier.run_copy(
                str(src),
                dst,
                data=dict(data),
                defaults=defaults,
                pretend=pretend,
                **_copier_options(src),
            )


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
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        return OutputDirError(f"could not write{where}: {error.strerror or error}")
    if isinstance(error, CopierError):
        return TemplateError(f"the template failed: {text}")
    from jinja2 import TemplateError as JinjaError

    if isinstance(error, JinjaError):
        return TemplateError(f"the template failed to render: {text}")
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
