"""Slow tier: generated services run under their production command, for real.

Each server choice starts on a free loopback port with `python -m <package>`, answers
`/health` and `/ready`, and on SIGTERM lets a slow request in flight finish before it exits
with status 0. An invalid setting stops it at once with one line. The base service has no
slow route: a small module next to the project wraps its `create_app()` and adds one, and the
production command is pointed at that factory.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import render_project
from tests.slow.test_generated_projects import project_env
from tests.template import matrix
from tests.template.test_deploy import docker_stages, healthcheck_command

pytestmark = pytest.mark.slow

PKG = matrix.IDENTITY["package_name"]
SLOW_SECONDS = 2.0
START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0

SLOW_APP = f'''\
"""The generated service plus one slow route."""

import asyncio

from fastapi import FastAPI

from {PKG}.main import create_app as create_service_app


def create_app() -> FastAPI:
    app = create_service_app()

    @app.get("/slow")
    async def slow(seconds: float) -> dict[str, float]:
        await asyncio.sleep(seconds)
        return {{"slept": seconds}}

    return app
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    """A running production command: its process, port and combined output file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(self.url(path), timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"exited with {self.process.returncode}:\n{self.output()}")
            try:
                if self.get("/health", timeout=1.0)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"no answer on /health within {START_TIMEOUT}s:\n{self.output()}")


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory, template_src: Path) -> dict[str, Path]:
    """One generated project per server (with Docker files and SQLite), and the slow app."""
    root = tmp_path_factory.mktemp("serve")
    (root / "slow_app.py").write_text(SLOW_APP)
    return {
        server: render_project(
            template_src,
            root / server,
            {**matrix.IDENTITY, "server": server, "docker": True, "database": "sqlite"},
        )
        for server in ("gunicorn", "uvicorn")
    }


