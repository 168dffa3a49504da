"""The add/remove property, on the real template: ``add X`` on a project generated without X
gives the files of generating with X from the start (the user's own files kept), and taking
X back out gives the project without it again. Checked for every feature value copier.yml
offers at test time."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fastasync_cli import features, questions
from fastasync_cli.main import app
from tests.cli.helpers import GIT_EMAIL, GIT_NAME, Run, Tree, commit, generate
from tests.cli.templates import Release, TemplateRepo
from tests.conftest import REPO_ROOT

USER_FILE = "src/svc/user_code.py"


def _defaults() -> dict[str, Any]:
    """What generating with every default answers, hidden questions included."""
    answers: dict[str, Any] = {"project_name": "svc"}
    for name, question in questions._load(REPO_ROOT / "copier.yml").items():
        if name not in answers:
            answers[name] = question.computed_default(answers)
    return answers


# About 10 s each: the quick tier (-m "not slow") keeps one, a choice that also turns on a
# question it hides (the Redis cache brings the Redis client); the full run checks them all.
QUICK_CASES = {("cache", "redis")}


def _cases() -> list[Any]:
    """Every available value, other than the default, of every question the defaults ask.

    A question behind a `when` that the defaults make true (redis) is a feature like any
    other; one the defaults hide (celery_broker) cannot be added on its own.
    """
    cases = []
    defaults = _defaults()
    hidden = questions.ruled_out(defaults)
    for name, question in questions._load(REPO_ROOT / "copier.yml").items():
        if name in hidden or (question.derived and question.type != "bool"):
            continue
        if question.type == "bool" and not question.choices:
            values: list[Any] = [True, False]
        elif question.choices:
            values = [c.value for c in question.choices]
        else:
            continue
        for value in values:
            if value != defaults[name] and not question.refusal(value):
                marks = () if (name, value) in QUICK_CASES else (pytest.mark.slow,)
                cases.append(pytest.param(name, value, id=f"{name}={value}", marks=marks))
    return cases


@pytest.fixture(scope="session")
def real_release(tmp_path_factory: pytest.TempPathFactory, template_src: Path) -> Release:
    """The working tree's template, committed and tagged, as a wheel would ship it."""
    where = tmp_path_factory.mktemp("real-release")
    repo = TemplateRepo.create(where / "repo")
    shutil.copytree(template_src, repo.path, dirs_exist_ok=True)
    repo.release("0.1.0", {})
    return Release.build(repo, "0.1.0", where)


@pytest.fixture(scope="session")
def plain_project(tmp_path_factory: pytest.TempPathFactory, real_release: Release) -> Path:
    """A project with every default, generated once, copied by each test (.git included)."""
    where = tmp_path_factory.mktemp("plain")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(where)
        real_release.install(monkeypatch)
        monkeypatch.setenv("HOME", str(where))
        for variable, value in (("GIT_AUTHOR_NAME", GIT_NAME), ("GIT_AUTHOR_EMAIL", GIT_EMAIL)):
            monkeypatch.setenv(variable, value)
            monkeypatch.setenv(variable.replace("AUTHOR", "COMMITTER"), value)
        result = CliRunner().invoke(app, ["new", "svc", "-y"])
        assert result.exit_code == 0, result.output
    return where / "svc"


def files(project: Path) -> dict[str, bytes]:
    """Every file outside .git, except the user's own."""
    return {
        path: data
        for path, data in Tree.of(project).files.items()
        if not path.startswith(".git/") and path != USER_FILE
    }


def _change_to(question: questions.Question, value: Any) -> list[str]:
    """The command that answers `question` with `value`: remove X, add X or add X=VALUE."""
    if value == features.off_value(question):
        return ["remove", question.name]
    return ["add", question.name if value is True else f"{question.name}={value}"]


@pytest.mark.parametrize(("name", "value"), _cases())
def test_add_then_remove_is_generating_with_then_without(
    run: Run,
    real_release: Release,
    plain_project: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli_env: Path,
    name: str,
    value: Any,
) -> None:
    real_release.install(monkeypatch)
    (cli_env / "direct").mkdir()
    project = shutil.copytree(plain_project, cli_env / "plain" / "svc", symlinks=True)
    without = files(project)
    (project / USER_FILE).write_text('"""Code of the project\'s own."""\n')
    commit(project)

    question = questions.load()[name]
    default = _defaults()[name]
    result = run(*_change_to(question, value), "--yes", "-C", str(project))
    assert result.exit_code == 0, result.output
    direct = generate(run, cli_env / "direct", "svc", "--no-git", "--data", f"{name}={value}")
    assert files(project) == files(direct)
    assert (project / USER_FILE).read_text() == '"""Code of the project\'s own."""\n'

    commit(project)
    result = run(*_change_to(question, default), "--yes", "-C", str(project))
    assert result.exit_code == 0, result.output
    assert files(project) == without
    assert (project / USER_FILE).is_file()


def test_completion_offers_what_add_and_remove_accept(
    real_release: Release, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_release.install(monkeypatch)
    offered = [name for name, _ in features.complete_add("")]
    removable = [name for name, _ in features.complete_remove("")]
    known = questions.load()
    for case in _cases():
        name, value = case.values
        command = _change_to(known[name], value)
        assert (command[1] in removable) if command[0] == "remove" else (command[1] in offered)
    for name in removable:
        assert features.for_remove(name)[0] == name


@pytest.mark.slow
def test_switching_the_rate_limiter_keeps_the_users_edits(
    run: Run, real_release: Release, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    real_release.install(monkeypatch)
    (cli_env / "direct").mkdir()
    project = generate(run, cli_env, "svc", "--rate-limit")
    native = files(project)
    schemas = project / "src/svc/items/schemas.py"
    edited = schemas.read_text() + "\nMY_CONSTANT = 1\n"
    schemas.write_text(edited)
    (project / USER_FILE).write_text('"""Code of the project\'s own."""\n')
    commit(project)

    result = run("add", "rate_limiter=slowapi", "--yes", "-C", str(project))
    assert result.exit_code == 0, result.output
    direct = generate(
        run, cli_env / "direct", "svc", "--no-git", "--rate-limit", "--rate-limiter", "slowapi"
    )
    assert files(project) == files(direct) | {"src/svc/items/schemas.py": edited.encode()}
    assert not (project / "src/svc/core/ratelimit/rate_limiter.py").exists()
    assert (project / USER_FILE).is_file()

    commit(project)
    result = run("add", "rate_limiter=native", "--yes", "-C", str(project))
    assert result.exit_code == 0, result.output
    assert files(project) == native | {"src/svc/items/schemas.py": edited.encode()}
