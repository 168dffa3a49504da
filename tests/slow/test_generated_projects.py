"""Slow tier: generated projects pass their own tests, lint and type checks.

Each combination of the option matrix's pairwise cover is generated and its own `pytest`
and `mypy` run in a subprocess (its `ruff check` and `ruff format --check` run in the fast
tier, tests/template/test_matrix.py, on the same combinations), with the interpreter of this
test run (the `test` extra installs every library a generated project
can use). A combination that brings a service running here (PostgreSQL, Redis, RabbitMQ or
Redis as Celery's broker; MongoDB: MONGODB_URL when the environment sets it, else a SecantusDB
wire-protocol server this process starts) runs
its pytest with the service URLs set. Without a service URL the project uses SQLite and its
in-process stand-ins: that run is made for a part of the cover in which every answer has one
(`stand_in_runs`). Both kinds of run must say, in the project's report header, which backend
they used. The projects' own tests never
skip, with one documented exception: without a broker, a Celery project's tests that kill a
worker process mid-job (tests/jobs/test_worker_loss.py) skip, and its real-service run must
run them. Three generated projects are each installed into a fresh virtual environment of
their own, from their own pyproject.toml, which proves their dependency lists complete.

A service that does not answer skips its real-service run, naming the service and its
address, unless FASTASYNC_REQUIRE_SERVICES=1 (CI sets it): then it is a failure.
"""

from __future__ import annotations

import atexit
import importlib.util
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import venv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import Render, render_project
from tests.template import matrix

pytestmark = pytest.mark.slow

COVER = matrix.pairwise_cover()

PYTEST = ["-m", "pytest", "-p", "no:cacheprovider"]  # not -q: it hides the report header
CHECKS = {
    "pytest": PYTEST,
    "mypy": ["-m", "mypy"],  # with the run's cache: see `mypy_cache`
}
REAL = "pytest against real services"
REQUIRE_SERVICES = "FASTASYNC_REQUIRE_SERVICES"


@dataclass(frozen=True)
class Service:
    """A backing service a generated project's tests use when its URL variable is set.

    `url` is where it runs here; None means it is used only when this environment sets
    `variable` itself (there is no MongoDB server on this machine). `header` is the start
    of the project's report-header line about it; with the URL set that line matches `real`
    and not `stand_in`, with the URL unset it matches `stand_in`.
    """

    name: str
    variable: str
    url: str | None
    applies: Callable[[Mapping[str, Any]], bool]
    header: str
    real: re.Pattern[str]
    stand_in: re.Pattern[str]

    def url_here(self) -> str | None:
        if self.url is None:
            return os.environ.get(self.variable)
        if self.url == WIRE_SERVER:
            return os.environ.get(self.variable) or (WIRE_SERVER if _has_wire_server() else None)
        return self.url

    def address(self, url: str) -> tuple[str, int]:
        parts = urlsplit(url)
        default_port = {"postgresql": 5432, "redis": 6379, "mongodb": 27017, "amqp": 5672}
        scheme = parts.scheme.split("+")[0]
        return parts.hostname or "127.0.0.1", parts.port or default_port.get(scheme, 0)


WIRE_SERVER = "wire-server"
"""MongoDB's URL when MONGODB_URL is unset: a wire-protocol server that this process starts
(SecantusDB, from the test extra), which PyMongo talks to as to mongod, over a socket."""

_wire_server: Any = None


def _has_wire_server() -> bool:
    return importlib.util.find_spec("secantus") is not None


def wire_server_url() -> str:
    """The URL of this process's SecantusDB server, started at the first call, in memory."""
    global _wire_server
    if _wire_server is None:
        from secantus import SecantusDBServer

        server = SecantusDBServer(port=0, storage_path=":memory:")
        server.start()
        atexit.register(server.stop)
        _wire_server = server
    url: str = _wire_server.uri
    return url


SERVICES = (
    Service(
        "PostgreSQL",
        "DATABASE_URL",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        lambda a: a["database"] == "postgresql",
        "database:",
        re.compile(r"PostgreSQL", re.I),
        re.compile(r"SQLite", re.I),
    ),
    Service(
        "Redis",
        "REDIS_URL",
        "redis://127.0.0.1:6379/0",
        lambda a: bool(a["redis"]),
        "redis:",
        re.compile(r"REDIS_URL", re.I),
        re.compile(r"stand-in|unset", re.I),
    ),
    Service(
        "RabbitMQ",
        "CELERY_BROKER_URL",
        "amqp://guest:guest@127.0.0.1:5672//",
        lambda a: a["offload"] == "celery" and a["celery_broker"] == "rabbitmq",
        "celery:",
        re.compile(r"CELERY_BROKER_URL \(amqp ", re.I),
        re.compile(r"in-memory|unset", re.I),
    ),
    Service(
        "Redis as Celery's broker",
        "CELERY_BROKER_URL",
        "redis://127.0.0.1:6379/0",
        lambda a: a["offload"] == "celery" and a["celery_broker"] == "redis",
        "celery:",
        re.compile(r"CELERY_BROKER_URL \(redis ", re.I),
        re.compile(r"in-memory|unset", re.I),
    ),
    Service(
        "MongoDB",
        "MONGODB_URL",
        "wire-server",
        lambda a: a["database"] == "mongodb",
        "mongodb:",
        re.compile(r"MONGODB_URL", re.I),
        re.compile(r"stand-in|unset", re.I),
    ),
)
SERVICE_VARIABLES = tuple(dict.fromkeys(s.variable for s in SERVICES))

