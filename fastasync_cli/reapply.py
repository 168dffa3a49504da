"""Change one answer of a project and re-apply the template at the project's own version.

This is ``copier update`` with a new answer (``data=``) and ``vcs_ref`` set to the version the
project is at, so the only change is the feature's. Turning a feature off makes Copier
delete the files it brought, edits included; so, before anything is written, the template
is rendered with the old and the new answer to find the files that would go: they are
listed and confirmed, and files the user changed since they were generated are refused
unless forced.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastasync_cli import generator, git, outcome, questions, source
from fastasync_cli.errors import EditedFilesError, NotInteractiveError, UpdateRefusedError
from fastasync_cli.project import Project
from fastasync_cli.source import Source, newer_than


@dataclass(frozen=True)
class Plan:
    """The files a change deletes from the project, and which of them the user edited."""

    deleted: list[str]
    edited: list[str]


def change(path: Path, key: str, value: Any, *, verb: str, yes: bool, force: bool) -> None:
    """Answer `key` with `value` in the project at `path` and re-apply the template."""
    project = Project.find(path)
    project.require_updatable()
    template = source.current()  # the project's template may be the installed bundle
    project.require_source()
    if key in project.answers and project.answers[key] == value:
        print(f"{project.name}: {key} is already {_show(value)}: nothing to do")
        return
    project.require_clean()
    plan = _plan(project, template, key, value, verb=verb)
    if plan.edited and not force:
        raise EditedFilesError(
            f"{verb} {key} would delete files you changed: {', '.join(plan.edited)}; "
            "pass --force to delete them anyway (git history keeps them); nothing was changed"
        )
    if plan.deleted:
        _confirm(plan, verb=verb, key=key, yes=yes)
    with project.restoring():
        generator.update(project.root, ref=project.commit, data={key: value})
    outcome.report(
        project.reload(),
        f"{project.name}: {key} is now {_show(value)} (template {project.version})",
    )


def _plan(project: Project, template: Source, key: str, value: Any, *, verb: str) -> Plan:
    """Render the project's template version with the old and the new answer, and compare."""
    answers = project.user_answers
    with tempfile.TemporaryDirectory(prefix="fastasync-plan-") as tmp:
        before, after = Path(tmp, "before"), Path(tmp, "after")
        # One checkout of the project's version, rendered twice as a plain folder.
        at = _export(project, template, Path(tmp, "t"))
        generator.render(str(at), None, before, answers)
        rendered = generator.render(str(at), None, after, {**answers, key: value})
        if key not in rendered.questions:
            raise UpdateRefusedError(
                f"{verb} {key}: template {project.version} of {project.name} does not have it; "
                "run `fastasync update` first"
            )
        if key not in rendered.answers:
            when = questions.load()[key].when
            raise UpdateRefusedError(f"{verb} {key}: it applies only when {when}")
        gone = sorted(_files(before) - _files(after))
        deleted = [f for f in gone if (project.root / f).is_file()]
        edited = [
            f for f in deleted if (project.root / f).read_bytes() != (before / f).read_bytes()
        ]
    return Plan(deleted, edited)


def _export(project: Project, template: Source, dst: Path) -> Path:
    """The project's own template version, from its source; one line if the source lacks it
    (a project updated by a newer fastasync, or from a newer checkout)."""
    try:
        return git.export(Path(project.src).expanduser(), project.commit, dst)
    except git.GitError:
        at, here = project.version, template.version
        if at is not None and here is not None and at > here:
            theirs, fix = newer_than(template)
            fix = f"it is newer than {theirs} {here}: {fix}"
        else:
            fix = "fetch it there, or run `fastasync update` first"
        raise UpdateRefusedError(
            f"{project.name} is at template {at} ({project.commit}), which {project.src} "
            f"does not have: {fix}; nothing was changed"
        ) from None


def _files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def _confirm(plan: Plan, *, verb: str, key: str, yes: bool) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(soft_wrap=True, highlight=False)
    console.print(f"{verb} {key} deletes {len(plan.deleted)} file(s):")
    for path in plan.deleted:
        edited = " (edited)" if path in plan.edited else ""
        console.print(Text.assemble("  ", ("deleted ", "red"), path, (edited, "yellow")))
    if yes:
        return
    if sys.stdin is None or not sys.stdin.isatty():
        raise NotInteractiveError(
            f"no terminal to confirm deleting {len(plan.deleted)} file(s): pass --yes"
        )
    import typer

    try:
        confirmed = typer.confirm("Delete them?", default=False)
    except typer.Abort:  # Ctrl-C or end of input at the prompt: exit as Ctrl-C does
        raise KeyboardInterrupt from None
    if not confirmed:
        raise UpdateRefusedError("not confirmed: nothing was changed")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
