"""Requests per second of an endpoint that waits 50 ms for I/O: async service against sync.

In one run, on this machine:

- generates the standard service (``server=gunicorn``) from this checkout, and serves it
  through an app factory that adds one route, ``GET /io/wait``, which awaits
  ``asyncio.sleep(0.05)`` and answers ``{"status": "ok"}``; the service's whole middleware
  stack and access log run as for any route; ``ENVIRONMENT=production``, as bench_serve.py
  serves it (the blocking guard off, as in production);
- serves it again with ``ACCESS_LOG=false``, to show what the access log costs at this rate;
- serves the same endpoint in a sync framework: Flask, whose view calls ``time.sleep(0.05)``,
  under Gunicorn's ``gthread`` worker with 8 threads (``-w 1 -k gthread --threads 8``);
- runs both as bench_serve.py does: one worker pinned to CPU 0, wrk (``-t1``) pinned to CPU
  1, ``MAX_REQUESTS=0``, interleaved rounds, medians of requests per second, p50 and p99;
  then both again as deployed, with one worker per CPU (2 here), the workers and wrk sharing
  both CPUs;
- compares each with its bound, connections / latency: 200 connections that each wait
  50 ms per request cannot make more than 200 / 0.05 = 4,000 requests per second; a server
  that handles at most 8 requests at once, no more than 8 / 0.05 = 160.

What "50 ms of I/O" is here: an ``asyncio.sleep``, in the place of an awaited call to a
database or an upstream service. It is what such a call costs the event loop while it
waits, and nothing else, so the figure measures the concurrency model (one event loop
serving every waiting request, against one thread per request), not an upstream's speed
or an HTTP client's cost. With a real upstream on loopback, the upstream and the outgoing
HTTP client would need CPU of their own; with two CPUs (one for the server, one for wrk)
there is none left to give them, and they would become the bottleneck. The sync side
sleeps the same way (``time.sleep`` releases the GIL, as a blocking socket read does).

Target: the async service serves at least 90% of its bound. wrk waits up to 10 s for an
answer, since the sync server's queue makes its requests wait far longer than 2 s (wrk's
default).

Needs Linux with 2 CPUs or more, ``taskset`` and ``wrk``, and the ``test`` and ``bench``
extras of this repository (``pip install -e '.[test,bench]'``: Flask). Run it from the
repository::

    python bench/bench_io.py [--duration 10] [--rounds 3] [--connections 200]
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serve import (
    PACKAGE,
    Case,
    free_port,
    generate,
    load_parser,
    print_table,
    require_load_tools,
    running,
    serving,
    to_ms,
)

TARGET = 0.90
WAIT_SECONDS = 0.05
SYNC_THREADS = 8
IO_PATH = "/io/wait"
ANSWERS = {"server": "gunicorn", "database": "none"}

IO_APP = f"""\
import asyncio

from fastapi import FastAPI

from {PACKAGE}.main import create_app


def create_io_app() -> FastAPI:
    app = create_app()

    @app.get("{IO_PATH}")
    async def wait() -> dict[str, str]:
        await asyncio.sleep({WAIT_SECONDS})
        return {{"status": "ok"}}

    return app
"""

SYNC_APP = f"""\
import time

from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health() -> dict[str, str]:
    return {{"status": "ok"}}


@app.get("{IO_PATH}")
def wait() -> dict[str, str]:
    time.sleep({WAIT_SECONDS})
    return {{"status": "ok"}}
