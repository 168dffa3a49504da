"""What an update did to a project: the files it changed, and the conflicts left to resolve.

Copier finishes an update successfully even when it could not merge a file: it leaves
conflict markers (or a ``.rej`` file) and exits 0. Every command that updates a project
ends here, which lists the changes and fails when a conflict is left.
"""

from __future__ import annotations

from fastasync_cli.errors import ConflictError
from fastasync_cli.project import ANSWERS_FILE, Project

_STYLES = {"added": "green", "modified": "yellow", "deleted": "red", "conflict": "bold red"}


def report(project: Project, headline: str) -> None:
    """Print `headline` and the changed files; raise ConflictError if any conflict is left."""
    from rich.console import Console
    from rich.text import Text

    conflicts = project.conflicts()
    changes = [
        (path, "conflict" if path in conflicts else kind)
        for path, kind in ((c.path, c.kind) for c in project.changes())
        if path != ANSWERS_FILE
    ]
    counts = {kind: sum(k == kind for _, k in changes) for kind in _STYLES}
    summary = ", ".join(
        f"{n} {kind}{'s' if kind == 'conflict' and n > 1 else ''}"
        for kind, n in counts.items()
        if n
    )
    console = Console(soft_wrap=True, highlight=False)
    console.print(Text.assemble((headline, "bold"), f": {summary or 'no file changed'}"))
    for path, kind in changes:
        console.print(Text.assemble("  ", (f"{kind:<9}", _STYLES[kind]), f" {path}"))
    if conflicts:
        raise ConflictError(
            f"conflicts in {len(conflicts)} file(s): {', '.join(conflicts)}; resolve the "
            "<<<<<<< / >>>>>>> markers (and any .rej file), then commit"
        )
    if changes:
        console.print("Review the changes with `git diff`, then commit them.")
