"""The installed-wheel path, for real: two releases built as wheels by the build hook, installed
one after the other into a fresh virtual environment, updating projects with no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.cli.helpers import GIT_EMAIL, GIT_NAME
from tests.cli.templates import git
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

SOURCES = ("copier.yml", "template", "fastasync_cli", "pyproject.toml", "hatch_build.py")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache", "*.bundle")
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: any network access fails at once


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}{result.stderr}"
    return result.stdout


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


def answers(project: Path) -> dict[str, object]:
    data = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_installed_wheels_update_offline(tmp_path: Path) -> None:
    repo = tmp_path / "fastasync"
    repo.mkdir()
    for name in SOURCES:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=JUNK)
        else:
            shutil.copy2(src, repo / name)
    (repo / "README.md").write_text("# fastasync\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    dist = tmp_path / "dist"
    old_wheel = release(repo, "1.0.0", dist)
    (repo / "template" / "UPGRADING.md").write_text("# Upgrading\n")
    new_wheel = release(repo, "1.1.0", dist)

    shipped = zipfile.ZipFile(new_wheel).namelist()
    assert "fastasync_cli/template.bundle" in shipped
    assert "fastasync_cli/_template/copier.yml" in shipped
    assert not any(n.startswith(("template/", "fastasync_cli/_template/template")) for n in shipped)

    # A fresh environment; its dependencies are this one's, so nothing is downloaded.
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = sh(python, "-c", purelib, cwd=tmp_path).strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    def install(wheel: Path) -> None:
        sh(
            sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
            "--no-index", wheel, cwd=tmp_path,
        )  # fmt: skip

    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[user]\n\tname = {GIT_NAME}\n\temail = {GIT_EMAIL}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FASTASYNC_", "XDG_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        HOME=str(home),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_ALLOW_PROTOCOL="file",  # git may read the local bundle, and nothing else
        PIP_NO_INDEX="1",
        COPIER_SETTINGS_PATH=str(home / "copier-settings.yml"),
        **{v: UNREACHABLE for v in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")},
        ALL_PROXY=UNREACHABLE,
    )
    work = tmp_path / "work"
    work.mkdir()
    fastasync = venv / "bin" / "fastasync"

    install(old_wheel)
    where = sh(python, "-c", "import fastasync_cli; print(fastasync_cli.__file__)", cwd=work)
    assert where.startswith(str(venv))
    projects = {}
    for name in ("by-fastasync", "by-copier"):
        sh(fastasync, "new", name, "-y", cwd=work, env=env)
        project = projects[name] = work / name
        assert answers(project)["_src_path"] == "~/.local/share/fastasync/template.bundle"
        assert answers(project)["_commit"] == "v1.0.0"
        (project / "NOTES.md").write_text("mine\n")
        git(project, "add", "--all")
        git(project, "commit", "--quiet", "--message", "My notes")

    install(new_wheel)
    assert sh(fastasync, "--version", cwd=work, env=env).strip() == "fastasync 1.1.0"

    out = sh(fastasync, "update", cwd=projects["by-fastasync"], env=env)
    assert "from template 1.0.0 to 1.1.0" in out
    # then plain Copier, in a project no fastasync command has touched since the upgrade
    sh(python, "-m", "copier", "update", "--defaults", cwd=projects["by-copier"], env=env)
    for project in projects.values():
        assert answers(project)["_commit"] == "v1.1.0"
        assert (project / "UPGRADING.md").read_text() == "# Upgrading\n"
        assert (project / "NOTES.md").read_text() == "mine\n"
