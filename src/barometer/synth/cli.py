"""`barometer synth`: generate synthetic registers with a progress bar (``barometer.cli`` wires ``synth`` in)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from barometer.synth.generate import generate

YEARS = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def parse_years(text: str) -> range:
    """'2012-2024' or '2020' as a range of years; a clear error otherwise."""
    match = YEARS.match(text.strip())
    if not match:
        raise typer.BadParameter(f"{text!r} is not a year or a range like 2012-2024", param_hint="--years")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise typer.BadParameter(f"{text!r}: the last year is before the first", param_hint="--years")
    if first < 2012 or last > 2024:
        raise typer.BadParameter(f"{text!r}: the generator covers 2012-2024", param_hint="--years")
    return range(first, last + 1)


def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the register tables and manifest.json to.")],
    scale: Annotated[float, typer.Option(help="Share of the real population (1 = about 5.9 million persons).")] = 0.01,
    years: Annotated[str, typer.Option(help="Years to cover, e.g. 2012-2024.")] = "2012-2024",
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives byte-identical Parquet files.")] = 1,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    force: Annotated[bool, typer.Option("--force", help="Replace register data already in --out.")] = False,
) -> None:
    """Generate a synthetic Denmark: person-level registers in the register contract's layout."""
    if not scale > 0:
        raise typer.BadParameter(f"must be > 0, got {scale}", param_hint="--scale")
    if workers < 1:
        raise typer.BadParameter(f"must be >= 1, got {workers}", param_hint="--workers")
    span = parse_years(years)
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("persons"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("synth", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        rows = generate(out, scale, span, seed, progress=progress, workers=workers, force=force)
    console.print(f"wrote {sum(rows.values()):,} rows in {sum(1 for n in rows.values() if n)} tables to {out}")

