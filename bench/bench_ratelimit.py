"""What a rate-limited route costs with the native limiter and with slowapi, in one run.

In one run, on this machine:

- generates four services with ``rate_limit`` and ``server=gunicorn`` (``database=none``):
  ``rate_limiter=native`` and ``=slowapi``, each counting in memory and in Redis (``redis``
  on);
- serves each through an app factory of its own that adds one small route twice, after the
  service's routes: at ``/plain`` without limits and at ``/limited`` with the project's
  limits (``RateLimitedRoute`` for native, ``@limiter.limit(default_limits)`` for slowapi), the
  same endpoint function with the same parameters; loads both on that one server, so their
  ratio is the limiter's cost. ``RATE_LIMIT_DEFAULT`` is set high enough that no request is
  refused: the cost measured is counting each request;
- for slowapi, which counts synchronously, the app factory also times slowapi's two calls
  on the event loop (the check before the route, the headers after it) and the run reports
  how long they held the loop per request: the time during which the worker served nothing
  else. Redis keys go under a prefix of the run, deleted at the end;
- every server runs as in bench_serve.py: Gunicorn, the generated ``gunicorn.conf.py``, one
  worker pinned to CPU 0, ``MAX_REQUESTS=0``, wrk (``-t1``) pinned to CPU 1, interleaved
  rounds, medians. Redis is not pinned: it shares the two CPUs.

Needs Linux with 2 CPUs, ``taskset``, ``wrk``, the ``test`` extra and a Redis server. Run it
from the repository::

    python bench/bench_ratelimit.py [--duration 10] [--rounds 3] [--connections 64]
    python bench/bench_ratelimit.py --dry-run    # print the plan, touch nothing
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cache import DEFAULT_REDIS_URL, NO_REFUSAL_LIMIT, key_prefix, redis_keys_removed
from bench_serve import (
    PACKAGE,
    Case,
    generate,
    load_parser,
    print_table,
    require_load_tools,
    row,
    run_wrk,
    serving,
)

LIMITERS = ("native", "slowapi")
STORAGES = ("memory", "redis")
PLAIN_PATH = "/plain"
LIMITED_PATH = "/limited"
BLOCKED_PATH = "/bench/blocked"

ROUTE = """\
async def route(request: Request, response: Response) -> dict[str, str]:
    return {"status": "ok"}
"""

NATIVE_APP = f"""\
from fastapi import APIRouter, FastAPI, Request, Response

from {PACKAGE}.core.ratelimit import RateLimitedRoute
from {PACKAGE}.main import create_app


{ROUTE}

def create_bench_app() -> FastAPI:
    app = create_app()
    plain = APIRouter()
    plain.add_api_route("{PLAIN_PATH}", route, methods=["GET"])
    app.include_router(plain)
    limited = APIRouter(route_class=RateLimitedRoute)
    limited.add_api_route("{LIMITED_PATH}", route, methods=["GET"])
    app.include_router(limited)
    return app
"""

SLOWAPI_APP = f"""\
import time

from fastapi import APIRouter, FastAPI, Request, Response

from {PACKAGE}.core.ratelimit import default_limits, limiter
from {PACKAGE}.main import create_app

BLOCKED = {{"seconds": 0.0, "checks": 0}}


def timed(method, checks):
    \"\"\"`method`, adding the time it takes to BLOCKED: slowapi calls it on the loop.\"\"\"

    def run(*args, **kwargs):
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            BLOCKED["seconds"] += time.perf_counter() - start
            BLOCKED["checks"] += checks

    return run


limiter._check_request_limit = timed(limiter._check_request_limit, 1)
limiter._inject_headers = timed(limiter._inject_headers, 0)


{ROUTE}

limited_route = limiter.limit(default_limits)(route)


async def blocked() -> dict[str, float]:
    return BLOCKED


def create_bench_app() -> FastAPI:
    app = create_app()
    extra = APIRouter()
    extra.add_api_route("{PLAIN_PATH}", route, methods=["GET"])
    extra.add_api_route("{LIMITED_PATH}", limited_route, methods=["GET"])
    extra.add_api_route("{BLOCKED_PATH}", blocked, methods=["GET"])
    app.include_router(extra)
    return app
"""


def answers(limiter: str, storage: str) -> dict[str, object]:
    return {
        "database": "none",
        "rate_limit": True,
        "rate_limiter": limiter,
        "redis": storage == "redis",
        "server": "gunicorn",
    }


def plan(args: argparse.Namespace) -> str:
    """What a run does, step by step (``--dry-run`` prints it)."""
    steps = [f"generate ({PACKAGE}):"]
    steps += [
        f"  {limiter} in {storage}: "
        + ", ".join(f"{k}={v}" for k, v in answers(limiter, storage).items())
        for limiter in LIMITERS
        for storage in STORAGES
    ]
    steps += [
        f"redis: {args.redis_url}, every key under {key_prefix()!r} (RATE_LIMIT_KEY_PREFIX), "
        "deleted at the end",
        "serve: taskset -c 0 gunicorn --config gunicorn.conf.py (1 worker, MAX_REQUESTS=0), "
        f"an app factory adding one route at {PLAIN_PATH} (no limits) and {LIMITED_PATH} "
        f"(the project's limits); RATE_LIMIT_DEFAULT={NO_REFUSAL_LIMIT}",
        f"load: wrk -t1 -c{args.connections} -d{args.duration}s on CPU 1, {args.rounds} "
        f"interleaved rounds of GET {PLAIN_PATH} and GET {LIMITED_PATH} on each server",
        f"slowapi servers: the time slowapi's calls held the event loop, from {BLOCKED_PATH}",
    ]
    return "\n".join(steps)


def get_json(url: str) -> tuple[object, str | None]:
    """The JSON body of a GET of `url`, and its X-RateLimit-Limit header."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read()), response.headers.get("X-RateLimit-Limit")


