"""questions.py reads every form of question Copier accepts (on a throwaway copier.yml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastasync_cli import questions
from tests.cli.helpers import Run

COPIER_YML = """\
_subdirectory: template
title: My title
retries: 3
ratio: 0.5
verbose: false
flavour:
  type: str
  help: A list of plain choices
  choices: [vanilla, chocolate]
  default: vanilla
size:
  type: int
  help: Pairs of label and value
  choices:
    - [Small, 1]
    - [Large, 2]
  default: 1
engine:
  type: str
  choices:
    Steam: steam
    Fusion:
      value: fusion
      validator: "not invented yet"
  default: steam
mirror:
  type: str
  default: "{{ title | lower }}"
  when: "{{ verbose }}"
extras:
  type: json
  default: {}
tags:
  type: yaml
  default: []
fast:
  type: bool
  default: false
  validator: "{% if fast and verbose %}fast cannot be verbose{% endif %}"
"""


@pytest.fixture
def throwaway(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, questions.Question]:
    (tmp_path / "copier.yml").write_text(COPIER_YML)
    monkeypatch.setenv("FASTASYNC_TEMPLATE", str(tmp_path))
    return questions.load()


def test_settings_are_not_questions(throwaway: dict[str, questions.Question]) -> None:
    assert "_subdirectory" not in throwaway
    assert list(throwaway)[:4] == ["title", "retries", "ratio", "verbose"]


def test_types_are_inferred_from_shorthand_defaults(
    throwaway: dict[str, questions.Question],
) -> None:
    assert [throwaway[n].type for n in ("title", "retries", "ratio", "verbose")] == [
        "str",
        "int",
        "float",
        "bool",
    ]


def test_every_choice_form(throwaway: dict[str, questions.Question]) -> None:
    assert throwaway["flavour"].values == ["vanilla", "chocolate"]
    assert [(c.label, c.value) for c in throwaway["size"].choices] == [("Small", 1), ("Large", 2)]
    fusion = throwaway["engine"].choices[1]
    assert (fusion.label, fusion.value, fusion.disabled) == ("Fusion", "fusion", "not invented yet")


def test_refusals(throwaway: dict[str, questions.Question]) -> None:
    assert throwaway["engine"].refusal("steam") == ""
    assert throwaway["engine"].refusal("fusion") == "'fusion': not invented yet"
    assert throwaway["engine"].refusal("coal") == "'coal' is not one of: steam, fusion"
    # a validator that needs another answer is left to Copier
    assert throwaway["fast"].refusal(True) == ""


def test_casting(throwaway: dict[str, questions.Question]) -> None:
    assert throwaway["retries"].cast("5") == 5
    assert throwaway["ratio"].cast("2.5") == 2.5
    assert throwaway["extras"].cast('{"a": 1}') == {"a": 1}
    assert throwaway["tags"].cast("[x, y]") == ["x", "y"]
    assert throwaway["title"].cast("3.10") == "3.10"
    for question, raw in (("retries", "five"), ("ratio", "x"), ("extras", "{"), ("tags", "[")):
        with pytest.raises(ValueError, match="is not"):
            throwaway[question].cast(raw)


def test_derived_defaults_and_conditions(throwaway: dict[str, questions.Question]) -> None:
    assert throwaway["mirror"].derived
    assert throwaway["mirror"].when == "{{ verbose }}"
    assert not throwaway["title"].derived


def test_options_shows_them_all(run: Run, throwaway: dict[str, questions.Question]) -> None:
    described = json.loads(run("options", "--json").stdout)
    assert [q["name"] for q in described] == list(throwaway)
    text = run("options").stdout
    assert "default: derived: {{ title | lower }}" in text
    assert "only when: {{ verbose }}" in text
    assert "- fusion: Fusion  (disabled: not invented yet)" in text