def serve_env(project: Path, **settings: str) -> dict[str, str]:
    env = project_env()
    env["PYTHONPATH"] = os.pathsep.join([str(project / "src"), str(project.parent)])
    env.update(settings)
    return env


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start `python -m <package> APP` in a project; every process is killed afterwards."""
    started: list[subprocess.Popen[bytes]] = []

    def _serve(project: Path, *, workers: int, app: str = "slow_app:create_app") -> Served:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        env = serve_env(
            project,
            PORT=str(port),
            WEB_CONCURRENCY=str(workers),
            GRACEFUL_TIMEOUT_SECONDS="10",
        )
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", PKG, app],
                cwd=project,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        served = Served(process, port, log)
        served.wait_until_healthy()
        return served

    yield _serve
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


CASES = [("gunicorn", 2), ("uvicorn", 1), ("uvicorn", 2)]


@pytest.mark.parametrize(("server", "workers"), CASES, ids=[f"{s}-{w}" for s, w in CASES])
def test_sigterm_lets_the_request_in_flight_finish_and_exits_0(
    projects: dict[str, Path], serve: Any, server: str, workers: int
) -> None:
    served: Served = serve(projects[server], workers=workers)

    assert served.get("/health") == (200, {"status": "ok"})
    # SQLite in the project folder, the default while DATABASE_URL is unset.
    assert served.get("/ready") == (200, {"status": "ready", "checks": {"database": "ok"}})

    result: dict[str, Any] = {}

    def slow_request() -> None:
        try:
            result["response"] = served.get(f"/slow?seconds={SLOW_SECONDS}", timeout=15)
        except Exception as error:  # reported by the assertion below
            result["error"] = error

    client = threading.Thread(target=slow_request)
    client.start()
    time.sleep(0.5)  # the request is being served
    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    client.join(timeout=15)
    returncode = served.process.wait(timeout=STOP_TIMEOUT)
    stopped_after = time.monotonic() - sent

    output = served.output()
    assert result.get("response") == (200, {"slept": SLOW_SECONDS}), f"{result}\n{output}"
    assert returncode == 0, output
    assert stopped_after >= SLOW_SECONDS - 0.5 - 0.2, "it did not wait for the request"
    # Every line, the server's own included, is a JSON log record.
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict), line
    access = [json.loads(line) for line in lines if '"/slow"' in line]
    assert [(a["status"], a["path"]) for a in access] == [(200, "/slow")]
    assert access[0]["request_id"]


@pytest.mark.parametrize("command", ["run", "dev"])
def test_the_fastapi_cli_serves_the_service_with_no_arguments(
    projects: dict[str, Path], tmp_path: Path, command: str
) -> None:
    """`fastapi run` and `fastapi dev` in the project folder find the app through
    pyproject.toml's `[tool.fastapi] entrypoint`, log in the service's format, and stop on
    SIGTERM after a clean shutdown."""
    project = projects["uvicorn"]
    port = free_port()
    log = tmp_path / f"fastapi-{command}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "fastapi", command, "--port", str(port)],
            cwd=project,
            env=serve_env(project),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(process, port, log)
    try:
        served.wait_until_healthy()
        assert served.get("/ready") == (200, {"status": "ready", "checks": {"database": "ok"}})
        process.send_signal(signal.SIGTERM)
        # Uvicorn shuts down, then raises the signal again so that the process ends by it,
        # as its callers expect (`python -m PACKAGE` turns that into status 0).
        assert process.wait(timeout=STOP_TIMEOUT) in (0, -signal.SIGTERM), served.output()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    records = [json.loads(line) for line in served.output().splitlines() if line.startswith("{")]
    access = [r["path"] for r in records if r["logger"].endswith(".access")]
    assert access[-2:] == ["/health", "/ready"]
    assert records[-2]["message"] == "Application shutdown complete.", served.output()


def test_the_image_health_check_command_probes_the_service(
    projects: dict[str, Path], serve: Any
) -> None:
    project = projects["gunicorn"]
    served: Served = serve(project, workers=1, app=f"{PKG}.main:create_app")
    _, runtime = docker_stages(project)

    probe = subprocess.run(
        healthcheck_command(runtime),
        env=serve_env(project, PORT=str(served.port)),
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=STOP_TIMEOUT) == 0
    failed = subprocess.run(
        healthcheck_command(runtime),
        env=serve_env(project, PORT=str(served.port)),
        capture_output=True,
        timeout=10,
        check=False,
    )
    assert failed.returncode != 0


FAST_FAIL = [
    ("gunicorn", [sys.executable, "-m", PKG], {"PORT": "http"}, "PORT"),
    ("uvicorn", [sys.executable, "-m", PKG], {"PORT": "http"}, "PORT"),
    ("uvicorn", [sys.executable, "-m", PKG, "--reload"], {"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ("gunicorn", [sys.executable, "-m", "gunicorn"], {"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
]


@pytest.mark.parametrize(
    ("server", "command", "settings", "name"),
    FAST_FAIL,
    ids=[f"{s}-{' '.join(c[2:])}-{n}" for s, c, _, n in FAST_FAIL],
)
def test_an_invalid_setting_fails_fast_with_one_line(
    projects: dict[str, Path], server: str, command: list[str], settings: dict[str, str], name: str
) -> None:
    project = projects[server]
    start = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=project,
        env=serve_env(project, **{"PORT": str(free_port()), **settings}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    elapsed = time.monotonic() - start

    assert process.returncode == 1, stdout + stderr
    assert stderr.startswith(f"error: invalid settings: {name}: "), stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert settings[name] not in stderr, "the value is not echoed"
    assert elapsed < 5, f"took {elapsed:.1f}s"
    assert "Traceback" not in stdout + stderr


def test_without_its_config_gunicorn_refuses_to_start(projects: dict[str, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", PKG],
        cwd=projects["gunicorn"].parent,  # not the project folder
        env=serve_env(projects["gunicorn"]),
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.startswith("error: no gunicorn.conf.py in "), result.stderr
    assert textwrap.dedent(result.stderr).count("\n") == 1
