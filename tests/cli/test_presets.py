"""Presets are named answer sets, valid against copier.yml in this release."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastasync_cli import presets, questions
from fastasync_cli.presets import Preset
from tests.cli.helpers import Run, answers_of, assert_error, copier_questions


def _available_values(spec: dict[str, object]) -> list[object] | None:
    """The values a question accepts now, read from the raw YAML (None: not a choice)."""
    choices = spec.get("choices")
    if not choices:
        return None
    items = choices.items() if isinstance(choices, dict) else [(c, c) for c in choices]  # type: ignore[attr-defined]
    return [value for _, value in items if not (isinstance(value, dict) and value.get("validator"))]


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_preset_answers_are_valid_in_copier_yml(name: str) -> None:
    declared = copier_questions()
    for key, value in presets.PRESETS[name].resolved().items():
        assert key in declared, f"preset {name}: {key} is not a question"
        available = _available_values(declared[key])
        if available is not None:
            assert value in available, f"preset {name}: {key}={value!r} is not available"
    # The CLI's own check agrees (it also runs yes/no validators such as rate_limit's).
    assert presets.answers(name) == presets.PRESETS[name].resolved()


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_preset_never_contradicts_a_computed_answer(name: str) -> None:
    """A question the preset's other answers hide (redis, once the cache is Redis) takes the
    value copier.yml computes; a preset that named another value would be silently overruled."""
    preset = presets.PRESETS[name]
    for key, computed in questions.ruled_out(preset.resolved()).items():
        if key in preset.answers:
            assert preset.answers[key] == computed, f"preset {name}: {key}"


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_preset_generates_its_answers(run: Run, cli_env: Path, name: str) -> None:
    result = run("new", "svc", "--preset", name, "--no-git")  # no terminal, no --defaults
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    answers = answers_of(cli_env / "svc")
    resolved = presets.PRESETS[name].resolved()
    hidden = questions.ruled_out(resolved)
    for key, value in resolved.items():
        if key in hidden:
            assert key not in answers, f"{key} is computed, not recorded"
        else:
            assert answers[key] == value, key


def test_full_preset_gets_the_redis_client_from_its_cache(run: Run, cli_env: Path) -> None:
    result = run("new", "svc", "--preset", "full", "--no-git")
    assert result.exit_code == 0, result.output
    project = cli_env / "svc"
    answers = answers_of(project)
    assert (answers["cache"], answers["rate_limit"]) == ("redis", True)
    assert "redis" not in answers
    core = project / "src/svc/core"
    assert (core / "redis.py").is_file()
    assert (core / "cache/redis.py").is_file()
    assert (core / "ratelimit/redis.py").is_file()


def _invalid_answer_sets() -> list[tuple[dict[str, object], str]]:
    """Preset answers copier.yml refuses: unknown, and each kind of unavailable it has now."""
    cases: list[tuple[dict[str, object], str]] = [
        ({"databse": "none"}, "unknown question 'databse'"),
        ({"database": "oracle"}, "'oracle' is not one of"),
    ]
    for name, question in questions.load().items():
        disabled = [c for c in question.choices if c.disabled]
        if disabled:
            cases.append(({name: disabled[0].value}, disabled[0].disabled))
        elif question.type == "bool" and (why := question.refusal(True)):
            cases.append(({name: True}, why))
    return cases


@pytest.mark.parametrize(("answers", "fragment"), _invalid_answer_sets())
def test_an_invalid_preset_is_refused(
    run: Run,
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, object],
    fragment: str,
) -> None:
    broken = {**presets.PRESETS, "minimal": Preset("broken", answers)}
    monkeypatch.setattr(presets, "PRESETS", broken)
    assert_error(run("new", "svc", "--preset", "minimal"), 2, "preset 'minimal'", fragment)
    assert not (cli_env / "svc").exists()
