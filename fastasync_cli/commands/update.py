"""``fastasync update [PATH]``: take the template version this fastasync installs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fastasync_cli import generator, outcome, source
from fastasync_cli.errors import DowngradeError
from fastasync_cli.project import Project
from fastasync_cli.source import newer_than

PATH_ARGUMENT = typer.Argument(
    metavar="PATH", help="The project (or a folder in it).", show_default="the current folder"
)


def update(path: Annotated[Path, PATH_ARGUMENT] = Path(".")) -> None:
    """Update a project to this fastasync's template version, keeping your changes.

    Needs a clean git tree. Your edits are merged with the template's; where both changed the same lines, the file gets conflict markers, and the command lists it and fails.
    """  # noqa: E501 - one line, so --help does not break it
    project = Project.find(path)
    project.require_updatable()
    template = source.current()
    project.require_source(template)
    project.require_valid_answers()
    before, target = project.version, template.version
    if before is not None and target is not None and before > target:
        theirs, fix = newer_than(template)
        raise DowngradeError(
            f"{project.name} is at template {before}, newer than {theirs} {target}: "
            f"{fix}; nothing was changed"
        )
    if template.release and before == target:
        print(f"{project.name} is at template {before}, the newest here: nothing to update")
        return
    project.require_clean()
    with project.restoring():
        generator.update(project.root, ref=template.ref, data={})
    after = project.reload()
    outcome.report(after, f"Updated {project.name} from template {before} to {after.version}")
