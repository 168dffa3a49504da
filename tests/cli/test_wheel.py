"""The installed-wheel path, for real: two releases built as wheels by the build hook, installed
one after the other into a fresh virtual environment, updating projects with no network."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from tests.cli.helpers import answers_of
from tests.cli.installs import Install, clone_of_this_repository, sh
from tests.cli.templates import git

pytestmark = pytest.mark.slow


def release(repo: Path, version: str, dist: Path) -> Path:
    """Commit the tree as fastasync `version`, tag it, and build its wheel."""
    init = repo / "fastasync_cli" / "__init__.py"
    text = init.read_text()
    start = text.index('__version__ = "')
    end = text.index('"', start + len('__version__ = "'))
    init.write_text(f'{text[:start]}__version__ = "{version}{text[end:]}')
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", f"Release {version}")
    git(repo, "tag", "--annotate", f"v{version}", "--message", f"fastasync {version}")
    sh(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "--no-index", "--wheel-dir", dist, repo, cwd=repo,
    )  # fmt: skip
    (wheel,) = dist.glob(f"fastasync-{version}-*.whl")
    return wheel


def test_installed_wheels_update_offline(tmp_path: Path) -> None:
    repo = clone_of_this_repository(tmp_path / "fastasync")
    dist = tmp_path / "dist"
    old_wheel = release(repo, "1.0.0", dist)
    (repo / "template" / "UPGRADING.md").write_text("# Upgrading\n")
    new_wheel = release(repo, "1.1.0", dist)

    shipped = zipfile.ZipFile(new_wheel).namelist()
    assert "fastasync_cli/template.bundle" in shipped
    assert "fastasync_cli/_template/copier.yml" in shipped
    assert not any(n.startswith(("template/", "fastasync_cli/_template/template")) for n in shipped)

    install = Install.create(tmp_path)
    work = tmp_path / "work"
    work.mkdir()

    install.pip_install(old_wheel)
    where = sh(
        install.python, "-c", "import fastasync_cli; print(fastasync_cli.__file__)", cwd=work
    )
    assert where.startswith(str(install.venv))
    projects = {}
    for name in ("by-fastasync", "by-copier"):
        install.run("new", name, "-y", cwd=work)
        project = projects[name] = work / name
        assert answers_of(project)["_src_path"] == "~/.local/share/fastasync/template.bundle"
        assert answers_of(project)["_commit"] == "v1.0.0"
        (project / "NOTES.md").write_text("mine\n")
        git(project, "add", "--all")
        git(project, "commit", "--quiet", "--message", "My notes")

    install.pip_install(new_wheel)
    assert install.run("--version", cwd=work).strip() == "fastasync 1.1.0"

    out = install.run("update", cwd=projects["by-fastasync"])
    assert "from template 1.0.0 to 1.1.0" in out
    # then plain Copier, in a project no fastasync command has touched since the upgrade
    sh(
        install.python, "-m", "copier", "update", "--defaults",
        cwd=projects["by-copier"], env=install.env,
    )  # fmt: skip
    for project in projects.values():
        assert answers_of(project)["_commit"] == "v1.1.0"
        assert (project / "UPGRADING.md").read_text() == "# Upgrading\n"
        assert (project / "NOTES.md").read_text() == "mine\n"
