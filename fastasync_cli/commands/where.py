"""How every project command names its project: ``-C DIR`` or a positional ``PATH``.

``update``, ``check``, ``add`` and ``remove`` take both, as git takes ``-C``; both default to
the current folder, and may name any folder inside the project.
"""

from __future__ import annotations

from pathlib import Path

import typer

from fastasync_cli.errors import UsageError

PATH_ARGUMENT = typer.Argument(
    metavar="PATH",
    help="The project (or a folder in it); the same as -C.",
    show_default="the current folder",
)
PROJECT_OPTION = typer.Option(
    "--project",
    "-C",
    metavar="DIR",
    help="The project (or a folder in it).",
    show_default="the current folder",
)


def project_dir(path: Path | None, option: Path | None) -> Path:
    """The folder named by PATH or -C; one of them, or both naming the same folder."""
    if path is not None and option is not None and path.resolve() != option.resolve():
        raise UsageError(f"PATH {path} and -C {option} name different folders: give one")
    return path or option or Path(".")
