"""``fastasync new``: what it generates from flags, --data, presets and defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastasync_cli import questions
from fastasync_cli.commands.new import FLAGS
from tests.cli.helpers import Run, answers_of, assert_error, copier_questions


def test_defaults_generate_the_project_in_cwd(run: Run, cli_env: Path) -> None:
    result = run("new", "my-service", "--defaults", "--no-git")
    assert result.exit_code == 0, result.output
    answers = answers_of(cli_env / "my-service")
    assert answers["project_name"] == "my-service"
    assert answers["package_name"] == "my_service"  # derived by copier.yml's default
    for name, spec in copier_questions().items():
        if "default" in spec and "{{" not in str(spec["default"]) and "when" not in spec:
            assert answers[name] == spec["default"], name


def test_next_steps_name_the_package_from_the_answers(run: Run) -> None:
    result = run("new", "shop", "-y", "--package-name", "shop_core", "--no-git")
    assert result.exit_code == 0, result.output
    assert "cd shop" in result.stdout
    assert "pip install -e '.[dev]'" in result.stdout
    assert "fastapi dev" in result.stdout
    assert "python -m shop_core --reload" in result.stdout
    assert "pytest" in result.stdout


@pytest.mark.parametrize("flag", ["--yes", "-y"])
def test_yes_is_defaults(run: Run, cli_env: Path, flag: str) -> None:
    assert run("new", "svc", flag, "--no-git").exit_code == 0
    assert (cli_env / "svc" / ".copier-answers.yml").is_file()


def test_output_dir(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    out.mkdir()
    result = run("new", "svc", "-y", "--output-dir", str(out), "--no-git")
    assert result.exit_code == 0, result.output
    assert answers_of(out / "svc")["project_name"] == "svc"
    short = run("new", "svc2", "-y", "-o", str(out), "--no-git")
    assert short.exit_code == 0, short.output
    assert (out / "svc2" / ".copier-answers.yml").is_file()


def test_an_existing_empty_directory_is_fine(run: Run, cli_env: Path) -> None:
    (cli_env / "svc").mkdir()
    result = run("new", "svc", "-y", "--no-git")
    assert result.exit_code == 0, result.output
    assert answers_of(cli_env / "svc")["project_name"] == "svc"


def _available(name: str) -> object:
    """A value of question `name` that this release accepts, other than its default."""
    question = questions.load()[name]
    if question.type == "bool":
        return next(v for v in (True, False) if not question.refusal(v))
    usable = [c.value for c in question.choices if not c.disabled]
    others = [v for v in usable if v != question.default]
    return (others or usable)[0]


FLAG_VALUES = {
    "package_name": "svc_core",
    "description": "Orders API",
    "author_name": "Ada Lovelace",
    "author_email": "ada@example.org",
    # Celery, so that every flag's question applies (--celery-broker asks for it), and the
    # Redis client Celery brings anyway.
    "offload": "celery",
    "celery_broker": "rabbitmq",
    "redis": True,
}


def test_every_flag_sets_its_answer(run: Run, cli_env: Path) -> None:
    args: list[str] = []
    expected: dict[str, object] = {}
    for key, flag in FLAGS.items():
        question = questions.load()[key]
        value = FLAG_VALUES.get(key) or _available(key)
        if question.type == "bool":
            args.append(flag if value else f"--no-{flag.removeprefix('--')}")
        else:
            args += [flag, str(value)]
        if question.when is None:  # a `when`-hidden answer is not recorded
            expected[key] = value
    result = run("new", "svc", "-y", "--no-git", *args)
    assert result.exit_code == 0, result.output
    answers = answers_of(cli_env / "svc")
    for key, value in expected.items():
        assert answers[key] == value, key


def test_all_flags_without_a_terminal_need_no_defaults(run: Run, cli_env: Path) -> None:
    """Nothing is left to ask, so no --defaults is needed even without a terminal."""
    args: list[str] = []
    for key, flag in FLAGS.items():
        value = FLAG_VALUES.get(key) or _available(key)
        if questions.load()[key].type == "bool":
            args.append(flag if value else f"--no-{flag.removeprefix('--')}")
        else:
            args += [flag, str(value)]
    result = run("new", "svc", "--no-git", *args)
    assert result.exit_code == 0, result.output
    assert answers_of(cli_env / "svc")["package_name"] == "svc_core"


def test_data_answers_any_question_cast_by_its_type(run: Run, cli_env: Path) -> None:
    result = run(
        "new",
        "svc",
        "-y",
        "--no-git",
        "-d",
        "python_version=3.12",
        "--data",
        "rate_limit=no",
        "-d",
        "docker=0",
        "-d",
        "description=Ratio 3.10: a=b",
    )
    assert result.exit_code == 0, result.output
    answers = answers_of(cli_env / "svc")
    assert answers["python_version"] == "3.12"  # a str question keeps a string
    assert answers["rate_limit"] is False
    assert answers["docker"] is False
    assert answers["description"] == "Ratio 3.10: a=b"  # split on the first '=' only


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("True", True),
        ("yes", True),
        ("1", True),
        ("false", False),
        ("No", False),
        ("0", False),
    ],
)
def test_bool_casting(raw: str, expected: bool) -> None:
    bools = [q for q in questions.load().values() if q.type == "bool"]
    assert bools, "copier.yml has no yes/no question left to test"
    assert bools[0].cast(raw) is expected


def test_str_casting_keeps_the_text() -> None:
    strings = [q for q in questions.load().values() if q.type == "str"]
    assert all(q.cast("3.10") == "3.10" for q in strings)


def test_flags_override_the_preset(run: Run, cli_env: Path) -> None:
    result = run(
        "new", "svc", "--preset", "minimal", "--python", "3.13", "--no-git", "-d", "ci=none"
    )
    assert result.exit_code == 0, result.output
    answers = answers_of(cli_env / "svc")
    assert answers["python_version"] == "3.13"


def test_flag_and_data_must_agree(run: Run, cli_env: Path) -> None:
    result = run("new", "svc", "-y", "--python", "3.12", "-d", "python_version=3.13")
    assert_error(result, 2, "--python", "--data python_version", "disagree")
    assert not (cli_env / "svc").exists()
    same = run("new", "svc", "-y", "--no-git", "--python", "3.12", "-d", "python_version=3.12")
    assert same.exit_code == 0, same.output
