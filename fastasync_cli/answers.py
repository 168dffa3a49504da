"""Turn a preset, readable flags and ``--data KEY=VALUE`` into Copier's ``data``.

Precedence: preset < flags and ``--data`` (which must agree when they name the same
question). Every value is checked against copier.yml here, so a bad one is refused with the
flag's name before Copier is even imported; Copier still validates everything again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastasync_cli import presets, questions
from fastasync_cli.errors import UsageError

#: The question the NAME argument answers.
NAME_KEY = "project_name"


def collect(
    *,
    name: str,
    preset: str | None,
    flags: Mapping[str, tuple[str, Any]],
    data: Iterable[str],
) -> dict[str, Any]:
    """The answers to pass to Copier.

    `flags` maps a flag (``--database``) to its question and value; `data` holds the raw
    ``KEY=VALUE`` strings of ``--data``.
    """
    given: dict[str, tuple[str, Any]] = {}
    for flag, (key, value) in flags.items():
        questions.check(flag, key, value)
        given[key] = (flag, value)
    for item in data:
        key, value = _parse_data(item)
        source = f"--data {key}"
        if key in given and given[key][1] != value:
            raise UsageError(f"{given[key][0]} and {source} disagree")
        given[key] = (source, value)
    answers = presets.answers(preset) if preset is not None else {}
    answers.update((key, value) for key, (_, value) in given.items())
    answers[NAME_KEY] = name
    _drop_ruled_out(answers, given)
    return answers


def _drop_ruled_out(answers: dict[str, Any], given: Mapping[str, tuple[str, Any]]) -> None:
    """Remove the answers to questions that do not apply, so the template computes them.

    Copier would render a hidden question with an answer passed as data: ``--no-redis``
    next to a Redis cache would give a cache without its client. A preset's answer gives
    way silently, and so does a flag that says what the template computes anyway; any other
    flag is refused: the user asked for something these answers do not build.
    """
    for key, computed in questions.ruled_out(answers).items():
        if key not in answers:
            continue
        value = answers.pop(key)
        if key not in given:
            continue
        question = questions.load()[key]
        when = questions.condition(question)
        if question.derived and value != computed:
            raise UsageError(
                f"{given[key][0]}: these answers make {key} {_show(computed)}, "
                f"not {_show(value)} (it is asked only when {when})"
            )
        if not question.derived:
            because = questions.why_ruled_out(key, answers)
            raise UsageError(
                f"{given[key][0]}: {key} applies only when {when}"
                + (f", and here {because}" if because else "")
            )


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return repr(value)


def _parse_data(item: str) -> tuple[str, Any]:
    """``KEY=VALUE`` → (key, value cast to the question's type in copier.yml)."""
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"--data: expected KEY=VALUE, got {item!r}")
    known = questions.load()
    if key not in known:
        raise UsageError(f"--data: unknown question {key!r}; see `fastasync options`")
    if key == NAME_KEY:
        raise UsageError(f"--data {key}: the project name is the NAME argument")
    try:
        value = known[key].cast(raw)
    except ValueError as error:
        raise UsageError(f"--data {key}: {error}") from error
    questions.check(f"--data {key}", key, value)
    return key, value
