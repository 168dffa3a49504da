"""``fastasync check [PATH]``: is a newer template version available for the project?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastasync_cli import source, versions
from fastasync_cli.commands.where import PATH_ARGUMENT, PROJECT_OPTION, project_dir
from fastasync_cli.project import Project
from fastasync_cli.source import Source, newer_than


def check(
    path: Annotated[Path | None, PATH_ARGUMENT] = None,
    project_option: Annotated[Path | None, PROJECT_OPTION] = None,
) -> None:
    """Say whether this fastasync has a newer template version for a project."""
    project = Project.find(project_dir(path, project_option))
    project.require_updatable()
    template = source.current()
    project.require_source(template)  # what `update` checks before it starts, too
    project.require_valid_answers()
    at, offered = project.version, template.version
    assert at is not None  # require_updatable
    if offered is None:
        line = f"template {at}; the template at {template.url} has no version tag"
    elif at < offered:
        line = f"template {at}; update available: {offered}{_behind(project, template)} "
        line += "(run `fastasync update`)"
    elif at == offered:
        line = f"template {at}, up to date"
    else:
        theirs, fix = newer_than(template)
        line = f"template {at}, newer than {theirs} {offered}: {fix}"
    print(f"{project.name}: {line}")


def _behind(project: Project, template: Source) -> str:
    """`` (3 commits behind)`` when both are commits of the same checkout."""
    if template.release or template.ref is None or project.checkout is None:
        return ""
    count = versions.commits_between(project.checkout, project.commit, template.ref)
    if count is None:
        return ""
    return f" ({count} commit{'s' if count != 1 else ''} behind)"
