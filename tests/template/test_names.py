"""Fast tier: the generated code is lint- and format-clean whatever the project's name.

The package name appears in imports, logger names and strings, so the length of a line
depends on it: a line that fits with one name is wrapped by the formatter with a longer
one, and a wrapped line is joined with a shorter one. The matrix renders a single name;
this renders the shortest possible name and a long one, for each database, with every
other option on.
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
    """The valid combination for `database` with the most options switched on."""
    candidates = [dict(c) for c in matrix.valid_combinations() if dict(c)["database"] == database]

    def switched_on(combo: dict[str, object]) -> int:
        return sum(
            1 for k, v in combo.items() if v not in (False, "none") and k != "python_version"
        )

    return max(candidates, key=switched_on)


@pytest.mark.parametrize("name", list(NAMES.values()), ids=list(NAMES))
@pytest.mark.parametrize("database", matrix.enabled_values("database"))
def test_project_is_clean_with_short_and_long_names(
    database: str, name: str, template_src: Path, tmp_path: Path
) -> None:
    combo = _richest_combo(database)
    project = render_project(template_src, tmp_path / "project", {**combo, "project_name": name})

    for command in (["check", "--no-cache", "."], ["format", "--no-cache", "--check", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"ruff {command[0]}:\n{result.stdout}{result.stderr}"
