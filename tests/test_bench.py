"""The benchmark scripts keep working: they import, parse their arguments and plan a run.

A real run needs wrk, two CPUs and (for bench_data.py) PostgreSQL, and takes minutes; these
checks take none of that, so a change that breaks a script's imports or options fails here.
"""

from __future__ import annotations

import importlib.util
import sys
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


@pytest.mark.parametrize("name", ["bench_new", "bench_serve", "bench_data"])
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
