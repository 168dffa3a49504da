"""The help of each question says what the generated code does: a library it names is one the
project generated with that answer depends on.

Checked on the renders of the option matrix's cover (shared with test_matrix.py): for each
question, the projects of the cover that turn it on (or pick that choice) are read for their
dependencies.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest

from tests.conftest import Render
from tests.template import matrix

COVER = matrix.pairwise_cover()

#: Libraries as a help text would name them, and the distribution that provides each; the
#: ones no generated project uses are here so that naming them is caught too.
LIBRARIES = {
    "SQLAlchemy": "sqlalchemy",
    "aiosqlite": "aiosqlite",
    "asyncpg": "asyncpg",
    "Alembic": "alembic",
    "PyMongo": "pymongo",
    "AsyncMongoClient": "pymongo",
    "Motor": "motor",
    "redis.asyncio": "redis",
    "aioredis": "aioredis",
    "Celery": "celery",
    "Gunicorn": "gunicorn",
    "Uvicorn": "uvicorn",
    "slowapi": "slowapi",
    "limits.aio": "limits.aio",  # a module of limits that the limiter does not use
    "fastapi-users": "fastapi-users",
    "httpx": "httpx",
}


def _dependencies(project: Any) -> set[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    names = set()
    for requirement in pyproject["project"]["dependencies"]:
        names.add(re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower())
    return names


def _named(text: str) -> set[str]:
    return {
        dist
        for name, dist in LIBRARIES.items()
        if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text)
    }


def _texts() -> list[tuple[str, Any, str]]:
    """(question, the answer its text is about, the text): a question's help is about its
    feature turned on (any value but off); a choice's label about that value."""
    texts: list[tuple[str, Any, str]] = []
    for name, spec in matrix.questions().items():
        if name in matrix.IDENTITY or name == "python_version":
            continue
        texts.append((name, None, str(spec.get("help", ""))))
        choices = spec.get("choices") or {}
        if isinstance(choices, dict):
            for label, value in choices.items():
                value = value["value"] if isinstance(value, dict) else value
                texts.append((name, value, str(label)))
    return texts


@pytest.mark.parametrize(("name", "value", "text"), _texts(), ids=lambda v: str(v)[:30])
def test_a_help_text_names_only_libraries_the_project_uses(
    rendered: Render, name: str, value: Any, text: str
) -> None:
    named = _named(text)
    if not named:
        return
    off = (None, False, "none")
    combos = [
        c
        for c in COVER
        if (c.get(name) == value if value is not None else c.get(name) not in off)
    ]
    assert combos, f"no combination of the cover answers {name}={value}"
    for combo in combos:
        deps = _dependencies(rendered({**matrix.IDENTITY, **combo}))
        assert named <= deps, f"{name}: {text!r} names {sorted(named - deps)}, not a dependency"
