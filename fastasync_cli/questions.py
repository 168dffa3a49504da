"""The questions of copier.yml, read as data: names, types, choices, defaults and help.

copier.yml is the one source of truth. Flags, ``--data``, presets and ``fastasync options`` all
ask this module what a question accepts, so none of them keeps a copy of the list.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastasync_cli import source
from fastasync_cli.errors import TemplateError, UsageError

_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
# Copier infers a question's type from its default when `type` is missing.
_INFERRED_TYPES = {bool: "bool", int: "int", float: "float", str: "str"}


@dataclass(frozen=True)
class Choice:
    """One choice of a question; `disabled` is Copier's message when it cannot be chosen."""

    value: Any
    label: str
    disabled: str = ""


@dataclass(frozen=True)
class Question:
    """One question of copier.yml, as declared (Jinja left unrendered)."""

    name: str
    type: str
    help: str = ""
    choices: tuple[Choice, ...] = ()
    default: Any = None
    has_default: bool = False
    when: str | None = None
    validator: str | None = None

    @property
    def derived(self) -> bool:
        """The default is a Jinja expression computed from earlier answers."""
        return isinstance(self.default, str) and ("{{" in self.default or "{%" in self.default)

    def computed_default(self, context: Mapping[str, Any]) -> Any:
        """The default with earlier answers `context`: rendered if derived, then typed.

        Raises jinja2's TemplateError when it needs more than plain Jinja and `context`.
        """
        if not self.derived:
            return self.default
        rendered = _render(self.default, context)
        return _truthy(rendered) if self.type == "bool" else self.cast(rendered)

    @property
    def values(self) -> list[Any]:
        """Every choice value, available or not."""
        return [choice.value for choice in self.choices]

    def cast(self, raw: str) -> Any:
        """Turn a command-line string into this question's type; ValueError if it cannot."""
        if self.type == "bool":
            word = raw.strip().lower()
            if word in _TRUE or word in _FALSE:
                return word in _TRUE
            raise ValueError(f"{raw!r} is not a yes/no value (true/false, yes/no, 1/0)")
        if self.type in ("int", "float"):
            try:
                return int(raw) if self.type == "int" else float(raw)
            except ValueError:
                raise ValueError(f"{raw!r} is not a number of type {self.type}") from None
        if self.type == "json":
            try:
                return json.loads(raw)
            except ValueError as error:
                raise ValueError(f"{raw!r} is not JSON: {error}") from None
        if self.type == "yaml":
            import yaml  # type: ignore[import-untyped,unused-ignore]  # stubs: types-PyYAML

            try:
                return yaml.safe_load(raw)
            except yaml.YAMLError as error:
                raise ValueError(f"{raw!r} is not YAML: {error}") from error
        return raw  # str and path stay as typed: "3.10" is not a float

    def refusal(self, value: Any) -> str:
        """Why `value` cannot be used now ("" when it can), as far as copier.yml alone says.

        Checks the choices, and for a question whose validator depends on nothing but its own
        answer (``{% if rate_limit %}not available{% endif %}``) renders it. Validators that
        need other answers or Copier's filters are left to Copier.
        """
        if self.choices:
            for choice in self.choices:
                if choice.value == value:
                    return f"{value!r}: {choice.disabled}" if choice.disabled else ""
            return f"{value!r} is not one of: {', '.join(str(v) for v in self.values)}"
        return _self_contained_verdict(self.name, self.validator, value)


def _self_contained_verdict(name: str, validator: str | None, value: Any) -> str:
    from jinja2 import TemplateError

    template = _compiled(validator) if validator else None
    if template is None:
        return ""
    try:
        return str(template.render({name: value})).strip()
    except TemplateError:  # it needs another answer: Copier will judge it
        return ""


@functools.cache
def _compiled(validator: str) -> Any:
    """The validator as a Jinja template, or None if it needs Copier's own filters."""
    from jinja2 import StrictUndefined, TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    try:
        return SandboxedEnvironment(undefined=StrictUndefined).from_string(validator)
    except TemplateError:
        return None


