"""What the response cache gains on an item read, and what the rate limiter costs ``/health``.

In one run, on this machine:

- generates four services with ``server=gunicorn``: two with ``database=postgresql`` and
  ``cache=memory`` / ``cache=redis`` (for the cache), two with ``rate_limit`` and the limiter
  counting in memory / in Redis (``redis`` on); ``database=none`` there, since ``/health``
  touches no database;
- creates a throwaway PostgreSQL database as bench_data.py does (created beside
  ``--database-url``, migrated with the project's own ``alembic upgrade head``, dropped at the
  end whatever happens), and points every Redis key the services write at a prefix of this
  run, deleted at the end;
- cache: serves each cache project twice, with ``CACHE_ENABLED=true`` and ``=false`` (the
  same code with the cache turned off: every read goes to PostgreSQL), seeds ``--items``
  items through the API once, and loads ``GET /api/v1/items/{id}`` (a random seeded id per
  request) with wrk; after a warm-up every cached read is a hit, which the run checks
  (``X-Cache: HIT``, and ``BYPASS`` with the cache off);
- limiter: ``/health`` is exempt from rate limits by design (orchestrators probe it), so the
  bench serves each limiter project through an app factory of its own that adds ``/health``'s
  own endpoint twice, after the service's routes: at ``/plain/health`` on a plain router and
  at ``/limited/health`` on a router with the service's ``RateLimitedRoute``; it loads
  ``/health`` and both copies on that one server. The two copies pay the same route matching
  (the service's routes come first), so their ratio is the limiter's cost.
  ``RATE_LIMIT_DEFAULT`` is set high enough that no request is refused: the cost measured is
  counting each request, which is the same below the limit;
- every server runs as in bench_serve.py: Gunicorn, the generated ``gunicorn.conf.py``, one
  worker pinned to CPU 0, ``MAX_REQUESTS=0``, wrk (``-t1``) pinned to CPU 1, interleaved
  rounds, medians. PostgreSQL and Redis are not pinned: they share the two CPUs.

``--only cache`` or ``--only limiter`` runs one half: the limiter alone needs no PostgreSQL
(no database is created and nothing is seeded).

Targets: a cache hit serves at least 2x the requests per second of the same read uncached,
for both backends; the limiter costs ``/health`` under 15% of its requests per second, for
both storages.

Needs what bench_data.py needs (Linux, 2 CPUs, ``taskset``, ``wrk``, the ``test`` extra, a
PostgreSQL server whose user may create databases) and a Redis server. Run it from the
repository::

    python bench/bench_cache.py [--duration 10] [--rounds 3] [--connections 64] [--items 1000]
    python bench/bench_cache.py --only limiter    # the limiter cases alone: no PostgreSQL
    python bench/bench_cache.py --dry-run    # print the plan, touch nothing
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import (
    ITEM_PATH,
    check_load_arguments,
    load_arguments,
    lua_script,
    migrate,
    seed,
    throwaway_database,
    throwaway_url,
)
from bench_serve import PACKAGE, Case, generate, print_table, row, run_wrk, serving

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
CACHE_TARGET = 2.0
LIMITER_TARGET = 0.15
BACKENDS = ("memory", "redis")
PARTS = ("cache", "limiter")
LIMITED_PATH = "/limited/health"
PLAIN_PATH = "/plain/health"
# High enough that wrk never meets it: every request is counted, none refused.
NO_REFUSAL_LIMIT = "1000000000/second"

CACHE_ANSWERS = {
    backend: {"database": "postgresql", "cache": backend, "server": "gunicorn"}
    for backend in BACKENDS
}
LIMITER_ANSWERS = {
    "memory": {"database": "none", "rate_limit": True, "server": "gunicorn"},
    "redis": {"database": "none", "rate_limit": True, "redis": True, "server": "gunicorn"},
}

LIMITED_APP = f"""\
from fastapi import APIRouter, FastAPI

from {PACKAGE}.core import health
from {PACKAGE}.core.ratelimit import RateLimitedRoute
from {PACKAGE}.main import create_app


def create_limited_app() -> FastAPI:
    \"\"\"The service, plus its /health endpoint twice more: on a plain route, then on a
    rate-limited one, both after the service's routes.\"\"\"
    app = create_app()
    plain = APIRouter()
    plain.add_api_route("{PLAIN_PATH}", health.health, methods=["GET"])
    app.include_router(plain)
    limited = APIRouter(route_class=RateLimitedRoute)
    limited.add_api_route("{LIMITED_PATH}", health.health, methods=["GET"])
    app.include_router(limited)
    return app
"""


@dataclass
class Server:
    """How to start one server, and what to load on it: (case, path, wrk script) each.

    `x_cache` is the X-Cache a repeated item read must answer (None: not a cache server).
    """

    case: Case
    project: Path
    loads: list[tuple[Case, str, Path | None]]
    x_cache: str | None = None


def key_prefix() -> str:
    """The prefix of every Redis key this run's services write."""
    return f"fastasync-bench-{os.getpid()}:"


def database_name() -> str:
    return f"fastasync_bench_cache_{os.getpid()}"


