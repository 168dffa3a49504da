"""Throughput of a generated service against the bare framework, under the same server.

In one run, on this machine:

- generates the standard service (the defaults with server=gunicorn, docker, ci=github);
- serves its ``GET /health`` and that of a bare FastAPI app (one route returning
  ``{"status": "ok"}``) with the same command: Gunicorn, the generated ``gunicorn.conf.py``
  (``uvicorn_worker.UvicornWorker``, uvloop, httptools), one worker pinned to CPU 0;
- loads each from CPU 1 with wrk, in interleaved rounds, and prints requests per second,
  p50 and p99 latency (medians over the rounds) and the ratio generated/bare;
- serves the generated service with its access log off, to show what that log costs;
- serves it with Gunicorn at 1 and then 2 workers on both CPUs (wrk shares them) to show
  how it scales.

Target: the generated service, with its whole middleware stack and access log, keeps at
least 0.85x the bare framework's requests per second. The service runs with
``ENVIRONMENT=production``, as its container image runs it (in development it also runs
the blocking guard, a watchdog thread). Both servers run with ``MAX_REQUESTS=0``:
replacing a worker every few seconds under full load would measure worker start-up, not
requests. The service's logs go to a file, as in production they go
to a pipe (the cost of the write is the same).

Needs Linux with 2 CPUs or more, ``taskset`` and ``wrk`` (``apt-get install -y wrk``), and
the ``test`` extra of this repository installed. Run it from the repository::

    python bench/bench_serve.py [--duration 10] [--rounds 3] [--connections 64] [--against REF]

``--against REF`` also serves the service as the template at git commit REF generates it, in
the same interleaved rounds: the figures of a change, before and after, from one run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.85
PACKAGE = "benchsvc"
STANDARD = {"server": "gunicorn", "docker": True, "ci": "github"}

BARE_APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
"""


@dataclass
class Case:
    """One server to load: the app it serves, its workers, CPUs and extra settings."""

    label: str
    app: str
    workers: int
    server_cpus: str
    load_cpus: str
    settings: dict[str, str] = field(default_factory=dict)
    gunicorn_args: list[str] = field(default_factory=list)
    project: Path | None = None
    """The generated service to serve, if not the one of the run."""
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)

    @property
    def median_rps(self) -> float:
        return statistics.median(self.rps)


def generate(
    dst: Path, answers: Mapping[str, Any] = STANDARD, *, ref: str | None = None
) -> Path:
    """A service with `answers` (the standard one by default), from this checkout's template,
    or from its template at the git commit `ref` (into a folder of its own under `dst`)."""
    import copier

    if ref is not None:
        dst = dst / f"at-{ref.replace('/', '-')}"
        dst.mkdir()
    src = dst / "template-src"
    src.mkdir()
    if ref is None:
        shutil.copy2(REPO_ROOT / "copier.yml", src / "copier.yml")
        shutil.copytree(
            REPO_ROOT / "template", src / "template", ignore=shutil.ignore_patterns("__pycache__")
        )
    else:
        archive = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "archive", ref, "copier.yml", "template"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    project = dst / PACKAGE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(src),
            project,
            data={"project_name": PACKAGE, **answers},
            defaults=True,
            unsafe=False,
            quiet=True,
        )
    return project


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"no answer from {url} within {timeout}s")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    url: str, cpus: str, connections: int, duration: int, script: Path | None = None
) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in ms, of one wrk run (`script`: a wrk Lua script)."""
    wrk = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if script is not None:
        wrk[1:1] = ["-s", str(script)]
    out = subprocess.run(
        ["taskset", "-c", cpus, *wrk],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out)[1])  # type: ignore[index]
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out)[1])  # type: ignore[index]
    if re.search(r"Non-2xx or 3xx responses|Socket errors", out):
        sys.exit(f"wrk saw errors:\n{out}")
    return rps, p50, p99


@contextmanager
def serving(case: Case, project: Path, workdir: Path) -> Iterator[int]:
    """Run the server for `case` until the block ends; yield its port once /health answers."""
    port = free_port()
    project = case.project or project
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(project / "src"), str(workdir)]),
        PORT=str(port),
        WEB_CONCURRENCY=str(case.workers),
        MAX_REQUESTS="0",
        # As the container image runs it: without the development tools (the blocking guard).
        ENVIRONMENT="production",
        **case.settings,
    )
    command = ["taskset", "-c", case.server_cpus, sys.executable, "-m", "gunicorn"]
    command += ["--config", str(project / "gunicorn.conf.py"), *case.gunicorn_args, case.app]
    with running(command, cwd=project, env=env, workdir=workdir, port=port):
        yield port


@contextmanager
def running(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], workdir: Path, port: int
) -> Iterator[None]:
    """Run the server `command` (logging to `workdir`) until /health on `port` answers, then
    until the block ends; stop it with SIGTERM, as an orchestrator does."""
    with (workdir / f"server-{port}.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/health", process)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(case: Case, project: Path, workdir: Path, connections: int, duration: int) -> None:
    """Start the server for `case`, warm it up, load it once, stop it."""
    with serving(case, project, workdir) as port:
        url = f"http://127.0.0.1:{port}/health"
        run_wrk(url, case.load_cpus, connections, 2)  # warm-up
        rps, p50, p99 = run_wrk(url, case.load_cpus, connections, duration)
    case.rps.append(rps)
    case.p50.append(p50)
    case.p99.append(p99)


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def row(case: Case) -> tuple[str, ...]:
    return (
        case.label,
        str(case.workers),
        case.server_cpus,
        case.load_cpus,
        f"{case.median_rps:,.0f}",
        f"{statistics.median(case.p50):.2f}",
        f"{statistics.median(case.p99):.2f}",
        " ".join(f"{r:,.0f}" for r in case.rps),
    )


def load_parser(doc: str | None, *, connections: int) -> argparse.ArgumentParser:
    """The options of a bench that loads servers with wrk; `doc` is the bench's docstring."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per case (interleaved)")
    parser.add_argument("--connections", type=int, default=connections, help="wrk connections")
    return parser