def main(argv: Sequence[str] | None = None) -> int:
    parser = load_parser(__doc__, connections=64)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="the Redis to use")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1:
        parser.error("--rounds and --duration must be at least 1")
    if args.dry_run:
        print(plan(args))
        return 0
    require_load_tools()

    prefix = key_prefix()
    servers = [(limiter, storage) for limiter in LIMITERS for storage in STORAGES]
    plain = {s: Case(f"{PLAIN_PATH}, {s[0]} in {s[1]}", "", 1, "0", "1") for s in servers}
    limited = {s: Case(f"{LIMITED_PATH}, {s[0]} in {s[1]}", "", 1, "0", "1") for s in servers}
    blocked: dict[tuple[str, str], list[float]] = {s: [] for s in servers}
    with tempfile.TemporaryDirectory(prefix="fastasync-bench-ratelimit-") as tmp:
        workdir = Path(tmp)
        projects, cases = {}, {}
        for limiter, storage in servers:
            (where := workdir / f"{limiter}-{storage}").mkdir()
            projects[limiter, storage] = generate(where, answers(limiter, storage))
            (where / f"bench_{limiter}_app.py").write_text(
                NATIVE_APP if limiter == "native" else SLOWAPI_APP
            )
            settings = {"RATE_LIMIT_DEFAULT": NO_REFUSAL_LIMIT}
            if storage == "redis":
                settings |= {
                    "REDIS_URL": args.redis_url,
                    "RATE_LIMIT_KEY_PREFIX": f"{prefix}ratelimit",
                }
            cases[limiter, storage] = Case(
                f"{limiter} in {storage}",
                f"bench_{limiter}_app:create_bench_app()",
                1,
                "0",
                "1",
                settings,
            )
        print(plan(args), end="\n\n")

        with redis_keys_removed(args.redis_url, prefix):
            for _ in range(args.rounds):
                for server in servers:
                    workdir_of = workdir / f"{server[0]}-{server[1]}"
                    with serving(cases[server], projects[server], workdir_of) as port:
                        base = f"http://127.0.0.1:{port}"
                        check(base)
                        for path in (PLAIN_PATH, LIMITED_PATH):
                            run_wrk(f"{base}{path}", "1", args.connections, 2)  # warm-up
                        load(base, plain[server], PLAIN_PATH, args)
                        before = blocked_so_far(base, server)
                        load(base, limited[server], LIMITED_PATH, args)
                        if before is not None:
                            after = blocked_so_far(base, server)
                            assert after is not None
                            seconds, checks = (a - b for a, b in zip(after, before, strict=True))
                            blocked[server].append(seconds / checks * 1e6)

    return report(servers, plain, limited, blocked)


def load(base: str, case: Case, path: str, args: argparse.Namespace) -> None:
    rps, p50, p99 = run_wrk(f"{base}{path}", "1", args.connections, args.duration)
    case.rps.append(rps)
    case.p50.append(p50)
    case.p99.append(p99)


def check(base: str) -> None:
    """Stop the run unless /plain is unlimited and /limited is limited."""
    if get_json(f"{base}{PLAIN_PATH}")[1] is not None:
        sys.exit(f"{PLAIN_PATH} answered with X-RateLimit headers")
    if get_json(f"{base}{LIMITED_PATH}")[1] is None:
        sys.exit(f"{LIMITED_PATH} answered without X-RateLimit headers: it is not limited")


def blocked_so_far(base: str, server: tuple[str, str]) -> tuple[float, float] | None:
    """slowapi's time on the loop so far and the checks it made (None: a native server)."""
    if server[0] != "slowapi":
        return None
    body, _ = get_json(f"{base}{BLOCKED_PATH}")
    assert isinstance(body, dict)
    return float(body["seconds"]), float(body["checks"])


def report(
    servers: list[tuple[str, str]],
    plain: dict[tuple[str, str], Case],
    limited: dict[tuple[str, str], Case],
    blocked: dict[tuple[str, str], list[float]],
) -> int:
    header = ("case", "workers", "server cpus", "wrk cpus", "req/s", "p50 ms", "p99 ms", "rounds")
    print_table([header, *(row(c) for s in servers for c in (plain[s], limited[s]))])
    print()
    for server in servers:
        ratio = limited[server].median_rps / plain[server].median_rps
        line = f"{server[0]} in {server[1]}: limited/unlimited {ratio:.2f}x"
        if blocked[server]:
            per_request = statistics.median(blocked[server])
            line += f"; slowapi held the event loop {per_request:.0f} us a request"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
