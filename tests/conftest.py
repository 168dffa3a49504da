"""Fixtures shared by the generator's test suite."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

Render = Callable[..., Path]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slow tier first, longest kinds of test first: with pytest-xdist (`-n auto`)
    the long tests start at once and the short ones fill in at the end, so that the workers
    finish together."""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("slow") is None:
            return 9
        for n, kind in enumerate(("fresh_venv", "real services", "passes_its_own_checks")):
            if kind in item.nodeid:
                return n
        return 8

    items.sort(key=rank)


def _compile_settings(env: jinja2.Environment) -> tuple[Any, ...]:
    """What, besides the source and its names, decides the code Jinja compiles it to."""
    return (
        type(env),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        tuple(sorted(env.extensions)),
        env.optimized,
        env.is_async,
        env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape),
        env.finalize is None,
    )


@pytest.fixture(scope="session", autouse=True)
def _jinja_compiles_each_source_once() -> Iterator[None]:
    """Compile each Jinja source once per run, and reuse the code.

    Copier makes a new Jinja environment for every copy and update, so it compiles every file
    and path of the template again each time: about two thirds of a render (0.6 of 0.9 s),
    and the suite renders the template hundreds of times. The code of a source depends only
    on the environment's syntax settings (Jinja's own bytecode cache reuses it across runs
    the same way); rendering it is untouched.
    """
    compile_source = jinja2.Environment.compile
    compiled: dict[tuple[Any, ...], Any] = {}

    def compile_once(
        env: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if not isinstance(source, str):  # a parsed template: compiled as it is
            return compile_source(env, source, name, filename, raw, defer_init)
        key = (source, name, filename, raw, defer_init, _compile_settings(env))
        if key not in compiled:
            compiled[key] = compile_source(env, source, name, filename, raw, defer_init)
        return compiled[key]

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(jinja2.Environment, "compile", compile_once)
        yield


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


@pytest.fixture(scope="session")
def rendered(template_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Render each set of answers once per run (per pytest-xdist worker) and share it.

    The project is shared by every test that asks for the same answers: read it, never
    change it (copy it first, as the slow tier does).
    """
    root = tmp_path_factory.mktemp("rendered")
    projects: dict[str, Path] = {}

    def _rendered(answers: Mapping[str, Any] | None = None) -> Path:
        key = json.dumps(answers or {}, sort_keys=True)
        if key not in projects:
            projects[key] = render_project(template_src, root / f"p{len(projects)}", answers)
        return projects[key]

    return _rendered
