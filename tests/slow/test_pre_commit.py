"""Slow tier: a generated project's pre-commit hooks run the checks its CI runs, offline.

The project is put under git as `fastasync new` does, then `pre-commit run --all-files`
passes on the project as generated; a file that ruff would reformat, or that mypy refuses,
stops a commit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import render_project
from tests.slow.test_generated_projects import project_env
from tests.template import matrix

pytestmark = pytest.mark.slow

PKG = matrix.IDENTITY["package_name"]


def git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=project,
        check=True,
        capture_output=True,
    )


def pre_commit(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = project_env()
    # The hooks are this environment's ruff and mypy, as `pip install -e '.[dev]'` gives them.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_hooks_pass_on_the_project_and_stop_what_ci_would(
    template_src: Path, tmp_path: Path
) -> None:
    project = render_project(template_src, tmp_path / "project", matrix.IDENTITY)
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    home = tmp_path / "pre-commit"

    passed = pre_commit(project, home, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    for hook in ("ruff check", "ruff format", "mypy"):
        assert hook in passed.stdout

    module = project / "src" / PKG / "untidy.py"
    module.write_text("def half(x:int)->int:\n    return x/2\n")
    git(project, "add", "--all")
    stopped = pre_commit(project, home, "run", "--all-files")
    assert stopped.returncode == 1
    assert "files were modified by this hook" in stopped.stdout  # ruff format fixed it
    assert "def half(x: int) -> int:" in module.read_text()
    assert 'Incompatible return value type (got "float", expected "int")' in stopped.stdout
