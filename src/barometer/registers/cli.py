"""``barometer validate DIR``: check a register folder against the contract, as a Rich table or JSON.

``barometer.cli`` wires ``validate`` into the main Typer app; ``app`` here runs it standalone (and in tests).
Exit code 1 when any problem is an error, 0 when the folder is clean (warnings allowed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from barometer.registers.report import Problem, ValidationReport
from barometer.registers.validate import validate_registers


def _location(problem: Problem) -> str:
    where = problem.file or ""
    if problem.row is not None:
        where += f":{problem.row}"
    return where


def render(report: ValidationReport, console: Console) -> None:
    if not report.problems:
        console.print(
            f"[green]OK[/green] {report.directory}: {sum(report.rows.values())} rows in "
            f"{sum(1 for n in report.rows.values() if n)} tables match contract {report.contract_version}"
        )
        return
    table = Table(title=f"Register validation: {report.directory} (contract {report.contract_version})")
    for header in ("severity", "kind", "table", "column", "file:row", "key", "value", "count", "message"):
        table.add_column(header, overflow="fold")
    for p in report.problems:
        key = ", ".join(f"{k}={v}" for k, v in (p.key or {}).items())
        style = "red" if p.severity == "error" else "yellow"
        table.add_row(
            f"[{style}]{p.severity}[/{style}]",
            p.kind,
            p.table or "",
            p.column or "",
            _location(p),
            key,
            p.value or "",
            str(p.count),
            p.message,
        )
    console.print(table)
    console.print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")


def validate(
    directory: Annotated[
        Path, typer.Argument(help="Register folder (table folders of Parquet parts + manifest.json).")
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    max_examples: Annotated[int, typer.Option(help="Offending rows reported per check.", min=1)] = 20,
    no_manifest: Annotated[bool, typer.Option("--no-manifest", help="Skip manifest.json checks.")] = False,
) -> None:
    """Validate a register folder against the data contract (docs/data-contract.md)."""
    report = validate_registers(directory, max_examples=max_examples, check_manifest_file=not no_manifest)
    if json_output:
        typer.echo(report.model_dump_json(indent=2))
    else:
        render(report, Console(width=200))
    if not report.ok:
        raise typer.Exit(code=1)


def manifest(
    directory: Annotated[Path, typer.Argument(help="Register folder with one sub-folder of Parquet parts per table.")],
    synthetic: Annotated[bool, typer.Option("--synthetic", help="The registers hold invented persons: every "
                                            "output of a release built from them says 'Syntetiske data'. A folder "
                                            "already marked synthetic stays so.")] = False,
) -> None:
    """Write manifest.json for a register folder you assembled yourself (e.g. real registers inside DST).

    The manifest records the contract version, row counts and checksums of every part, so that `build` can prove
    which inputs a release was made from. Run `validate` afterwards.
    """
    from barometer.errors import UsageError
    from barometer.registers.manifest import write_manifest

    if not directory.is_dir():
        raise UsageError(f"{directory}: no such folder")
    written = write_manifest(directory, generator="barometer manifest", synthetic=synthetic)
    if not written.tables:
        (directory / "manifest.json").unlink(missing_ok=True)
        raise UsageError(f"{directory}: no contract table folders with Parquet parts found "
                         "(expected e.g. persons/part-0.parquet; see docs/data-contract.md)")
    rows = sum(t.rows for t in written.tables.values())
    typer.echo(f"wrote {directory / 'manifest.json'}: {len(written.tables)} tables, {rows:,} rows".replace(",", ".")
               + (" (synthetic)" if written.synthetic else ""))


app = typer.Typer(add_completion=False, help="Register tools (standalone; the main CLI registers `validate`).")
app.command("validate")(validate)


@app.callback()
def _group() -> None:
    """Keep `validate` a named subcommand even though it is the only one."""
