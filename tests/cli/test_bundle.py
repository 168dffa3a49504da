"""The template bundle: made at build time (hatch_build.py), installed per user at a stable
path (bundle.py), never replaced by an older one, and recorded with a literal ``~``."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from fastasync_cli import bundle, source
from fastasync_cli.errors import TemplateError
from tests.cli.helpers import Run, answers_of, assert_error
from tests.cli.templates import FILES_V1, Releases, TemplateRepo, git, hatch_build

HOME_BUNDLE = Path(".local/share/fastasync/template.bundle")


def shipped(release_package: Path) -> Path:
    return release_package / "template.bundle"


def test_the_bundle_holds_head_and_every_release_tag(releases: Releases) -> None:
    heads = bundle.heads(shipped(releases.new.package))
    listed = subprocess.run(
        ["git", "bundle", "list-heads", str(shipped(releases.new.package))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert heads == {name: oid for oid, name in (line.split() for line in listed.splitlines())}
    assert set(heads) == {"HEAD", "refs/tags/v0.1.0", "refs/tags/v0.2.0"}
    assert str(bundle.newest(shipped(releases.new.package))) == "0.2.0"
    assert set(bundle.tags(shipped(releases.old.package))) == {"v0.1.0"}


def test_install_puts_it_under_home_and_records_it_with_a_tilde(
    releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    releases.new.install(monkeypatch)
    template = source.current()
    assert template.url == f"~/{HOME_BUNDLE}"
    assert template.ref == "v0.2.0"
    assert template.release
    assert (Path.home() / HOME_BUNDLE).read_bytes() == shipped(releases.new.package).read_bytes()


def test_xdg_data_home_is_respected(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path, tmp_path: Path
) -> None:
    releases.new.install(monkeypatch)
    monkeypatch.setenv("XDG_DATA_HOME", str(Path.home() / "data"))
    assert source.current().url == "~/data/fastasync/template.bundle"
    outside = tmp_path / "shared-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(outside))
    result = run("new", "svc", "-y", "--no-git")
    assert result.exit_code == 0, result.output
    # outside the home there is nothing to abbreviate: the path is recorded as it is
    assert answers_of(cli_env / "svc")["_src_path"] == str(outside / "fastasync/template.bundle")


def test_a_newer_bundle_replaces_an_older_one_and_never_the_reverse(
    releases: Releases, tmp_path: Path
) -> None:
    target = tmp_path / "data" / "template.bundle"
    old, new = shipped(releases.old.package), shipped(releases.new.package)
    assert bundle.install(old, target)
    assert not bundle.install(old, target)  # the same one: nothing to do
    assert bundle.install(new, target)
    assert target.read_bytes() == new.read_bytes()
    assert not bundle.install(old, target)  # an older fastasync leaves the newer bundle
    assert target.read_bytes() == new.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["template.bundle"]  # no temporary


def test_a_damaged_installed_bundle_is_replaced(releases: Releases, tmp_path: Path) -> None:
    target = tmp_path / "template.bundle"
    target.write_bytes(b"# v2 git bundle\n")  # cut short
    assert bundle.install(shipped(releases.old.package), target)
    assert bundle.newest(target) is not None


def test_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "x.bundle").write_text("hello\n")
    with pytest.raises(TemplateError, match="is not a git bundle"):
        bundle.heads(tmp_path / "x.bundle")
    with pytest.raises(TemplateError, match="is missing"):
        bundle.install(tmp_path / "nothing.bundle", tmp_path / "target.bundle")


def test_a_data_folder_that_cannot_be_written_is_one_line(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    releases.new.install(monkeypatch)
    blocker = cli_env / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert_error(run("new", "svc", "-y"), 1, "cannot install the template at")
    assert not (cli_env / "svc").exists()


def test_bare_version_tags_are_read_too(tmp_path: Path) -> None:
    repo = TemplateRepo.create(tmp_path / "repo")
    repo.release("0.1.0", FILES_V1)
    git(repo.path, "tag", "0.1.1")
    out = tmp_path / "bundle.bundle"
    git(repo.path, "bundle", "create", str(out), "HEAD", "--tags")
    assert bundle.tag_of(out, "0.1.0") == "v0.1.0"
    assert bundle.tag_of(out, "0.1.1") == "0.1.1"
    with pytest.raises(TemplateError, match=r"no tag for fastasync 0\.2\.0"):
        bundle.tag_of(out, "0.2.0")


def test_help_version_and_options_install_nothing(
    run: Run, releases: Releases, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases.new.install(monkeypatch)
    for args in (["--help"], ["--version"], ["options"], ["new", "--help"], ["update", "--help"]):
        assert run(*args).exit_code == 0, args
    assert not (Path.home() / HOME_BUNDLE).exists()


def test_the_release_reads_its_own_copier_yml(
    releases: Releases, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases.old.install(monkeypatch)
    assert source.config_path() == releases.old.package / "_template" / "copier.yml"


# The build hook ---------------------------------------------------------------------------


def test_the_hook_bundles_a_tagged_release(tmp_path: Path) -> None:
    repo = TemplateRepo.create(tmp_path / "repo")
    repo.release("1.0.0", FILES_V1)
    (repo.path / "copier.yml").write_text("# an uncommitted edit\n")
    out = tmp_path / "out"
    out.mkdir()
    made, config = hatch_build().make_bundle(repo.path, "1.0.0", out)
    assert set(bundle.tags(made)) == {"v1.0.0"}
    assert config.read_text() == FILES_V1["copier.yml"]  # the tag's, not the working tree's


@pytest.mark.parametrize("case", ["untagged", "tag elsewhere", "shallow"])
def test_the_hook_refuses_what_is_not_a_release(tmp_path: Path, case: str) -> None:
    repo = TemplateRepo.create(tmp_path / "repo")
    repo.release("1.0.0", FILES_V1)
    path = repo.path
    version, expected = "1.0.0", ""
    if case == "untagged":
        version, expected = "1.1.0", "HEAD has no tag for version 1.1.0"
    elif case == "tag elsewhere":
        (path / "README.md").write_text("more\n")
        git(path, "add", "--all")
        git(path, "commit", "--quiet", "--message", "After the release")
        expected = "tag v1.0.0 is not HEAD"
    else:
        (path / "README.md").write_text("more\n")
        git(path, "add", "--all")
        git(path, "commit", "--quiet", "--message", "Next")
        git(path, "tag", "v1.1.0")
        shallow = tmp_path / "shallow"
        git(tmp_path, "clone", "--quiet", "--depth=1", f"file://{path}", str(shallow))
        path, version, expected = shallow, "1.1.0", "the checkout is shallow"
    module = hatch_build()
    with pytest.raises(module.ReleaseError, match=expected):
        module.make_bundle(path, version, tmp_path)


def test_a_refused_build_leaves_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pip install .`` of an untagged commit: one clear failure, nothing left in /tmp."""
    repo = TemplateRepo.create(tmp_path / "repo")
    repo.release("1.0.0", FILES_V1)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    module = hatch_build()
    hook = SimpleNamespace(
        target_name="wheel", root=str(repo.path), metadata=SimpleNamespace(version="1.1.0")
    )
    with pytest.raises(RuntimeError, match=r"HEAD has no tag for version 1\.1\.0"):
        module.TemplateBundleHook.initialize(hook, "standard", {"force_include": {}})
    assert list(temp.iterdir()) == []