# The one skip a project's own tests may have, in its run without services: a Celery
# project's worker-loss tests need a broker and a result store other processes reach.
CELERY_SKIP_REASON = "a real broker and result store: set CELERY_BROKER_URL and REDIS_URL"
CELERY_SKIP_FILE = "tests/jobs/test_worker_loss.py"
CELERY_SKIPPED = 2


def services_of(combo: Mapping[str, Any]) -> list[Service]:
    """The services these answers bring, whether they run here or not."""
    answers = matrix.effective(combo)
    return [s for s in SERVICES if s.applies(answers)]


def real_services_of(combo: Mapping[str, Any]) -> list[Service]:
    """The services of these answers that a real-service run can point at here."""
    return [s for s in services_of(combo) if s.url_here()]


def project_env(**settings: str) -> dict[str, str]:
    """The environment a generated project's checks run in: no settings leak in from ours.

    No service URL either, so a project uses its embedded defaults unless `settings`
    names the service.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "PYTHON")) and k not in SERVICE_VARIABLES
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(settings)
    return env


def run_check(
    python: str | Path, args: list[str], project: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), *args],
        cwd=project,
        env=project_env() if env is None else env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def require_reachable(service: Service, url: str) -> None:
    """Skip (or, when CI requires the services, fail) if `service` does not answer."""
    host, port = service.address(url)
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as error:
        reason = (
            f"{service.name} does not answer at {host}:{port} ({service.variable}={url}): {error}"
        )
    if os.environ.get(REQUIRE_SERVICES) == "1":
        pytest.fail(f"{reason}; {REQUIRE_SERVICES}=1 requires it")
    pytest.skip(reason)


def header_line(output: str, service: Service) -> str:
    lines = [line for line in output.splitlines() if line.startswith(service.header)]
    assert len(lines) == 1, f"no single {service.header!r} line in the report header:\n{output}"
    return lines[0]


def assert_project_tests_passed(
    result: subprocess.CompletedProcess[str], *, celery_skips: bool = False
) -> None:
    """pytest passed with nothing skipped; with `celery_skips`, exactly the worker-loss tests
    skipped, for the documented reason."""
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"pytest failed:\n{output}"
    summary = output.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary), summary
    if celery_skips:
        assert f"{CELERY_SKIPPED} skipped" in summary, summary
        summary = summary.replace(f"{CELERY_SKIPPED} skipped", "")
        skips = [line for line in output.splitlines() if line.startswith("SKIPPED")]
        assert len(skips) == CELERY_SKIPPED, skips
        for line in skips:
            assert CELERY_SKIP_FILE in line and line.endswith(CELERY_SKIP_REASON), line
    assert not re.search(r"skipped|xfail|xpass|deselected", summary), summary


def skips_without_services(combo: Mapping[str, Any]) -> bool:
    """Whether these answers bring the worker-loss tests, which skip without a broker."""
    return bool(matrix.effective(combo)["offload"] == "celery")


@pytest.fixture(scope="session")
def generated(rendered: Render) -> Any:
    """Each combination rendered once; every check works on a fresh copy of it."""

    def _project(combo: Mapping[str, Any], where: Path) -> Path:
        project = rendered({**matrix.IDENTITY, **combo})
        return Path(shutil.copytree(project, where / "project"))

    return _project


#: Questions whose in-process stand-ins meet in one project (slowapi's synchronous Redis
#: pool beside the app's, the cache's): every pair of their answers gets a stand-in run.
STAND_IN_PAIRS = ("cache", "rate_limiter", "redis")


def _stand_in_points(combo: Mapping[str, Any]) -> set[Any]:
    """What a stand-in run of `combo` covers: each answer, and the pairs of STAND_IN_PAIRS."""
    answers = matrix.effective(combo)
    points: set[Any] = set(answers.items())
    for a, b in itertools.combinations(STAND_IN_PAIRS, 2):
        if a in answers and b in answers:
            points.add(((a, answers[a]), (b, answers[b])))
    return points


def stand_in_runs() -> list[Mapping[str, Any]]:
    """The combinations of the cover whose pytest runs without services.

    Every combination without a service here, and then, greedily, combinations of the cover
    until every answer of every question (and every pair of STAND_IN_PAIRS) has had one.
    Every pair of answers runs against the real services; running the whole cover a second
    time on stand-ins cost the slow tier about two minutes of its twelve.
    """
    chosen: list[Mapping[str, Any]] = [c for c in COVER if not real_services_of(c)]
    needed = set().union(*(_stand_in_points(combo) for combo in COVER))
    covered = set().union(set(), *(_stand_in_points(combo) for combo in chosen))
    while needed - covered:
        rest = [combo for combo in COVER if combo not in chosen]
        pick = max(rest, key=lambda combo: len(_stand_in_points(combo) - covered))
        chosen.append(pick)
        covered |= _stand_in_points(pick)
    return chosen


def _cases() -> list[Any]:
    cases = []
    stand_in = stand_in_runs()
    for combo in COVER:
        checks = [check for check in CHECKS if check != "pytest" or combo in stand_in]
        if real_services_of(combo):
            checks.insert(0, REAL)
        cases += [
            pytest.param(combo, check, id=f"{check}-{matrix.combo_id(combo)}") for check in checks
        ]
    return cases


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for every combination a worker of the run checks.

    Most of a mypy run is the analysis of the libraries (FastAPI, Pydantic, SQLAlchemy, redis
    ...), the same for every combination: with a shared cache they are analysed once per
    Python version (mypy keeps one cache per version) instead of once per combination, about
    15 s each. A project's own modules are checked again whenever their source differs from
    what the cache holds (mypy compares hashes), and so is every module depending on an
    interface that changed. Each pytest-xdist worker has a cache of its own: the projects'
    modules have the same names, and two mypy runs writing one module's entry at once could
    leave it half one project's and half the other's.
    """
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize(("combo", "check"), _cases())
def test_generated_project_passes_its_own_checks(
    combo: dict[str, Any], check: str, generated: Any, mypy_cache: Path, tmp_path: Path
) -> None:
    project = generated(combo, tmp_path)
    if check == REAL:
        _run_against_real_services(combo, project)
        return
    args = CHECKS[check]
    if check == "mypy":
        args = [*args, "--cache-dir", str(mypy_cache)]
    result = run_check(sys.executable, args, project)
    if check != "pytest":
        assert result.returncode == 0, f"{check} failed:\n{result.stdout}\n{result.stderr}"
        return
    assert_project_tests_passed(result, celery_skips=skips_without_services(combo))
    for service in services_of(combo):
        line = header_line(result.stdout, service)
        assert service.stand_in.search(line), f"{service.name} was not the stand-in: {line}"