def _choices(raw: Any) -> tuple[Choice, ...]:
    """Copier's choice forms: a list of values or [label, value] pairs, or a label→value map
    whose value may be ``{value: ..., validator: "why it is disabled"}``."""
    if not raw:
        return ()
    pairs = list(raw.items()) if isinstance(raw, Mapping) else raw
    result = []
    for item in pairs:
        label, value = item if isinstance(item, list | tuple) else (item, item)
        disabled = ""
        if isinstance(value, Mapping):
            disabled = str(value.get("validator", "")).strip()
            value = value["value"]
        result.append(Choice(value=value, label=str(label), disabled=disabled))
    return tuple(result)


def _question(name: str, spec: Any) -> Question:
    if not isinstance(spec, Mapping):  # `name: default` shorthand
        spec = {"default": spec}
    default = spec.get("default")
    qtype = spec.get("type") or _INFERRED_TYPES.get(type(default), "yaml")
    when = spec.get("when")
    return Question(
        name=name,
        type=str(qtype),
        help=str(spec.get("help", "")).strip(),
        choices=_choices(spec.get("choices")),
        default=default,
        has_default="default" in spec,
        when=None if when is None else str(when),
        validator=spec.get("validator"),
    )


@functools.cache
def _load(path: Path) -> dict[str, Question]:
    import yaml  # type: ignore[import-untyped,unused-ignore]  # stubs: types-PyYAML

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(f"cannot read {path}: {error}") from error
    return {
        name: _question(name, spec)
        for name, spec in (config or {}).items()
        if not name.startswith("_")
    }


def ruled_out(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The questions whose `when` is false with `answers`, each with the value it gets."""
    return _evaluate(answers)[0]


def why_ruled_out(name: str, answers: Mapping[str, Any]) -> str:
    """The answers that make question `name`'s `when` false: ``offload is 'none'``."""
    from jinja2 import TemplateError, meta
    from jinja2.sandbox import SandboxedEnvironment

    question = load()[name]
    if question.when is None:
        return ""
    context = _evaluate(answers)[1]
    try:
        used = meta.find_undeclared_variables(SandboxedEnvironment().parse(question.when))
    except TemplateError:
        return ""
    return ", ".join(f"{v} is {context[v]!r}" for v in load() if v in used and v in context)


def condition(question: Question) -> str:
    """A question's `when`, without its Jinja braces: ``offload == 'celery'``."""
    when = (question.when or "").strip()
    if when.startswith("{{") and when.endswith("}}"):
        return when[2:-2].strip()
    return when


def _evaluate(answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The questions whose `when` is false with `answers`, each with the value it gets; and
    every question's value.

    Copier never asks such a question and records no answer for it, but still renders the
    template with its default, computed from the other answers (``redis`` is on whenever
    the cache is Redis or the project has Celery). An answer passed as ``data`` would replace
    that default, hidden question or not. Questions whose `when` or default cannot be
    evaluated with plain Jinja (Copier's own filters) are left out: Copier judges them.
    """
    from jinja2 import TemplateError

    context: dict[str, Any] = {}
    result: dict[str, Any] = {}
    for name, question in load().items():
        try:
            default = question.computed_default(context)
            applies = question.when is None or _truthy(_render(question.when, context))
        except TemplateError:
            if name in answers:
                context[name] = answers[name]
            continue
        if applies:
            context[name] = answers.get(name, default)
        else:
            context[name] = result[name] = default
    return result, context


def _render(expression: str, context: Mapping[str, Any]) -> str:
    template = _compiled(expression)
    if template is None:
        from jinja2 import TemplateError

        raise TemplateError(f"cannot compile {expression!r}")
    return str(template.render(context)).strip()


def _truthy(rendered: str) -> bool:
    """A rendered `when` as Copier reads it (a number, a YAML boolean or null, or text)."""
    word = rendered.strip().lower()
    try:
        return bool(float(word))
    except ValueError:
        return word not in _FALSE | {"", "n", "f", "off", "null", "~", "none"}


def load() -> dict[str, Question]:
    """Every question of the template's copier.yml, in its order (settings excluded)."""
    return _load(source.config_path())


def check(source: str, name: str, value: Any) -> None:
    """Raise a UsageError, worded for `source` (a flag, a preset), if `value` is refused."""
    known = load()
    if name not in known:
        raise UsageError(f"{source}: unknown question {name!r}; see `fastasync options`")
    if why := known[name].refusal(value):
        raise UsageError(f"{source}: {why}")