"""


def run_wrk(url: str, cpus: str, connections: int, duration: int) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in ms, of one wrk run that waits up to 10 s."""
    wrk = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    out = subprocess.run(
        ["taskset", "-c", cpus, *wrk, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses|Socket errors", out):
        sys.exit(f"wrk saw errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out)[1])  # type: ignore[index]
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out)[1])  # type: ignore[index]
    return rps, p50, p99


@contextmanager
def serving_sync(case: Case, workdir: Path) -> Iterator[int]:
    """Run the Flask app under Gunicorn gthread until the block ends; yield its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(workdir)
    command = ["taskset", "-c", case.server_cpus, sys.executable, "-m", "gunicorn"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(case.workers)]
    command += ["--worker-class", "gthread", "--threads", str(SYNC_THREADS), case.app]
    with running(command, cwd=workdir, env=env, workdir=workdir, port=port):
        yield port


def measure(
    case: Case, server: Callable[[], AbstractContextManager[int]], connections: int, duration: int
) -> None:
    """Start `server` (which yields its port), warm it up, load it once, stop it."""
    with server() as port:
        url = f"http://127.0.0.1:{port}{IO_PATH}"
        run_wrk(url, case.load_cpus, connections, 2)  # warm-up
        rps, p50, p99 = run_wrk(url, case.load_cpus, connections, duration)
    case.rps.append(rps)
    case.p50.append(p50)
    case.p99.append(p99)


def main(argv: Sequence[str] | None = None) -> int:
    args = load_parser(__doc__, connections=200).parse_args(argv)
    require_load_tools()
    try:
        import flask  # noqa: F401
    except ImportError:
        sys.exit("Flask is needed: pip install -e '.[bench]'")

    async_bound = args.connections / WAIT_SECONDS
    sync_bound = min(args.connections, SYNC_THREADS) / WAIT_SECONDS
    with tempfile.TemporaryDirectory(prefix="fastasync-bench-io-") as tmp:
        workdir = Path(tmp)
        project = generate(workdir, ANSWERS)
        (workdir / "io_app.py").write_text(IO_APP)
        (workdir / "sync_app.py").write_text(SYNC_APP)

        service = Case(
            "generated service, await asyncio.sleep(0.05)",
            "io_app:create_io_app()",
            1,
            "0",
            "1",
        )
        sync = Case(
            f"Flask, gthread x{SYNC_THREADS}, time.sleep(0.05)", "sync_app:app", 1, "0", "1"
        )
        quiet = Case(
            "same, ACCESS_LOG=false",
            "io_app:create_io_app()",
            1,
            "0",
            "1",
            {"ACCESS_LOG": "false"},
        )
        # As deployed: one worker per CPU (the default), sharing both CPUs with wrk.
        scaled = Case(
            "generated service, 2 workers, CPUs shared with wrk",
            "io_app:create_io_app()",
            2,
            "0,1",
            "0,1",
        )
        sync_scaled = Case(
            f"Flask, gthread x{SYNC_THREADS}, 2 workers, CPUs shared with wrk",
            "sync_app:app",
            2,
            "0,1",
            "0,1",
        )
        cases = [
            (service, async_bound),
            (quiet, async_bound),
            (sync, sync_bound),
            (scaled, async_bound),
            (sync_scaled, 2 * sync_bound),
        ]
        servers = {
            service.label: lambda: serving(service, project, workdir),
            quiet.label: lambda: serving(quiet, project, workdir),
            sync.label: lambda: serving_sync(sync, workdir),
            scaled.label: lambda: serving(scaled, project, workdir),
            sync_scaled.label: lambda: serving_sync(sync_scaled, workdir),
        }

        print(f"generated: {', '.join(f'{k}={v}' for k, v in ANSWERS.items())} -> {project}")
        print(
            f"load: wrk -t1 -c{args.connections} -d{args.duration}s --timeout 10s on "
            f"GET {IO_PATH}, {args.rounds} interleaved rounds, medians; "
            "servers: 1 worker on CPU 0 and wrk on CPU 1, or 2 workers sharing both CPUs "
            "with wrk\n"
        )
        for _ in range(args.rounds):
            for case, _bound in cases:
                measure(case, servers[case.label], args.connections, args.duration)

    header = ("case", "req/s", "bound", "of bound", "p50 ms", "p99 ms", "rounds")
    rows: list[tuple[str, ...]] = [header]
    for case, bound in cases:
        rows.append(
            (
                case.label,
                f"{case.median_rps:,.0f}",
                f"{bound:,.0f}",
                f"{case.median_rps / bound:.0%}",
                f"{statistics.median(case.p50):.1f}",
                f"{statistics.median(case.p99):.1f}",
                " ".join(f"{r:,.0f}" for r in case.rps),
            )
        )
    print_table(rows)
    met = True
    for case in (service, scaled):
        share = case.median_rps / async_bound
        met = met and share >= TARGET
        print(
            f"\n{case.label}: {share:.0%} of its bound "
            f"(target >= {TARGET:.0%}: {'pass' if share >= TARGET else 'FAIL'})"
        )
    print(f"async/sync, 1 worker: {service.median_rps / sync.median_rps:.1f}x")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
