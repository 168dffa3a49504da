"""Where the template comes from: the installed release bundle, or a development checkout.

In this order of preference:

1. ``$FASTASYNC_TEMPLATE``: a checkout, for working on the template itself (rendered at its
   ``HEAD`` with uncommitted changes, like Copier does for a local repository);
2. ``fastasync_cli/template.bundle``: what a wheel ships; it is installed at the stable
   per-user path (bundle.py) and used at this fastasync's own release tag;
3. the repository root: an editable install runs from its checkout.

Reading the questions (`config_path`) is cheap and installs nothing; `current` resolves the
source Copier is given, installing the bundle first when there is one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import fastasync_cli
from fastasync_cli import bundle, versions
from fastasync_cli.errors import TemplateError

if TYPE_CHECKING:
    from packaging.version import Version

#: A checkout of the template to use instead of the one shipped with the CLI.
TEMPLATE_ENV = "FASTASYNC_TEMPLATE"
CONFIG_FILES = ("copier.yml", "copier.yaml")

_PACKAGE_DIR = Path(__file__).resolve().parent
_MISSING = (
    "the template bundle is missing from this installation ({path}): reinstall fastasync, "
    f"or set {TEMPLATE_ENV} to a checkout"
)


@dataclass(frozen=True)
class Source:
    """A template source, as Copier takes it."""

    url: str
    """Given to Copier and recorded as ``_src_path`` (the bundle with a literal ``~``)."""
    ref: str | None
    """``vcs_ref``: the release tag, ``HEAD`` of a checkout, None for a plain folder."""
    config: Path
    """The copier.yml whose questions the CLI checks answers against."""
    version: Version | None
    """The template version `ref` names, if it names one."""
    release: bool
    """An installed release bundle, rather than a development checkout."""


def newer_than(template: Source) -> tuple[str, str]:
    """Whose version a project is ahead of, and what brings a newer one."""
    if template.release:
        return "this fastasync's", "upgrade fastasync (pip install -U fastasync)"
    return f"the checkout's ({template.url})", "check out a newer version"


def config_file(directory: Path) -> Path | None:
    """The Copier configuration file of a template directory, if it has one."""
    return next((directory / n for n in CONFIG_FILES if (directory / n).is_file()), None)


def cli_version() -> str:
    """The fastasync release whose template this CLI uses."""
    return fastasync_cli.__version__


def shipped_bundle() -> Path:
    return _PACKAGE_DIR / bundle.BUNDLE_NAME


def shipped_config() -> Path:
    return _PACKAGE_DIR / "_template" / "copier.yml"


def config_path() -> Path:
    """The copier.yml of the template this CLI uses; installs nothing."""
    if (checkout := _override()) is not None:
        return _config_of(checkout)
    if shipped_bundle().is_file():
        if not shipped_config().is_file():
            raise TemplateError(_MISSING.format(path=shipped_config()))
        return shipped_config()
    if (found := config_file(_PACKAGE_DIR.parent)) is not None:
        return found
    raise TemplateError(_MISSING.format(path=shipped_bundle()))


def current() -> Source:
    """The source to render from, installing the shipped bundle if there is one."""
    if (checkout := _override()) is not None:
        return _checkout(checkout)
    if shipped_bundle().is_file():
        return _release()
    if config_file(_PACKAGE_DIR.parent) is not None:
        return _checkout(_PACKAGE_DIR.parent)
    raise TemplateError(_MISSING.format(path=shipped_bundle()))


def _override() -> Path | None:
    if not (value := os.environ.get(TEMPLATE_ENV)):
        return None
    path = Path(value).expanduser().resolve()
    if config_file(path) is None:
        raise TemplateError(f"{TEMPLATE_ENV}={value} is not a template: it has no copier.yml")
    return path


def _config_of(directory: Path) -> Path:
    found = config_file(directory)
    if found is None:
        raise TemplateError(f"{directory} is not a template: it has no copier.yml")
    return found


def _checkout(path: Path) -> Source:
    if not (path / ".git").exists():
        return Source(str(path), None, _config_of(path), None, release=False)
    version = versions.of_commit(path, "HEAD")
    return Source(str(path), "HEAD", _config_of(path), version, release=False)


def _release() -> Source:
    if not shipped_config().is_file():
        raise TemplateError(_MISSING.format(path=shipped_config()))
    target = bundle.installed_path()
    bundle.install(shipped_bundle(), target)
    version = cli_version()
    tag = bundle.tag_of(target, version)
    return Source(
        url=bundle.portable(target),
        ref=tag,
        config=shipped_config(),
        version=versions.parse(tag),
        release=True,
    )
