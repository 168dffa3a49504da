"""Answers to a question whose `when` is false: the template's computed value wins.

Copier renders a hidden question with an answer passed as data, although it never asks it
and records nothing. For a question computed from the others (``redis`` is on whenever the
cache is Redis) that would build a project that contradicts its own answers, so
``fastasync new`` drops such answers: a preset's silently, a flag's with a refusal unless it
says what the template computes anyway. Checked on a throwaway template shaped like
copier.yml's Redis questions.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from fastasync_cli import presets, questions
from tests.cli.helpers import Run, answers_of, assert_error

COPIER_YML = """\
_subdirectory: template
_answers_file: .copier-answers.yml
project_name:
  type: str
  help: Project name
cache:
  type: str
  help: Cache
  choices: [none, redis]
  default: none
broker:
  type: str
  help: Broker
  when: "{{ cache == 'redis' }}"
  choices: [plain, fancy]
  default: plain
redis:
  type: bool
  help: Redis client
  when: "{{ cache != 'redis' }}"
  default: "{{ cache == 'redis' }}"
"""

FILES = {
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers | to_nice_yaml }}",
    "{% if redis %}redis.txt{% endif %}.jinja": "the Redis client\n",
    "broker.txt.jinja": "{{ broker }}\n",
}


@pytest.fixture
def template(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    root = tmp_path / "throwaway"
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text(COPIER_YML)
    for name, text in FILES.items():
        (root / "template" / name).write_text(text)
    monkeypatch.setenv("FASTASYNC_TEMPLATE", str(root))
    questions._load.cache_clear()
    return root


def test_a_hidden_question_is_computed_from_the_others(template: Path) -> None:
    assert questions.ruled_out({"project_name": "svc"}) == {"broker": "plain"}
    assert questions.ruled_out({"project_name": "svc", "cache": "redis"}) == {"redis": True}


def test_a_flag_that_agrees_with_the_computed_value_is_fine(
    run: Run, cli_env: Path, template: Path
) -> None:
    result = run("new", "svc", "-y", "--no-git", "--cache", "redis", "--redis")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (cli_env / "svc" / "redis.txt").is_file()
    assert "redis" not in answers_of(cli_env / "svc")


def test_a_flag_against_the_computed_value_is_refused(
    run: Run, cli_env: Path, template: Path
) -> None:
    result = run("new", "svc", "-y", "--no-git", "-d", "cache=redis", "--no-redis")
    assert_error(result, 2, "--redis: these answers make redis on, not off", "cache != 'redis'")
    assert not (cli_env / "svc").exists()


def test_a_preset_answer_gives_way_to_the_computed_value(
    run: Run, cli_env: Path, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presets, "_OFF", MappingProxyType({"cache": "none", "redis": False}))
    monkeypatch.setattr(
        presets, "PRESETS", {"minimal": presets.Preset("cache", {"cache": "redis"})}
    )
    result = run("new", "svc", "--preset", "minimal", "--no-git")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (cli_env / "svc" / "redis.txt").is_file()


def test_an_answer_to_a_question_these_answers_rule_out_is_refused(
    run: Run, cli_env: Path, template: Path
) -> None:
    result = run("new", "svc", "-y", "--no-git", "-d", "broker=fancy")
    assert_error(
        result,
        2,
        "--data broker: broker applies only when cache == 'redis', and here cache is 'none'",
    )
    assert not (cli_env / "svc").exists()
