"""``fastasync update [PATH]``: take the template version this fastasync installs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastasync_cli import generator, outcome, source
from fastasync_cli.commands.where import PATH_ARGUMENT, PROJECT_OPTION, project_dir
from fastasync_cli.errors import DowngradeError
from fastasync_cli.project import Project
from fastasync_cli.source import newer_than


def update(
    path: Annotated[Path | None, PATH_ARGUMENT] = None,
    project_option: Annotated[Path | None, PROJECT_OPTION] = None,
) -> None:
    """Update a project to this fastasync's template version, keeping your changes.

    Needs a clean git tree. Your edits are merged with the template's; where both changed the same lines, the file gets conflict markers, and the command lists it and fails.
    """  # noqa: E501 - one line, so --help does not break it
    project = Project.find(project_dir(path, project_option))
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
