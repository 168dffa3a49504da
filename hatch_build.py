"""Build hook: ship the template as a git bundle that ``copier update`` can read.

A template copied into site-packages cannot be updated: Copier needs a git source with
PEP 440 tags. So every wheel (and sdist) carries ``fastasync_cli/template.bundle`` (HEAD and
every tag of the repository) and ``fastasync_cli/_template/copier.yml`` (the questions of the
tagged release, read by the CLI without opening the bundle).

A release is built from a full clone whose HEAD carries the version's tag (``v0.2.0`` for
fastasync 0.2.0); anything else is refused, so a wheel's CLI and its template always belong
to the same commit. An editable install needs no bundle: it runs from the checkout. A wheel
built from an sdist reuses the files the sdist carries.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = "fastasync_cli/template.bundle"
CONFIG = "fastasync_cli/_template/copier.yml"


class ReleaseError(Exception):
    """The checkout cannot produce a release's template bundle."""


def _git(root: Path, *args: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise ReleaseError("git is needed to bundle the template")
    result = subprocess.run([git, *args], cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ReleaseError(f"git {args[0]} failed: {detail[-1] if detail else result.returncode}")
    return result.stdout.strip()


def release_tag(root: Path, version: str) -> str:
    """The tag of `version` (``v0.2.0`` or ``0.2.0``), which must be HEAD."""
    if _git(root, "rev-parse", "--is-shallow-repository") == "true":
        raise ReleaseError(
            "the checkout is shallow: the template bundle needs the full history and every "
            "tag (git fetch --unshallow --tags)"
        )
    head = _git(root, "rev-parse", "HEAD")
    for tag in (f"v{version}", version):
        try:
            commit = _git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")
        except ReleaseError:
            continue
        if commit != head:
            raise ReleaseError(f"tag {tag} is not HEAD: build the release from its tag")
        return tag
    raise ReleaseError(
        f"HEAD has no tag for version {version}: tag the release (git tag -a v{version}) "
        "and build from a full clone; for development, install with pip install -e"
    )


def make_bundle(root: Path, version: str, out: Path) -> tuple[Path, Path]:
    """Write the template bundle and the release's copier.yml into `out`; return both."""
    tag = release_tag(root, version)
    bundle = out / "template.bundle"
    _git(root, "bundle", "create", str(bundle), "HEAD", "--tags")
    _git(root, "bundle", "verify", str(bundle))
    config = out / "copier.yml"
    config.write_text(_git(root, "show", f"{tag}:copier.yml") + "\n", encoding="utf-8")
    return bundle, config


class TemplateBundleHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds the template bundle and the release's copier.yml to wheels and sdists."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "editable":
            return  # an editable install uses the checkout itself
        root = Path(self.root)
        if (root / ".git").exists():
            workdir = Path(tempfile.mkdtemp(prefix="fastasync-bundle-"))
            try:
                bundle, config = make_bundle(root, self.metadata.version, workdir)
            except ReleaseError as error:
                shutil.rmtree(workdir, ignore_errors=True)  # finalize is not called
                raise RuntimeError(f"fastasync template bundle: {error}") from None
            self._workdir = workdir
        else:  # an unpacked sdist, which carries both
            bundle, config = root / BUNDLE, root / CONFIG
            if not (bundle.is_file() and config.is_file()):
                raise RuntimeError(
                    f"fastasync template bundle: {BUNDLE} is missing: build from a git "
                    "checkout of a release tag, or from a release sdist"
                )
        build_data["force_include"][str(bundle)] = BUNDLE
        build_data["force_include"][str(config)] = CONFIG

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        workdir = getattr(self, "_workdir", None)
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
