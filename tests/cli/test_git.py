"""After generating, the project is a git repository with one clean first commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fastasync_cli import __version__
from tests.cli.helpers import GIT_EMAIL, GIT_NAME, Run


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_one_commit_and_a_clean_tree(run: Run, cli_env: Path) -> None:
    result = run("new", "svc", "-y")
    assert result.exit_code == 0, result.output
    repo = cli_env / "svc"
    assert git(repo, "rev-parse", "--show-toplevel") == str(repo.resolve())
    assert git(repo, "rev-list", "--count", "HEAD") == "1"
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(repo, "log", "-1", "--format=%s") == f"Initial commit from fastasync {__version__}"
    # the user's git identity wins over the project's author answers
    assert git(repo, "log", "-1", "--format=%an <%ae>") == f"{GIT_NAME} <{GIT_EMAIL}>"
    assert ".copier-answers.yml" in git(repo, "ls-files").splitlines()
    assert git(repo, "branch", "--show-current") == "main"


def test_no_git(run: Run, cli_env: Path) -> None:
    result = run("new", "svc", "-y", "--no-git")
    assert result.exit_code == 0, result.output
    assert not (cli_env / "svc" / ".git").exists()


def test_without_a_git_identity_the_author_answers_are_used(
    run: Run, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = cli_env.parent / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    result = run(
        "new", "svc", "-y", "--author-name", "Ada Lovelace", "--author-email", "ada@example.org"
    )
    assert result.exit_code == 0, result.output
    repo = cli_env / "svc"
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>") == (
        "Ada Lovelace <ada@example.org>|Ada Lovelace <ada@example.org>"
    )
    # nothing was written into the user's configuration
    assert empty.read_text() == ""
    assert "user" not in (repo / ".git" / "config").read_text()


def test_the_users_default_branch_is_kept(
    run: Run, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = cli_env.parent / "branch-gitconfig"
    config.write_text(
        f"[user]\n\tname = {GIT_NAME}\n\temail = {GIT_EMAIL}\n[init]\n\tdefaultBranch = trunk\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    assert run("new", "svc", "-y").exit_code == 0
    assert git(cli_env / "svc", "branch", "--show-current") == "trunk"


def test_missing_git_is_a_warning(run: Run, cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(cli_env / "no-bin"))
    result = run("new", "svc", "-y")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip().startswith("warning: git is not installed")
    assert len(result.stderr.strip().splitlines()) == 1
    assert (cli_env / "svc" / ".copier-answers.yml").is_file()
    assert not (cli_env / "svc" / ".git").exists()
    assert "cd svc" in result.stdout


def test_a_failing_commit_is_a_warning(
    run: Run, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = cli_env.parent / "hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.hooksPath")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(hooks))
    result = run("new", "svc", "-y")
    assert result.exit_code == 0, result.output
    warning = result.stderr.strip()
    assert warning.startswith("warning: git commit failed (hook says no)")
    assert "not committed" in warning
    assert (cli_env / "svc" / ".copier-answers.yml").is_file()