def reachable_urls(real: list[Service]) -> dict[str, str]:
    """The URL variable and value of each of `real`, once each answers (see require_reachable)."""
    urls = {s.variable: s.url_here() or "" for s in real}
    urls = {k: wire_server_url() if v == WIRE_SERVER else v for k, v in urls.items()}
    for service in real:
        require_reachable(service, urls[service.variable])
    return urls


def _run_against_real_services(combo: Mapping[str, Any], project: Path) -> None:
    """The project's pytest with the URL of every service of `combo` that runs here."""
    real = real_services_of(combo)
    urls = reachable_urls(real)
    result = run_check(sys.executable, PYTEST, project, project_env(**urls))
    assert_project_tests_passed(result)
    for service in services_of(combo):
        line = header_line(result.stdout, service)
        if service in real:
            host, port = service.address(urls[service.variable])
            used_real = service.real.search(line) and not service.stand_in.search(line)
            assert used_real and f"{host}:{port}" in line, f"{service.name} not used: {line}"
        else:
            assert service.stand_in.search(line), f"{service.name} was not the stand-in: {line}"


# Each installed into a fresh virtual environment of its own from its own pyproject.toml, which
# proves its dependency list complete: the defaults (SQLite) with pip, exactly as the generated
# README says (`pip install -e '.[dev]'`); a MongoDB project, and one with every service that
# runs here, with uv (the generated README says the project installs with either; uv takes a
# few seconds where pip takes half a minute). Where a service does not answer, the real-service
# run is what skips.
FRESH_VENV_PROJECTS: tuple[dict[str, Any], ...] = (
    {},
    {"database": "mongodb"},
    {
        "database": "postgresql",
        "cache": "redis",
        "rate_limit": True,
        "offload": "celery",
        "celery_broker": "rabbitmq",
    },
)


@pytest.mark.parametrize(
    "answers", FRESH_VENV_PROJECTS, ids=[matrix.combo_id(a) for a in FRESH_VENV_PROJECTS]
)
def test_generated_project_installs_in_a_fresh_venv(
    answers: dict[str, Any], template_src: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    project = render_project(template_src, tmp_path / "project", answers)
    venv.create(env_dir, with_pip=not answers)  # pip for the defaults, uv for the others
    python = env_dir / "bin" / "python"
    if answers:
        install = ["-m", "uv", "pip", "install", "--python", str(python), f"{project}[dev]"]
        installed = run_check(sys.executable, install, project)
    else:
        installed = run_check(python, ["-m", "pip", "install", "-q", "-e", ".[dev]"], project)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    skips = skips_without_services(answers)
    assert_project_tests_passed(run_check(python, PYTEST, project), celery_skips=skips)
    if real := real_services_of(matrix.effective(answers)):
        urls = reachable_urls(real)
        assert_project_tests_passed(run_check(python, PYTEST, project, project_env(**urls)))
