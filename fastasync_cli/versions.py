"""Template versions: fastasync's release tags, read as PEP 440 versions.

The template is versioned with fastasync itself: release 0.2.0 is the git tag ``v0.2.0``
(``0.2.0`` is read the same way), and a project records the commit it was rendered from as
``_commit`` in ``.copier-answers.yml``: Copier writes ``git describe --tags --always`` of it,
so a release gives its tag, a commit after a tag gives ``v0.2.0-3-gabc1234``, and a commit
with no tag before it gives its abbreviated hash alone.

Every commit of a checkout has a version, read as Copier reads it (it compares these to
refuse a downgrade, so the order must be the same):

- a tag: its version (``v0.2.0`` is ``0.2.0``);
- 3 commits after ``v0.2.0``: ``0.2.0.post3+gabc1234``;
- 76 commits from the root with no tag before it: ``0.0.0.post76+gabc1234``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from fastasync_cli import git

if TYPE_CHECKING:
    from packaging.version import Version

_DESCRIBED = re.compile(r"(?P<tag>.+)-(?P<count>\d+)-(?P<hash>g[0-9a-f]+)")
#: What ``git describe --always`` gives for a commit with no tag before it.
_HASH = re.compile(r"[0-9a-f]{7,64}")
#: The base of a commit that has no version tag before it.
UNTAGGED_BASE = "0.0.0"


def parse(ref: str) -> Version | None:
    """The version `ref` names (a tag, or ``git describe`` output); None if it names none.

    ``v0.2.0-3-gabc1234`` reads as ``0.2.0.post3+gabc1234``, as Copier reads it. A bare
    commit hash names no version, even one of digits only (``1234567``): only the checkout
    it belongs to can tell its version (`of_commit`).
    """
    from packaging.version import InvalidVersion, Version

    ref = ref.strip()
    if match := _DESCRIBED.fullmatch(ref):
        ref = f"{match['tag']}.post{match['count']}+{match['hash']}"
    elif _HASH.fullmatch(ref):
        return None
    try:
        return Version(ref)
    except InvalidVersion:
        return None


def of_commit(repo: Path, ref: str) -> Version | None:
    """The version of commit `ref` (a tag, a hash, ``HEAD``, describe output) of checkout
    `repo`; None if the checkout does not have that commit."""
    if ref.startswith("-"):  # read from a project's answers: never an option
        return None
    try:
        described = git.output(repo, "describe", "--tags", "--always", f"{ref}^{{commit}}")
        if (version := parse(described)) is not None:
            return version
        count = git.output(repo, "rev-list", "--count", f"{ref}^{{commit}}")
    except git.GitError:
        return None
    return parse(f"{UNTAGGED_BASE}-{count}-g{described}")


def commits_between(repo: Path, older: str, newer: str) -> int | None:
    """How many commits of checkout `repo` lead from `older` to `newer`; None when git
    cannot tell (a commit it lacks, or `older` not an ancestor of `newer`)."""
    if older.startswith("-") or newer.startswith("-"):
        return None
    try:
        # Fails (exit 1) when `older` is not an ancestor of `newer`.
        git.output(
            repo, "merge-base", "--is-ancestor", f"{older}^{{commit}}", f"{newer}^{{commit}}"
        )
        return int(git.output(repo, "rev-list", "--count", f"{older}..{newer}"))
    except (git.GitError, ValueError):
        return None


def tag_name(version: str) -> str:
    """The git tag a release is published under."""
    return f"v{version}"
