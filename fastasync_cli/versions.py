"""Template versions: fastasync's release tags, read as PEP 440 versions.

The template is versioned with fastasync itself: release 0.2.0 is the git tag ``v0.2.0``
(``0.2.0`` is read the same way), and a project records the tag it was rendered from as
``_commit`` in ``.copier-answers.yml`` (``git describe`` output, so a development checkout
between tags gives ``v0.2.0-3-gabc1234``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.version import Version

_DESCRIBED = re.compile(r"(?P<tag>.+)-(?P<count>\d+)-(?P<hash>g[0-9a-f]+)")


def parse(ref: str) -> Version | None:
    """The version `ref` names (a tag, or ``git describe`` output); None if it names none.

    ``v0.2.0-3-gabc1234`` reads as ``0.2.0.post3+gabc1234``, as Copier reads it.
    """
    from packaging.version import InvalidVersion, Version

    ref = ref.strip()
    if match := _DESCRIBED.fullmatch(ref):
        ref = f"{match['tag']}.post{match['count']}+{match['hash']}"
    try:
        return Version(ref)
    except InvalidVersion:
        return None


def tag_name(version: str) -> str:
    """The git tag a release is published under."""
    return f"v{version}"
