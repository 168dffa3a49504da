"""How long a generated project's own test suite takes, as its user runs it.

Generates the default project (`fastasync new NAME --defaults`) and a Celery one
(`--offload celery`) from this working tree, installs each into a fresh virtual environment
of its own (uv, with bytecode compiled, as `pip install -e '.[dev]'` compiles it), then runs
`pytest` in each, with no service URL set, several times, interleaved. The table shows the
wall time of the whole command (interpreter start and imports included), median and minimum,
against the targets: 5 s for the defaults, 10 s for Celery.

Run it from the repository, in the environment where fastasync's test extra is installed::

    python bench/bench_suites.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECTS = {"svc-defaults": ([], 5.0), "svc-celery": (["--offload", "celery"], 10.0)}
"""Name: the flags of `fastasync new`, and the target in seconds."""


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare(where: Path, name: str, flags: list[str]) -> Path:
    """Generate the project `name` in `where` and install it into its own .venv."""
    env = {**os.environ, "FASTASYNC_TEMPLATE": str(REPO_ROOT)}
    sh(sys.executable, "-m", "fastasync_cli", "new", name, "--defaults", "--no-git", *flags,
       cwd=where, env=env)  # fmt: skip
    project = where / name
    sh(sys.executable, "-m", "venv", "--without-pip", ".venv", cwd=project)
    sh(sys.executable, "-m", "uv", "pip", "install", "--quiet", "--compile-bytecode",
       "--python", ".venv/bin/python", "-e", ".[dev]", cwd=project)  # fmt: skip
    return project


def suite_env() -> dict[str, str]:
    """A user's environment: no service URL, no setting, bytecode written as usual."""
    prefixes = ("PYTEST_", "PYTHONDONTWRITEBYTECODE", "FASTASYNC_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "MONGODB_URL"):
        env.pop(name, None)
    return env


def time_suite(project: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [".venv/bin/python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=suite_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"the suite of {project.name} failed:\n{result.stdout[-3000:]}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each suite")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-suites-") as tmp:
        projects = {name: prepare(Path(tmp), name, flags) for name, (flags, _) in PROJECTS.items()}
        for project in projects.values():
            time_suite(project)  # a first run writes the bytecode of the tests
        times: dict[str, list[float]] = {name: [] for name in projects}
        for _ in range(args.runs):
            for name, project in projects.items():
                times[name].append(time_suite(project))

    print(f"{'suite':<12} {'median':>8} {'min':>8} {'target':>8}  holds")
    for name, runs in times.items():
        target = PROJECTS[name][1]
        median = statistics.median(runs)
        holds = "yes" if median <= target else "NO"
        print(f"{name:<12} {median:>7.2f}s {min(runs):>7.2f}s {target:>7.1f}s  {holds}")


if __name__ == "__main__":
    main()
