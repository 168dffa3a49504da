"""The template bundle: shipped in the package, installed once per user at a stable path.

``copier update`` needs a git source with version tags, and a project records where its
template came from (``_src_path``). A wheel therefore carries the template as a git bundle
(HEAD and every release tag, see hatch_build.py), and the commands that use the template
install it at ``$XDG_DATA_HOME/fastasync/template.bundle`` (``~/.local/share/...`` by
default): the same path in every virtual environment and on every machine, recorded with a
literal ``~``, so plain ``copier update`` works in any project wherever fastasync is installed.

The installed bundle is replaced by an older one never: each release's bundle holds every
earlier tag, so the newest one serves every fastasync installed alongside it.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fastasync_cli import versions
from fastasync_cli.errors import TemplateError

if TYPE_CHECKING:
    from packaging.version import Version

BUNDLE_NAME = "template.bundle"
_SIGNATURES = (b"# v2 git bundle\n", b"# v3 git bundle\n")


class NotABundleError(TemplateError):
    """The file is missing or is not a git bundle."""


def data_home() -> Path:
    """``$XDG_DATA_HOME`` if set (and absolute), else ``~/.local/share``."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    return Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"


def installed_path() -> Path:
    """Where the template bundle is installed for this user."""
    return data_home() / "fastasync" / BUNDLE_NAME


def portable(path: Path) -> str:
    """`path` as a project should record it: with a literal ``~`` when under the home."""
    try:
        relative = path.relative_to(Path.home())
    except ValueError:
        return str(path)
    return f"~/{relative.as_posix()}"


def heads(bundle: Path) -> dict[str, str]:
    """The refs a bundle holds (``HEAD``, ``refs/tags/v0.1.0``...) and their object ids.

    Read from the bundle's header, without git: cheap enough for every command.
    """
    try:
        with bundle.open("rb") as stream:
            signature = stream.readline()
            if signature not in _SIGNATURES:
                raise NotABundleError(f"{bundle} is not a git bundle")
            refs: dict[str, str] = {}
            for raw in iter(stream.readline, b"\n"):
                if not raw:  # end of file before the pack: truncated
                    raise NotABundleError(f"{bundle} is truncated")
                line = raw.decode("utf-8", "replace").rstrip("\n")
                if line[:1] not in ("-", "@"):  # prerequisites and capabilities
                    oid, _, name = line.partition(" ")
                    refs[name] = oid
            return refs
    except OSError as error:
        raise NotABundleError(f"cannot read the template bundle {bundle}: {error}") from error


def tags(bundle: Path) -> dict[str, Version]:
    """The bundle's tags that name a PEP 440 version, with their versions."""
    found = {}
    for ref in heads(bundle):
        if ref.startswith("refs/tags/") and (version := versions.parse(ref[10:])) is not None:
            found[ref[10:]] = version
    return found


def newest(bundle: Path) -> Version | None:
    """The newest version tagged in the bundle."""
    return max(tags(bundle).values(), default=None)


def tag_of(bundle: Path, version: str) -> str:
    """The bundle's tag for release `version`; TemplateError if it has none."""
    from packaging.version import Version

    wanted = Version(version)
    candidates = sorted(t for t, v in tags(bundle).items() if v == wanted)
    preferred = versions.tag_name(version)
    if preferred in candidates:
        return preferred
    if candidates:
        return candidates[0]
    raise TemplateError(
        f"the template bundle {bundle} has no tag for fastasync {version}: reinstall fastasync"
    )


def install(shipped: Path, target: Path) -> bool:
    """Install `shipped` at `target` unless `target` is the same or newer; True if copied.

    The copy is atomic (a temporary file in the same folder, then a rename), so a project
    never sees half a bundle, and concurrent runs leave one whole bundle.
    """
    if not shipped.is_file():
        raise NotABundleError(f"the template bundle {shipped} is missing")
    if target.is_file() and filecmp.cmp(shipped, target, shallow=False):
        return False
    offered = newest(shipped)
    with contextlib.suppress(NotABundleError):
        present = newest(target) if target.exists() else None
        if present is not None and (offered is None or present >= offered):
            return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_atomically(shipped, target)
    except OSError as error:
        raise TemplateError(
            f"cannot install the template at {target}: {error.strerror or error}"
        ) from error
    return True


def _copy_atomically(source: Path, target: Path) -> None:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        temporary.chmod(0o644)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
