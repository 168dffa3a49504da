"""``fastasync update`` and ``fastasync check``, and plain ``copier update``, between two
tagged releases of a small template, as a pip-installed fastasync runs them (the template
bundle installed under HOME); and from a development checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fastasync_cli import source
from fastasync_cli.project import Project
from tests.cli.helpers import Run, Tree, answers_of, assert_error, commit, generate, state
from tests.cli.templates import FILES_V1, FILES_V2, Releases, TemplateRepo, git

INSTALLED = "~/.local/share/fastasync/template.bundle"


def test_new_records_the_installed_bundle_with_a_literal_tilde(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    releases.old.install(monkeypatch)
    answers = answers_of(generate(run, cli_env))
    assert answers["_src_path"] == INSTALLED
    assert answers["_commit"] == "v0.1.0"
    assert (Path.home() / ".local/share/fastasync/template.bundle").is_file()


def test_update_keeps_the_users_changes_and_brings_the_new_file(
    run: Run, old_project: Path
) -> None:
    app = old_project / "src/svc/app.py"
    app.write_text(app.read_text().replace("return 3", "return 33"))
    (old_project / "src/svc/mine.py").write_text("MINE = 1\n")
    commit(old_project)

    result = run("update", str(old_project))
    assert result.exit_code == 0, result.output
    assert '"hello, world"' in app.read_text()  # the template's change
    assert "return 33" in app.read_text()  # the user's edit
    assert (old_project / "src/svc/mine.py").read_text() == "MINE = 1\n"
    assert (old_project / "CHANGELOG.md").read_text() == FILES_V2["template/CHANGELOG.md"]
    answers = answers_of(old_project)
    assert answers["_commit"] == "v0.2.0"
    assert answers["_src_path"] == INSTALLED
    assert "Updated svc from template 0.1.0 to 0.2.0: 1 added, 1 modified" in result.stdout
    assert "CHANGELOG.md" in result.stdout
    assert result.stderr == ""


def test_a_conflict_is_named_and_nothing_is_lost(run: Run, old_project: Path) -> None:
    app = old_project / "src/svc/app.py"
    app.write_text(app.read_text().replace('"hello"', '"hi there"'))
    commit(old_project)

    result = run("update", str(old_project))
    assert_error(result, 1, "conflicts in 1 file(s): src/svc/app.py", "markers")
    assert "conflict  src/svc/app.py" in result.stdout
    text = app.read_text()
    assert '"hi there"' in text  # the user's line
    assert '"hello, world"' in text  # the template's line
    assert "<<<<<<< before updating" in text
    assert (old_project / "CHANGELOG.md").is_file()  # the rest of the update went through
    assert answers_of(old_project)["_commit"] == "v0.2.0"


def test_a_dirty_tree_is_refused(run: Run, old_project: Path) -> None:
    (old_project / "README.md").write_text("# work in progress\n")
    before = state(old_project)
    assert_error(
        run("update", str(old_project)), 1, "svc has uncommitted changes (README.md)", "commit"
    )
    assert state(old_project) == before


def test_a_downgrade_is_refused(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    releases.new.install(monkeypatch)
    project = generate(run, cli_env)
    releases.old.install(monkeypatch)
    before = state(project)
    assert_error(
        run("update", str(project)),
        1,
        "svc is at template 0.2.0, newer than this fastasync's 0.1.0",
        "upgrade fastasync",
    )
    assert state(project) == before


def test_an_up_to_date_project_is_left_alone(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    releases.new.install(monkeypatch)
    project = generate(run, cli_env)
    before = state(project)
    result = run("update", str(project))
    assert result.exit_code == 0, result.output
    assert "nothing to update" in result.stdout
    assert state(project) == before


def test_update_from_a_folder_inside_the_project(
    run: Run, old_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(old_project / "src" / "svc")
    result = run("update")
    assert result.exit_code == 0, result.output
    assert answers_of(old_project)["_commit"] == "v0.2.0"


def test_not_a_fastasync_project(run: Run, releases: Releases, cli_env: Path) -> None:
    empty = cli_env / "empty"
    empty.mkdir()
    assert_error(run("update", str(empty)), 1, "is not a fastasync project")
    other = cli_env / "other"
    other.mkdir()
    (other / ".copier-answers.yml").write_text("_src_path: gh:someone/else\nname: x\n")
    before = Tree.of(other)
    assert_error(run("update", str(other)), 1, "is not a fastasync project")
    assert_error(run("update", str(cli_env / "missing")), 1, "is not a directory")
    assert Tree.of(other) == before


def test_a_project_outside_git_is_refused(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    releases.old.install(monkeypatch)
    project = generate(run, cli_env, "svc", "--no-git")
    releases.new.install(monkeypatch)
    before = Tree.of(project)
    assert_error(run("update", str(project)), 1, "is not under git")
    assert Tree.of(project) == before


def test_a_missing_template_bundle_is_one_line(
    run: Run, old_project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "site" / "fastasync_cli"  # an installation without its bundle
    broken.mkdir(parents=True)
    monkeypatch.setattr(source, "_PACKAGE_DIR", broken)
    before = state(old_project)
    for command in ("update", "check"):
        assert_error(
            run(command, str(old_project)),
            1,
            "the template bundle is missing from this installation",
            "reinstall fastasync",
        )
    assert state(old_project) == before


def test_a_release_bundle_without_this_version_is_one_line(
    run: Run, old_project: Path, releases: Releases, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "cli_version", lambda: "0.3.0")
    assert_error(run("update", str(old_project)), 1, "has no tag for fastasync 0.3.0")


def test_check_says_what_is_available(
    run: Run, old_project: Path, releases: Releases, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("check", str(old_project))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "svc: template 0.1.0; update available: 0.2.0 (run `fastasync update`)"
    )
    assert run("update", str(old_project)).exit_code == 0
    commit(old_project, "Update")
    assert run("check", str(old_project)).stdout.strip() == "svc: template 0.2.0, up to date"
    releases.old.install(monkeypatch)
    assert run("check", str(old_project)).stdout.strip() == (
        "svc: template 0.2.0, newer than this fastasync's 0.1.0: upgrade fastasync "
        "(pip install -U fastasync)"
    )


def test_plain_copier_update_uses_the_installed_bundle(run: Run, old_project: Path) -> None:
    """What a Copier user types in the project, after any fastasync command installed 0.2.0."""
    (old_project / "src/svc/mine.py").write_text("MINE = 1\n")
    commit(old_project)
    assert run("check", str(old_project)).exit_code == 0  # installs the 0.2.0 bundle
    result = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--quiet"],
        cwd=old_project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert answers_of(old_project)["_commit"] == "v0.2.0"
    assert (old_project / "CHANGELOG.md").is_file()
    assert (old_project / "src/svc/mine.py").is_file()


def test_update_from_a_development_checkout(
    run: Run, monkeypatch: pytest.MonkeyPatch, cli_env: Path, tmp_path: Path
) -> None:
    """FASTASYNC_TEMPLATE at a checkout: generate at its old tag, update at its new one."""
    repo = TemplateRepo.create(tmp_path / "checkout")
    repo.release("0.1.0", FILES_V1)
    repo.release("0.2.0", FILES_V2)
    repo.checkout("v0.1.0")
    monkeypatch.setenv(source.TEMPLATE_ENV, str(repo.path))
    project = generate(run, cli_env)
    assert answers_of(project)["_src_path"] == str(repo.path.resolve())
    repo.checkout("v0.2.0")
    result = run("update", str(project))
    assert result.exit_code == 0, result.output
    assert answers_of(project)["_commit"] == "v0.2.0"
    assert (project / "CHANGELOG.md").is_file()


def test_a_project_of_a_release_and_a_fastasync_from_a_clone(
    run: Run, old_project: Path, releases: Releases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generated by a release, then fastasync installed from a clone: one line says how to
    switch, and the switch works."""
    clone = releases.repo.path  # at v0.2.0
    monkeypatch.setenv(source.TEMPLATE_ENV, str(clone))
    before = state(old_project)
    where = str(old_project)
    for args in (["check", where], ["update", where]):
        assert_error(
            run(*args),
            1,
            f"svc was rendered from {INSTALLED}, not from the checkout {clone.resolve()}",
            f"set _src_path in .copier-answers.yml to {clone.resolve()} and commit",
        )
    assert state(old_project) == before

    answers = old_project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(INSTALLED, str(clone.resolve())))
    commit(old_project, "Templates from the clone")
    updated = run("update", where)
    assert updated.exit_code == 0, updated.output
    assert answers_of(old_project)["_commit"] == "v0.2.0"
    assert (old_project / "CHANGELOG.md").is_file()


