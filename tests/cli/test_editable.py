"""The path the README's Quick start takes, for real: a clone of fastasync with no tag,
installed with ``pip install -e`` into a fresh virtual environment, then every project command
on the real template, and an update after new commits are pulled."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import answers_of
from tests.cli.installs import Install, clone_of_this_repository, sh
from tests.cli.templates import git

pytestmark = pytest.mark.slow


def test_an_untagged_editable_clone_runs_every_command(tmp_path: Path) -> None:
    clone = clone_of_this_repository(tmp_path / "fastasync")
    install = Install.create(tmp_path)
    install.pip_install("--editable", clone)
    work = tmp_path / "work"
    work.mkdir()

    install.run("new", "up", "--defaults", cwd=work)
    project = work / "up"
    first = git(clone, "rev-parse", "--short", "HEAD")
    assert answers_of(project)["_src_path"] == str(clone.resolve())
    assert answers_of(project)["_commit"] == first
    version = f"0.0.0.post1+g{first}"
    assert install.run("check", cwd=project).strip() == f"up: template {version}, up to date"

    added = install.run("add", "cache=redis", cwd=project)
    assert f"up: cache is now redis (template {version})" in added
    assert (project / "src/up/core/cache.py").is_file()
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "Redis cache")
    install.run("remove", "cache", "--yes", cwd=project)
    assert not (project / "src/up/core/cache.py").exists()
    assert answers_of(project)["cache"] == "none"
    (project / "NOTES.md").write_text("mine\n")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "No cache; notes")

    (clone / "template" / "UPGRADING.md").write_text("# Upgrading\n")  # what `git pull` brings
    git(clone, "add", "--all")
    git(clone, "commit", "--quiet", "--message", "Upgrading notes")
    second = git(clone, "rev-parse", "--short", "HEAD")
    assert f"update available: 0.0.0.post2+g{second}" in install.run("check", cwd=project)
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
