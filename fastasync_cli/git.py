"""git for the CLI: put a freshly generated project under git (``git init`` and a first
commit), and read a project's repository.

Done in Python rather than as a Copier task, so the template needs no trust (DESIGN.md §3).
Both steps run in a background thread: ``git init`` while Copier renders (it only needs the
empty folder), the commit while the next steps are being printed. Each step is joined before
its block ends, so an interrupt never races a running git.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from fastasync_cli.errors import FastasyncError

# What git itself falls back on when user.name / user.email are not configured.
_NAME_ENV = ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME")
_EMAIL_ENV = ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL")
_SETTINGS = r"^(user\.name|user\.email|init\.defaultbranch)$"


class GitError(FastasyncError):
    """git is missing or failed; the project itself is complete."""


def output(repo: Path, *args: str, strip: bool = True) -> str:
    """What ``git ARGS`` prints in `repo` (`strip`: without surrounding whitespace).

    Raises GitError if git is missing or fails.
    """
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed: it is needed to update a project")
    result = subprocess.run([git, *args], cwd=repo, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit code {result.returncode}"
        raise GitError(f"git {args[0]} failed in {repo}: {reason}")
    return result.stdout.strip() if strip else result.stdout


def export(src: Path, ref: str, dst: Path) -> Path:
    """The files of `ref` of the repository (or bundle) `src`, in the new folder `dst`.

    Without git metadata: a plain folder, which Copier renders without cloning it again.
    """
    if ref.startswith("-"):  # read from a project's answers: never an option
        raise GitError(f"{ref!r} is not a template version")
    output(dst.parent, "clone", "--quiet", "--no-checkout", "--", str(src), str(dst))
    output(dst, "-c", "advice.detachedHead=false", "checkout", "--quiet", ref, "--")
    shutil.rmtree(dst / ".git")
    return dst


class FirstCommit:
    """``git init`` a new project folder, then commit everything in it once.

    The user's git configuration wins; the project's author answers are used only for what
    git has no value for (``-c user.name=...``), so a first commit never fails for lack of an
    identity. A repository without ``init.defaultBranch`` starts on ``main``.
    Failures do not raise: they are kept in `problem`, for the caller to warn about.
    """

    def __init__(self, repo: Path) -> None:
        # Absolute: Copier changes the working directory while it renders, in this thread.
        self.repo = repo.absolute()
        self.problem: str | None = None
        self._git = shutil.which("git")
        self._config: dict[str, str] = {}
        if self._git is None:
            self.problem = "git is not installed: the project was not put under version control"

    @contextmanager
    def initializing(self) -> Iterator[None]:
        """Create the (empty) folder and ``git init`` it while the block runs."""
        if self.problem is None:
            self.repo.mkdir(exist_ok=True)
        with self._in_background(self._init):
            yield

    @contextmanager
    def committing(self, *, message: str, author_name: str, author_email: str) -> Iterator[None]:
        """Commit everything while the block runs (after a successful ``initializing``)."""

        def commit() -> None:
            self._run("add", "--all")
            self._run(
                "commit",
                "--quiet",
                "--message",
                message,
                overrides=self._identity(author_name, author_email),
            )

        with self._in_background(commit):
            yield

    def _init(self) -> None:
        self._config = self._read_config()
        branch = [] if "init.defaultbranch" in self._config else ["--initial-branch=main"]
        self._run("init", "--quiet", *branch)

    def _identity(self, author_name: str, author_email: str) -> list[str]:
        overrides: list[str] = []
        if "user.name" not in self._config and not all(os.environ.get(v) for v in _NAME_ENV):
            overrides += ["-c", f"user.name={author_name}"]
        if "user.email" not in self._config and not (
            all(os.environ.get(v) for v in _EMAIL_ENV) or os.environ.get("EMAIL")
        ):
            overrides += ["-c", f"user.email={author_email}"]
        return overrides

    @contextmanager
    def _in_background(self, step: Callable[[], None]) -> Iterator[None]:
        if self.problem is not None:
            yield
            return

        def guarded() -> None:
            try:
                step()
            except GitError as error:
                self.problem = error.message

        thread = threading.Thread(target=guarded, name="fastasync-git", daemon=True)
        thread.start()
        try:
            yield
        finally:
            thread.join()

    def _read_config(self) -> dict[str, str]:
        """The user's git settings that matter here, as git sees them from the project."""
        assert self._git is not None
        result = subprocess.run(
            [self._git, "config", "--get-regexp", _SETTINGS],
            cwd=self.repo,
            capture_output=True,
            text=True,
            check=False,
        )
        pairs = (line.partition(" ") for line in result.stdout.splitlines())
        return {key.lower(): value for key, _, value in pairs if value}

    def _run(self, *args: str, overrides: Sequence[str] = ()) -> None:
        assert self._git is not None
        result = subprocess.run(
            [self._git, *overrides, *args],
            cwd=self.repo,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            reason = detail[-1] if detail else f"exit code {result.returncode}"
            raise GitError(
                f"git {args[0]} failed ({reason}): the project is complete but not committed"
            )
