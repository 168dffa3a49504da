"""Every project command from a development checkout, tagged or not: what a user who cloned
fastasync and installed it with ``pip install -e`` runs (here through FASTASYNC_TEMPLATE,
which takes the same path as an editable install)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastasync_cli import source, versions
from tests.cli.helpers import Run, answers_of, assert_error, commit, generate, state
from tests.cli.templates import FILES_V1, FILES_V2, TemplateRepo, git


@pytest.fixture
def checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> TemplateRepo:
    """A checkout with one commit and no tag, used as an editable install uses its own."""
    repo = TemplateRepo.create(tmp_path / "checkout")
    repo.commit(FILES_V1, "The template")
    monkeypatch.setenv(source.TEMPLATE_ENV, str(repo.path))
    return repo


def record_commit(project: Path, ref: str, message: str) -> None:
    """Make the project's answers say it is at template `ref`, and commit that."""
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(answers_of(project)["_commit"], ref))
    commit(project, message)


def test_every_command_works_from_an_untagged_checkout(
    run: Run, checkout: TemplateRepo, cli_env: Path
) -> None:
    first = git(checkout.path, "rev-parse", "--short", "HEAD")
    project = generate(run, cli_env)
    assert answers_of(project)["_commit"] == first  # git describe of an untagged commit
    at_first = f"0.0.0.post1+g{first}"
    assert run("check", str(project)).stdout.strip() == f"svc: template {at_first}, up to date"

    added = run("add", "extra", "-C", str(project))
    assert added.exit_code == 0, added.output
    assert f"svc: extra is now on (template {at_first})" in added.stdout
    assert (project / "src/svc/extra.py").is_file()
    commit(project, "Extra")
    removed = run("remove", "extra", "--yes", "-C", str(project))
    assert removed.exit_code == 0, removed.output
    assert not (project / "src/svc/extra.py").exists()
    app = project / "src/svc/app.py"
    app.write_text(app.read_text().replace("return 3", "return 33"))
    commit(project, "Mine")

    second = checkout.commit(FILES_V2, "A changelog")  # the user pulls new commits
    at_second = f"0.0.0.post2+g{second}"
    assert run("check", str(project)).stdout.strip() == (
        f"svc: template {at_first}; update available: {at_second} (1 commit behind) "
        "(run `fastasync update`)"
    )
    updated = run("update", str(project))
    assert updated.exit_code == 0, updated.output
    assert f"Updated svc from template {at_first} to {at_second}: 1 added" in updated.stdout
    assert answers_of(project)["_commit"] == second
    assert (project / "CHANGELOG.md").is_file()
    assert '"hello, world"' in app.read_text() and "return 33" in app.read_text()
    assert answers_of(project)["extra"] is False


def test_check_counts_the_commits_the_project_is_behind(
    run: Run, checkout: TemplateRepo, cli_env: Path
) -> None:
    project = generate(run, cli_env)
    checkout.commit(FILES_V2, "A changelog")
    checkout.commit({"template/NEWS.md": "news\n"}, "News")
    assert "(2 commits behind)" in run("check", str(project)).stdout


def test_a_checkout_after_its_first_release_tag(
    run: Run, checkout: TemplateRepo, cli_env: Path
) -> None:
    git(checkout.path, "tag", "--annotate", "v0.1.0", "--message", "fastasync 0.1.0")
    project = generate(run, cli_env)
    assert answers_of(project)["_commit"] == "v0.1.0"
    later = checkout.commit(FILES_V2, "A changelog")
    assert run("check", str(project)).stdout.strip() == (
        f"svc: template 0.1.0; update available: 0.1.0.post1+g{later} (1 commit behind) "
        "(run `fastasync update`)"
    )
    updated = run("update", str(project))
    assert updated.exit_code == 0, updated.output
    assert answers_of(project)["_commit"] == f"v0.1.0-1-g{later}"
    assert (project / "CHANGELOG.md").is_file()


def test_a_project_ahead_of_the_checkout_is_refused(
    run: Run, checkout: TemplateRepo, cli_env: Path
) -> None:
    project = generate(run, cli_env)
    checkout.commit(FILES_V2, "A changelog")
    assert run("update", str(project)).exit_code == 0
    commit(project, "Update")
    git(checkout.path, "checkout", "--quiet", "HEAD~1")
    before = state(project)
    head = git(checkout.path, "rev-parse", "--short", "HEAD")
    checked = run("check", str(project)).stdout.strip()
    assert checked.endswith(
        f"newer than the checkout's ({checkout.path}) 0.0.0.post1+g{head}: "
        "check out a newer version"
    )
    assert_error(run("update", str(project)), 1, "newer than the checkout's", "nothing was changed")
    assert state(project) == before


def test_add_on_a_project_at_a_version_the_checkout_lacks_is_one_line(
    run: Run, checkout: TemplateRepo, cli_env: Path
) -> None:
    """Updated elsewhere to a release this checkout has not fetched yet."""
    project = generate(run, cli_env)
    record_commit(project, "v0.9.0", "Updated by fastasync 0.9.0")
    before = state(project)
    head = git(checkout.path, "rev-parse", "--short", "HEAD")
    for feature in ("extra", "flavor=a"):
        error = assert_error(
            run("add", feature, "-C", str(project)),
            1,
            f"svc is at template 0.9.0 (v0.9.0), which {checkout.path} does not have",
            f"newer than the checkout's ({checkout.path}) 0.0.0.post1+g{head}",
            "check out a newer version; nothing was changed",
        )
        assert "fastasync-plan" not in error
    assert state(project) == before


def test_a_commit_the_checkout_no_longer_has_is_one_line(
    run: Run, checkout: TemplateRepo, cli_env: Path
) -> None:
    project = generate(run, cli_env)
    record_commit(project, "deadbee", "Rewritten history")
    before = state(project)
    where = str(project)
    for args in (["check", where], ["update", where], ["add", "extra", "-C", where]):
        assert_error(
            run(*args),
            1,
            "svc was rendered from commit deadbee of",
            "which that checkout no longer has",
        )
    assert state(project) == before


@pytest.mark.parametrize("where", [".", "template"])
def test_a_project_inside_the_checkout_is_refused(
    run: Run, checkout: TemplateRepo, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    folder = checkout.path / where
    monkeypatch.chdir(folder)
    before = git(checkout.path, "status", "--porcelain", "--ignored")
    assert_error(
        run("new", "svc", "--defaults"),
        1,
        "svc would be inside the template's checkout",
        "create the project outside it (`cd ..` first, or --output-dir ..)",
    )
    assert not (folder / "svc").exists()
    assert git(checkout.path, "status", "--porcelain", "--ignored") == before

    outside = run("new", "svc", "--defaults", "--output-dir", str(checkout.path.parent))
    assert outside.exit_code == 0, outside.output


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("v0.2.0", "0.2.0"),
        ("0.2.0", "0.2.0"),
        ("v0.2.0-3-gabc1234", "0.2.0.post3+gabc1234"),
        ("abc1234", None),  # a commit with no tag before it: only its checkout knows
        ("1234567", None),  # an abbreviated hash of digits alone is no version either
        ("main", None),
    ],
)
def test_versions_read_from_answers(ref: str, expected: str | None) -> None:
    version = versions.parse(ref)
    assert (None if version is None else str(version)) == expected
