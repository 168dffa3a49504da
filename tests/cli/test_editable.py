"""The path the README's Quick start takes, for real: a clone of fastasync with no tag,
installed with ``pip install -e`` into a fresh virtual environment, then every project command
on the real template, and an update after new commits are pulled."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.cli.helpers import answers_of
from tests.cli.installs import Install, clone_of_this_repository, sh
from tests.cli.templates import git
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def quick_start() -> list[list[str]]:
    """The commands of the README's Quick start, in order, each split as a shell splits it."""
    section = REPO_ROOT.joinpath("README.md").read_text().split("## Quick start", 1)[1]
    block = re.search(r"```console\n(.*?)```", section, re.DOTALL)
    assert block, "README.md: the Quick start has no console block"
    return [
        shlex.split(command)
        for line in block[1].splitlines()
        for command in line.split("&&")
        if command.strip()
    ]


def follow_quick_start(clone: Path, home: Path) -> tuple[Install, Path]:
    """Run the Quick start's commands in `clone` as written, offline; the venv and the
    folder the last command ran in.

    Only how packages arrive differs: the venv sees this environment's dependencies and
    pip installs nothing but fastasync, from the clone (no network).
    """
    install: Install | None = None
    cwd = clone
    for command in quick_start():
        match command:
            case ["python3", "-m", "venv", venv]:
                install = Install.create(home, venv=cwd / venv)
            case [".", activate] if install is not None:
                assert cwd / activate == install.venv / "bin" / "activate"  # PATH has bin/
            case ["pip", "install", "-e", requirement] if install is not None:
                local, _, _extras = requirement.partition("[")
                install.pip_install("--editable", cwd / local)
            case ["cd", folder]:
                cwd = (cwd / folder).resolve()
            case ["fastasync", *args] if install is not None:
                install.run(*args, "--defaults", cwd=cwd)  # "add --defaults", says the README
            case _:
                pytest.fail(f"README.md Quick start: no way to follow {shlex.join(command)!r}")
    assert install is not None, "README.md: the Quick start installs nothing"
    return install, cwd


def test_an_untagged_editable_clone_runs_every_command(tmp_path: Path) -> None:
    clone = clone_of_this_repository(tmp_path / "fastasync")
    install, work = follow_quick_start(clone, tmp_path)
    assert git(clone, "status", "--porcelain") == "", "the Quick start dirtied the clone"
    name = quick_start()[-1][2]  # `fastasync new NAME`
    project = work / name
    first = git(clone, "rev-parse", "--short", "HEAD")
    assert answers_of(project)["_src_path"] == str(clone.resolve())
    assert answers_of(project)["_commit"] == first
    version = f"0.0.0.post1+g{first}"
    assert install.run("check", cwd=project).strip() == f"{name}: template {version}, up to date"

    added = install.run("add", "cache=redis", cwd=project)
    assert f"{name}: cache is now redis (template {version})" in added
    assert (project / f"src/{name}/core/cache/__init__.py").is_file()
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "Redis cache")
    install.run("remove", "cache", "--yes", cwd=project)
    assert not (project / f"src/{name}/core/cache").exists()
    assert answers_of(project)["cache"] == "none"
    (project / "NOTES.md").write_text("mine\n")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "No cache; notes")

    (clone / "template" / "UPGRADING.md").write_text("# Upgrading\n")  # what `git pull` brings
    git(clone, "add", "--all")
    git(clone, "commit", "--quiet", "--message", "Upgrading notes")
    second = git(clone, "rev-parse", "--short", "HEAD")
    checked = install.run("check", cwd=project)
    assert f"update available: 0.0.0.post2+g{second} (1 commit behind)" in checked
    updated = install.run("update", cwd=project)
    assert f"from template {version} to 0.0.0.post2+g{second}: 1 added" in updated
    assert answers_of(project)["_commit"] == second
    assert (project / "UPGRADING.md").read_text() == "# Upgrading\n"
    assert (project / "NOTES.md").read_text() == "mine\n"

    # and plain Copier in the same project, after one more commit
    (clone / "template" / "UPGRADING.md").write_text("# Upgrading\n\nRead me.\n")
    git(clone, "commit", "--quiet", "--all", "--message", "More upgrading notes")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "Update")
    sh(install.python, "-m", "copier", "update", "--defaults", cwd=project, env=install.env)
    assert (project / "UPGRADING.md").read_text() == "# Upgrading\n\nRead me.\n"
    assert (project / "NOTES.md").read_text() == "mine\n"