def test_a_project_of_a_clone_and_a_released_fastasync(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    """The reverse: generated from a clone, then a release installed."""
    clone = releases.repo.path
    monkeypatch.setenv(source.TEMPLATE_ENV, str(clone))
    project = generate(run, cli_env)
    releases.new.install(monkeypatch)
    before = state(project)
    for args in (["check", str(project)], ["update", str(project)]):
        assert_error(
            run(*args),
            1,
            f"svc was rendered from {clone.resolve()}, not from this fastasync's release "
            f"bundle {INSTALLED}",
            f"set _src_path in .copier-answers.yml to {INSTALLED} and commit",
        )
    assert state(project) == before


def test_a_template_source_missing_here_is_one_line(run: Run, old_project: Path) -> None:
    answers = old_project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(INSTALLED, "~/elsewhere/template.bundle"))
    commit(old_project)
    before = state(old_project)
    where = str(old_project)
    for args in (["check", where], ["update", where], ["add", "extra", "-C", where]):
        assert_error(
            run(*args),
            1,
            "the template svc was rendered from is missing: ~/elsewhere/template.bundle",
        )
    assert state(old_project) == before


def test_an_answer_the_template_refuses_is_one_line_for_every_command(
    run: Run, old_project: Path
) -> None:
    """A hand-edited answers file: `check` finds what `update` and `add` would find."""
    answers = old_project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("flavor: none", "flavor: oracle"))
    commit(old_project)
    before = state(old_project)
    where = str(old_project)
    for args in (["check", where], ["update", where], ["add", "extra", "-C", where]):
        assert_error(run(*args), 2, "flavor", "'oracle' is not")
    assert "svc: .copier-answers.yml answers flavor: 'oracle' is not one of: none, a, b" in (
        run("check", where).stderr
    )
    assert state(old_project) == before


