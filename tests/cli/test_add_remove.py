"""``fastasync add`` / ``remove``: one answer changed, the template re-applied at the project's
version; files a removal deletes are listed, confirmed, and protected when edited."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from fastasync_cli import source
from tests.cli.helpers import Run, answers_of, assert_error, commit, generate, state
from tests.cli.templates import FILES_V1, FILES_V2, Releases, TemplateRepo
from tests.cli.test_interactive import finish, output, spawn

_MADE: dict[tuple[Path, str], Path] = {}
"""Each project state below, made once per worker and copied (with .git) into each test."""


def _made(
    releases: Releases,
    state: str,
    make: Callable[[Path], None],
    factory: pytest.TempPathFactory,
) -> Path:
    key = (releases.repo.path, state)
    if key not in _MADE:
        _MADE[key] = factory.mktemp(f"made-{state}") / "svc"
        make(_MADE[key])
    return _MADE[key]


@pytest.fixture
def project(
    run: Run,
    releases: Releases,
    monkeypatch: pytest.MonkeyPatch,
    cli_env: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A project of fastasync 0.2.0 with every feature off, and a file of the user's."""
    releases.new.install(monkeypatch)

    def make(where: Path) -> None:
        generate(run, where.parent, where.name)
        (where / "src/svc/mine.py").write_text("MINE = 1\n")
        commit(where)

    made = _made(releases, "plain", make, tmp_path_factory)
    return shutil.copytree(made, cli_env / "svc", symlinks=True)


