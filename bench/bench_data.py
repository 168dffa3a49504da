"""Throughput of a database read against ``GET /health``, on one generated PostgreSQL service.

In one run, on this machine:

- generates a service with ``database=postgresql`` and ``server=gunicorn``;
- creates a throwaway database next to the one ``--database-url`` names, runs the project's
  own migrations on it (``alembic upgrade head``) and drops it at the end, whatever happens;
- serves the project with the command bench_serve.py uses (Gunicorn, the generated
  ``gunicorn.conf.py``, one worker pinned to CPU 0, ``MAX_REQUESTS=0``) and
  ``DATABASE_URL`` pointing at the throwaway database;
- seeds ``--items`` items through ``POST /api/v1/items``;
- loads ``GET /api/v1/items/{id}`` (a random seeded id per request, from a wrk Lua script)
  and ``GET /health`` of that same server from CPU 1 with wrk, in interleaved rounds, and
  prints requests per second, p50 and p99 latency (medians over the rounds) and the ratio.

PostgreSQL itself is not pinned: it shares the two CPUs with the server and wrk, as a
database on the same host would. Needs what bench_serve.py needs (Linux, 2 CPUs, ``taskset``,
``wrk``, the ``test`` extra) and a PostgreSQL server whose user may create databases. Run it
from the repository::

    python bench/bench_data.py [--duration 10] [--rounds 3] [--connections 64] [--items 1000]
    python bench/bench_data.py --set DATABASE_POOL_SIZE=20   # a setting of the service
    python bench/bench_data.py --dry-run    # print the plan, touch nothing
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serve import PACKAGE, Case, generate, print_table, row, run_wrk, serving

ANSWERS = {"database": "postgresql", "server": "gunicorn"}
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
ITEM_PATH = "/api/v1/items/{id}"


def throwaway_url(url: str, name: str) -> str:
    """`url` with its database replaced by `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _asyncpg_dsn(url: str) -> str:
    """SQLAlchemy's ``postgresql+asyncpg://`` URL as asyncpg itself takes it."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def throwaway_database(url: str, name: str) -> Iterator[str]:
    """Create database `name` on the server of `url`; yield its URL; drop it afterwards."""
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    try:
        yield throwaway_url(url, name)
    finally:
        asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrate(project: Path, database_url: str) -> None:
    """The project's own migrations, as its README says to run them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONPATH=str(project / "src"), DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        sys.exit(f"alembic upgrade head failed:\n{result.stdout}{result.stderr}")


def seed(port: int, count: int) -> list[int]:
    """Create `count` items through the API; return their ids."""
    ids = []
    for n in range(count):
        body = json.dumps({"name": f"item {n}", "description": f"Seeded item number {n}."})
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/items",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status != 201:
                sys.exit(f"POST /api/v1/items answered {response.status}")
            ids.append(int(json.loads(response.read())["id"]))
    return ids


def lua_script(ids: Sequence[int]) -> str:
    """A wrk script asking for one of `ids` at random on every request."""
    prefix = ITEM_PATH.split("{", 1)[0]
    return (
        f"local ids = {{{', '.join(str(i) for i in ids)}}}\n"
        "request = function()\n"
        f'  return wrk.format("GET", "{prefix}" .. ids[math.random(#ids)])\n'
        "end\n"
    )


def database_name() -> str:
    return f"fastasync_bench_{os.getpid()}"


def plan(args: argparse.Namespace) -> str:
    """What a run does, step by step (``--dry-run`` prints it)."""
    name = database_name()
    url = throwaway_url(args.database_url, name)
    return "\n".join(
        [
            f"generate: {', '.join(f'{k}={v}' for k, v in ANSWERS.items())} ({PACKAGE})",
            f"create database {name} on {urlsplit(args.database_url).netloc}",
            f"migrate: DATABASE_URL={url} python -m alembic upgrade head",
            "serve: taskset -c 0 gunicorn --config gunicorn.conf.py "
            f"'{PACKAGE}.main:create_app()' (1 worker, MAX_REQUESTS=0"
            + "".join(f", {k}={v}" for k, v in args.settings.items())
            + ")",
            f"seed: {args.items} x POST /api/v1/items",
            f"load: wrk -t1 -c{args.connections} -d{args.duration}s on CPU 1, "
            f"{args.rounds} interleaved rounds of GET /health and GET {ITEM_PATH}",
            f"drop database {name} (DROP DATABASE ... WITH (FORCE))",
        ]
    )


def load_arguments(parser: argparse.ArgumentParser, *, case: str) -> None:
    """The options every database bench takes: load shape, seed size and the database."""
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per run")
    parser.add_argument("--rounds", type=int, default=3, help=f"runs per {case} (interleaved)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--items", type=int, default=1000, help="items to seed")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help="a database on the PostgreSQL server to use; a throwaway one is created beside it",
    )


def check_load_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a load that measures nothing."""
    if args.items < 1 or args.rounds < 1 or args.duration < 1:
        parser.error("--items, --rounds and --duration must be at least 1")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    load_arguments(parser, case="endpoint")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting of the service, e.g. DATABASE_POOL_SIZE=20 (repeatable)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    args = parser.parse_args(argv)
    check_load_arguments(parser, args)
    if bad := [item for item in args.set if "=" not in item]:
        parser.error(f"--set: expected KEY=VALUE, got {bad[0]!r}")
    args.settings = dict(item.split("=", 1) for item in args.set)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.dry_run:
        print(plan(args))
        return 0
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (apt-get install -y {tool})")
    if len(os.sched_getaffinity(0)) < 2:
        sys.exit("2 CPUs or more are needed: the server on one, the load generator on another")

    health = Case("GET /health", f"{PACKAGE}.main:create_app()", 1, "0", "1")
    item = Case(f"GET {ITEM_PATH}", health.app, 1, "0", "1")
    with tempfile.TemporaryDirectory(prefix="fastasync-bench-data-") as tmp:
        workdir = Path(tmp)
        project = generate(workdir, ANSWERS)
        print(plan(args), end="\n\n")
        with throwaway_database(args.database_url, database_name()) as url:
            migrate(project, url)
            health.settings = item.settings = {**args.settings, "DATABASE_URL": url}
            with serving(health, project, workdir) as port:
                ids = seed(port, args.items)
                script = workdir / "items.lua"
                script.write_text(lua_script(ids))
                base = f"http://127.0.0.1:{port}"
                run_wrk(f"{base}/health", "1", args.connections, 2)  # warm-up
                run_wrk(base, "1", args.connections, 2, script)
                for _ in range(args.rounds):
                    for case, script_or_none, path in (
                        (health, None, "/health"),
                        (item, script, ""),
                    ):
                        rps, p50, p99 = run_wrk(
                            f"{base}{path}", "1", args.connections, args.duration, script_or_none
                        )
                        case.rps.append(rps)
                        case.p50.append(p50)
                        case.p99.append(p99)

    header = ("case", "workers", "server cpus", "wrk cpus", "req/s", "p50 ms", "p99 ms", "rounds")
    print_table([header, *(row(c) for c in (health, item))])
    print(f"\nitem read/health: {item.median_rps / health.median_rps:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
