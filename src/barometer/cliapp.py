"""The `barometer` Typer app, its global options and the one place where errors become messages and exit codes.

A leaf of the command line: every command module (``barometer.cli`` and the ``*/cli.py`` beside the code they
drive) imports this module, and this module imports no command, so the command line has no import cycle.
``barometer.cli`` registers the commands.

``--store`` and ``--config`` are accepted before the command (``barometer --store data show --area 851``) and after
it (``barometer show --area 851 --store data``), as people type them; given in both places, the later one wins.
A :class:`~barometer.errors.BarometerError` raised anywhere in a command is printed as ``error: MESSAGE`` and
exits with its exit code (2 input or arguments the user can correct, 1 other failures), here and nowhere else.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from barometer.errors import BarometerError, UsageError
from barometer.settings import current_settings
from barometer.store import StoreError, resolve_store

if TYPE_CHECKING:
    from barometer.view import ReleaseIndex

err = Console(stderr=True, soft_wrap=True)
out = Console()

GLOBAL_OPTIONS = ("store", "config")


class State:
    store: Path = resolve_store(None)


def fail(message: str, code: int = 2) -> BarometerError:
    """The error to raise for a user-facing problem found by a command (exit ``code``: 2 bad input, 1 failure)."""
    if code == 2:
        return UsageError(message)
    return BarometerError(message, exit_code=code)


def report(exc: BarometerError) -> None:
    """Print an error as the command line shows every error: one line (or block) starting with ``error:``."""
    err.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False)


def apply_store(store: Path | None) -> None:
    """Use ``store`` (else $BAROMETER_STORE, else data/) as the folder where releases live."""
    State.store = resolve_store(store)


def apply_config(config: Path | None) -> None:
    """Read the settings file now, so a bad one fails before the command does anything."""
    if config is not None:
        os.environ["BAROMETER_CONFIG"] = str(config)
        current_settings.cache_clear()
    current_settings()


def _after_command(ctx: Any, param: Any, value: Any) -> None:
    """A global option given after the command: applied over what was given (or defaulted) before it."""
    if value is None or ctx.resilient_parsing:
        return
    if param.name == "store":
        apply_store(value)
    else:
        apply_config(value)


class BarometerGroup(TyperGroup):
    """The main group: global options accepted after each command too, and BarometerError mapped to an exit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        globals_ = [p for p in self.params if p.name in GLOBAL_OPTIONS]
        for command in self.commands.values():
            names = {p.name for p in command.params}
            for param in globals_:
                if param.name in names:
                    continue
                copied = copy.copy(param)
                copied.expose_value = False
                copied.callback = _after_command
                copied.envvar = None  # the environment is read once, by the option before the command
                command.params.append(copied)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BarometerError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from exc


app = typer.Typer(cls=BarometerGroup,
                  help="Integrationsbarometer: compute, publish and serve the Danish integration barometer.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)


@app.callback()
def main(
    store: Annotated[Path | None, typer.Option(help="Folder where releases live (env BAROMETER_STORE; default: "
                                                    "data/). Also accepted after the command.")] = None,
    config: Annotated[Path | None, typer.Option(help="Settings file (TOML, docs/configuration.md) (env "
                                                     "BAROMETER_CONFIG). Also accepted after the command.")] = None,
) -> None:
    apply_store(store)
    apply_config(config)


def existing_store() -> Path:
    """The store folder, which must exist (commands that only read releases say so instead of listing none)."""
    if not State.store.is_dir():
        raise StoreError(f"store {State.store} does not exist (check --store or BAROMETER_STORE)",
                         code="store_missing")
    return State.store


def load_index(release_id: str | None) -> ReleaseIndex:
    """The index of a release (the current one when ``release_id`` is None); StoreError (exit 1) otherwise."""
    from barometer.store import open_release
    from barometer.view import ReleaseIndex

    return ReleaseIndex.load(open_release(State.store, release_id))


def check_area(code: str) -> str:
    """``code`` if the catalogue knows the area; a usage error naming ``--area`` otherwise."""
    from barometer.catalogue import load_catalogue

    if not load_catalogue().has_area(code):
        raise UsageError(f"--area {code!r} is not a known area code (000 Hele landet, 081-085 regions, "
                         "or a municipality code such as 851)")
    return code
