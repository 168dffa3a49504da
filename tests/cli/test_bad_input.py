"""Every bad input, table by table: the exit code, one ``error:`` line, no traceback, and the
file system exactly as it was.

The tables are generated where copier.yml decides: every choice flag with a value it does not
offer, every yes/no question given a word that is not yes or no, and every pair of answers
that a question's ``when`` rules out. The project commands run against a small checkout
template (tests/cli/templates.py), on a fresh copy of one generated project per test.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, meta

from fastasync_cli import source
from fastasync_cli.commands.new import FLAGS
from tests.cli.helpers import Run, Tree, assert_error, commit, copier_questions, generate
from tests.cli.templates import FILES_V1, TemplateRepo

QUESTIONS = copier_questions()
_JINJA = Environment()


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    exit_code: int
    fragments: tuple[str, ...]
    prepare: Callable[[Path], None] | None = field(default=None, compare=False)


def _values(spec: dict[str, Any]) -> list[Any]:
    choices = spec.get("choices")
    if isinstance(choices, dict):
        return [c["value"] if isinstance(c, dict) else c for c in choices.values()]
    if choices:
        return list(choices)
    return [True, False] if spec.get("type") == "bool" else []


def _static_defaults() -> dict[str, Any]:
    return {
        name: spec.get("default")
        for name, spec in QUESTIONS.items()
        if not (isinstance(spec.get("default"), str) and "{{" in spec["default"])
    }


def _render(expression: str, context: dict[str, Any]) -> str:
    return _JINJA.from_string(expression).render(context).strip()


def _holds(expression: str, context: dict[str, Any]) -> bool:
    return _render(expression, context).lower() not in {"", "false", "none", "0", "no"}


def when_conflicts() -> Iterator[Case]:
    """For each question with a `when`: each answer to a question it reads that makes it
    false, given together with an answer to the question itself."""
    for name, spec in QUESTIONS.items():
        if "when" not in spec:
            continue
        used = meta.find_undeclared_variables(_JINJA.parse(spec["when"]))
        for var in sorted(used & QUESTIONS.keys()):
            for value in _values(QUESTIONS[var]):
                context = {**_static_defaults(), var: value}
                if _holds(spec["when"], context):
                    continue
                default = spec.get("default")
                if isinstance(default, str) and "{{" in default:  # computed: say the opposite
                    answer: Any = _render(default, context).lower() != "true"
                else:
                    answer = next(v for v in _values(spec) if v != default)
                yield Case(
                    f"when-{name}={answer}-{var}={value}",
                    ("svc", "-y", "--no-git", "-d", f"{var}={value}", "-d", f"{name}={answer}"),
                    2,
                    (f"--data {name}: ", name),
                )


def wrong_flag_values() -> Iterator[Case]:
    for name, flag in FLAGS.items():
        spec = QUESTIONS[name]
        if spec.get("choices"):
            yield Case(
                f"flag-{name}", ("svc", "-y", flag, "nope"), 2, (f"{flag}: 'nope' is not one of",)
            )
        elif spec.get("type") == "bool":
            yield Case(
                f"data-{name}",
                ("svc", "-y", "-d", f"{name}=maybe"),
                2,
                (f"--data {name}: 'maybe' is not a yes/no value",),
            )


NAME = "Validation error for question 'project_name'"
PACKAGE = "Validation error for question 'package_name'"
NEW_CASES = [
    Case("name-digit", ("9lives", "-y"), 2, (NAME, "'9lives' is not a valid project name")),
    Case("name-space", ("my service", "-y"), 2, (NAME, "is not a valid project name")),
    Case("name-keyword", ("class", "-y"), 2, (PACKAGE, "'class' (from the project name")),
    Case("name-shadows", ("asyncio", "-y"), 2, (PACKAGE, "shadows a module")),
    Case("name-empty", ("", "-y"), 2, (NAME, "must not be empty")),
    Case("name-300", ("a" * 300, "-y"), 2, (NAME, "300 characters long: use at most 64")),
    Case("name-65", ("a" * 65, "-y"), 2, (NAME, "65 characters long")),
    Case("name-path", ("../x", "-y"), 2, (NAME, "not a valid project name")),
    Case("package-invalid", ("svc", "-y", "--package-name", "Bad-Pkg"), 2, ("not a valid",)),
    Case("package-long", ("svc", "-y", "--package-name", "p" * 70), 2, ("70 characters long",)),
    Case("email", ("svc", "-y", "--author-email", "nobody"), 2, ("is not an email address",)),
    *wrong_flag_values(),
    *when_conflicts(),
    Case("data-no-equals", ("svc", "-y", "-d", "database"), 2, ("expected KEY=VALUE",)),
    Case("data-no-key", ("svc", "-y", "-d", "=sqlite"), 2, ("expected KEY=VALUE",)),
    Case("data-unknown", ("svc", "-y", "-d", "colour=blue"), 2, ("unknown question 'colour'",)),
    Case("data-name", ("svc", "-y", "-d", "project_name=x"), 2, ("the NAME argument",)),
    Case("data-choice", ("svc", "-y", "-d", "database=oracle"), 2, ("'oracle' is not one of",)),
    Case(
        "flag-and-data-disagree",
        ("svc", "-y", "--database", "sqlite", "-d", "database=none"),
        2,
        ("--database and --data database disagree",),
    ),
    Case("preset-unknown", ("svc", "--preset", "huge"), 2, ("huge",)),
    Case("output-is-a-file", ("svc", "-y", "-o", "keep.txt"), 1, ("is not a directory",)),
    Case("output-missing", ("svc", "-y", "-o", "nowhere"), 1, ("does not exist",)),
    Case("output-too-long", ("svc", "-y", "-o", "d" * 300), 1, ("File name too long",)),
    Case("target-not-empty", ("full", "-y"), 1, ("already exists and is not empty",)),
    Case("target-is-a-file", ("keep.txt", "-y"), 1, ("already exists and is not a directory",)),
]


def _world(root: Path) -> Tree:
    """Everything under `root` but git's own bookkeeping, which `git status` may refresh."""
    tree = Tree.of(root)
    return Tree(
        {k: v for k, v in tree.files.items() if "/.git/" not in f"/{k}"},
        frozenset(d for d in tree.dirs if "/.git" not in f"/{d}"),
    )


