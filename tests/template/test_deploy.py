"""Deployment files: the server question, Dockerfile, .dockerignore, compose.yaml, CI workflow.

There is no Docker engine or GitHub runner here, so these files are parsed and checked for
what they promise: stages, user, health check, build context, the backing services the
answers chose (and no other), and the commands CI runs.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import Render
from tests.template import matrix

COVER = matrix.pairwise_cover()
DOCKER_COVER = [c for c in COVER if c["docker"]]
CI_COVER = [c for c in COVER if c["ci"] == "github"]
PKG = matrix.IDENTITY["package_name"]


def render_combo(rendered: Render, combo: dict[str, Any]) -> Path:
    return rendered({**matrix.IDENTITY, **combo})


# --- Dockerfile -------------------------------------------------------------------------


@dataclass
class Stage:
    """One `FROM ... AS name` stage: its base image and its instructions, in order."""

    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages of a Dockerfile; continuation lines joined, comments and parser directives dropped."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation"

    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)\s+AS\s+(\S+)", args.strip(), re.IGNORECASE)
            assert match, f"every stage is named: FROM {args}"
            stages.append(Stage(base=match[1], name=match[2]))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
        else:
            assert keyword == "ARG", f"{keyword} before the first FROM"
    return stages


def exec_form(args: str) -> list[str]:
    """The JSON array of an exec-form CMD/HEALTHCHECK CMD, which must be one."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value)
    return value


def healthcheck_command(stage: Stage) -> list[str]:
    [healthcheck] = stage.all("HEALTHCHECK")
    options, _, command = healthcheck.partition("CMD ")
    assert "--interval=" in options and "--timeout=" in options
    return exec_form(command)


def docker_stages(project: Path) -> list[Stage]:
    return parse_dockerfile((project / "Dockerfile").read_text())


@pytest.mark.parametrize("combo", DOCKER_COVER, ids=[matrix.combo_id(c) for c in DOCKER_COVER])
def test_dockerfile_builds_in_two_slim_stages(
    combo: dict[str, Any], rendered: Render
) -> None:
    project = render_combo(rendered, combo)
    text = (project / "Dockerfile").read_text()
    build, runtime = docker_stages(project)

    assert f"ARG PYTHON_VERSION={combo['python_version']}\n" in text
    for stage in (build, runtime):
        assert stage.base == "python:${PYTHON_VERSION}-slim"
    assert (build.name, runtime.name) == ("build", "runtime")
    # The runtime stage takes the built environment and nothing of the build's tools.
    assert runtime.all("COPY")[0] == "--from=build /opt/venv /opt/venv"


