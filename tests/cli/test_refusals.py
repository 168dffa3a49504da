"""Everything ``fastasync new`` refuses: one line on stderr, the right exit code, no traceback,
and nothing written or overwritten."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastasync_cli import questions
from fastasync_cli.commands.new import FLAGS
from tests.cli.helpers import (
    SWITCH_NOT_BUILT,
    SWITCH_NOT_BUILT_WHY,
    Run,
    Tree,
    assert_error,
    copier_questions,
    write_switch_not_built,
)


@pytest.fixture
def unchanged(cli_env: Path) -> Iterator[None]:
    """The working directory (with a file in it) is byte-for-byte the same afterwards."""
    (cli_env / "keep.txt").write_bytes(b"precious\n")
    before = Tree.of(cli_env)
    yield
    assert Tree.of(cli_env) == before


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("9lives", "'9lives' is not a valid project name"),
        ("my service", "'my service' is not a valid project name"),
        ("", "must not be empty"),
        ("../x", "'../x' is not a valid project name"),
        (".", "not a valid project name"),
    ],
)
def test_bad_project_names_are_refused_by_copier_yml(run: Run, name: str, fragment: str) -> None:
    result = run("new", name, "--defaults")
    assert_error(result, 2, "Validation error for question 'project_name'", fragment)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("class", "the package name 'class' (from the project name 'class') is a Python keyword"),
        ("Import", "'import' (from the project name 'Import') is a Python keyword"),
        ("asyncio", "shadows a module the service imports"),
    ],
)
def test_a_project_name_that_gives_a_reserved_package_name_is_refused(
    run: Run, name: str, fragment: str
) -> None:
    result = run("new", name, "--defaults")
    assert_error(result, 2, "Validation error for question 'package_name'", fragment)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--package-name", "Bad-Pkg"], "'Bad-Pkg' is not a valid package name"),
        (["--package-name", "pass"], "Python keyword"),
        (["--author-email", "nobody"], "'nobody' is not an email address"),
        (["-d", "author_email=a b@c.d"], "is not an email address"),
    ],
)
def test_copier_validators_judge_typed_answers(run: Run, args: list[str], fragment: str) -> None:
    assert_error(run("new", "svc", "-y", *args), 2, "Validation error for question", fragment)


def _choice_questions() -> list[tuple[str, str]]:
    return [(key, flag) for key, flag in FLAGS.items() if questions.load()[key].choices]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("key", "flag"), _choice_questions())
def test_unknown_choice_lists_every_choice(run: Run, key: str, flag: str) -> None:
    values = [str(c.value) for c in questions.load()[key].choices]
    result = run("new", "svc", "-y", flag, "mysql")
    assert_error(result, 2, f"{flag}: 'mysql' is not one of: {', '.join(values)}")


def test_unknown_database_message_is_exact(run: Run) -> None:
    result = run("new", "svc", "-y", "--database", "mysql")
    values = ", ".join(str(v) for v in questions.load()["database"].values)
    assert assert_error(result, 2) == f"error: --database: 'mysql' is not one of: {values}"


CHOICE_NOT_BUILT_WHY = "not available in this release yet"


@pytest.mark.usefixtures("unchanged")
def test_choices_not_available_yet_give_their_own_message(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A choice copier.yml disables is refused, as a flag and as data, with its message."""
    root = write_switch_not_built(tmp_path / "t")
    (root / "copier.yml").write_text(
        "_subdirectory: template\n"
        "_answers_file: .copier-answers.yml\n"
        "project_name:\n  type: str\n  help: Project name\n"
        "offload:\n  type: str\n  help: Where heavy work runs\n  default: none\n"
        "  choices:\n    none: none\n    Celery:\n      value: celery\n"
        f"      validator: {CHOICE_NOT_BUILT_WHY}\n"
    )
    monkeypatch.setenv("FASTASYNC_TEMPLATE", str(root))
    questions._load.cache_clear()
    flag = FLAGS["offload"]
    assert_error(run("new", "svc", "-y", flag, "celery"), 2, flag, CHOICE_NOT_BUILT_WHY)
    assert_error(
        run("new", "svc", "-y", "-d", "offload=celery"), 2, "--data offload", CHOICE_NOT_BUILT_WHY
    )


