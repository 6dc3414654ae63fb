"""Render docs/cli.md from the Typer app itself, so the CLI reference cannot drift from the code.

Run ``python -m barometer.clidoc > docs/cli.md``; tests/test_cli_doc.py fails when the committed file is stale.
"""

from __future__ import annotations

from typing import Any

import typer

from barometer.cli import app
from barometer.cliapp import GLOBAL_OPTIONS

INTRO = """# CLI reference

Generated from the code by `python -m barometer.clidoc > docs/cli.md` — do not edit by hand.

Every command accepts the global options `--store` and `--config` before its name or after it:
`barometer --store data show --area 851` and `barometer show --area 851 --store data` do the same (given in both
places, the later one wins).
Exit codes: 0 success; 1 a failure the arguments did not cause (no release in the store, an unknown release
id) and, for `validate`, registers with errors; 2 bad input or arguments (the message names the file, line,
column or option — `build` refuses invalid registers with 2 and prints the validation report). Every error is
printed as one `error: …` message; its kind has a code in the problem catalogue (docs/problems.md). `serve`
exits with uvicorn's code (3) when the port is taken. A refused input never changes the store: the current
release stays current.

Typical sequence:

```sh
barometer synth --scale 0.1 --out data/registers          # synthetic registers (or your own, per docs/data-contract.md)
barometer validate data/registers                         # check them against the contract
barometer build --registers data/registers --edition 2024-11
barometer diff OLD_ID NEW_ID                              # review what a new build changes before it goes live
barometer show --area 851
barometer report --area 851 --format pdf --out out
barometer serve                                           # http://127.0.0.1:8000
barometer import-published tests/fixtures/published-2024-11.csv --edition 2024-11   # or: the ministry's figures
```
"""


def _param_rows(command: Any, group: bool = False) -> list[str]:
    rows = []
    for param in command.params:
        if param.name == "help" or (not group and param.name in GLOBAL_OPTIONS and not param.expose_value):
            continue  # the global options a command accepts after its name are documented once, above
        if param.param_type_name == "argument":
            name = f"`{param.name.upper()}` (argument)"
        else:
            name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        help_text = (getattr(param, "help", None) or "").replace("|", "\\|").replace("\n", " ")
        default = param.default if not callable(param.default) else None
        shown = "" if default in (None, False, (), []) or param.required else f" Default: `{default}`."
        required = " **Required.**" if param.required and param.param_type_name != "argument" else ""
        rows.append(f"| {name} | {help_text}{required}{shown} |")
    return rows


def render() -> str:
    group: Any = typer.main.get_command(app)  # Typer's (vendored) click Group
    parts = [INTRO, "## Global options\n", "| option | meaning |", "|---|---|", *_param_rows(group, group=True), ""]
    ctx = group.context_class(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        parts += [f"## barometer {name}\n", (command.help or "").strip(), ""]
        rows = _param_rows(command)
        if rows:
            parts += ["| argument / option | meaning |", "|---|---|", *rows, ""]
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
