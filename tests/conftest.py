"""Fixtures shared by the generator's test suite."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

Render = Callable[..., Path]


@pytest.fixture(scope="session")
def template_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, copied outside git.

    A plain directory source renders exactly the working tree (committed or not) and
    spares every test a git clone of the repository.
    """
    dst = tmp_path_factory.mktemp("template-src")
    shutil.copy2(REPO_ROOT / "copier.yml", dst / "copier.yml")
    shutil.copytree(
        REPO_ROOT / "template",
        dst / "template",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache"),
    )
    return dst


def render_project(template: Path, dst: Path, answers: Mapping[str, Any] | None = None) -> Path:
    """Generate a project with Copier's public API, without trust, like a Copier user."""
    import copier

    data = {"project_name": "myservice", **(answers or {})}
    copier.run_copy(str(template), dst, data=data, defaults=True, unsafe=False, quiet=True)
    return dst


@pytest.fixture
def render(template_src: Path, tmp_path: Path) -> Render:
    """Render the template into a fresh directory under tmp_path."""
    counter = 0

    def _render(answers: Mapping[str, Any] | None = None) -> Path:
        nonlocal counter
        counter += 1
        return render_project(template_src, tmp_path / f"project{counter}", answers)

    return _render