@pytest.mark.parametrize("case", NEW_CASES, ids=lambda c: c.id)
def test_new_refuses(run: Run, cli_env: Path, case: Case) -> None:
    (cli_env / "keep.txt").write_bytes(b"precious\n")
    (cli_env / "full").mkdir()
    (cli_env / "full" / "mine.txt").write_bytes(b"mine\n")
    before = _world(cli_env)
    assert_error(run("new", *case.args), case.exit_code, *case.fragments)
    assert _world(cli_env) == before


def test_the_tables_are_large() -> None:
    """The generated parts did generate: a conflict for each `when` question at least."""
    conditional = [n for n, s in QUESTIONS.items() if "when" in s]
    conflicts = list(when_conflicts())
    assert {c.id.split("=")[0].removeprefix("when-") for c in conflicts} == set(conditional)
    assert len(NEW_CASES) + len(PROJECT_CASES) >= 40


# The project commands ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    repo = TemplateRepo.create(tmp_path_factory.mktemp("bad-input") / "checkout")
    repo.commit(FILES_V1, "The template")
    return repo


_PRISTINE: dict[Path, Path] = {}
"""The project generated from each checkout, once per worker."""


@pytest.fixture
def project(
    run: Run,
    checkout: TemplateRepo,
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A fresh copy (with its repository) of a project generated once per worker."""
    monkeypatch.setenv(source.TEMPLATE_ENV, str(checkout.path))
    if checkout.path not in _PRISTINE:
        # with a flavour, so that `remove flavor` has something to do
        _PRISTINE[checkout.path] = generate(
            run, tmp_path_factory.mktemp("pristine"), "svc", "-d", "flavor=a"
        )
    copy = cli_env / "svc"
    shutil.copytree(_PRISTINE[checkout.path], copy, symlinks=True)
    return copy


def _edit_answers(replace: tuple[str, str] | None = None, text: str | None = None) -> Any:
    def prepare(project: Path) -> None:
        answers = project / ".copier-answers.yml"
        if text is not None:
            answers.write_text(text)
        elif replace is not None:
            old = answers.read_text()
            assert replace[0] in old
            answers.write_text(old.replace(*replace))
        commit(project, "Edited answers")

    return prepare


def _delete_answers(project: Path) -> None:
    (project / ".copier-answers.yml").unlink()
    commit(project, "No answers")


def _no_git(project: Path) -> None:
    shutil.rmtree(project / ".git")


def _dirty(project: Path) -> None:
    (project / "README.md").write_text("# work in progress\n")


def _with_src_path(project: Path, value: str) -> None:
    answers = project / ".copier-answers.yml"
    lines = [
        f"_src_path: {value}" if line.startswith("_src_path:") else line
        for line in answers.read_text().splitlines()
    ]
    answers.write_text("\n".join(lines) + "\n")
    commit(project, "Moved template")


COMMANDS = {
    "check": ("check",),
    "update": ("update",),
    "add": ("add", "extra"),
    "remove": ("remove", "flavor"),
}
WHERE = "{project}"


def _per_command() -> Iterator[Case]:
    states: list[tuple[str, Callable[[Path], None] | None, str | None, int, tuple[str, ...]]] = [
        ("empty-folder", None, "{empty}", 1, ("is not a fastasync project",)),
        ("missing-folder", None, "{missing}", 1, ("is not a directory",)),
        ("not-under-git", _no_git, WHERE, 1, ("is not under git",)),
        ("answers-missing", _delete_answers, WHERE, 1, ("is not a fastasync project",)),
        (
            "answers-corrupt",
            _edit_answers(text="_src_path: [unclosed\n"),
            WHERE,
            1,
            ("cannot read",),
        ),
        (
            "answers-without-source",
            _edit_answers(text="project_name: svc\npackage_name: svc\n"),
            WHERE,
            1,
            ("records no template source and version",),
        ),
        (
            "template-gone",
            lambda p: _with_src_path(p, "/nonexistent/template"),
            WHERE,
            1,
            ("the template svc was rendered from is missing: /nonexistent/template",),
        ),
        (
            "answer-refused",
            _edit_answers(("flavor: a", "flavor: oracle")),
            WHERE,
            2,
            ("flavor", "'oracle' is not"),
        ),
    ]
    for command, args in COMMANDS.items():
        for state, prepare, where, code, fragments in states:
            yield Case(f"{command}-{state}", (*args, "-C", str(where)), code, fragments, prepare)
        if command != "check":
            yield Case(
                f"{command}-dirty", (*args, "-C", WHERE), 1, ("has uncommitted changes",), _dirty
            )
        yield Case(
            f"{command}-two-folders",
            (*args, WHERE, "-C", "{empty}"),
            2,
            ("name different folders: give one",),
        )


PROJECT_CASES = [
    *_per_command(),
    Case("add-unknown", ("add", "colour", "-C", WHERE), 2, ("unknown",)),
    Case("add-bad-value", ("add", "flavor=z", "-C", WHERE), 2, ("'z' is not one of",)),
    Case("add-not-available", ("add", "flavor=c", "-C", WHERE), 2, ("not available",)),
    Case("add-off-value", ("add", "flavor=none", "-C", WHERE), 2, ("use `fastasync remove",)),
    Case("remove-with-value", ("remove", "flavor=a", "-C", WHERE), 2, ("without a value",)),
    Case("remove-no-off-value", ("remove", "server", "-C", WHERE), 2, ("can only be changed",)),
    Case(
        "add-ruled-out",
        ("add", "extra_mode=slow", "-C", WHERE),
        1,
        ("it applies only when",),
    ),
]


@pytest.mark.parametrize("case", PROJECT_CASES, ids=lambda c: c.id)
def test_project_commands_refuse(run: Run, project: Path, cli_env: Path, case: Case) -> None:
    (cli_env / "empty").mkdir()
    if case.prepare is not None:
        case.prepare(project)
    places = {"project": project, "empty": cli_env / "empty", "missing": cli_env / "missing"}
    args = [a.format(**places) for a in case.args]
    before = _world(cli_env)
    assert_error(run(*args), case.exit_code, *case.fragments)
    assert _world(cli_env) == before
    if (project / ".git").is_dir():
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
        )
        assert status.stdout == ("" if case.prepare is not _dirty else " M README.md\n")


# What the file system refuses ----------------------------------------------------------------


@pytest.fixture
def mount_tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount a small tmpfs under tmp_path (root only: skipped elsewhere, saying so)."""
    mounted: list[Path] = []

    def _mount(options: str) -> Path:
        where = tmp_path / f"fs{len(mounted)}"
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip("mounting a small tmpfs needs root (mount -t tmpfs)")
        mounted.append(where)
        return where

    if shutil.which("mount") is None:
        pytest.skip("no mount command here to make a small file system")
    yield _mount
    for where in mounted:
        subprocess.run(["umount", str(where)], check=False)


# Copier leaves its directory walk's scandir iterator to the garbage collector when a write
# fails in the middle of it: harmless, but reported as an unraisable ResourceWarning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ("size=48k", "No space left on device"),  # fills up halfway through the project
        ("ro,size=1m", "is not writable"),
    ],
    ids=["full", "read-only"],
)
def test_a_file_system_that_refuses_is_one_line_and_keeps_nothing(
    run: Run, mount_tmpfs: Callable[..., Path], options: str, fragment: str
) -> None:
    fs = mount_tmpfs(options)
    assert_error(run("new", "svc", "-y", "-o", str(fs)), 1, fragment)
    assert list(fs.iterdir()) == []