@contextmanager
def redis_keys_removed(url: str, prefix: str) -> Iterator[None]:
    """Delete every key under `prefix` on the Redis of `url` when the block ends."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    client.ping()
    try:
        yield
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def x_cache(url: str) -> str:
    """The X-Cache header of a GET of `url`."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.headers.get("X-Cache"))


def rate_limit_header(url: str) -> str | None:
    with urllib.request.urlopen(url, timeout=10) as response:
        json.loads(response.read())
        return response.headers.get("X-RateLimit-Limit")


def plan(args: argparse.Namespace) -> str:
    """What a run does, step by step (``--dry-run`` prints it)."""
    name = database_name()
    url = throwaway_url(args.database_url, name)
    cache, limiter = "cache" in args.parts, "limiter" in args.parts
    answers = [
        f"  cache={b}: {', '.join(f'{k}={v}' for k, v in CACHE_ANSWERS[b].items())}"
        for b in BACKENDS
        if cache
    ] + [
        f"  limiter in {b}: {', '.join(f'{k}={v}' for k, v in LIMITER_ANSWERS[b].items())}"
        for b in BACKENDS
        if limiter
    ]
    loads = [f"GET {ITEM_PATH} (cached and uncached, per cache backend)"] if cache else []
    if limiter:
        loads.append(f"GET /health, {PLAIN_PATH} and {LIMITED_PATH} (per limiter storage)")
    steps = [f"generate ({PACKAGE}):", *answers]
    if cache:
        steps += [
            f"create database {name} on {urlsplit(args.database_url).netloc}",
            f"migrate: DATABASE_URL={url} python -m alembic upgrade head",
        ]
    prefixes = ", ".join(
        setting
        for setting, part in (("CACHE_KEY_PREFIX", cache), ("RATE_LIMIT_KEY_PREFIX", limiter))
        if part
    )
    steps += [
        f"redis: {args.redis_url}, every key under {key_prefix()!r} ({prefixes}), "
        "deleted at the end",
        "serve: taskset -c 0 gunicorn --config gunicorn.conf.py (1 worker, MAX_REQUESTS=0)",
    ]
    if cache:
        steps.append(
            f"  cache projects: DATABASE_URL={url}, DATABASE_POOL_SIZE={args.connections}, "
            "CACHE_ENABLED=true, then CACHE_ENABLED=false"
        )
    if limiter:
        steps.append(
            f"  limiter projects: an app factory adding /health's endpoint at {PLAIN_PATH} "
            f"(plain) and {LIMITED_PATH} (RateLimitedRoute); "
            f"RATE_LIMIT_DEFAULT={NO_REFUSAL_LIMIT}"
        )
    if cache:
        steps.append(f"seed: {args.items} x POST /api/v1/items")
    steps.append(
        f"load: wrk -t1 -c{args.connections} -d{args.duration}s on CPU 1, "
        f"{args.rounds} interleaved rounds of {' and '.join(loads)}"
    )
    if cache:
        steps.append(f"drop database {name} (DROP DATABASE ... WITH (FORCE))")
    return "\n".join(steps)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    load_arguments(parser, case="case")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="the Redis to use")
    parser.add_argument(
        "--only",
        choices=PARTS,
        help="measure only the cache (item reads) or only the limiter (no PostgreSQL needed)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    args = parser.parse_args(argv)
    check_load_arguments(parser, args)
    args.parts = (args.only,) if args.only else PARTS
    return args


def _load(server: Server, workdir: Path, args: argparse.Namespace, probe: str) -> None:
    """Start `server`, warm each of its loads up, check it, load each once, stop it.

    `probe` is the path of one seeded item.
    """
    with serving(server.case, server.project, workdir) as port:
        base = f"http://127.0.0.1:{port}"
        for _, path, script in server.loads:
            run_wrk(f"{base}{path}", "1", args.connections, 2, script)  # warm-up
        _check(server, base, probe)
        for case, path, script in server.loads:
            rps, p50, p99 = run_wrk(f"{base}{path}", "1", args.connections, args.duration, script)
            case.rps.append(rps)
            case.p50.append(p50)
            case.p99.append(p99)


def _check(server: Server, base: str, probe: str) -> None:
    """Stop the run if a server does not do what its case says it measures."""
    if server.x_cache is not None:
        x_cache(f"{base}{probe}")
        if (seen := x_cache(f"{base}{probe}")) != server.x_cache:
            sys.exit(f"{server.case.label}: X-Cache is {seen}, expected {server.x_cache}")
        return
    for path in ("/health", PLAIN_PATH):
        if rate_limit_header(f"{base}{path}") is not None:
            sys.exit(f"{path} answered with X-RateLimit headers: it is not exempt")
    if rate_limit_header(f"{base}{LIMITED_PATH}") is None:
        sys.exit(f"{LIMITED_PATH} answered without X-RateLimit headers: it is not limited")


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

    factory = f"{PACKAGE}.main:create_app()"
    limited_factory = "limited_app:create_limited_app()"
    prefix = key_prefix()
    redis_settings = {"REDIS_URL": args.redis_url, "RATE_LIMIT_KEY_PREFIX": f"{prefix}ratelimit"}
    hit = {b: Case(f"item, cache={b}, hit", factory, 1, "0", "1") for b in BACKENDS}
    uncached = {
        b: Case(f"item, cache={b}, CACHE_ENABLED=false", factory, 1, "0", "1") for b in BACKENDS
    }
    health = {b: Case(f"/health, limiter in {b} (exempt)", "", 1, "0", "1") for b in BACKENDS}
    plain = {b: Case(f"{PLAIN_PATH}, limiter in {b}", "", 1, "0", "1") for b in BACKENDS}
    limited = {b: Case(f"{LIMITED_PATH}, limiter in {b}", "", 1, "0", "1") for b in BACKENDS}

    parts = args.parts
    with tempfile.TemporaryDirectory(prefix="fastasync-bench-cache-") as tmp:
        workdir = Path(tmp)
        projects = {}
        for kind, answers in (("cache", CACHE_ANSWERS), ("limiter", LIMITER_ANSWERS)):
            if kind not in parts:
                continue
            for backend in BACKENDS:
                (where := workdir / f"{kind}-{backend}").mkdir()
                projects[kind, backend] = generate(where, answers[backend])
        (workdir / "limited_app.py").write_text(LIMITED_APP)
        script = workdir / "items.lua"
        print(plan(args), end="\n\n")

        with ExitStack() as resources:
            resources.enter_context(redis_keys_removed(args.redis_url, prefix))
            if "cache" in parts:
                url = resources.enter_context(
                    throwaway_database(args.database_url, database_name())
                )
                migrate(projects["cache", "memory"], url)
            servers: list[Server] = []
            for backend in BACKENDS:
                if "cache" in parts:
                    settings = {
                        "DATABASE_URL": url,
                        "DATABASE_POOL_SIZE": str(args.connections),
                        "CACHE_KEY_PREFIX": f"{prefix}cache:",
                        **(redis_settings if backend == "redis" else {}),
                    }
                    for case, enabled, seen in (
                        (hit[backend], "true", "HIT"),
                        (uncached[backend], "false", "BYPASS"),
                    ):
                        case.settings = {**settings, "CACHE_ENABLED": enabled}
                        project = projects["cache", backend]
                        servers.append(Server(case, project, [(case, "", script)], seen))

                if "limiter" in parts:
                    limiter_settings = {"RATE_LIMIT_DEFAULT": NO_REFUSAL_LIMIT}
                    if backend == "redis":
                        limiter_settings.update(redis_settings)
                    case = Case(
                        f"limiter in {backend}", limited_factory, 1, "0", "1", limiter_settings
                    )
                    loads = [
                        (health[backend], "/health", None),
                        (plain[backend], PLAIN_PATH, None),
                        (limited[backend], LIMITED_PATH, None),
                    ]
                    servers.append(Server(case, projects["limiter", backend], loads))

            probe = ""
            if "cache" in parts:
                with serving(hit["memory"], projects["cache", "memory"], workdir) as port:
                    ids = seed(port, args.items)
                script.write_text(lua_script(ids))
                probe = ITEM_PATH.format(id=ids[0])
            for _ in range(args.rounds):
                for server in servers:
                    _load(server, workdir, args, probe)

    return report(parts, hit, uncached, health, plain, limited)


def report(
    parts: Sequence[str],
    hit: dict[str, Case],
    uncached: dict[str, Case],
    health: dict[str, Case],
    plain: dict[str, Case],
    limited: dict[str, Case],
) -> int:
    header = ("case", "workers", "server cpus", "wrk cpus", "req/s", "p50 ms", "p99 ms", "rounds")
    order = [c for b in BACKENDS for c in (hit[b], uncached[b])] if "cache" in parts else []
    if "limiter" in parts:
        order += [c for b in BACKENDS for c in (health[b], plain[b], limited[b])]
    print_table([header, *(row(c) for c in order)])
    met = True
    if "limiter" in parts:
        print(
            f"\n{PLAIN_PATH}, {LIMITED_PATH}: /health's own endpoint on a plain and on a "
            "RateLimitedRoute router, added by the bench's app factory after the service's "
            "routes (the generated /health is exempt by design)"
        )
    for backend in BACKENDS if "cache" in parts else ():
        ratio = hit[backend].median_rps / uncached[backend].median_rps
        ok = ratio >= CACHE_TARGET
        met &= ok
        print(
            f"cache={backend}: hit/uncached {ratio:.2f}x "
            f"(target >= {CACHE_TARGET:.0f}x: {'pass' if ok else 'FAIL'})"
        )
    for backend in BACKENDS if "limiter" in parts else ():
        cost = 1 - limited[backend].median_rps / plain[backend].median_rps
        ok = cost < LIMITER_TARGET
        met &= ok
        print(
            f"limiter in {backend}: costs {cost:.1%} of the /health endpoint's req/s "
            f"(p50 {statistics.median(plain[backend].p50):.2f} -> "
            f"{statistics.median(limited[backend].p50):.2f} ms; "
            f"target < {LIMITER_TARGET:.0%}: {'pass' if ok else 'FAIL'})"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
