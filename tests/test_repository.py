"""The repository's front door stays true: README's commands are the ones CI runs."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT


def _readme_test_command() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    match = re.search(r"Run the whole fastasync test suite.*?```console\n(.+?)\n```", readme, re.S)
    assert match, "README.md lost its test command"
    return match.group(1).strip()


def test_ci_runs_the_test_command_written_in_readme() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1].strip() == _readme_test_command()


def test_ci_installs_the_test_extra_it_runs_with() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "pip install -q -e '.[test]'" in ci
    readme = (REPO_ROOT / "README.md").read_text()
    assert "pip install -e '.[test]'" in readme


def test_every_relative_link_of_the_docs_leads_to_a_file() -> None:
    pages = [REPO_ROOT / "README.md", REPO_ROOT / "bench" / "README.md"]
    pages += sorted((REPO_ROOT / "docs").glob("*.md"))
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO_ROOT)}: {target}")
    assert broken == []


def test_the_readme_stays_a_front_door() -> None:
    """Depth goes to docs/ and bench/README.md."""
    assert len((REPO_ROOT / "README.md").read_text().splitlines()) <= 200
