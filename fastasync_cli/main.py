"""The ``fastasync`` command: the root Typer app, ``--version``, and its commands."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from fastasync_cli import __version__
from fastasync_cli.commands import add, check, new, options, remove, update
from fastasync_cli.errors import Aborted, FastasyncError, OSFailure, report

EXAMPLES = """\
[bold]Examples[/bold]

  fastasync new myservice                  [dim]# asks the questions[/dim]

  fastasync new myservice -y               [dim]# every default, asks nothing[/dim]

  fastasync new myservice --preset full -o ~/code

  fastasync new myservice -y --python 3.12 --author-name "Ada Lovelace"

  fastasync new myservice -y -d description="Orders API" --no-git

  fastasync options                        [dim]# questions, choices, defaults[/dim]

  fastasync check                          [dim]# is a newer template available?[/dim]

  fastasync update                         [dim]# take it, keeping your changes[/dim]

  fastasync add ci=github                  [dim]# switch a feature on later[/dim]

  fastasync remove docker --yes            [dim]# ...or off[/dim]
"""


class _Group(TyperGroup):
    """Reports every FastasyncError (and Ctrl-C) as one line with its exit code: the one place."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FastasyncError as error:
            raise typer.Exit(report(error)) from None
        except KeyboardInterrupt:
            raise typer.Exit(report(Aborted())) from None
        except OSError as error:  # no space left, a name too long...: each command cleans up
            raise typer.Exit(report(OSFailure.of(error))) from None


app = typer.Typer(
    name="fastasync",
    cls=_Group,
    help="Generate production-ready async FastAPI services from one Copier template.",
    epilog=EXAMPLES,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"fastasync {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_show_version, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Generate production-ready async FastAPI services from one Copier template."""


app.command(cls=new.NewCommand, epilog=EXAMPLES)(new.new)
app.command()(update.update)
app.command()(add.add)
app.command()(remove.remove)
app.command()(check.check)
app.command()(options.options)


def interrupt_on_termination() -> None:
    """Treat SIGTERM and SIGHUP (a closed terminal) like Ctrl-C.

    Their default action ends the process at once, which would leave a half-written project
    behind; as KeyboardInterrupt they go through the same clean-up as Ctrl-C.
    """

    def _interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)


def main() -> None:
    """Console-script entry point."""
    interrupt_on_termination()
    app()
