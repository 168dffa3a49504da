"""The option matrix: which answer combinations copier.yml allows, and what each must render.

Later features extend `FEATURE_FILES` with the files their option brings; the cover of
combinations is derived from copier.yml itself, so a new choice is picked up automatically.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]

# Questions that describe the project rather than choose features: fixed in the matrix.
IDENTITY = {
    "project_name": "matrix-service",
    "package_name": "matrix_service",
    "description": "A service of the option matrix",
    "author_name": "Matrix Author",
    "author_email": "matrix@example.com",
}

Answers = Mapping[str, Any]

# Orders tried by `pairwise_cover`; each try takes a few milliseconds.
COVER_SEEDS = 20


def _native_limiter(answers: Answers) -> bool:
    return bool(answers["rate_limit"]) and answers["rate_limiter"] == "native"


@dataclass(frozen=True)
class FileRule:
    """Files that exist exactly when `applies(answers)` holds."""

    applies: Callable[[Answers], bool]
    paths: tuple[str, ...]


# Every generated project: the base service.
BASE_FILES = (
    ".copier-answers.yml",
    ".env.example",
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "docs/api.md",
    "docs/async-patterns.md",
    "docs/serving.md",
    "docs/testing.md",
    "pyproject.toml",
    "src/{pkg}/__init__.py",
    "src/{pkg}/__main__.py",
    "src/{pkg}/asgi.py",
    "src/{pkg}/serve.py",
    "src/{pkg}/main.py",
    "src/{pkg}/api.py",
    "src/{pkg}/core/config.py",
    "src/{pkg}/core/setting_types.py",
    "src/{pkg}/core/access_log.py",
    "src/{pkg}/core/cors.py",
    "src/{pkg}/core/errors.py",
    "src/{pkg}/core/health.py",
    "src/{pkg}/core/logging.py",
    "src/{pkg}/core/middleware.py",
    "src/{pkg}/core/request_limits.py",
    "tests/core/test_request_limits.py",
    "src/{pkg}/items/router.py",
    "src/{pkg}/items/schemas.py",
    "src/{pkg}/items/service.py",
    "src/{pkg}/items/dependencies.py",
    "src/{pkg}/items/exceptions.py",
    "src/{pkg}/core/blocking.py",
    "src/{pkg}/core/blocking_report.py",
    "src/{pkg}/core/gc_tuning.py",
    "src/{pkg}/core/http_client.py",
    "src/{pkg}/upstream/__init__.py",
    "src/{pkg}/upstream/dependencies.py",
    "src/{pkg}/upstream/exceptions.py",
    "src/{pkg}/upstream/legacy.py",
    "src/{pkg}/upstream/router.py",
    "src/{pkg}/upstream/schemas.py",
    "src/{pkg}/upstream/service.py",
    "tests/conftest.py",
    "tests/core/test_blocking.py",
    "tests/core/test_http_client.py",
    "tests/items/test_service.py",
    "tests/test_serve.py",
    "tests/upstream/__init__.py",
    "tests/upstream/conftest.py",
    "tests/upstream/test_router.py",
    "tests/upstream/test_service.py",
    "tests/upstream_server.py",
)

FEATURE_FILES: list[FileRule] = [
    FileRule(lambda a: True, BASE_FILES),
    FileRule(
        lambda a: a["server"] == "gunicorn", ("gunicorn.conf.py", "tests/test_gunicorn_conf.py")
    ),
    FileRule(lambda a: a["docker"], ("Dockerfile", ".dockerignore", "compose.yaml")),
    FileRule(lambda a: a["database"] == "none", ("src/{pkg}/items/store.py",)),
    FileRule(
        lambda a: a["database"] in ("sqlite", "postgresql"),
        (
            "alembic.ini",
            "migrations/env.py",
            "migrations/script.py.mako",
            "migrations/versions/0001_create_items.py",
            "src/{pkg}/core/database.py",
            "src/{pkg}/items/models.py",
            "tests/database.py",
            "tests/db/__init__.py",
            "tests/db/test_database.py",
            "tests/db/test_faults.py",
            "tests/db/test_migrations.py",
        ),
    ),
    FileRule(
        lambda a: a["database"] == "mongodb",
        (
            "src/{pkg}/core/mongo.py",
            "tests/core/test_mongo.py",
            "tests/items/test_bulk.py",
            "tests/mongo_backend.py",
            "tests/mongo_standin.py",
        ),
    ),
    FileRule(
        lambda a: a["redis"],
        ("src/{pkg}/core/redis.py", "tests/redis_backend.py", "tests/core/test_redis.py"),
    ),
    FileRule(
        lambda a: a["cache"] != "none",
        (
            "src/{pkg}/core/cache/__init__.py",
            "src/{pkg}/core/cache/backend.py",
            "src/{pkg}/core/cache/response_cache.py",
            "src/{pkg}/core/cache/routes.py",
            "src/{pkg}/core/cache/single_flight.py",
            "src/{pkg}/items/cache.py",
            "tests/core/test_cache.py",
            "tests/items/test_cached_routes.py",
        ),
    ),
    FileRule(
        lambda a: a["cache"] == "redis", ("tests/redis_proxy.py", "src/{pkg}/core/cache/redis.py")
    ),
    FileRule(lambda a: a["cache"] == "memory", ("src/{pkg}/core/cache/memory.py",)),
    FileRule(
        lambda a: a["rate_limit"],
        ("src/{pkg}/core/ratelimit/__init__.py", "src/{pkg}/core/ratelimit/client.py"),
    ),
    FileRule(
        lambda a: _native_limiter(a),
        (
            "src/{pkg}/core/ratelimit/rate_limiter.py",
            "src/{pkg}/core/ratelimit/limits.py",
            "tests/core/test_ratelimit.py",
        ),
    ),
    FileRule(
        lambda a: _native_limiter(a) and a["redis"],
        ("src/{pkg}/core/ratelimit/redis.py", "src/{pkg}/core/ratelimit/count.lua"),
    ),
    FileRule(
        lambda a: _native_limiter(a) and not a["redis"],
        ("src/{pkg}/core/ratelimit/memory.py",),
    ),
    FileRule(
        lambda a: a["rate_limit"] and a["rate_limiter"] == "slowapi",
        ("src/{pkg}/core/ratelimit/slowapi_limiter.py", "tests/core/test_slowapi.py"),
    ),
    FileRule(
        lambda a: a["offload"] == "process_pool",
        (
            "src/{pkg}/core/process_pool.py",
            "src/{pkg}/compute/__init__.py",
            "src/{pkg}/compute/router.py",
            "src/{pkg}/compute/work.py",
            "tests/core/test_process_pool.py",
            "tests/compute/__init__.py",
            "tests/compute/test_router.py",
        ),
    ),
    FileRule(
        lambda a: a["offload"] == "celery",
        (
            "src/{pkg}/core/celery_app.py",
            "src/{pkg}/worker.py",
            "src/{pkg}/jobs/__init__.py",
            "src/{pkg}/jobs/exceptions.py",
            "src/{pkg}/jobs/router.py",
            "src/{pkg}/jobs/schemas.py",
            "src/{pkg}/jobs/service.py",
            "src/{pkg}/jobs/tasks.py",
            "src/{pkg}/jobs/work.py",
            "tests/celery_backend.py",
            "tests/loss_worker.py",
            "tests/jobs/__init__.py",
            "tests/jobs/test_router.py",
            "tests/jobs/test_tasks.py",
            "tests/jobs/test_worker_loss.py",
        ),
    ),
    FileRule(lambda a: a["ci"] == "github", (".github/workflows/ci.yml", "docs/ci.md")),
    FileRule(lambda a: a["docker"], ("docs/container.md",)),
    FileRule(lambda a: a["database"] in ("sqlite", "postgresql"), ("docs/database.md",)),
    FileRule(lambda a: a["database"] == "mongodb", ("docs/mongodb.md",)),
    FileRule(lambda a: a["redis"], ("docs/redis.md",)),
    FileRule(lambda a: a["cache"] != "none", ("docs/cache.md",)),
    FileRule(lambda a: a["rate_limit"], ("docs/rate-limiting.md",)),
    FileRule(lambda a: a["offload"] == "process_pool", ("docs/process-pool.md",)),
    FileRule(lambda a: a["offload"] == "celery", ("docs/jobs.md",)),
]


@dataclass(frozen=True)
class BackingService:
    """A service the answers bring: in compose.yaml always, as a CI service container if `ci`."""

    applies: Callable[[Answers], bool]
    ci: bool = True


# The backing services of each option, by compose service name. Celery keeps its results in
# Redis whatever its broker; its worker runs the service's image, so CI has no container for it.
BACKING_SERVICES: dict[str, BackingService] = {
    "postgres": BackingService(lambda a: a.get("database") == "postgresql"),
    "mongodb": BackingService(lambda a: a.get("database") == "mongodb"),
    "redis": BackingService(
        lambda a: bool(a.get("redis")) or a.get("cache") == "redis" or a.get("offload") == "celery"
    ),
    "rabbitmq": BackingService(
        lambda a: a.get("offload") == "celery" and a.get("celery_broker") == "rabbitmq"
    ),
    "worker": BackingService(lambda a: a.get("offload") == "celery", ci=False),
}


def backing_services(answers: Answers, *, ci: bool = False) -> set[str]:
    """Compose services (or, with `ci`, CI service containers) these answers need."""
    full = effective(answers)
    return {
        name
        for name, service in BACKING_SERVICES.items()
        if service.applies(full) and (service.ci or not ci)
    }


@cache
def questions() -> dict[str, dict[str, Any]]:
    """Questions of copier.yml (settings starting with `_` left out)."""
    data = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


@cache
def _compiled(expr: str) -> jinja2.Template:
    # Copier renders validators with the Ansible filters (regex_search, ...).
    env = jinja2.Environment(extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"])
    return env.from_string(expr)


def _render(expr: Any, context: Answers) -> str:
    return _compiled(str(expr)).render(**context).strip()


def enabled_values(name: str) -> list[Any]:
    """Values a question accepts on its own: choices not disabled, or both booleans."""
    q = questions()[name]
    if q.get("type") == "bool":
        candidates: list[Any] = [False, True]
        return [v for v in candidates if not _render(q.get("validator", ""), {name: v})]
    choices = q["choices"]
    items = choices.items() if isinstance(choices, dict) else [(c, c) for c in choices]
    values = []
    for _label, value in items:
        if isinstance(value, dict):
            if value.get("validator"):
                continue
            value = value["value"]
        values.append(value)
    return values


def option_names() -> list[str]:
    """Questions that choose features (everything with choices or a yes/no)."""
    return [
        name
        for name, q in questions().items()
        if name not in IDENTITY and (q.get("type") == "bool" or "choices" in q)
    ]


def _is_false(rendered: str) -> bool:
    return rendered.lower() in ("false", "", "0", "none", "no")


def _applies(name: str, context: Answers) -> bool:
    when = questions()[name].get("when")
    return when is None or not _is_false(_render(when, context))


def computed_default(name: str, context: Answers) -> Any:
    """The default Copier gives question `name` with these answers: rendered, then typed."""
    q = questions()[name]
    default = q.get("default")
    if isinstance(default, str) and ("{{" in default or "{%" in default):
        default = _render(default, context)
        if q.get("type") == "bool":
            return not _is_false(default)
    return default


def normalize(combo: Answers) -> dict[str, Any] | None:
    """Drop questions whose `when` is false; None if a validator refuses the combination.

    The result is what the answers file records. Copier still renders a dropped question,
    with its computed default: `effective` gives those values.
    """
    context = {**IDENTITY, **combo}
    result: dict[str, Any] = {}
    for name in option_names():
        if not _applies(name, context):
            context[name] = computed_default(name, context)
            continue
        if _render(questions()[name].get("validator", ""), context):
            return None
        result[name] = combo[name]
    return result


def effective(answers: Answers) -> dict[str, Any]:
    """`answers` plus the value the template renders for each question they leave out.

    A question hidden by its `when` (redis, when the cache or the broker already bring Redis)
    has no answer recorded, yet the template sees its computed default.
    """
    context: dict[str, Any] = {**IDENTITY, **answers}
    for name in option_names():
        if name not in answers:
            context[name] = computed_default(name, context)
    return context


@cache
def valid_combinations() -> tuple[tuple[tuple[str, Any], ...], ...]:
    """Every distinct combination of feature answers that copier.yml allows."""
    names = option_names()
    seen: dict[tuple[tuple[str, Any], ...], None] = {}
    for values in itertools.product(*(enabled_values(n) for n in names)):
        combo = normalize(dict(zip(names, values, strict=True)))
        if combo is not None:
            seen[tuple(sorted(combo.items()))] = None
    return tuple(seen)


def _pairs(combo: Iterable[tuple[str, Any]]) -> set[tuple[tuple[str, Any], tuple[str, Any]]]:
    return set(itertools.combinations(sorted(combo, key=str), 2))


@cache
def pairwise_cover() -> list[dict[str, Any]]:
    """A small set of valid combinations in which every possible pair of answers occurs.

    Greedy: repeatedly take the combination that covers most pairs not yet covered. Each
    single answer is covered too, since every answer pairs with some other. Ties are broken
    in a seeded random order; a few fixed seeds are tried and the smallest cover is kept,
    stopping at the lower bound (the most pairs any two questions make), because every
    combination of the cover costs the slow tier a full run of a generated project's checks.
    """
    combos = valid_combinations()
    pairs = {c: _pairs(c) for c in combos}
    every_pair: set[Any] = set().union(*pairs.values())
    per_question_pair: dict[tuple[str, str], int] = {}
    for a, b in every_pair:
        key = (a[0], b[0])
        per_question_pair[key] = per_question_pair.get(key, 0) + 1
    lower_bound = max(per_question_pair.values(), default=1)

    best: list[tuple[tuple[str, Any], ...]] | None = None
    for seed in range(COVER_SEEDS):
        order = list(combos)
        random.Random(seed).shuffle(order)
        uncovered = set(every_pair)
        singles = {item for c in combos for item in c}
        chosen: list[tuple[tuple[str, Any], ...]] = []
        while uncovered or singles:
            pick = max(order, key=lambda c: (len(pairs[c] & uncovered), len(set(c) & singles)))
            chosen.append(pick)
            uncovered -= pairs[pick]
            singles -= set(pick)
        if best is None or len(chosen) < len(best):
            best = chosen
        if len(best) <= lower_bound:
            break
    assert best is not None
    return [dict(c) for c in best]


def combo_id(combo: Answers) -> str:
    """A readable test id: only the answers that differ from the defaults."""
    defaults = effective({})
    parts = [f"{k}={v}" for k, v in sorted(combo.items()) if v != defaults[k]]
    return ",".join(parts) or "defaults"


def expected_files(answers: Answers) -> tuple[set[str], set[str]]:
    """Paths that must exist and paths that must not, for these answers."""
    full = effective(answers)
    present: set[str] = set()
    absent: set[str] = set()
    for rule in FEATURE_FILES:
        target = present if rule.applies(full) else absent
        target.update(p.format(pkg=full["package_name"]) for p in rule.paths)
    return present, absent - present


def assert_ruff_clean(project: Path) -> None:
    """`ruff check` and `ruff format --check` pass in the generated `project`."""
    for command in (["check", "--no-cache", "."], ["format", "--no-cache", "--check", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"ruff {command[0]}:\n{result.stdout}{result.stderr}"
