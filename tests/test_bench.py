"""The benchmark scripts keep working: they import, parse their arguments and plan a run.

A real run needs wrk, two CPUs and (for bench_data.py and bench_cache.py) PostgreSQL and
Redis, and takes minutes; these checks take none of that, so a change that breaks a script's
imports or options fails here.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT


def _load(name: str) -> ModuleType:
    path = REPO_ROOT / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "name",
    [
        "bench_new",
        "bench_serve",
        "bench_data",
        "bench_cache",
        "bench_ratelimit",
        "bench_stack",
        "bench_io",
        "bench_suites",
    ],
)
def test_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        _load(name).main(["--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("usage: ")


def test_bench_data_plans_a_run_on_a_throwaway_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = _load("bench_data")
    url = "postgresql+asyncpg://postgres@db.example:5433/app"
    assert bench.main(["--dry-run", "--items", "5", "--database-url", url]) == 0
    out = capsys.readouterr().out
    name = bench.database_name()
    assert f"create database {name} on postgres@db.example:5433" in out
    assert f"DATABASE_URL=postgresql+asyncpg://postgres@db.example:5433/{name}" in out
    assert "alembic upgrade head" in out
    assert "5 x POST /api/v1/items" in out
    assert "GET /health and GET /api/v1/items/{id}" in out
    assert f"drop database {name}" in out
    assert name != "app"


def test_bench_data_refuses_an_empty_run(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        _load("bench_data").main(["--dry-run", "--items", "0"])
    assert exit_.value.code == 2
    assert "--items" in capsys.readouterr().err


def test_bench_data_asks_for_random_seeded_items() -> None:
    script = _load("bench_data").lua_script([3, 5, 8])
    assert "local ids = {3, 5, 8}" in script
    assert '"/api/v1/items/" .. ids[math.random(#ids)]' in script


def test_bench_data_passes_settings_to_the_service(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load("bench_data")
    assert bench.main(["--dry-run", "--set", "DATABASE_POOL_SIZE=20"]) == 0
    assert "MAX_REQUESTS=0, DATABASE_POOL_SIZE=20)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--dry-run", "--set", "DATABASE_POOL_SIZE"])
    assert exit_.value.code == 2


def test_bench_cache_plans_both_backends_on_throwaway_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = _load("bench_cache")
    url = "postgresql+asyncpg://postgres@db.example:5433/app"
    args = ["--dry-run", "--items", "5", "--database-url", url, "--redis-url", "redis://r:6380/2"]
    assert bench.main(args) == 0
    out = capsys.readouterr().out
    name = bench.database_name()
    assert name != "app"
    assert f"create database {name} on postgres@db.example:5433" in out
    assert f"drop database {name}" in out
    assert f"redis: redis://r:6380/2, every key under {bench.key_prefix()!r}" in out
    for backend in ("memory", "redis"):
        assert f"cache={backend}: database=postgresql, cache={backend}" in out
        assert f"limiter in {backend}: database=none, rate_limit=True" in out
    assert "CACHE_ENABLED=true, then CACHE_ENABLED=false" in out
    assert "5 x POST /api/v1/items" in out
    assert "GET /health, /plain/health and /limited/health" in out


def test_bench_cache_can_plan_the_limiter_alone(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load("bench_cache")
    assert bench.main(["--dry-run", "--only", "limiter"]) == 0
    out = capsys.readouterr().out
    for backend in ("memory", "redis"):
        assert f"limiter in {backend}: database=none, rate_limit=True" in out
        assert f"cache={backend}:" not in out
    assert "database" not in out.replace("database=none", "")
    assert "seed:" not in out
    assert "(RATE_LIMIT_KEY_PREFIX), deleted at the end" in out
    assert "rounds of GET /health, /plain/health and /limited/health" in out


def test_bench_cache_can_plan_the_cache_alone(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load("bench_cache")
    assert bench.main(["--dry-run", "--only", "cache", "--items", "5"]) == 0
    out = capsys.readouterr().out
    assert "limiter" not in out
    assert f"create database {bench.database_name()}" in out
    assert "5 x POST /api/v1/items" in out
    assert "(CACHE_KEY_PREFIX), deleted at the end" in out


def test_bench_cache_refuses_an_unknown_part(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        _load("bench_cache").main(["--dry-run", "--only", "limits"])
    assert exit_.value.code == 2
    assert "--only" in capsys.readouterr().err


PROBE_LIMITED_APP = """\
import asyncio

import httpx

from limited_app import create_limited_app


async def main() -> None:
    app = create_limited_app()
    transport = httpx.ASGITransport(app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://bench"
    ) as client:
        for path in ("/health", "/plain/health", "/limited/health"):
            response = await client.get(path)
            limit = response.headers.get("x-ratelimit-limit")
            print(path, response.status_code, response.text, limit)


asyncio.run(main())
"""


def test_bench_cache_limits_its_copy_of_health_and_not_health(tmp_path: Path) -> None:
    """The app factory the bench serves adds /health's endpoint on a plain route and on a
    rate-limited one."""
    bench = _load("bench_cache")
    project = bench.generate(tmp_path, bench.LIMITER_ANSWERS["memory"])
    (tmp_path / "limited_app.py").write_text(bench.LIMITED_APP)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(project / "src"), str(tmp_path)]),
        RATE_LIMIT_DEFAULT="7/minute",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE_LIMITED_APP],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # The service logs its JSON lines to stdout too.
    answers = [line for line in result.stdout.splitlines() if not line.startswith("{")]
    assert answers == [
        '/health 200 {"status":"ok"} None',
        f'{bench.PLAIN_PATH} 200 {{"status":"ok"}} None',
        f'{bench.LIMITED_PATH} 200 {{"status":"ok"}} 7',
    ]


def test_bench_ratelimit_plans_both_limiters_on_both_storages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = _load("bench_ratelimit")
    assert bench.main(["--dry-run", "--redis-url", "redis://r:6380/2"]) == 0
    out = capsys.readouterr().out
    for limiter in ("native", "slowapi"):
        for storage in ("memory", "redis"):
            assert f"{limiter} in {storage}: database=none, rate_limit=True" in out
    assert f"redis: redis://r:6380/2, every key under {bench.key_prefix()!r}" in out
    assert "GET /plain and GET /limited on each server" in out
