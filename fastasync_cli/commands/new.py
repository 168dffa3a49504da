"""``fastasync new NAME``: generate a project, put it under git, say what to do next."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from fastasync_cli import __version__, generator, presets, questions, source
from fastasync_cli.answers import collect
from fastasync_cli.errors import (
    InvalidAnswerError,
    NotInteractiveError,
    OSFailure,
    OutputDirError,
    TargetExistsError,
    UsageError,
    warn,
)
from fastasync_cli.git import FirstCommit

if TYPE_CHECKING:
    from rich.panel import Panel

    from fastasync_cli.source import Source

#: The readable flag of each main question of copier.yml (every other one: ``--data``).
FLAGS: Mapping[str, str] = {
    "package_name": "--package-name",
    "description": "--description",
    "author_name": "--author-name",
    "author_email": "--author-email",
    "python_version": "--python",
    "database": "--database",
    "cache": "--cache",
    "rate_limit": "--rate-limit",
    "rate_limiter": "--rate-limiter",
    "offload": "--offload",
    "celery_broker": "--celery-broker",
    "redis": "--redis",
    "server": "--server",
    "docker": "--docker",
    "ci": "--ci",
}

_ANSWERS = "Answers (instead of being asked)"


def _help(key: str) -> str | None:
    """A flag's help, from the question's own help and choices in copier.yml."""
    try:
        question = questions.load()[key]
    except Exception:  # help must render even without a template
        return None
    text = question.help.rstrip(".")
    available = [str(c.value) for c in question.choices if not c.disabled]
    later = [str(c.value) for c in question.choices if c.disabled]
    if available:
        text += f". One of: {', '.join(available)}"
    if later:
        text += f" (not yet: {', '.join(later)})"
    return text + "."


def _completion(key: str) -> Callable[[str], list[tuple[str, str]]]:
    """Shell completion of a question's available choices, read from copier.yml."""

    def complete(incomplete: str) -> list[tuple[str, str]]:
        try:
            choices = questions.load()[key].choices
        except Exception:  # completion must never crash the shell
            return []
        return [
            (str(c.value), c.label)
            for c in choices
            if not c.disabled and str(c.value).startswith(incomplete)
        ]

    return complete


def _complete_preset(incomplete: str) -> list[tuple[str, str]]:
    return [(n, p.summary) for n, p in presets.PRESETS.items() if n.startswith(incomplete)]


class NewCommand(TyperCommand):
    """Fills in the answer flags' help from copier.yml only when help is shown.

    Reading copier.yml at import time would slow down every ``fastasync`` invocation,
    ``--version`` included, for text that only ``fastasync new --help`` prints.
    """

    def format_help(self, ctx: Any, formatter: Any) -> None:
        keys = {flag: key for key, flag in FLAGS.items()}
        for param in self.params:
            key = next((keys[o] for o in param.opts if o in keys), None)
            if key is not None and (text := _help(key)):
                param.help = text  # type: ignore[attr-defined]
        super().format_help(ctx, formatter)


def _answer(key: str, *, switch: bool = False) -> Any:
    """The option of question `key`; a `switch` also gets its ``--no-`` form."""
    flag = FLAGS[key]
    return typer.Option(
        f"{flag}/--no-{flag.removeprefix('--')}" if switch else flag,
        help="See `fastasync options`.",
        autocompletion=_completion(key),
        rich_help_panel=_ANSWERS,
        show_default=False,
    )


def new(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="Project name (a name, not a path): folder and distribution."
        ),
    ],
    output_dir: Annotated[
        Path,
        typer.Option("--output-dir", "-o", "-C", help="Where the project folder goes."),
    ] = Path("."),
    defaults: Annotated[
        bool,
        typer.Option("--defaults", "--yes", "-y", help="Ask nothing: defaults for the rest."),
    ] = False,
    preset: Annotated[
        str | None,
        typer.Option(
            help=f"A named answer set ({', '.join(presets.PRESETS)}); asks nothing.",
            autocompletion=_complete_preset,
            show_default=False,
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer any question of `fastasync options`: KEY=VALUE, repeatable.",
            rich_help_panel=_ANSWERS,
            show_default=False,
        ),
    ] = None,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="No git init and no first commit.")
    ] = False,
    package_name: Annotated[str | None, _answer("package_name")] = None,
    description: Annotated[str | None, _answer("description")] = None,
    author_name: Annotated[str | None, _answer("author_name")] = None,
    author_email: Annotated[str | None, _answer("author_email")] = None,
    python_version: Annotated[str | None, _answer("python_version")] = None,
    database: Annotated[str | None, _answer("database")] = None,
    cache: Annotated[str | None, _answer("cache")] = None,
    rate_limit: Annotated[bool | None, _answer("rate_limit", switch=True)] = None,
    rate_limiter: Annotated[str | None, _answer("rate_limiter")] = None,
    offload: Annotated[str | None, _answer("offload")] = None,
    celery_broker: Annotated[str | None, _answer("celery_broker")] = None,
    redis: Annotated[bool | None, _answer("redis", switch=True)] = None,
    server: Annotated[str | None, _answer("server")] = None,
    docker: Annotated[bool | None, _answer("docker", switch=True)] = None,
    ci: Annotated[str | None, _answer("ci")] = None,
) -> None:
    """Generate a new async FastAPI project in OUTPUT_DIR/NAME.

    In a terminal, the questions that flags do not answer are asked; elsewhere pass --defaults, a --preset, or flags.
    """  # noqa: E501 - one line, so --help does not break it
    given = locals()  # each answer flag's parameter is named after its question
    flagged = {key: given[key] for key in FLAGS}
    answers = collect(
        name=name,
        preset=preset,
        flags={FLAGS[k]: (k, v) for k, v in flagged.items() if v is not None},
        data=data or [],
    )
    target = output_dir / name
    template = source.current()
    if not _is_plain_name(name):
        # Copier's validator of project_name has the clearest word on it; ask it first.
        generator.missing_answers(template, target, answers)
        raise UsageError(f"{name!r} is a path: NAME is the project's name; use --output-dir")
    try:
        _check_destination(output_dir, target)
    except OSError as error:  # a name too long for the file system, say
        generator.missing_answers(template, target, answers)  # copier.yml's word first
        raise OSFailure.of(error) from None
    _refuse_inside(template, target)

    ask = not (defaults or preset is not None)
    if ask and not (sys.stdin is not None and sys.stdin.isatty()):
        if missing := generator.missing_answers(template, target, answers):
            raise NotInteractiveError(
                f"no terminal to ask {', '.join(missing)}: pass --defaults or --preset, "
                "or answer with flags or --data KEY=VALUE (see `fastasync options`)"
            )
        ask = False

    repo = None if no_git else FirstCommit(target)
    with generator.undo_on_failure(target):
        with repo.initializing() if repo else nullcontext():
            result = generator.generate(template, target, answers, defaults=not ask)
        _refuse_unavailable(result)
        _warn_unused(answers, result)
        with _committing(repo, result):
            panel = _next_steps(target, result)
    if repo and repo.problem:
        warn(repo.problem)
    from rich.console import Console

    Console(soft_wrap=True).print(panel)


