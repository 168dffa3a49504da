"""Fast tier: every combination in a pairwise cover of copier.yml renders a clean project."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Render
from tests.template import matrix

COVER = matrix.pairwise_cover()
TEXT_SUFFIXES = {".py", ".toml", ".md", ".yml", ".yaml", ".cfg", ".ini", ".txt", ".example", ""}


def _text_files(root: Path) -> list[Path]:
    return [
        p
        for p in root.rglob("*")
        if p.is_file()
        and ".git" not in p.parts
        and (p.suffix in TEXT_SUFFIXES or p.name.startswith("."))
    ]


def test_cover_contains_every_enabled_answer() -> None:
    for name in matrix.option_names():
        seen = {combo[name] for combo in COVER if name in combo}
        # A question behind `when` is covered whenever some valid combination asks it.
        reachable = {dict(c).get(name) for c in matrix.valid_combinations()} - {None}
        assert seen == reachable, name


def test_cover_contains_every_pair_of_answers() -> None:
    def pairs(combo: dict[str, Any]) -> set[tuple[Any, ...]]:
        return {(a, b) for a in combo.items() for b in combo.items() if a[0] < b[0]}

    possible = set().union(*(pairs(dict(c)) for c in matrix.valid_combinations()))
    covered = set().union(*(pairs(c) for c in COVER))
    assert possible == covered


@pytest.mark.parametrize("combo", COVER, ids=[matrix.combo_id(c) for c in COVER])
def test_combination_renders_cleanly(combo: dict[str, Any], rendered: Render) -> None:
    project = rendered({**matrix.IDENTITY, **combo})

    present, absent = matrix.expected_files(combo)
    missing = sorted(p for p in present if not (project / p).is_file())
    unexpected = sorted(p for p in absent if (project / p).exists())
    assert not missing, f"missing files: {missing}"
    assert not unexpected, f"files of unchosen options: {unexpected}"

    for path in _text_files(project):
        text = path.read_text()
        leftover = text.replace("${{", "")  # GitHub Actions expressions are not Jinja
        assert "{{" not in leftover and "{%" not in leftover, f"unrendered Jinja in {path}"
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))

    matrix.assert_ruff_clean(project)
    assert_lean(project)


MAX_MODULE_LINES = 300
MAX_DOCSTRING_LINES = 10
MAX_README_LINES = 150


def assert_lean(project: Path) -> None:
    """Small modules with short docstrings, and a README that leads to docs/ for depth."""
    for module in sorted((project / "src").rglob("*.py")):
        text = module.read_text()
        lines = len(text.splitlines())
        assert lines <= MAX_MODULE_LINES, f"{module.name}: {lines} lines"
        docstring = ast.get_docstring(ast.parse(text), clean=False) or ""
        assert len(docstring.splitlines()) <= MAX_DOCSTRING_LINES, f"{module.name}'s docstring"
    readme = (project / "README.md").read_text()
    assert len(readme.splitlines()) <= MAX_README_LINES
    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (project / link).is_file(), link
    for doc in (project / "docs").glob("*.md"):
        assert f"(docs/{doc.name})" in readme, f"the README does not lead to docs/{doc.name}"


# `{% if cache != 'none' %}cache.py{% endif %}` -> `cache.py`, in a file or folder name.
_CONDITION = re.compile(r"\{%\s*if\b.*?%\}(.*?)\{%\s*endif\s*%\}")


def test_every_conditional_file_of_the_template_has_a_rule() -> None:
    """A file named by a condition is listed in FEATURE_FILES, so the cover checks that it
    comes with its option and goes without it."""
    template = matrix.REPO_ROOT / "template"
    listed = {path for rule in matrix.FEATURE_FILES for path in rule.paths}
    unlisted = []
    for file in sorted(template.rglob("*")):
        relative = file.relative_to(template).as_posix()
        if not file.is_file() or "{%" not in relative or "__pycache__" in relative:
            continue
        path = _CONDITION.sub(r"\1", relative).replace("{{package_name}}", "{pkg}")
        path = path.removesuffix(".jinja")
        if path not in listed:
            unlisted.append(path)
    assert not unlisted, f"conditional files without a FileRule: {unlisted}"


def test_a_question_hidden_by_when_takes_its_computed_default() -> None:
    """`redis` is not asked once the cache brings Redis: files are expected as if it were on."""
    with_cache = {**matrix.effective({}), "cache": "redis"}
    with_cache.pop("redis")
    recorded = matrix.normalize({**with_cache, "redis": False})
    assert recorded is not None and "redis" not in recorded
    assert matrix.effective(with_cache)["redis"] is True
    assert matrix.effective({})["redis"] is False