def test_ctrl_c_during_an_update_puts_everything_back(
    run: Run, old_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copier

    real = copier.run_update

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # the update is written...
        raise KeyboardInterrupt  # ...and Ctrl-C comes before the command ends

    monkeypatch.setattr(copier, "run_update", interrupted)
    before = state(old_project)
    result = run("update", str(old_project))
    assert result.exit_code == 130
    assert result.stderr.startswith("Aborted")
    assert state(old_project) == before


def test_conflicts_are_found_by_their_markers_and_rej_files(tmp_path: Path) -> None:
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / ".copier-answers.yml").write_text(
        "_commit: v0.1.0\n_src_path: x\nproject_name: p\npackage_name: p\n"
    )
    (repo / "a.py").write_text("a = 1\n")
    (repo / "b.py").write_text("b = 1\n")
    commit(repo, "Start")
    (repo / "a.py").write_text(
        "<<<<<<< before updating\na = 1\n=======\na = 2\n>>>>>>> after updating\n"
    )
    (repo / "b.py.rej").write_text("@@ -1 +1 @@\n-b = 1\n+b = 2\n")
    (repo / "c.py").write_text("# <<<<<<< before updating, inside a line, is no marker\n")
    project = Project.find(repo)
    assert project.conflicts() == ["a.py", "b.py.rej"]
    kinds = {change.path: change.kind for change in project.changes()}
    assert kinds == {"a.py": "modified", "b.py.rej": "added", "c.py": "added"}
