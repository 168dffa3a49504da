"""``fastasync add FEATURE[=VALUE]``: switch a feature on in an existing project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fastasync_cli import features, reapply
from fastasync_cli.commands.where import PATH_ARGUMENT, PROJECT_OPTION, project_dir

YES_OPTION = typer.Option("--yes", "-y", help="Delete the files the change removes, unasked.")
FORCE_OPTION = typer.Option("--force", help="Delete them even if you edited them.")


def add(
    feature: Annotated[
        str,
        typer.Argument(
            metavar="FEATURE[=VALUE]",
            help="A question of `fastasync options`: rate_limit, cache=redis, ci...",
            autocompletion=features.complete_add,
        ),
    ],
    path: Annotated[Path | None, PATH_ARGUMENT] = None,
    project: Annotated[Path | None, PROJECT_OPTION] = None,
    yes: Annotated[bool, YES_OPTION] = False,
    force: Annotated[bool, FORCE_OPTION] = False,
) -> None:
    """Switch a feature on (or choose its value) at the project's template version.

    The result is what generating with the feature from the start gives, with your changes kept. Switching a choice can remove the files of the old value: they are listed first.
    """  # noqa: E501 - one line, so --help does not break it
    key, value = features.for_add(feature)
    reapply.change(project_dir(path, project), key, value, verb="add", yes=yes, force=force)