@pytest.mark.usefixtures("unchanged")
def test_switches_not_available_yet(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Copier does not run a yes/no question's validator on data: the CLI does."""
    monkeypatch.setenv("FASTASYNC_TEMPLATE", str(write_switch_not_built(tmp_path / "t")))
    questions._load.cache_clear()
    flag = FLAGS[SWITCH_NOT_BUILT]
    assert_error(run("new", "svc", "-y", flag), 2, flag, SWITCH_NOT_BUILT_WHY)
    data = f"--data {SWITCH_NOT_BUILT}"
    assert_error(run("new", "svc", "-y", "-d", f"{SWITCH_NOT_BUILT}=yes"), 2, data)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("item", "fragments"),
    [
        ("nosuchquestion=1", ["--data: unknown question 'nosuchquestion'", "fastasync options"]),
        ("no-equals-sign", ["--data: expected KEY=VALUE", "'no-equals-sign'"]),
        ("=value", ["--data: expected KEY=VALUE"]),
        ("rate_limit=maybe", ["--data rate_limit", "'maybe' is not a yes/no value"]),
        ("project_name=other", ["--data project_name", "NAME argument"]),
        ("python_version=3.10", ["--data python_version", "'3.10' is not one of: 3.11"]),
    ],
)
def test_bad_data(run: Run, item: str, fragments: list[str]) -> None:
    assert_error(run("new", "svc", "-y", "--data", item), 2, *fragments)


@pytest.mark.usefixtures("unchanged")
def test_unknown_preset(run: Run) -> None:
    assert_error(
        run("new", "svc", "--preset", "huge"),
        2,
        "--preset: 'huge' is not one of: minimal, standard, full",
    )


@pytest.mark.usefixtures("unchanged")
def test_no_terminal_and_questions_left(run: Run) -> None:
    line = assert_error(run("new", "svc"), 2, "no terminal to ask", "--defaults", "flags")
    # it names the questions still open, and only those
    assert "package_name" in line
    assert "project_name" not in line
    # a question behind `when` is named exactly when the defaults make it apply
    hidden = questions.ruled_out({"project_name": "svc"})
    for name, spec in copier_questions().items():
        if "when" in spec:
            assert (f" {name}" in line) == (name not in hidden), name


@pytest.mark.usefixtures("unchanged")
def test_no_terminal_names_only_the_unanswered_questions(run: Run) -> None:
    line = assert_error(run("new", "svc", "--python", "3.12", "--description", "x"), 2)
    assert "python_version" not in line
    assert "description" not in line
    assert "author_name" in line


def test_target_not_empty_is_left_byte_for_byte(run: Run, cli_env: Path) -> None:
    target = cli_env / "svc"
    (target / "sub").mkdir(parents=True)
    (target / "notes.md").write_bytes(b"mine\x00\xff\n")
    (target / "sub" / "data.bin").write_bytes(os.urandom(64))
    before = Tree.of(cli_env)
    result = run("new", "svc", "--defaults")
    assert_error(result, 1, "svc already exists and is not empty; nothing was changed")
    assert Tree.of(cli_env) == before


def test_target_is_a_file(run: Run, cli_env: Path) -> None:
    (cli_env / "svc").write_text("a file\n")
    before = Tree.of(cli_env)
    assert_error(run("new", "svc", "-y"), 1, "already exists and is not a directory")
    assert Tree.of(cli_env) == before


def test_target_not_empty_in_output_dir(run: Run, tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "x").write_text("x")
    result = run("new", "svc", "-y", "-o", str(tmp_path))
    assert_error(result, 1, f"{tmp_path / 'svc'} already exists and is not empty")
    assert (tmp_path / "svc" / "x").read_text() == "x"


@pytest.mark.usefixtures("unchanged")
def test_output_dir_missing(run: Run, cli_env: Path) -> None:
    result = run("new", "svc", "-y", "-o", "nowhere")
    assert_error(result, 1, "output directory nowhere does not exist")
    assert not (cli_env / "nowhere").exists()


@pytest.mark.usefixtures("unchanged")
def test_output_dir_is_a_file(run: Run) -> None:
    assert_error(run("new", "svc", "-y", "-o", "keep.txt"), 1, "keep.txt is not a directory")


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody can write in: mode 0555, and immutable when running as root."""
    path = tmp_path / "ro"
    path.mkdir()
    path.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        done = chattr and subprocess.run([chattr, "+i", str(path)], check=False).returncode == 0
        if not done:
            path.chmod(0o755)
            pytest.skip("root can write anywhere and chattr +i is not available here")
        immutable = True
    yield path
    if immutable:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    path.chmod(0o755)


def test_output_dir_not_writable(run: Run, read_only_dir: Path) -> None:
    result = run("new", "svc", "-y", "-o", str(read_only_dir))
    assert_error(result, 1, f"output directory {read_only_dir} is not writable")
    assert list(read_only_dir.iterdir()) == []


def test_empty_target_not_writable(run: Run, read_only_dir: Path, tmp_path: Path) -> None:
    result = run("new", "ro", "-y", "-o", str(tmp_path))
    assert_error(result, 1, f"{read_only_dir} is not writable")
