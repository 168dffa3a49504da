"""How much ``fastasync new`` costs on top of Copier itself, and how fast ``--help`` is.

Every measurement is a fresh subprocess (imports included, as a user pays them), repeated and
interleaved so that drift on a busy machine hits every command alike; the table shows the
median and the minimum of each, the ratio to raw Copier, and whether each target holds:

- ``fastasync new NAME --defaults`` within 1.15x of a raw ``copier.run_copy`` of the same
  template, and under 1.5 s (with and without the git init and first commit);
- ``fastasync --help`` (and ``--version``) under 0.25 s.

Run it from the repository, in the environment where fastasync is installed::

    python bench/bench_new.py [--runs 7] [--template PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

NEW_RATIO = 1.15
NEW_LIMIT = 1.5
HELP_LIMIT = 0.25

RAW_COPIER = """\
import sys
import warnings

import copier

src, dst, ref = sys.argv[1], sys.argv[2], sys.argv[3] or None
warnings.simplefilter("ignore")
copier.run_copy(
    src,
    dst,
    data={"project_name": "benchsvc"},
    defaults=True,
    unsafe=False,
    quiet=True,
    vcs_ref=ref,
)
"""


@dataclass
class Case:
    """One command to time; `argv` builds it for a fresh destination directory."""

    label: str
    argv: Callable[[Path], list[str]]
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)


def fastasync_command() -> list[str]:
    """The installed console script next to this Python, else ``python -m fastasync_cli``."""
    script = Path(sys.executable).with_name("fastasync")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fastasync_cli"]


def template_source() -> tuple[str, str]:
    """The template (and ref) `fastasync new` uses here, so raw Copier copies the same one."""
    from fastasync_cli import source

    template = source.current()
    return template.url, template.ref or ""


def time_once(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{result.stderr.decode()}")
    return elapsed


def measure(cases: list[Case], runs: int, env: dict[str, str]) -> None:
    """One warm-up, then `runs` rounds, each running every case once (interleaved)."""
    for round_ in range(runs + 1):
        for case in cases:
            with tempfile.TemporaryDirectory(prefix="fastasync-bench-") as tmp:
                elapsed = time_once(case.argv(Path(tmp)), env)
            if round_:
                case.times.append(elapsed)


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def report(cases: dict[str, Case], runs: int) -> bool:
    raw = cases["raw"]
    rows = []
    failures = 0
    for key, case in cases.items():
        ratio = target = ""
        if key.startswith("new"):
            ok = case.median <= NEW_RATIO * raw.median and case.median < NEW_LIMIT
            ratio = f"{case.median / raw.median:.2f}x"
            target = f"<= {NEW_RATIO}x raw, < {NEW_LIMIT} s: {verdict(ok)}"
            failures += not ok
        elif key in ("help", "version"):
            ok = case.median < HELP_LIMIT
            target = f"< {HELP_LIMIT} s: {verdict(ok)}"
            failures += not ok
        rows.append((case.label, f"{case.median:.3f}", f"{case.best:.3f}", ratio, target))
    header = ("command", "median s", "min s", "new/raw", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{runs} fresh subprocesses per command (interleaved), after one warm-up\n")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(f"\n{'all targets met' if not failures else f'{failures} target(s) missed'}")
    return failures == 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    parser.add_argument("--template", type=Path, help="a template checkout (FASTASYNC_TEMPLATE)")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if args.template:
        env["FASTASYNC_TEMPLATE"] = str(args.template.resolve())
        os.environ["FASTASYNC_TEMPLATE"] = env["FASTASYNC_TEMPLATE"]
    src, ref = template_source()
    if shutil.which("git") is None:
        sys.exit("git is needed to time `fastasync new` with its first commit")
    cli = fastasync_command()
    print(f"template: {src}{f' (vcs_ref={ref})' if ref else ''}")
    print(f"fastasync: {' '.join(cli)}")

    cases = {
        "new": Case(
            "fastasync new --defaults",
            lambda d: [*cli, "new", "benchsvc", "--defaults", "-o", str(d)],
        ),
        "new-no-git": Case(
            "fastasync new --defaults --no-git",
            lambda d: [*cli, "new", "benchsvc", "--defaults", "--no-git", "-o", str(d)],
        ),
        "raw": Case(
            "raw copier.run_copy",
            lambda d: [sys.executable, "-c", RAW_COPIER, src, str(d / "benchsvc"), ref],
        ),
        "help": Case("fastasync --help", lambda d: [*cli, "--help"]),
        "version": Case("fastasync --version", lambda d: [*cli, "--version"]),
    }
    measure(list(cases.values()), args.runs, env)
    return 0 if report(cases, args.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
