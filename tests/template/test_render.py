"""The template as Copier users see it: answers, validation, no trust needed."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Render, render_project
from tests.template import matrix


def test_copie_generates_the_base_service(copie: Any, template_src: Path) -> None:
    result = copie.copy(extra_answers={"project_name": "my-service"}, template_dir=template_src)

    assert result.exit_code == 0, result.exception
    assert result.answers["package_name"] == "my_service"
    project = result.project_dir
    assert (project / "src" / "my_service" / "main.py").is_file()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "my-service"


def test_template_needs_no_trust(template_src: Path, tmp_path: Path) -> None:
    # render_project passes unsafe=False: Copier refuses templates with tasks,
    # migrations or Jinja extensions unless trusted.
    project = render_project(template_src, tmp_path / "p")
    assert (project / "pyproject.toml").is_file()


def test_answers_file_records_every_asked_question(render: Render) -> None:
    project = render({"project_name": "billing", "author_name": "Ada"})
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())

    assert answers["project_name"] == "billing"
    assert answers["package_name"] == "billing"
    assert answers["author_name"] == "Ada"
    assert "_src_path" in answers
    asked = {n for n, q in matrix.questions().items() if "when" not in q}
    assert asked <= answers.keys()


def test_package_name_can_be_overridden(render: Render) -> None:
    project = render({"project_name": "my-service", "package_name": "svc"})
    assert (project / "src" / "svc" / "main.py").is_file()
    assert not (project / "src" / "my_service").exists()


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_python_version_sets_the_project_floor(render: Render, version: str) -> None:
    project = render({"python_version": version})
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())

    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")
    assert pyproject["tool"]["mypy"]["python_version"] == version


@pytest.mark.parametrize("name", ["9lives", "my service", "", "../x", "-x", "a--b"])
def test_invalid_project_names_are_refused(render: Render, name: str) -> None:
    with pytest.raises(ValueError, match="Validation error for question 'project_name'"):
        render({"project_name": name})


@pytest.mark.parametrize("name", ["class", "import", "asyncio"])
def test_a_project_name_whose_package_name_is_reserved_is_refused(
    render: Render, name: str
) -> None:
    with pytest.raises(ValueError, match="Validation error for question 'package_name'"):
        render({"project_name": name})


@pytest.mark.parametrize("name", ["myservice", "my-service", "My.Service", "svc_2"])
def test_valid_project_names_are_accepted(render: Render, name: str) -> None:
    project = render({"project_name": name})
    package = name.lower().replace("-", "_").replace(".", "_")
    assert (project / "src" / package / "__init__.py").is_file()


@pytest.mark.parametrize("package", ["My_pkg", "2fast", "def", "json", "a-b"])
def test_invalid_package_names_are_refused(render: Render, package: str) -> None:
    with pytest.raises(ValueError, match="Validation error for question 'package_name'"):
        render({"package_name": package})


def test_invalid_email_is_refused(render: Render) -> None:
    with pytest.raises(ValueError, match="author_email"):
        render({"author_email": "not-an-email"})


def test_the_default_database_file_leaves_the_tree_clean(render: Render) -> None:
    """Running the service creates its SQLite file; `add` and `update` need a clean tree."""
    project = render()
    config = (project / "src/myservice/core/config.py").read_text()
    default = re.search(r'database_url: \w+ = "sqlite\+aiosqlite:///([^"]+)"', config)
    assert default, "the default DATABASE_URL is no longer a SQLite file"
    database = project / default[1]
    subprocess.run(["git", "init", "--quiet"], cwd=project, check=True)
    for suffix in ("", "-journal", "-shm", "-wal"):
        Path(f"{database}{suffix}").write_bytes(b"SQLite format 3\0")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert not [line for line in status.stdout.splitlines() if ".db" in line], status.stdout