@pytest.mark.parametrize("combo", DOCKER_COVER, ids=[matrix.combo_id(c) for c in DOCKER_COVER])
def test_dockerfile_runs_as_a_non_root_user_with_a_health_check(
    combo: dict[str, Any], rendered: Render
) -> None:
    project = render_combo(rendered, combo)
    _, runtime = docker_stages(project)
    keywords = [kw for kw, _ in runtime.instructions]

    [user] = runtime.all("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) >= 1000, "a numeric, unprivileged uid"
    assert gid.isdigit() and int(gid) != 0
    assert re.search(rf"useradd .*--uid {uid}\b", " ".join(runtime.all("RUN")))
    # Nothing runs as root after the switch, and the service itself runs as the user.
    assert keywords.index("USER") > max(i for i, kw in enumerate(keywords) if kw in ("RUN", "COPY"))
    assert keywords.index("USER") < keywords.index("CMD")

    command = healthcheck_command(runtime)
    assert command[:2] == ["python", "-c"]
    assert "/health" in command[2]
    assert exec_form(runtime.all("CMD")[-1]) == ["python", "-m", PKG]
    assert "8000" in runtime.all("EXPOSE")
    env = " ".join(runtime.all("ENV"))
    assert "HOST=0.0.0.0" in env and "ENVIRONMENT=production" in env


@pytest.mark.parametrize("combo", DOCKER_COVER, ids=[matrix.combo_id(c) for c in DOCKER_COVER])
def test_dockerfile_installs_dependencies_in_their_own_layer_without_dev_ones(
    combo: dict[str, Any], rendered: Render
) -> None:
    project = render_combo(rendered, combo)
    build, runtime = docker_stages(project)
    text = (project / "Dockerfile").read_text()

    copies = build.all("COPY")
    runs = build.all("RUN")
    assert copies[0] == "pyproject.toml ./", "the dependency layer depends on pyproject.toml only"
    deps_step = next(
        i for i, (_, args) in enumerate(build.instructions) if "pip install -r" in args
    )
    src_step = build.instructions.index(("COPY", "src ./src"))
    assert deps_step < src_step
    assert runs[-1] == "pip install --no-deps ."

    # The one-liner that lists the dependencies gives exactly pyproject's runtime list.
    lister = shlex.split(next(r for r in runs if "tomllib" in r))[:3]
    assert lister[:2] == ["python", "-c"]
    listed = subprocess.run(
        [sys.executable, "-c", lister[2]], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert listed == pyproject["project"]["dependencies"]

    assert "[dev]" not in text and "pytest" not in text
    assert not re.search(r"(?i)(secret|password|token)\w*=", text), "no secret in the image"
    # From the build context the runtime stage copies Gunicorn's settings and, with a SQL
    # database, the migrations (for `alembic upgrade head`), and nothing else.
    context_copies = [c for c in runtime.all("COPY") if not c.startswith("--from=")]
    expected = ["gunicorn.conf.py ./"] if combo["server"] == "gunicorn" else []
    if combo["database"] in ("sqlite", "postgresql"):
        expected += ["alembic.ini ./", "migrations ./migrations"]
    assert context_copies == expected


def _ignored(patterns: list[str], path: str) -> bool:
    """Whether .dockerignore `patterns` leave the top-level `path` out (last match wins)."""
    ignored = False
    for pattern in patterns:
        glob = pattern.removeprefix("!").rstrip("/")
        if fnmatch.fnmatch(path, glob) or fnmatch.fnmatch(path, glob.removeprefix("**/")):
            ignored = not pattern.startswith("!")
    return ignored


@pytest.mark.parametrize("combo", DOCKER_COVER, ids=[matrix.combo_id(c) for c in DOCKER_COVER])
def test_dockerignore_keeps_secrets_and_tests_out_and_what_the_build_needs_in(
    combo: dict[str, Any], rendered: Render
) -> None:
    project = render_combo(rendered, combo)
    patterns = [
        line.strip()
        for line in (project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    for path in [".env", ".env.production", ".git", ".venv", "tests", ".copier-answers.yml"]:
        assert _ignored(patterns, path), path
    assert "**/__pycache__" in patterns
    build, runtime = docker_stages(project)
    needed = [
        args.split()[0]
        for stage in (build, runtime)
        for args in stage.all("COPY")
        if not args.startswith("--from=")
    ]
    assert "src" in needed and "README.md" in needed
    for path in needed:
        assert (project / path).exists(), path
        assert not _ignored(patterns, path), f"{path} is copied but ignored"


# --- compose.yaml -----------------------------------------------------------------------

# Every database with Redis off, Redis chosen, and Redis brought by the cache or by Celery
# (the `redis` question then hidden and computed), Celery with either broker, with compose and
# CI: each backing service the answers can bring, alone and with the others; the other
# answers keep their defaults.
_DEFAULTS = {name: matrix.questions()[name].get("default") for name in matrix.option_names()}
_REDIS_SOURCES = [
    {"redis": False},
    {"redis": True},
    {"cache": "redis"},
    {"offload": "celery", "celery_broker": "redis"},
    {"offload": "celery", "celery_broker": "rabbitmq"},
]
SERVICE_COMBOS = [
    combo
    for database in matrix.enabled_values("database")
    for source in _REDIS_SOURCES
    if (
        combo := matrix.normalize(
            {
                **_DEFAULTS,
                "database": database,
                "redis": False,
                **source,
                "docker": True,
                "ci": "github",
            }
        )
    )
    is not None
]
SERVICE_IDS = [matrix.combo_id(c) for c in SERVICE_COMBOS]

# What each backing service must look like: its image, the tool its health check runs, the
# path of its data, and the variable that points the app (and the tests, in CI) at it.
IMAGES = {
    "postgres": "postgres:",
    "mongodb": "mongo:",
    "redis": "redis:",
    "rabbitmq": "rabbitmq:",
    "worker": "matrix-service:",
}
HEALTH_TOOLS = {
    "postgres": "pg_isready",
    "mongodb": "mongosh",
    "redis": "redis-cli",
    "rabbitmq": "rabbitmq-diagnostics",
    "worker": "inspect ping",
}
DATA_PATHS = {
    "postgres": "/var/lib/postgresql/data",
    "mongodb": "/data/db",
    "redis": "/data",
    "rabbitmq": "/var/lib/rabbitmq",
}
URL_SETTINGS = {
    "postgres": "DATABASE_URL",
    "mongodb": "MONGODB_URL",
    "redis": "REDIS_URL",
    "rabbitmq": "CELERY_BROKER_URL",
}
URL_SCHEMES = {
    "postgres": "postgresql+asyncpg",
    "mongodb": "mongodb",
    "redis": "redis",
    "rabbitmq": "amqp",
}
DEFAULT_PORTS = {"postgres": 5432, "mongodb": 27017, "redis": 6379, "rabbitmq": 5672}
# Services that run the service's own image (the Celery worker): no data, no URL of their own.
OWN_IMAGE = {"worker"}


@pytest.fixture(scope="module", params=SERVICE_COMBOS, ids=SERVICE_IDS)
def services_project(
    request: pytest.FixtureRequest, rendered: Render
) -> tuple[dict[str, Any], Path]:
    """A project of each combination of backing services, rendered once for its tests."""
    combo: dict[str, Any] = request.param
    return combo, render_combo(rendered, combo)


def _compose(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((project / "compose.yaml").read_text())
    return data


def _uses_sql(combo: dict[str, Any]) -> bool:
    return combo["database"] in ("sqlite", "postgresql")


def _named_volumes(service: dict[str, Any]) -> dict[str, str]:
    """Named volumes of a compose service, by name, with the path each is mounted at."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if not source.startswith((".", "/", "~")):
            mounts[source] = target
    return mounts


def _seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return int(match[1])


@pytest.mark.parametrize("combo", DOCKER_COVER, ids=[matrix.combo_id(c) for c in DOCKER_COVER])
def test_compose_runs_the_app_from_this_folder_with_a_graceful_stop(
    combo: dict[str, Any], rendered: Render
) -> None:
    project = render_combo(rendered, combo)
    compose = _compose(project)
    backing = matrix.backing_services(combo)
    one_shot = {"migrate"} if _uses_sql(combo) else set()

    assert set(compose["services"]) == {"app"} | backing | one_shot
    app = compose["services"]["app"]
    assert app["build"] == "."
    assert "8000:8000" in app["ports"]
    assert app["env_file"] == [{"path": ".env", "required": False}]
    # Requests in flight get their graceful timeout before Docker kills the server.
    assert _seconds(app["stop_grace_period"]) > 30


def test_compose_has_exactly_the_chosen_backing_services(
    services_project: tuple[dict[str, Any], Path],
) -> None:
    combo, project = services_project
    compose = _compose(project)
    backing = matrix.backing_services(combo)

    by_database = {"postgresql": {"postgres"}, "mongodb": {"mongodb"}}
    redis = matrix.effective(combo)["redis"]
    chosen = by_database.get(combo["database"], set()) | ({"redis"} if redis else set())
    if combo["offload"] == "celery":
        chosen |= {"worker"} | ({"rabbitmq"} if combo["celery_broker"] == "rabbitmq" else set())
    assert backing == chosen
    one_shot = {"migrate"} if _uses_sql(combo) else set()
    assert set(compose["services"]) == {"app"} | backing | one_shot
    for name in backing:
        service = compose["services"][name]
        assert service["image"].startswith(IMAGES[name]), service["image"]
        assert "ports" not in service, f"{name} is published outside Docker's network"
        check = service["healthcheck"]
        assert HEALTH_TOOLS[name] in " ".join(check["test"]), check
        assert {"interval", "timeout", "retries"} <= check.keys()
        if name in OWN_IMAGE:
            assert not _named_volumes(service), f"{name} keeps data"
        else:
            assert DATA_PATHS[name] in _named_volumes(service).values(), f"{name} keeps no data"


def test_compose_declares_exactly_the_volumes_it_mounts(
    services_project: tuple[dict[str, Any], Path],
) -> None:
    _, project = services_project
    compose = _compose(project)

    mounted = {name for s in compose["services"].values() for name in _named_volumes(s)}
    assert mounted == set(compose.get("volumes") or {})


def test_compose_app_waits_for_and_points_at_each_backing_service(
    services_project: tuple[dict[str, Any], Path],
) -> None:
    combo, project = services_project
    services = _compose(project)["services"]
    app = services["app"]
    backing = matrix.backing_services(combo) - OWN_IMAGE

    expected = {name: {"condition": "service_healthy"} for name in backing}
    if _uses_sql(combo):
        expected["migrate"] = {"condition": "service_completed_successfully"}
    assert app.get("depends_on", {}) == expected

    environment = app.get("environment") or {}
    urls = {URL_SETTINGS[name] for name in backing}
    if combo["database"] == "sqlite":
        urls.add("DATABASE_URL")
    if combo["offload"] == "celery":
        urls.add("CELERY_BROKER_URL")
        # The worker reaches the broker and the result store at the app's addresses.
        worker = services["worker"]
        assert worker["image"] == app["image"]
        assert worker["command"][:3] == ["celery", "-A", "matrix_service.worker"]
        for variable in ("CELERY_BROKER_URL", "REDIS_URL"):
            assert worker["environment"][variable] == environment[variable]
        assert worker["depends_on"] == {
            name: {"condition": "service_healthy"} for name in backing & {"redis", "rabbitmq"}
        }
        if combo["celery_broker"] == "redis":
            assert environment["CELERY_BROKER_URL"] == environment["REDIS_URL"]
    assert set(environment) == urls
    for name in backing:
        url = urlsplit(environment[URL_SETTINGS[name]])
        assert url.scheme == URL_SCHEMES[name]
        assert (url.hostname, url.port or DEFAULT_PORTS[name]) == (name, DEFAULT_PORTS[name])
    if "postgres" in backing:
        url = urlsplit(environment["DATABASE_URL"])
        postgres = services["postgres"]["environment"]
        assert (url.username, url.password, url.path) == (
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
            "/" + postgres["POSTGRES_DB"],
        )
        user_check = f"--username={postgres['POSTGRES_USER']}"
        assert user_check in services["postgres"]["healthcheck"]["test"]
    if "rabbitmq" in backing:
        url = urlsplit(environment["CELERY_BROKER_URL"])
        rabbitmq = services["rabbitmq"]["environment"]
        assert (url.username, url.password) == (
            rabbitmq["RABBITMQ_DEFAULT_USER"],
            rabbitmq["RABBITMQ_DEFAULT_PASS"],
        )


def test_compose_migrates_a_sql_database_before_the_app_starts(
    services_project: tuple[dict[str, Any], Path],
) -> None:
    combo, project = services_project
    services = _compose(project)["services"]

    if not _uses_sql(combo):
        assert "migrate" not in services
        return
    app, migrate = services["app"], services["migrate"]
    # The app's image, run once from its working directory, where alembic.ini is.
    assert migrate["image"] == app["image"] and "build" not in migrate
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["restart"] == "no"
    assert migrate["healthcheck"] == {"disable": True}
    assert migrate["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
    _, runtime = docker_stages(project)
    copies = runtime.all("COPY")
    assert "alembic.ini ./" in copies and any(c.startswith("migrations ") for c in copies)
    assert (project / "alembic.ini").is_file()
    if combo["database"] == "postgresql":
        assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_compose_keeps_a_sqlite_file_in_a_volume_of_the_app_user(
    services_project: tuple[dict[str, Any], Path],
) -> None:
    combo, project = services_project
    services = _compose(project)["services"]
    if combo["database"] != "sqlite":
        # The app container keeps nothing: its data lives in the backing services.
        assert not _named_volumes(services["app"])
        return
    url = services["app"]["environment"]["DATABASE_URL"]
    assert url.startswith("sqlite+aiosqlite:////")
    directory = str(PurePosixPath(url.removeprefix("sqlite+aiosqlite:///")).parent)
    # The app and the migrations open the same file, in a named volume.
    for name in ("app", "migrate"):
        assert directory in _named_volumes(services[name]).values(), name
    # The image creates that directory for its user and defaults to the same file.
    _, runtime = docker_stages(project)
    assert f"DATABASE_URL={url}" in runtime.all("ENV")
    assert any("chown" in run and "data" in run for run in runtime.all("RUN"))


def test_compose_app_health_comes_from_the_image(render: Render) -> None:
    project = render({"docker": True})
    compose = _compose(project)

    assert "healthcheck" not in compose["services"]["app"]
    _, runtime = docker_stages(project)
    assert "/health" in healthcheck_command(runtime)[2]


def test_no_docker_files_without_docker(render: Render) -> None:
    project = render({"docker": False})

    for name in ("Dockerfile", ".dockerignore", "compose.yaml"):
        assert not (project / name).exists()


# --- GitHub Actions -------------------------------------------------------------------


def _workflow(project: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


@pytest.mark.parametrize("combo", CI_COVER, ids=[matrix.combo_id(c) for c in CI_COVER])
def test_workflow_runs_ruff_mypy_and_pytest(
    combo: dict[str, Any], rendered: Render
) -> None:
    project = render_combo(rendered, combo)
    workflow = _workflow(project)

    assert set(workflow["on"]) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    checks = workflow["jobs"]["checks"]
    versions = checks["strategy"]["matrix"]["python-version"]
    assert versions[0] == combo["python_version"] and versions[-1] == "3.13"
    runs = _runs(checks)
    assert runs[0] == "python -m pip install -e '.[dev]'"
    assert [r.split()[:2] for r in runs[1:]] == [
        ["ruff", "check"],
        ["ruff", "format"],
        ["mypy"],
        ["pytest"],
    ]
    assert "--check" in runs[2]
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]


def test_workflow_runs_the_tests_against_each_backing_service(
    services_project: tuple[dict[str, Any], Path],
) -> None:
    combo, project = services_project
    checks = _workflow(project)["jobs"]["checks"]
    backing = matrix.backing_services(combo, ci=True)
    containers = checks.get("services") or {}
    [pytest_step] = [step for step in checks["steps"] if step.get("run") == "pytest"]
    environment = pytest_step.get("env") or {}

    assert set(containers) == backing
    urls = {URL_SETTINGS[name] for name in backing}
    if combo["offload"] == "celery":
        # Both brokers: the worker-loss tests need a real one and must run in CI.
        urls.add("CELERY_BROKER_URL")
        if combo["celery_broker"] == "redis":
            assert environment["CELERY_BROKER_URL"] == environment["REDIS_URL"]
    assert set(environment) == urls
    for name in backing:
        container = containers[name]
        assert container["image"].startswith(IMAGES[name])
        port = DEFAULT_PORTS[name]
        assert container["ports"] == [f"{port}:{port}"]
        options = container["options"]
        assert "--health-cmd" in options and HEALTH_TOOLS[name] in options
        assert "--health-interval" in options and "--health-retries" in options
        url = urlsplit(environment[URL_SETTINGS[name]])
        assert url.scheme == URL_SCHEMES[name]
        assert (url.hostname, url.port) == ("127.0.0.1", port)
    if "postgres" in backing:
        url = urlsplit(environment["DATABASE_URL"])
        postgres = containers["postgres"]["env"]
        assert url.password == postgres["POSTGRES_PASSWORD"]
        assert url.path == "/" + postgres["POSTGRES_DB"]


@pytest.mark.parametrize("combo", CI_COVER, ids=[matrix.combo_id(c) for c in CI_COVER])
def test_workflow_builds_and_probes_the_image_only_with_docker(
    combo: dict[str, Any], rendered: Render
) -> None:
    project = render_combo(rendered, combo)
    jobs = _workflow(project)["jobs"]

    if not combo["docker"]:
        assert set(jobs) == {"checks"}
        return
    runs = _runs(jobs["image"])
    [up] = [r for r in runs if r.startswith("docker compose up")]
    # Waiting on the app alone: a one-shot service that exits (migrate) fails a plain --wait.
    assert "--build" in up and "--wait" in up and up.split()[-1] == "app"
    assert "/health" in " ".join(runs) and "/ready" in " ".join(runs)
    assert any(r.startswith("docker compose down") for r in runs)


# --- server ---------------------------------------------------------------------------


def test_gunicorn_is_the_default_server() -> None:
    server = matrix.questions()["server"]
    assert server["default"] == "gunicorn"
    assert set(matrix.enabled_values("server")) == {"gunicorn", "uvicorn"}
    assert matrix.enabled_values("docker") == [False, True]
    assert set(matrix.enabled_values("ci")) == {"none", "github"}


@pytest.mark.parametrize("server", ["gunicorn", "uvicorn"])
def test_server_dependencies(render: Render, server: str) -> None:
    project = render({"server": server})
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    names = {re.split(r"[\[<>=]", d)[0] for d in pyproject["project"]["dependencies"]}

    assert "uvicorn" in names
    assert "uvicorn[standard]>=0.54" in pyproject["project"]["dependencies"]
    assert ({"gunicorn", "uvicorn-worker"} & names) == (
        {"gunicorn", "uvicorn-worker"} if server == "gunicorn" else set()
    )
    assert ("gunicorn.conf.py" in pyproject["tool"]["mypy"]["files"]) is (server == "gunicorn")


def test_gunicorn_config_uses_the_uvicorn_worker_package(render: Render) -> None:
    text = (render({"server": "gunicorn"}) / "gunicorn.conf.py").read_text()

    assert 'worker_class = "uvicorn_worker.UvicornWorker"' in text
    assert "uvicorn.workers" not in text
