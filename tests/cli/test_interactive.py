"""Questions asked in a real pseudo-terminal, as a person answers them (pexpect).

The order and wording of the questions come from copier.yml: the test waits for whichever
pending question's help shows up next, so it holds however copier.yml is reordered.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect  # type: ignore[import-untyped,unused-ignore]
import pytest

import fastasync_cli
from fastasync_cli import questions
from tests.cli.helpers import (
    SWITCH_NOT_BUILT,
    SWITCH_NOT_BUILT_WHY,
    Tree,
    answers_of,
    copier_questions,
    write_switch_not_built,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")

ENTER = "\r"
DOWN = "\x1b[B"
CLEAR_LINE = "\x15"  # Ctrl-U: erase the default the prompt pre-fills
CTRL_C = "\x03"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    """The installed ``fastasync`` console script, running the code under test."""
    script = Path(sys.executable).with_name("fastasync")
    command, argv = (
        (str(script), list(args))
        if script.exists()
        else (
            sys.executable,
            ["-m", "fastasync_cli", *args],
        )
    )
    # No cursor-position requests: pexpect is no terminal to answer them, and prompt_toolkit
    # would wait ~1 s for each reply.
    env = dict(os.environ, TERM="xterm", COLUMNS="200", LINES="50", PROMPT_TOOLKIT_NO_CPR="1")
    env["PYTHONPATH"] = str(Path(fastasync_cli.__file__).parent.parent)
    child = pexpect.spawn(
        command, argv, cwd=str(cwd), env=env, dimensions=(50, 200), encoding="utf-8", timeout=60
    )
    child.logfile_read = io.StringIO()  # everything it printed, for the assertions
    return child


def output(child: pexpect.spawn) -> str:
    log = child.logfile_read
    assert isinstance(log, io.StringIO)
    return ANSI.sub("", log.getvalue())


def finish(child: pexpect.spawn) -> int | None:
    """Wait for the end; its exit status."""
    if child.isalive():
        child.expect(pexpect.EOF)
    child.close()
    status: int | None = child.exitstatus
    return status


def _available(spec: dict[str, Any]) -> list[Any]:
    choices = spec["choices"]
    items = choices.items() if isinstance(choices, dict) else [(c, c) for c in choices]
    return [v for _, v in items if not isinstance(v, dict)]


def answer_prompts(
    child: pexpect.spawn,
    pending: dict[str, dict[str, Any]],
    answer: Callable[[str, dict[str, Any]], str],
) -> list[str]:
    """Answer each question of `pending` with `answer(name, spec)` as its prompt (its help)
    appears, until the command ends; the questions answered leave `pending`. Returns their
    names in the order asked."""
    asked = []
    while pending:
        names = list(pending)
        patterns = [re.escape(pending[n]["help"].strip()) for n in names]
        index = child.expect([*patterns, pexpect.EOF])
        if index == len(names):
            break
        asked.append(name := names[index])
        child.send(answer(name, pending.pop(name)))
    return asked


def test_answering_the_prompts(cli_env: Path) -> None:
    declared = copier_questions()
    expected: dict[str, Any] = {}
    pending = {name: spec for name, spec in declared.items() if name != "project_name"}
    child = spawn("new", "shop", cwd=cli_env)

    def answer(name: str, spec: dict[str, Any]) -> str:
        if name == "package_name":  # type a name of one's own
            expected[name] = "shop_core"
            return CLEAR_LINE + "shop_core" + ENTER
        if name == "python_version":  # move down the select list
            values = _available(spec)
            expected[name] = values[(values.index(spec["default"]) + 1) % len(values)]
            return DOWN + ENTER
        # Accept the default.
        if "{{" not in str(spec.get("default")) and "when" not in spec:
            expected[name] = spec["default"]
        return ENTER

    answer_prompts(child, pending, answer)
    assert finish(child) == 0, output(child)
    assert not [n for n, s in pending.items() if "when" not in s], "questions never asked"
    answers = answers_of(cli_env / "shop")
    assert answers["project_name"] == "shop"
    for name, value in expected.items():
        assert answers[name] == value, name
    assert (cli_env / "shop" / ".git").is_dir()


def test_a_yes_to_rate_limits_asks_which_limiter(cli_env: Path) -> None:
    declared = copier_questions()
    pending = {n: s for n, s in declared.items() if n not in {"project_name", "rate_limit"}}
    child = spawn("new", "shop", "--rate-limit", cwd=cli_env)
    asked = answer_prompts(
        child, pending, lambda name, _: DOWN + ENTER if name == "rate_limiter" else ENTER
    )
    assert finish(child) == 0, output(child)
    assert "rate_limiter" in asked
    answers = answers_of(cli_env / "shop")
    assert (answers["rate_limit"], answers["rate_limiter"]) == (True, "slowapi")
    assert (cli_env / "shop/src/shop/core/ratelimit/slowapi_limiter.py").is_file()


@pytest.mark.parametrize("questions_answered", [0, 2])
def test_ctrl_c_at_a_prompt(cli_env: Path, questions_answered: int) -> None:
    (cli_env / "keep.txt").write_text("mine\n")
    before = Tree.of(cli_env)
    helps = [
        re.escape(spec["help"].strip())
        for name, spec in copier_questions().items()
        if name != "project_name"
    ]
    child = spawn("new", "shop", cwd=cli_env)
    for _ in range(questions_answered):
        child.expect(helps)
        helps.pop(helps.index(child.match.re.pattern))
        child.send(ENTER)
    child.expect(helps)
    child.send(CTRL_C)
    assert finish(child) == 130
    assert "Aborted" in output(child)
    assert "Traceback" not in output(child)
    assert not (cli_env / "shop").exists()
    assert Tree.of(cli_env) == before


def test_a_yes_to_a_feature_not_built_yet_is_undone(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Copier does not validate yes/no prompts: the CLI refuses the answer, removes the project."""
    monkeypatch.setenv("FASTASYNC_TEMPLATE", str(write_switch_not_built(tmp_path / "t")))
    questions._load.cache_clear()
    child = spawn("new", "shop", "--no-git", cwd=cli_env)
    child.expect_exact("Rate limiting with a library")
    child.send("y")
    assert finish(child) == 2
    assert f"error: {SWITCH_NOT_BUILT}: {SWITCH_NOT_BUILT_WHY}" in output(child)
    assert not (cli_env / "shop").exists()
