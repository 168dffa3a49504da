"""generator.py: how Copier is called, and failures that leave nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fastasync_cli import generator, source
from tests.cli.helpers import Run, Tree, answers_of, assert_error, copier_questions
from tests.conftest import REPO_ROOT


def test_env_var_without_a_template(
    run: Run, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    monkeypatch.setenv(source.TEMPLATE_ENV, str(cli_env / "nothing-here"))
    assert_error(run("new", "svc", "-y"), 1, "FASTASYNC_TEMPLATE=", "is not a template")
    assert not (cli_env / "svc").exists()


def test_generate_from_the_git_checkout_without_trust(
    run: Run, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    """The default source of an editable install: the working tree at HEAD, no --trust."""
    monkeypatch.delenv(source.TEMPLATE_ENV)
    if source.config_path() != REPO_ROOT / "copier.yml":
        pytest.skip("running from an installed wheel")
    result = run("new", "svc", "-y", "--no-git")
    assert result.exit_code == 0, result.output
    answers = answers_of(cli_env / "svc")
    assert answers["project_name"] == "svc"
    if (REPO_ROOT / ".git").exists():
        assert answers["_commit"]  # a git source is recorded for `copier update`
        assert answers["_src_path"] == str(REPO_ROOT)


def _then(error: BaseException) -> Any:
    """A copier.run_copy that completes the copy, then fails with `error`."""
    import copier

    real = copier.run_copy

    def run_copy(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise error

    return run_copy


@pytest.mark.parametrize("existing", [False, True])
def test_ctrl_c_while_rendering_leaves_nothing(
    run: Run, monkeypatch: pytest.MonkeyPatch, cli_env: Path, existing: bool
) -> None:
    import copier

    if existing:
        (cli_env / "svc").mkdir()
    before = Tree.of(cli_env)
    monkeypatch.setattr(copier, "run_copy", _then(KeyboardInterrupt()))
    result = run("new", "svc", "-y")
    assert result.exit_code == 130
    assert result.stderr.strip() == "Aborted: nothing was written"
    assert Tree.of(cli_env) == before


def test_a_write_error_is_one_line_and_undone(
    run: Run, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    import copier

    error = PermissionError(13, "Permission denied", str(cli_env / "svc" / "x"))
    monkeypatch.setattr(copier, "run_copy", _then(error))
    assert_error(run("new", "svc", "-y"), 1, "could not write", "Permission denied")
    assert not (cli_env / "svc").exists()


def test_ctrl_c_while_committing_removes_the_project(
    run: Run, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    from fastasync_cli.commands import new

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # Ctrl-C reaches the main thread while git commits

    monkeypatch.setattr(new, "_next_steps", interrupted)
    result = run("new", "svc", "-y")
    assert result.exit_code == 130
    assert "Aborted" in result.stderr
    assert not (cli_env / "svc").exists()


def test_undo_keeps_what_was_there(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), generator.undo_on_failure(tmp_path):
        (tmp_path / "new.txt").write_text("new")
        (tmp_path / "new-dir").mkdir()
        raise RuntimeError
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def _raising(error: BaseException) -> Any:
    def run_copy(*args: Any, **kwargs: Any) -> Any:
        raise error

    return run_copy


@pytest.mark.parametrize("kind", ["copier", "eof"])
def test_a_prompt_without_a_terminal_is_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch, cli_env: Path, kind: str
) -> None:
    """Whichever way a prompt finds no terminal (Copier's error, or a bare EOFError)."""
    import copier
    from copier.errors import InteractiveSessionError

    error = InteractiveSessionError("Use `--defaults`") if kind == "copier" else EOFError()
    monkeypatch.setattr(copier, "run_copy", _raising(error))
    assert_error(run("new", "svc", "-y"), 2, "no terminal to ask", "--defaults")
    assert not (cli_env / "svc").exists()


def test_an_answer_ruled_out_by_when_is_refused(run: Run, cli_env: Path) -> None:
    conditional = [
        (name, spec)
        for name, spec in copier_questions().items()
        if "when" in spec and spec.get("choices")
    ]
    if not conditional:
        pytest.skip("copier.yml has no conditional choice question")
    name, spec = conditional[0]
    choices = spec["choices"]
    value = next(iter(choices.values() if isinstance(choices, dict) else choices))
    result = run("new", "svc", "-y", "--no-git", "-d", f"{name}={value}")
    if result.exit_code == 0:
        assert name in answers_of(cli_env / "svc"), result.output
        pytest.skip(f"the defaults of copier.yml make {name} apply")
    when = spec["when"].strip().removeprefix("{{").removesuffix("}}").strip()
    assert_error(result, 2, f"--data {name}: {name} applies only when {when}, and here ")
    assert not (cli_env / "svc").exists()
