"""``fastasync options``: every question of copier.yml, with what it accepts."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from fastasync_cli import questions
from fastasync_cli.answers import NAME_KEY
from fastasync_cli.commands.new import FLAGS


def describe(question: questions.Question) -> dict[str, Any]:
    """One question as plain data (the ``--json`` form)."""
    flag = "NAME argument" if question.name == NAME_KEY else FLAGS.get(question.name)
    if flag and question.type == "bool":
        flag = f"{flag}/--no-{flag.removeprefix('--')}"
    refused = []
    if question.type == "bool" and not question.choices:
        refused = [
            {"value": value, "reason": why}
            for value in (True, False)
            if (why := question.refusal(value))
        ]
    return {
        "name": question.name,
        "type": question.type,
        "help": question.help,
        "flag": flag,
        "data": f"--data {question.name}=VALUE" if question.name != NAME_KEY else None,
        "required": not question.has_default,
        "default": question.default,
        "derived": question.derived,
        "when": question.when,
        "choices": [
            {"value": c.value, "label": c.label, "disabled": c.disabled or None}
            for c in question.choices
        ],
        "refused": refused,
    }


def options(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List every question of the template: type, choices, default, help, condition.

    Each one can be answered with its flag or with --data KEY=VALUE in `fastasync new`.
    """
    described = [describe(q) for q in questions.load().values()]
    if as_json:
        typer.echo(json.dumps(described, indent=2))
        return
    from rich.console import Console

    console = Console(soft_wrap=True, highlight=False)
    for entry in described:
        console.print(_render(entry))


def _render(entry: dict[str, Any]) -> Any:
    from rich.text import Text

    text = Text()
    text.append(entry["name"], style="bold cyan")
    text.append(f"  {entry['type']}", style="magenta")
    if entry["flag"]:
        text.append(f"  {entry['flag']}", style="green")
    text.append("\n")
    if entry["help"]:
        text.append(f"    {entry['help']}\n")
    if entry["required"]:
        text.append("    required\n", style="yellow")
    elif entry["derived"]:
        text.append(f"    default: derived: {' '.join(str(entry['default']).split())}\n")
    else:
        text.append(f"    default: {_show(entry['default'])}\n")
    for choice in entry["choices"]:
        value = _show(choice["value"])
        line = f"    - {value}" + (f": {choice['label']}" if choice["label"] != value else "")
        if choice["disabled"]:
            text.append(f"{line}  (disabled: {choice['disabled']})\n", style="dim")
        else:
            text.append(f"{line}\n")
    for refused in entry["refused"]:
        text.append(f"    {_show(refused['value'])}: {refused['reason']}\n", style="dim")
    if entry["when"] is not None:
        text.append(f"    only when: {entry['when']}\n", style="yellow")
    return text


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) or value is None else str(value)
