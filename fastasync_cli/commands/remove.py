"""``fastasync remove FEATURE``: switch a feature off in an existing project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fastasync_cli import features, reapply
from fastasync_cli.commands.add import FORCE_OPTION, YES_OPTION
from fastasync_cli.commands.where import PATH_ARGUMENT, PROJECT_OPTION, project_dir


def remove(
    feature: Annotated[
        str,
        typer.Argument(
            metavar="FEATURE",
            help="A question of `fastasync options`: docker, ci...",
            autocompletion=features.complete_remove,
        ),
    ],
    path: Annotated[Path | None, PATH_ARGUMENT] = None,
    project: Annotated[Path | None, PROJECT_OPTION] = None,
    yes: Annotated[bool, YES_OPTION] = False,
    force: Annotated[bool, FORCE_OPTION] = False,
) -> None:
    """Switch a feature off at the project's template version.

    The files it brought are listed and deleted after you confirm (or with --yes); files you edited are refused unless --force.
    """  # noqa: E501 - one line, so --help does not break it
    key, value = features.for_remove(feature)
    reapply.change(project_dir(path, project), key, value, verb="remove", yes=yes, force=force)
