"""``FEATURE`` and ``FEATURE=VALUE`` for ``fastasync add`` / ``remove``, read against copier.yml.

A feature is any question of copier.yml. ``add rate_limit`` answers a yes/no question with
yes, ``add cache=redis`` chooses a value, and ``add ci`` takes the one available choice when
there is only one. ``remove X`` answers X with its off value: no for a yes/no question,
``none`` for a choice that offers it; a question without one can only be changed.
"""

from __future__ import annotations

from typing import Any

from fastasync_cli import questions
from fastasync_cli.errors import UsageError

#: The choice value that means "this feature is off".
OFF_CHOICE = "none"
_NO_OFF = object()


def off_value(question: questions.Question) -> Any:
    """The answer that turns the question's feature off, or `_NO_OFF`."""
    if question.type == "bool" and not question.choices:
        return False
    if OFF_CHOICE in question.values:
        return OFF_CHOICE
    return _NO_OFF


def for_add(spec: str) -> tuple[str, Any]:
    """``add FEATURE[=VALUE]`` → (question, answer), checked against copier.yml."""
    name, sep, raw = spec.partition("=")
    name = name.strip()
    question = _question("add", name)
    source = f"add {name}"
    if sep:
        try:
            value = question.cast(raw)
        except ValueError as error:
            raise UsageError(f"{source}: {error}") from error
    else:
        value = _implied(question)
    questions.check(source, name, value)
    off = off_value(question)
    if off is not _NO_OFF and value == off:
        raise UsageError(f"{source}={raw} turns it off: use `fastasync remove {name}`")
    return name, value


def for_remove(spec: str) -> tuple[str, Any]:
    """``remove FEATURE`` → (question, its off answer)."""
    if "=" in spec:
        name = spec.partition("=")[0]
        raise UsageError(f"remove {spec}: name the feature, without a value: remove {name}")
    question = _question("remove", spec.strip())
    off = off_value(question)
    if off is _NO_OFF:
        available = _available(question)
        example = f" (e.g. `fastasync add {question.name}={available[0]}`)" if available else ""
        raise UsageError(
            f"remove {question.name}: it has no off value, it can only be changed{example}"
        )
    questions.check(f"remove {question.name}", question.name, off)
    return question.name, off


def _question(verb: str, name: str) -> questions.Question:
    known = questions.load()
    if not name:
        raise UsageError(f"{verb}: name a feature; see `fastasync options`")
    if name not in known:
        raise UsageError(f"{verb} {name}: unknown feature; see `fastasync options`")
    return known[name]


def _implied(question: questions.Question) -> Any:
    """The answer ``add X`` means without a value."""
    if question.type == "bool" and not question.choices:
        return True
    on = [v for v in _available(question) if v != off_value(question)]
    if len(on) == 1:
        return on[0]
    choose = f": one of {', '.join(f'{question.name}={v}' for v in on)}" if on else ""
    raise UsageError(f"add {question.name}: which value? add {question.name}=VALUE{choose}")


def _available(question: questions.Question) -> list[Any]:
    return [c.value for c in question.choices if not c.disabled]


def complete_add(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for ``add``: every feature value this release offers."""
    offered = []
    for question in _questions_or_none():
        if question.type == "bool" and not question.choices:
            if not question.refusal(True):
                offered.append((question.name, question.help))
            continue
        off = off_value(question)
        offered += [
            (f"{question.name}={c.value}", c.label)
            for c in question.choices
            if not c.disabled and c.value != off
        ]
    return [item for item in offered if item[0].startswith(incomplete)]


def complete_remove(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for ``remove``: the features that can be switched off."""
    return [
        (q.name, q.help)
        for q in _questions_or_none()
        if off_value(q) is not _NO_OFF and q.name.startswith(incomplete)
    ]


def _questions_or_none() -> list[questions.Question]:
    try:
        return list(questions.load().values())
    except Exception:  # completion must never crash the shell
        return []
