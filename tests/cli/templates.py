"""Throwaway tagged templates for the update tests, built inline, and releases made of them.

`TemplateRepo` is a git repository holding a small Copier template shaped like fastasync's
(project_name, package_name, yes/no and choice features, a conditional question, files named
by their condition). `Release` is what a wheel of it ships (the template bundle and the
release's copier.yml, made by hatch_build.py), installed by pointing source.py at it.
"""

from __future__ import annotations

import importlib.util
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from fastasync_cli import source
from tests.conftest import REPO_ROOT

IDENTITY = ("-c", "user.name=Template Author", "-c", "user.email=author@example.com")

COPIER_YML = """\
_subdirectory: template
_templates_suffix: .jinja
_answers_file: .copier-answers.yml

project_name:
  type: str
  help: Project name
package_name:
  type: str
  help: Package
  default: "{{ project_name | replace('-', '_') }}"
extra:
  type: bool
  help: The extra module
  default: false
extra_mode:
  type: str
  help: How the extra runs
  when: "{{ extra }}"
  choices: [fast, slow]
  default: fast
flavor:
  type: str
  help: A flavour
  choices:
    "none": none
    "A": a
    "B": b
    "C":
      value: c
      validator: "not available in this release yet"
  default: none
server:
  type: str
  help: A choice without an off value
  choices: [x, y]
  default: x
ci:
  type: str
  help: A choice with one value besides none
  choices: [none, github]
  default: none
"""

APP_V1 = '''\
"""The application."""

GREETING = "hello"


def first() -> int:
    return 1


def second() -> int:
    return 2


def third() -> int:
    return 3
{% if extra %}

EXTRA = "{{ extra_mode }}"
{% endif %}
'''

FILES_V1 = {
    "copier.yml": COPIER_YML,
    "template/{{_copier_conf.answers_file}}.jinja": (
        "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml }}"
    ),
    "template/README.md.jinja": "# {{ project_name }}\n",
    "template/src/{{package_name}}/__init__.py": "",
    "template/src/{{package_name}}/app.py.jinja": APP_V1,
    "template/src/{{package_name}}/{% if extra %}extra.py{% endif %}.jinja": (
        'MODE = "{{ extra_mode }}"\n'
    ),
    "template/{% if extra %}extras{% endif %}/notes.txt": "notes\n",
    "template/{% if extra %}extras{% endif %}/more.txt": "more\n",
    "template/{% if flavor != 'none' %}flavor.txt{% endif %}.jinja": "{{ flavor }}\n",
    "template/{% if server == 'x' %}x.conf{% endif %}.jinja": "x\n",
    "template/{% if server == 'y' %}y.conf{% endif %}.jinja": "y\n",
    "template/{% if ci == 'github' %}ci.yml{% endif %}": "on: push\n",
}

#: The second release: a new file, and a changed line at the top of app.py.
FILES_V2 = {
    "template/CHANGELOG.md": "# Changelog\n\n- 0.2.0: a changelog\n",
    "template/src/{{package_name}}/app.py.jinja": APP_V1.replace('"hello"', '"hello, world"'),
}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *IDENTITY, *args], cwd=repo, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def hatch_build() -> ModuleType:
    """The build hook module of this repository (it makes the release bundles)."""
    spec = importlib.util.spec_from_file_location("hatch_build", REPO_ROOT / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class TemplateRepo:
    """A git repository of a template, tagged release by release."""

    path: Path

    @classmethod
    def create(cls, path: Path) -> TemplateRepo:
        path.mkdir(parents=True)
        git(path, "init", "--quiet", "--initial-branch=main")
        return cls(path)

    def commit(self, files: dict[str, str], message: str) -> str:
        """Write `files` and commit them, untagged; return the commit's abbreviated hash."""
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git(self.path, "add", "--all")
        git(self.path, "commit", "--quiet", "--message", message)
        return git(self.path, "rev-parse", "--short", "HEAD")

    def release(self, version: str, files: dict[str, str]) -> None:
        """Write `files`, commit them and tag the commit ``v<version>``."""
        self.commit(files, f"Release {version}")
        git(self.path, "tag", "--annotate", f"v{version}", "--message", f"Release {version}")

    def checkout(self, ref: str) -> None:
        git(self.path, "checkout", "--quiet", ref)


@dataclass(frozen=True)
class Release:
    """A fastasync installation: the package folder a wheel of `version` installs."""

    package: Path
    version: str

    @classmethod
    def build(cls, repo: TemplateRepo, version: str, where: Path) -> Release:
        """What a wheel built at tag ``v<version>`` ships, made by the build hook."""
        package = where / f"site-{version}" / "fastasync_cli"
        (package / "_template").mkdir(parents=True)
        bundle, config = hatch_build().make_bundle(repo.path, version, package.parent)
        bundle.rename(package / "template.bundle")
        config.rename(package / "_template" / "copier.yml")
        return cls(package, version)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Run the CLI as this release would, with no development override."""
        monkeypatch.delenv(source.TEMPLATE_ENV, raising=False)
        monkeypatch.setattr(source, "_PACKAGE_DIR", self.package)
        monkeypatch.setattr(source, "cli_version", lambda: self.version)


@dataclass(frozen=True)
class Releases:
    """A template repository with two releases, and the installation of each."""

    repo: TemplateRepo
    old: Release
    new: Release


def two_releases(where: Path) -> Releases:
    repo = TemplateRepo.create(where / "template-repo")
    repo.release("0.1.0", FILES_V1)
    old = Release.build(repo, "0.1.0", where)
    repo.release("0.2.0", FILES_V2)
    new = Release.build(repo, "0.2.0", where)
    return Releases(repo, old, new)