def test_where_the_template_comes_from(
    releases: Releases, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A checkout named by FASTASYNC_TEMPLATE, else the shipped bundle, else the repository."""
    site = tmp_path / "site"
    package = site / "fastasync_cli"
    (package / "_template").mkdir(parents=True)
    (site / "copier.yml").write_text("{}\n")  # as in an editable install's repository
    monkeypatch.delenv(source.TEMPLATE_ENV)
    monkeypatch.setattr(source, "_PACKAGE_DIR", package)
    monkeypatch.setattr(source, "cli_version", lambda: "0.2.0")
    assert source.config_path() == site / "copier.yml"
    assert source.current().url == str(site)
    assert not source.current().release

    (package / "template.bundle").write_bytes(shipped(releases.new.package).read_bytes())
    with pytest.raises(TemplateError, match="missing from this installation"):
        source.config_path()  # a bundle without its copier.yml: a broken installation
    (package / "_template" / "copier.yml").write_text("{}\n")
    assert source.config_path() == package / "_template" / "copier.yml"
    assert source.current().release

    monkeypatch.setenv(source.TEMPLATE_ENV, str(releases.repo.path))
    assert source.current().url == str(releases.repo.path.resolve())
    assert source.current().ref == "HEAD"
    assert str(source.current().version) == "0.2.0"

    monkeypatch.delenv(source.TEMPLATE_ENV)
    (package / "template.bundle").unlink()
    (site / "copier.yml").unlink()
    with pytest.raises(TemplateError, match="missing from this installation"):
        source.current()
