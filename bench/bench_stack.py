"""What each layer of the generated service costs per request, in-process, against bare FastAPI.

No server and no sockets: the standard service (as in ``bench_serve.py``) is generated and
imported, and its ASGI app is called directly for ``GET /health``, each request in a task
of its own as Uvicorn runs it, by ``--connections`` concurrent clients (so that, as under
wrk's load, several requests end in one event loop iteration). Cases:

- bare FastAPI: the app ``bench_serve.py`` serves (one route returning ``{"status": "ok"}``);
- generated, no middleware: the service's app with its middleware taken out (routing,
  exception handlers, the ``/health`` endpoint);
- generated, ``ACCESS_LOG=false``: plus the request id and ``X-Process-Time`` middleware;
- generated service: plus the JSON access log, written to a file as ``bench_serve.py`` does.

Each round runs ``--requests`` requests of every case in turn; the figure of a case is the
CPU time of its fastest round (and the median round), in microseconds a request. The CPU time
of the fastest round is what the code costs with the least interference, which keeps the
figures comparable on a shared, loaded machine; the time a served request takes on top
(Uvicorn, httptools, the socket) is the same for every case and is not in these figures.

Run it from the repository, with the ``test`` extra installed::

    python bench/bench_stack.py [--rounds 60] [--requests 1024] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serve import BARE_APP, PACKAGE, generate, print_table

ASGIApp = Callable[..., Awaitable[None]]

SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0", "spec_version": "2.4"},
    "http_version": "1.1",
    "server": ("127.0.0.1", 8000),
    "client": ("127.0.0.1", 50000),
    "scheme": "http",
    "method": "GET",
    "root_path": "",
    "path": "/health",
    "raw_path": b"/health",
    "query_string": b"",
    "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), (b"accept", b"*/*")],
}


async def receive() -> MutableMapping[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: MutableMapping[str, Any]) -> None:
    if message["type"] == "http.response.start" and message["status"] != 200:
        sys.exit(f"GET /health answered {message['status']}")


async def client(app: ASGIApp, requests: int) -> None:
    loop = asyncio.get_running_loop()
    for _ in range(requests):
        # A copy of the scope per request, in a task per request, as the server does.
        await loop.create_task(app(dict(SCOPE), receive, send))


async def one_round(app: ASGIApp, requests: int, connections: int) -> float:
    """CPU microseconds a request, over `requests` requests from `connections` clients."""
    each = max(1, requests // connections)
    start = time.process_time()
    await asyncio.gather(*(client(app, each) for _ in range(connections)))
    return (time.process_time() - start) / (each * connections) * 1e6


def load_apps(project: Path, workdir: Path, log_path: Path) -> dict[str, ASGIApp]:
    """The cases, in order: bare, then the generated app with more and more of its stack."""
    (workdir / "bare_app.py").write_text(BARE_APP)
    sys.path[:0] = [str(project / "src"), str(workdir)]
    bare = importlib.import_module("bare_app").app
    config = importlib.import_module(f"{PACKAGE}.core.config")
    logging_ = importlib.import_module(f"{PACKAGE}.core.logging")
    create_app = importlib.import_module(f"{PACKAGE}.main").create_app

    no_middleware = create_app(config.Settings(_env_file=None))
    no_middleware.user_middleware.clear()
    apps = {
        "bare FastAPI": bare,
        "generated, no middleware": no_middleware,
        "generated, ACCESS_LOG=false": create_app(
            config.Settings(_env_file=None, access_log=False)
        ),
        "generated service": create_app(config.Settings(_env_file=None)),
    }
    # Every create_app configures logging; the service's lines go to a file, as in production.
    logging_.configure_logging(config.Settings(_env_file=None), stream=log_path.open("w"))
    return apps


async def measure(
    apps: dict[str, ASGIApp], rounds: int, requests: int, connections: int
) -> dict[str, list[float]]:
    service: Any = apps["generated service"]
    results: dict[str, list[float]] = {name: [] for name in apps}
    async with service.router.lifespan_context(service):
        for app in apps.values():  # warm-up
            await one_round(app, requests, connections)
        for _ in range(rounds):
            for name, app in apps.items():
                results[name].append(await one_round(app, requests, connections))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60, help="interleaved rounds per case")
    parser.add_argument("--requests", type=int, default=1024, help="requests per round")
    parser.add_argument("--connections", type=int, default=64, help="concurrent clients")
    parser.add_argument(
        "--project", type=Path, help="a generated standard service to use instead of a new one"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="fastasync-bench-stack-") as tmp:
        workdir = Path(tmp)
        project = args.project or generate(workdir)
        os.chdir(workdir)  # no .env of the caller's
        apps = load_apps(project, workdir, workdir / "service.log")
        try:
            import uvloop

            run: Callable[[Awaitable[Any]], Any] = uvloop.run
        except ImportError:
            run = asyncio.run
        results = run(measure(apps, args.rounds, args.requests, args.connections))

    print(
        f"GET /health in-process, {args.rounds} rounds of {args.requests} requests from "
        f"{args.connections} concurrent clients; CPU us a request\n"
    )
    bare = min(results["bare FastAPI"])
    rows = [("case", "fastest round", "median round", "over bare")]
    for name, values in results.items():
        fastest = min(values)
        rows.append(
            (name, f"{fastest:.1f}", f"{statistics.median(values):.1f}", f"{fastest - bare:+.1f}")
        )
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
