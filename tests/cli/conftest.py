"""Fixtures for the CLI tests: an isolated environment and helpers to run ``fastasync``.

Every test runs in its own empty working directory, against the template of the working tree
(``template_src`` from tests/conftest.py, through ``FASTASYNC_TEMPLATE``), with a git identity
and Copier settings of its own so the machine's configuration cannot change the outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fastasync_cli import questions
from fastasync_cli.main import app
from tests.cli.helpers import GIT_EMAIL, GIT_NAME, Run
from tests.cli.templates import Releases, two_releases


@pytest.fixture(autouse=True)
def cli_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    template_src: Path,
) -> Iterator[Path]:
    """Isolate the template, git and Copier settings; yield the working directory."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(f"[user]\n\tname = {GIT_NAME}\n\temail = {GIT_EMAIL}\n")
    settings = home / "copier-settings.yml"
    settings.write_text("defaults: {}\n")
    monkeypatch.setenv("FASTASYNC_TEMPLATE", str(template_src))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("GIT_COMMITTER_EMAIL", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)  # the template bundle goes under HOME
    monkeypatch.setenv("COPIER_CACHE_DIR", str(home / "copier-cache"))
    workdir = tmp_path_factory.mktemp("work")
    monkeypatch.chdir(workdir)
    questions._load.cache_clear()
    yield workdir
    questions._load.cache_clear()


@pytest.fixture
def run() -> Run:
    """Run ``fastasync ARGS...`` in-process; stdin is not a terminal, as in CI."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return _run


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    """A small template tagged 0.1.0 and 0.2.0, and what a wheel of each would install."""
    return two_releases(tmp_path_factory.mktemp("releases"))
