"""`barometer report`: write Udviklingsrapporter (PDF and/or HTML) for one area or all of them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometer.cliapp import State, check_area, fail, load_index
from barometer.cliapp import out as console
from barometer.settings import current_settings


def report(
    area: Annotated[str | None, typer.Option(help="Area code: 000, a region (081-085) or a municipality "
                                                  "(e.g. 851).")] = None,
    all_areas: Annotated[bool, typer.Option("--all", help="Every area: Hele landet, the regions and the "
                                                          "municipalities.")] = False,
    format: Annotated[list[str] | None, typer.Option("--format", help="pdf, html or both; repeatable "
                                                                      "(default: pdf).")] = None,
    out: Annotated[Path, typer.Option(help="Folder to write the reports to.")] = Path("reports"),
    release: Annotated[str | None, typer.Option(help="Release id (default: the current release).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the report: da or en.")] = "da",
    jobs: Annotated[int, typer.Option(help="Processes to render with (for --all).", min=1)] = 1,
    significance: Annotated[bool | None, typer.Option(
        "--significance/--no-significance",
        help="Mark developments larger than the year-to-year noise (S, model-based; docs/uncertainty.md). "
             "Default: the [report] significance setting, off — the report reads like the ministry's.")] = None,
) -> None:
    """Render the Udviklingsrapport: the barometer and key figures of an area, as A4 PDF and/or HTML."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from barometer.catalogue import load_catalogue
    from barometer.reports.batch import FORMATS, write_reports

    if (area is None) == (not all_areas):
        raise fail("give either --area CODE or --all")
    if lang not in ("da", "en"):
        raise fail(f"--lang must be da or en, got {lang!r}")
    formats: list[str] = []
    for item in format or ["pdf"]:
        for fmt in FORMATS if item == "both" else [item]:
            if fmt not in FORMATS:
                raise fail(f"--format {item!r} is not one of {', '.join(FORMATS)}, both")
            if fmt not in formats:
                formats.append(fmt)
    codes = [a.code for a in load_catalogue().areas] if all_areas else [check_area(area or "")]
    index = load_index(release)  # a clear error (exit 1) for an empty store or an unknown release
    if significance is None:
        significance = current_settings().report.significance
    release_id = index.release.id

    if len(codes) == 1:
        written = write_reports(State.store, codes, formats, out, lang, jobs, index=index,
                                significance=significance)
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("Rendering reports", total=len(codes))
            written = write_reports(State.store, codes, formats, out, lang, jobs, index=index,
                                    significance=significance, on_area_done=lambda code, paths: progress.advance(task))
    for path in written:
        console.print(str(path), highlight=False, soft_wrap=True)
    console.print(f"{len(written)} report file(s) from release {release_id} in {out}", highlight=False, soft_wrap=True)