def require_load_tools() -> None:
    """Exit with a message unless wrk, taskset and 2 CPUs (server, load) are available."""
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (apt-get install -y {tool})")
    if len(os.sched_getaffinity(0)) < 2:
        sys.exit("2 CPUs or more are needed: the server on one, the load generator on another")


def main(argv: Sequence[str] | None = None) -> int:
    parser = load_parser(__doc__, connections=64)
    parser.add_argument(
        "--against", metavar="REF", help="also serve the service as generated at git commit REF"
    )
    args = parser.parse_args(argv)
    require_load_tools()

    with tempfile.TemporaryDirectory(prefix="fastasync-bench-serve-") as tmp:
        workdir = Path(tmp)
        project = generate(workdir)
        (workdir / "bare_app.py").write_text(BARE_APP)
        factory = f"{PACKAGE}.main:create_app()"

        generated = Case("generated service", factory, 1, "0", "1")
        bare = Case("bare FastAPI", "bare_app:app", 1, "0", "1")
        # The bare app's access log is Uvicorn's own (plain text, no request id), to a file,
        # through Gunicorn's own logger class rather than the service's.
        bare_logged = Case("bare FastAPI, Uvicorn's access log", "bare_app:app", 1, "0", "1")
        bare_logged.gunicorn_args = [
            "--logger-class",
            "gunicorn.glogging.Logger",
            "--access-logfile",
            str(workdir / "bare-access.log"),
        ]
        no_access_log = Case(
            "generated, ACCESS_LOG=false", factory, 1, "0", "1", {"ACCESS_LOG": "false"}
        )
        one = Case("generated, 1 worker", factory, 1, "0,1", "0,1")
        two = Case("generated, 2 workers", factory, 2, "0,1", "0,1")
        cases = [generated, bare, bare_logged, no_access_log, one, two]
        baseline = None
        if args.against:
            baseline = Case(f"generated at {args.against}", factory, 1, "0", "1")
            baseline.project = generate(workdir, ref=args.against)
            cases.insert(1, baseline)

        print(f"generated: {', '.join(f'{k}={v}' for k, v in STANDARD.items())} -> {project}")
        print(
            f"server: gunicorn with the generated gunicorn.conf.py, MAX_REQUESTS=0; "
            f"load: wrk -t1 -c{args.connections} -d{args.duration}s, "
            f"{args.rounds} interleaved rounds, medians\n"
        )
        for _ in range(args.rounds):
            for case in cases:
                measure(case, project, workdir, args.connections, args.duration)

    header = ("case", "workers", "server cpus", "wrk cpus", "req/s", "p50 ms", "p99 ms", "rounds")
    print_table([header, *(row(c) for c in cases)])
    ratio = generated.median_rps / bare.median_rps
    met = ratio >= TARGET
    print(f"\ngenerated/bare: {ratio:.2f}x (target >= {TARGET}x: {'pass' if met else 'FAIL'})")
    logged_ratio = generated.median_rps / bare_logged.median_rps
    print(f"generated/bare with Uvicorn's access log: {logged_ratio:.2f}x")
    if baseline is not None:
        was = baseline.median_rps / bare.median_rps
        print(f"generated at {args.against}/bare: {was:.2f}x (this checkout: {ratio:.2f}x)")
    print(f"access log off/on: {no_access_log.median_rps / generated.median_rps:.2f}x")
    scaling = two.median_rps / one.median_rps
    print(f"2 workers/1 worker (both CPUs, shared with wrk): {scaling:.2f}x")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
