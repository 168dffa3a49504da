"""The root command: --version, --help with examples, and a start-up that stays light."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from fastasync_cli import __version__, questions
from fastasync_cli import main as main_module
from tests.cli.helpers import Run


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"fastasync {__version__}"


def test_help_lists_commands_and_examples(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for text in ("new", "options", "--version", "Examples", "fastasync new myservice"):
        assert text in result.stdout


def test_new_help_shows_the_choices_from_copier_yml(run: Run) -> None:
    result = run("new", "--help")
    assert result.exit_code == 0
    assert "Examples" in result.stdout
    assert "--database" in result.stdout
    assert "mongodb" in result.stdout and "celery" in result.stdout
    # A choice this release does not build yet is named as "not yet".
    disabled = [c for q in questions.load().values() for c in q.choices if c.disabled]
    assert ("not yet" in result.stdout) == bool(disabled)


def test_no_arguments_shows_help(run: Run) -> None:
    result = run()
    assert "Usage" in result.output
    assert "new" in result.output


def test_python_m_runs_the_same_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fastasync_cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"fastasync {__version__}"


def test_help_and_version_never_import_copier() -> None:
    """Copier costs ~0.45 s to import: --help and --version must not pay for it."""
    probe = (
        "import sys\n"
        "from fastasync_cli.main import app\n"
        "from typer.testing import CliRunner\n"
        "for args in (['--help'], ['--version'], ['new', '--help']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0, args\n"
        "heavy = sorted(m for m in ('copier', 'jinja2', 'questionary') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_termination_signals_take_the_ctrl_c_clean_up_path(signum: int) -> None:
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        main_module.interrupt_on_termination()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signum)
            time.sleep(1)  # the handler runs at the next bytecode boundary
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
