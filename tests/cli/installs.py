"""fastasync installed for real into a fresh virtual environment, as a user installs it: a
copy of this repository under git, a venv whose dependencies are this one's (nothing is
downloaded), and the environment of a user with no network and a home of their own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from tests.cli.helpers import GIT_EMAIL, GIT_NAME
from tests.cli.templates import git
from tests.conftest import REPO_ROOT

SOURCES = (
    "copier.yml",
    "template",
    "fastasync_cli",
    "pyproject.toml",
    "hatch_build.py",
    ".gitignore",
)
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache", "*.bundle")
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: any network access fails at once


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}{result.stderr}"
    return result.stdout


def clone_of_this_repository(repo: Path) -> Path:
    """This repository's working tree in a new git repository at `repo`: one commit, no tag."""
    repo.mkdir()
    for name in SOURCES:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=JUNK)
        else:
            shutil.copy2(src, repo / name)
    (repo / "README.md").write_text("# fastasync\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "fastasync")
    return repo


@dataclass(frozen=True)
class Install:
    """A fresh virtual environment, and the environment its commands run in."""

    venv: Path
    env: dict[str, str]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def fastasync(self) -> Path:
        return self.venv / "bin" / "fastasync"

    @classmethod
    def create(cls, where: Path, venv: Path | None = None) -> Install:
        """A venv (`venv`, or in `where`) seeing this one's packages through a .pth, and the
        offline environment of a user whose home is in `where`."""
        venv = venv or where / "venv"
        sh(sys.executable, "-m", "venv", "--without-pip", venv, cwd=where)
        purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        site = sh(venv / "bin" / "python", "-c", purelib, cwd=where).strip()
        Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

        home = where / "home"
        home.mkdir()
        (home / ".gitconfig").write_text(f"[user]\n\tname = {GIT_NAME}\n\temail = {GIT_EMAIL}\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FASTASYNC_", "XDG_"))}
        env.pop("PYTHONPATH", None)
        env.update(
            HOME=str(home),
            PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_ALLOW_PROTOCOL="file",  # git may read local repositories, and nothing else
            PIP_NO_INDEX="1",
            COPIER_SETTINGS_PATH=str(home / "copier-settings.yml"),
            **{v: UNREACHABLE for v in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")},
            ALL_PROXY=UNREACHABLE,
        )
        return cls(venv, env)

    def pip_install(self, *args: str | Path) -> None:
        sh(
            sys.executable, "-m", "pip", "--python", self.python, "install", "--quiet",
            "--no-deps", "--no-build-isolation", "--no-index", *args, cwd=self.venv,
        )  # fmt: skip

    def run(self, *args: str | Path, cwd: Path) -> str:
        """``fastasync ARGS`` in `cwd`; its output, after asserting it succeeded."""
        return sh(self.fastasync, *args, cwd=cwd, env=self.env)