def _refuse_unavailable(answers: Mapping[str, Any]) -> None:
    """Undo a project given an answer copier.yml marks unavailable.

    Copier validates typed and chosen answers, but not a yes/no prompt: answering "y" to
    a feature that is not built yet would otherwise go through.
    """
    for name, question in questions.load().items():
        if name in answers and (why := question.refusal(answers[name])):
            raise InvalidAnswerError(f"{name}: {why}")


def _warn_unused(given: Mapping[str, Any], used: Mapping[str, Any]) -> None:
    """Say so when an answer was given for a question whose `when` ruled it out."""
    known = questions.load()
    for name in given:
        if name not in used and name in known:
            warn(f"{name} was ignored: it applies only when {known[name].when}")


def _is_plain_name(name: str) -> bool:
    separators = {"/", os.sep, os.altsep or "/"}
    return name not in {"", ".", ".."} and not any(s in name for s in separators)


def _check_destination(output_dir: Path, target: Path) -> None:
    """Refuse, before anything is written, a destination that would lose or fail."""
    if not output_dir.exists():
        raise OutputDirError(f"output directory {output_dir} does not exist")
    if not output_dir.is_dir():
        raise OutputDirError(f"output directory {output_dir} is not a directory")
    if target.is_dir():
        if any(target.iterdir()):
            raise TargetExistsError(
                f"{target} already exists and is not empty; nothing was changed"
            )
        if not os.access(target, os.W_OK | os.X_OK):
            raise OutputDirError(f"{target} is not writable")
    elif target.exists() or target.is_symlink():
        raise TargetExistsError(
            f"{target} already exists and is not a directory; nothing was changed"
        )
    elif not os.access(output_dir, os.W_OK | os.X_OK):
        raise OutputDirError(f"output directory {output_dir} is not writable")


def _refuse_inside(template: Source, target: Path) -> None:
    """Refuse a project inside the checkout the template is rendered from.

    The checkout would then hold the project as untracked files (another repository, once
    `git init` runs), which Copier takes for uncommitted template changes.
    """
    if template.release:
        return
    checkout = Path(template.url).resolve()
    if checkout in target.resolve().parents:
        raise OutputDirError(
            f"{target} would be inside the template's checkout {checkout}: "
            "create the project outside it (`cd ..` first, or --output-dir ..)"
        )


def _committing(
    repo: FirstCommit | None, answers: Mapping[str, Any]
) -> AbstractContextManager[None]:
    if repo is None:
        return nullcontext()
    return repo.committing(
        message=f"Initial commit from fastasync {__version__}",
        author_name=str(answers.get("author_name") or "fastasync"),
        author_email=str(answers.get("author_email") or "fastasync@localhost"),
    )


def _next_steps(target: Path, answers: Mapping[str, Any]) -> Panel:
    """What to do now: enter, install, run and test the project."""
    from rich.panel import Panel
    from rich.text import Text

    package = answers.get("package_name") or answers.get("project_name")
    where = os.path.relpath(target.resolve())
    if where.startswith(os.pardir):
        where = str(target.resolve())
    steps = Text()
    for comment, command in (
        ("enter the project", f"cd {shlex.quote(where)}"),
        ("install", "python -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]'"),
        (f"run, reloading on changes (or: python -m {package} --reload)", "fastapi dev"),
        ("test", "pytest"),
    ):
        steps.append(f"# {comment}\n", style="dim")
        steps.append(f"{command}\n", style="bold")
    steps.rstrip()
    title = f"Created {answers.get('project_name', target.name)} in {where}"
    return Panel(steps, title=title, title_align="left", expand=False)
