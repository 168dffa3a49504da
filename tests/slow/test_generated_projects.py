"""Slow tier: generated projects pass their own tests, lint and type checks.

Each combination of the option matrix's pairwise cover is generated and its own
`pytest`, `ruff check`, `ruff format --check` and `mypy` run in a subprocess, with the
interpreter of this test run (the `test` extra installs every library a generated project
can use). Once per run, a generated project is installed into a fresh virtual environment
from its own pyproject.toml, which proves its dependency list is complete.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import render_project
from tests.template import matrix

pytestmark = pytest.mark.slow

COVER = matrix.pairwise_cover()

CHECKS = {
    "pytest": ["-m", "pytest", "-q", "-p", "no:cacheprovider"],
    "ruff check": ["-m", "ruff", "check", "--no-cache", "."],
    "ruff format": ["-m", "ruff", "format", "--no-cache", "--check", "."],
    "mypy": ["-m", "mypy", "--no-incremental"],
}


def project_env() -> dict[str, str]:
    """The environment a generated project's checks run in: no settings leak in from ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_check(
    python: str | Path, args: list[str], project: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), *args],
        cwd=project,
        env=project_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


@pytest.mark.parametrize("combo", COVER, ids=[matrix.combo_id(c) for c in COVER])
@pytest.mark.parametrize("check", list(CHECKS))
def test_generated_project_passes_its_own_checks(
    combo: dict[str, Any], check: str, template_src: Path, tmp_path: Path
) -> None:
    project = render_project(template_src, tmp_path / "project", {**matrix.IDENTITY, **combo})
    result = run_check(sys.executable, CHECKS[check], project)
    assert result.returncode == 0, f"{check} failed:\n{result.stdout}\n{result.stderr}"
    if check == "pytest":
        assert " passed" in result.stdout and "skipped" not in result.stdout, result.stdout


def test_generated_project_installs_in_a_fresh_venv(template_src: Path, tmp_path: Path) -> None:
    project = render_project(template_src, tmp_path / "project")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"

    install = run_check(python, ["-m", "pip", "install", "-q", f"{project}[dev]"], project)
    assert install.returncode == 0, install.stdout + install.stderr

    tests = run_check(python, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout
