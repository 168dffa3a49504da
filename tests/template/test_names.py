"""Fast tier: the generated code is lint- and format-clean whatever the project's name.

The package name appears in imports, logger names and strings, so the length of a line
depends on it: a line that fits with one name is wrapped by the formatter with a longer
one, and a wrapped line is joined with a shorter one. The matrix renders a single name;
this renders the shortest possible name and a long one, for each database, with every
other option on (the Redis cache, rate limiting, Gunicorn, Docker, CI).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import render_project
from tests.template import matrix

NAMES = {
    "shortest": "x",
    "long": "inventory-and-fulfilment-service",
}


def _richest_combo(database: str) -> dict[str, object]:
    """The valid combination for `database` that renders the most files, then has the most
    options switched on (questions hidden and computed, like `redis` with the Redis cache,
    included)."""
    candidates = [dict(c) for c in matrix.valid_combinations() if dict(c)["database"] == database]

    def richness(combo: dict[str, object]) -> tuple[int, int]:
        present, _ = matrix.expected_files(combo)
        switched_on = sum(
            1
            for k, v in matrix.effective(combo).items()
            if k in matrix.option_names() and v not in (False, "none") and k != "python_version"
        )
        return len(present), switched_on

    return max(candidates, key=richness)


@pytest.mark.parametrize("name", list(NAMES.values()), ids=list(NAMES))
@pytest.mark.parametrize("database", matrix.enabled_values("database"))
def test_project_is_clean_with_short_and_long_names(
    database: str, name: str, template_src: Path, tmp_path: Path
) -> None:
    combo = _richest_combo(database)
    project = render_project(template_src, tmp_path / "project", {**combo, "project_name": name})

    matrix.assert_ruff_clean(project)