@pytest.fixture
def with_extra(
    run: Run, releases: Releases, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The project after ``add extra``, committed, with a file of the user's in extras/."""

    def make(where: Path) -> None:
        shutil.copytree(project, where, symlinks=True)
        assert run("add", "extra", "-C", str(where)).exit_code == 0
        (where / "extras/mine.txt").write_text("my notes\n")
        commit(where, "Add extra")

    made = _made(releases, "extra", make, tmp_path_factory)
    shutil.rmtree(project)
    return shutil.copytree(made, project, symlinks=True)


def test_add_a_yes_no_feature(run: Run, project: Path) -> None:
    result = run("add", "extra", "-C", str(project))
    assert result.exit_code == 0, result.output
    answers = answers_of(project)
    assert answers["extra"] is True
    assert answers["extra_mode"] == "fast"  # a question it brings takes its default
    assert (project / "src/svc/extra.py").read_text() == 'MODE = "fast"\n'
    assert (project / "extras/notes.txt").is_file()
    assert 'EXTRA = "fast"' in (project / "src/svc/app.py").read_text()
    assert (project / "src/svc/mine.py").read_text() == "MINE = 1\n"
    assert "svc: extra is now on (template 0.2.0): 3 added, 1 modified" in result.stdout


def test_add_a_value(run: Run, project: Path) -> None:
    result = run("add", "flavor=b", "-C", str(project))
    assert result.exit_code == 0, result.output
    assert (project / "flavor.txt").read_text() == "b\n"
    assert answers_of(project)["flavor"] == "b"


def test_add_takes_the_only_choice(run: Run, project: Path) -> None:
    assert run("add", "ci", "-C", str(project)).exit_code == 0
    assert answers_of(project)["ci"] == "github"
    assert (project / "ci.yml").is_file()


def test_add_happens_at_the_projects_template_version(run: Run, old_project: Path) -> None:
    assert run("add", "extra", "-C", str(old_project)).exit_code == 0
    assert answers_of(old_project)["_commit"] == "v0.1.0"
    assert (old_project / "src/svc/extra.py").is_file()
    assert not (old_project / "CHANGELOG.md").exists()  # 0.2.0's file: that is `update`'s job


def test_add_in_the_current_folder(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "src")
    assert run("add", "extra").exit_code == 0
    assert answers_of(project)["extra"] is True


def test_remove_lists_the_files_and_needs_yes_without_a_terminal(
    run: Run, with_extra: Path
) -> None:
    before = state(with_extra)
    result = run("remove", "extra", "-C", str(with_extra))
    assert_error(result, 2, "no terminal to confirm deleting 3 file(s): pass --yes")
    for path in ("extras/more.txt", "extras/notes.txt", "src/svc/extra.py"):
        assert f"deleted {path}" in result.stdout
    assert "mine.txt" not in result.stdout
    assert state(with_extra) == before

    result = run("remove", "extra", "--yes", "-C", str(with_extra))
    assert result.exit_code == 0, result.output
    assert answers_of(with_extra)["extra"] is False
    assert not (with_extra / "src/svc/extra.py").exists()
    assert not (with_extra / "extras/notes.txt").exists()
    assert (with_extra / "extras/mine.txt").read_text() == "my notes\n"  # the user's file
    assert "EXTRA" not in (with_extra / "src/svc/app.py").read_text()
    assert "svc: extra is now off (template 0.2.0): 1 modified, 3 deleted" in result.stdout


def test_remove_refuses_files_the_user_edited_unless_forced(run: Run, with_extra: Path) -> None:
    notes = with_extra / "extras/notes.txt"
    notes.write_text("notes\nmy own line\n")
    commit(with_extra)
    before = state(with_extra)
    result = run("remove", "extra", "--yes", "-C", str(with_extra))
    assert_error(result, 1, "would delete files you changed: extras/notes.txt", "--force")
    assert state(with_extra) == before

    result = run("remove", "extra", "--yes", "--force", "-C", str(with_extra))
    assert result.exit_code == 0, result.output
    assert "deleted extras/notes.txt (edited)" in result.stdout
    assert not notes.exists()


def test_switching_a_choice_confirms_the_files_it_deletes(run: Run, project: Path) -> None:
    assert_error(run("add", "server=y", "-C", str(project)), 2, "pass --yes")
    result = run("add", "server=y", "--yes", "-C", str(project))
    assert result.exit_code == 0, result.output
    assert "deleted x.conf" in result.stdout
    assert not (project / "x.conf").exists()
    assert (project / "y.conf").is_file()


def test_a_conflict_while_changing_a_value_is_reported(run: Run, with_extra: Path) -> None:
    app = with_extra / "src/svc/app.py"
    app.write_text(app.read_text().replace('EXTRA = "fast"', 'EXTRA = "mine"'))
    commit(with_extra)
    result = run("add", "extra_mode=slow", "-C", str(with_extra))
    assert_error(result, 1, "conflicts in 1 file(s): src/svc/app.py")
    assert "conflict  src/svc/app.py" in result.stdout
    text = app.read_text()
    assert 'EXTRA = "mine"' in text
    assert 'EXTRA = "slow"' in text
    assert (with_extra / "src/svc/extra.py").read_text() == 'MODE = "slow"\n'


@pytest.mark.parametrize(
    ("command", "exit_code", "fragment"),
    [
        (["add", "nope"], 2, "add nope: unknown feature"),
        (["remove", "nope"], 2, "remove nope: unknown feature"),
        (["add", "flavor=c"], 2, "'c': not available in this release yet"),
        (["add", "flavor=z"], 2, "'z' is not one of: none, a, b, c"),
        (["add", "flavor"], 2, "which value? add flavor=VALUE: one of flavor=a, flavor=b"),
        (["add", "flavor=none"], 2, "turns it off: use `fastasync remove flavor`"),
        (["add", "extra=maybe"], 2, "is not a yes/no value"),
        (["remove", "flavor=a"], 2, "without a value: remove flavor"),
        (["remove", "server"], 2, "no off value, it can only be changed"),
        (["add", "extra_mode=slow"], 1, "add extra_mode: it applies only when {{ extra }}"),
    ],
)
def test_refusals_change_nothing(
    run: Run, project: Path, command: list[str], exit_code: int, fragment: str
) -> None:
    before = state(project)
    assert_error(run(*command, "-C", str(project)), exit_code, fragment)
    assert state(project) == before


def test_a_dirty_tree_is_refused(run: Run, project: Path) -> None:
    (project / "src/svc/mine.py").write_text("MINE = 2\n")
    before = state(project)
    assert_error(run("add", "extra", "-C", str(project)), 1, "has uncommitted changes")
    assert state(project) == before


def test_nothing_to_do(run: Run, with_extra: Path) -> None:
    before = state(with_extra)
    result = run("add", "extra", "-C", str(with_extra))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "svc: extra is already on: nothing to do"
    assert state(with_extra) == before


def test_not_a_project(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    releases.new.install(monkeypatch)
    assert_error(run("add", "extra", "-C", str(cli_env)), 1, "is not a fastasync project")
    assert_error(run("remove", "extra", "-C", str(cli_env / "x")), 1, "is not a directory")


def test_remove_asks_in_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch, cli_env: Path, tmp_path: Path
) -> None:
    repo = TemplateRepo.create(tmp_path / "checkout")
    repo.release("0.1.0", FILES_V1)
    repo.release("0.2.0", FILES_V2)
    monkeypatch.setenv(source.TEMPLATE_ENV, str(repo.path))
    project = generate(run, cli_env)
    assert run("add", "extra", "-C", str(project)).exit_code == 0
    commit(project)
    before = state(project)

    child = spawn("remove", "extra", cwd=project)
    child.expect_exact("Delete them? [y/N]")
    child.sendline("n")
    assert finish(child) == 1
    assert "not confirmed: nothing was changed" in output(child)
    assert "deleted src/svc/extra.py" in output(child)
    assert state(project) == before

    child = spawn("remove", "extra", cwd=project)
    child.expect_exact("Delete them? [y/N]")
    child.sendintr()  # Ctrl-C: the same exit as at any other prompt
    assert finish(child) == 130
    assert "Traceback" not in output(child)
    assert state(project) == before

    child = spawn("remove", "extra", cwd=project)
    child.expect_exact("Delete them? [y/N]")
    child.sendline("y")
    assert finish(child) == 0, output(child)
    assert not (project / "src/svc/extra.py").exists()
