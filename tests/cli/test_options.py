"""``fastasync options`` shows every question of copier.yml, read from copier.yml."""

from __future__ import annotations

import json

from tests.cli.helpers import Run, copier_questions


def test_text_lists_every_question(run: Run) -> None:
    result = run("options")
    assert result.exit_code == 0, result.output
    for name, spec in copier_questions().items():
        assert name in result.stdout
        assert spec.get("help", "").strip() in result.stdout
        if "when" in spec:
            assert f"only when: {spec['when']}" in result.stdout


def test_text_marks_disabled_choices_and_derived_defaults(run: Run) -> None:
    out = run("options").stdout
    for name, spec in copier_questions().items():
        choices = spec.get("choices") or {}
        if isinstance(choices, dict):
            for label, value in choices.items():
                if isinstance(value, dict) and value.get("validator"):
                    assert f"- {value['value']}: {label}  (disabled: {value['validator']})" in out
        default = spec.get("default")
        if isinstance(default, str) and "{{" in default:
            assert f"default: derived: {' '.join(default.split())}" in out, name


def test_json_matches_copier_yml(run: Run) -> None:
    result = run("options", "--json")
    assert result.exit_code == 0, result.output
    described = json.loads(result.stdout)
    declared = copier_questions()
    assert [q["name"] for q in described] == list(declared)
    for entry in described:
        spec = declared[entry["name"]]
        assert entry["type"] == spec.get("type", "yaml")
        assert entry["help"] == spec.get("help", "").strip()
        assert entry["required"] == ("default" not in spec)
        assert entry["when"] == spec.get("when")
        if "default" in spec:
            assert entry["default"] == spec["default"]
        raw = spec.get("choices") or {}
        values = [
            (v["value"] if isinstance(v, dict) else v)
            for v in (raw.values() if isinstance(raw, dict) else raw)
        ]
        assert [c["value"] for c in entry["choices"]] == values
        for choice in entry["choices"]:
            source = raw.get(choice["label"]) if isinstance(raw, dict) else None
            expected = source.get("validator") if isinstance(source, dict) else None
            assert choice["disabled"] == expected


def test_json_names_flags_and_refused_switches(run: Run) -> None:
    described = {q["name"]: q for q in json.loads(run("options", "--json").stdout)}
    assert described["database"]["flag"] == "--database"
    assert described["python_version"]["flag"] == "--python"
    assert described["project_name"]["flag"] == "NAME argument"
    for name, spec in copier_questions().items():
        if spec.get("type") == "bool" and "not available" in str(spec.get("validator", "")):
            assert [r["value"] for r in described[name]["refused"]] == [True]
