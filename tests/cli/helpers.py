"""Helpers for the CLI tests: read copier.yml, snapshot trees, check one-line errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from typer.testing import Result

from tests.cli.templates import git
from tests.conftest import REPO_ROOT

GIT_NAME = "Test Runner"
GIT_EMAIL = "runner@example.com"

Run = Callable[..., Result]


def copier_questions() -> dict[str, dict[str, Any]]:
    """The questions of the repository's copier.yml, read straight from the YAML."""
    config = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    return {k: v for k, v in config.items() if not k.startswith("_")}


@dataclass(frozen=True)
class Tree:
    """Every file under a directory with its bytes, to prove nothing was touched."""

    files: dict[str, bytes]
    dirs: frozenset[str]

    @classmethod
    def of(cls, root: Path) -> Tree:
        paths = sorted(root.rglob("*"))
        return cls(
            files={str(p.relative_to(root)): p.read_bytes() for p in paths if p.is_file()},
            dirs=frozenset(str(p.relative_to(root)) for p in paths if p.is_dir()),
        )


def assert_error(result: Result, exit_code: int, *fragments: str) -> str:
    """The command failed with `exit_code` and one ``error:`` line holding every fragment."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def answers_of(project: Path) -> dict[str, Any]:
    """The answers Copier recorded in a generated project."""
    data = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(data, dict)
    return data


def generate(run: Run, where: Path, name: str = "svc", *args: str) -> Path:
    result = run("new", name, "-y", "-o", str(where), *args)
    assert result.exit_code == 0, result.output
    return where / name


def commit(project: Path, message: str = "My changes") -> None:
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", message)


def state(project: Path) -> tuple[Tree, str, str]:
    """The files outside .git, HEAD and the status: all an update could change."""
    files = Tree.of(project)
    kept = {k: v for k, v in files.files.items() if not k.startswith(".git/")}
    tree = Tree(kept, frozenset(d for d in files.dirs if d != ".git" and ".git/" not in d))
    status = git(project, "status", "--porcelain", "--untracked-files=all")
    return tree, git(project, "rev-parse", "HEAD"), status


# A template whose one feature switch is declared but not built: copier.yml refuses a yes to
# it with a validator that needs nothing but its own answer, as a release does for a
# feature still to come.
SWITCH_NOT_BUILT = "rate_limit"
SWITCH_NOT_BUILT_WHY = "rate limiting is not available in this release yet"
SWITCH_NOT_BUILT_YML = f"""\
_subdirectory: template
_answers_file: .copier-answers.yml
project_name:
  type: str
  help: Project name
{SWITCH_NOT_BUILT}:
  type: bool
  help: Rate limiting with a library
  default: false
  validator: >-
    {{%- if {SWITCH_NOT_BUILT} -%}}{SWITCH_NOT_BUILT_WHY}{{%- endif -%}}
"""


def write_switch_not_built(root: Path) -> Path:
    """A template at `root` whose copier.yml is SWITCH_NOT_BUILT_YML."""
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text(SWITCH_NOT_BUILT_YML)
    answers = root / "template" / "{{ _copier_conf.answers_file }}.jinja"
    answers.write_text("{{ _copier_answers | to_nice_yaml }}")
    (root / "template" / "README.md.jinja").write_text("# {{ project_name }}\n")
    return root
