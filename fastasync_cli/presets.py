"""Named sets of answers for ``fastasync new --preset``.

A preset answers the feature questions of copier.yml; anything it leaves out takes the
question's default, and flags or ``--data`` override it. Every value is checked against
copier.yml before use: a preset may only choose what the template builds in this release.
When a feature lands in the template, its preset answers go here (see the comments), and
``tests/cli/test_presets.py`` proves they are still valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from fastasync_cli import questions
from fastasync_cli.errors import UsageError

# Every feature switched off: the service alone, runnable with no other service at all.
_OFF: Mapping[str, Any] = MappingProxyType(
    {
        "database": "none",
        "cache": "none",
        "rate_limit": False,
        "offload": "none",
        "redis": False,
        "server": "uvicorn",
        "docker": False,
        "ci": "none",
    }
)


@dataclass(frozen=True)
class Preset:
    """A named answer set; `answers` lists only what differs from every feature off."""

    summary: str
    answers: Mapping[str, Any] = field(default_factory=dict)

    def resolved(self) -> dict[str, Any]:
        """The full answer set this preset gives."""
        return {**_OFF, **self.answers}


PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        "minimal": Preset(
            "the service alone: no database, Redis, cache, limiter, worker or containers"
        ),
        # One host, no other service: the in-memory cache and limiter are per process, so
        # they need nothing shared.
        "standard": Preset(
            "a single-host service: SQLite, in-memory cache, rate limiting, Gunicorn, Docker",
            {
                "database": "sqlite",
                "cache": "memory",
                "rate_limit": True,
                "server": "gunicorn",
                "docker": True,
            },
        ),
        # The Redis cache and Celery bring the Redis client (copier.yml computes `redis` and
        # does not ask it), which the limiter and Celery's broker and results then share.
        "full": Preset(
            "every production piece the template offers: PostgreSQL, Redis cache, "
            "rate limits shared through Redis, Celery jobs with Redis as broker, CI",
            {
                "database": "postgresql",
                "cache": "redis",
                "rate_limit": True,
                "offload": "celery",
                "celery_broker": "redis",
                "server": "gunicorn",
                "docker": True,
                "ci": "github",
            },
        ),
    }
)


def answers(name: str) -> dict[str, Any]:
    """The answers of preset `name`, each checked against copier.yml."""
    if name not in PRESETS:
        raise UsageError(f"--preset: {name!r} is not one of: {', '.join(PRESETS)}")
    resolved = PRESETS[name].resolved()
    for key, value in resolved.items():
        questions.check(f"preset {name!r}, {key}", key, value)
    return resolved
