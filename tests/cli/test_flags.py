"""The readable flags of ``fastasync new`` are copier.yml's questions, nothing else."""

from __future__ import annotations

import typer

from fastasync_cli.commands import new
from fastasync_cli.main import app
from tests.cli.helpers import copier_questions


def _new_command() -> typer.core.TyperCommand:
    group = typer.main.get_command(app)
    command = group.commands["new"]  # type: ignore[attr-defined]
    assert isinstance(command, typer.core.TyperCommand)
    return command


def test_every_flag_maps_to_a_question_of_copier_yml() -> None:
    declared = copier_questions()
    for key, flag in new.FLAGS.items():
        assert key in declared, f"{flag} answers {key!r}, which copier.yml does not declare"


def test_every_answer_option_of_the_command_is_in_the_flag_table() -> None:
    """Each answer flag the command declares is listed in FLAGS, and the other way round."""
    answer_opts = {
        opt for param in _new_command().params if param.name in new.FLAGS for opt in param.opts
    }
    assert answer_opts == set(new.FLAGS.values())
    names = {p.name for p in _new_command().params}
    assert set(new.FLAGS) <= names


def test_the_yes_no_questions_have_no_forms() -> None:
    params = {p.name: p for p in _new_command().params}
    for key, spec in copier_questions().items():
        if key in new.FLAGS and spec.get("type") == "bool":
            flag = new.FLAGS[key]
            assert params[key].secondary_opts == [f"--no-{flag[2:]}"]


def test_completion_offers_the_available_choices_of_copier_yml() -> None:
    for key, spec in copier_questions().items():
        choices = spec.get("choices")
        if key not in new.FLAGS or not choices:
            continue
        items = choices.items() if isinstance(choices, dict) else [(c, c) for c in choices]
        available = [
            str(value)
            for _, value in items
            if not (isinstance(value, dict) and value.get("validator"))
        ]
        offered = [value for value, _ in new._completion(key)("")]
        assert offered == available, key


def test_completion_filters_on_what_is_typed() -> None:
    offered = [value for value, _ in new._completion("python_version")("3.1")]
    assert offered and all(v.startswith("3.1") for v in offered)
    assert new._completion("python_version")("9") == []


def test_preset_completion() -> None:
    assert [name for name, _ in new._complete_preset("m")] == ["minimal"]
