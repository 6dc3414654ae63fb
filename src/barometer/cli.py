"""The `barometer` command line: the commands that read and publish releases, and the wiring of all others.

The app, its global options (``--store DIR``, default ``data/`` or $BAROMETER_STORE; ``--config FILE``) and the
one mapping of errors to messages and exit codes live in the leaf module ``barometer.cliapp``; the commands live
beside the code they drive (``*/cli.py``) and import only that leaf, which is why this module can import them all.
Errors the user can fix are printed as one clear message and exit with code 2 (bad input) or 1 (failure).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from barometer.catalogue import load_catalogue
from barometer.cliapp import State, app, check_area, err, existing_store, fail, load_index, out
from barometer.notice import synthetic_label, synthetic_note
from barometer.provenance import provenance
from barometer.settings import current_settings
from barometer.sources.published import read_published
from barometer.store import current_release_id, list_releases, open_release, publish, set_current
from barometer.view import BarometerView, build_view

__all__ = ["State", "app", "check_area", "err", "fail", "load_index", "out"]


@app.command("import-published")
def import_published(
    file: Annotated[Path, typer.Argument(help="CSV with area_code,item_id,period,value,development.")],
    edition: Annotated[str, typer.Option(help="Edition the figures belong to, e.g. 2024-11.")],
) -> None:
    """Publish a release from the ministry's published figures (docs/published-csv.md)."""
    catalogue = load_catalogue()
    if edition not in {e.id for e in catalogue.editions}:
        raise fail(f"--edition {edition!r} is not a known edition ({', '.join(e.id for e in catalogue.editions)})")
    if not file.is_file():
        raise fail(f"{file}: no such file")
    observations = read_published(file, catalogue, edition)  # PublishedImportError says no release was written
    release = publish(State.store, observations, edition, provenance({"published_csv": file}, kind="published",
                                                                      synthetic=False))
    out.print(f"published release [bold]{release.id}[/] ({observations.num_rows} observations) in {State.store}")


RELEASE_SUMMARY = ("id", "edition", "created", "kind", "synthetic", "observations", "code_version",
                   "catalogue_version")


@app.command("releases")
def releases(as_json: Annotated[bool, typer.Option("--json", help="Print JSON: one summary per release.")] = False,
             full: Annotated[bool, typer.Option("--full", help="With --json: each release's whole manifest.")] = False,
             ) -> None:
    """List the releases in the store (oldest first; the current one is marked)."""
    found = list_releases(existing_store())
    current = current_release_id(State.store)
    if as_json:
        # a whole manifest (definitions, register checksums, suppression tables) is some 100 KB: on request only
        entries = [r.manifest if full else {key: r.manifest.get(key) for key in RELEASE_SUMMARY} for r in found]
        print(json.dumps([{**entry, "current": r.id == current} for entry, r in zip(entries, found, strict=True)],
                         ensure_ascii=False, indent=2))
        return
    table = Table("release", "edition", "made from", "created", "observations", "current")
    table.columns[0].no_wrap = True  # ids must stay whole to be copied into --release or `use`
    for r in found:
        made_from = (r.manifest.get("kind") or "") + (" (synthetic)" if r.synthetic else "")
        table.add_row(r.id, r.edition, made_from, r.manifest["created"],
                      str(r.manifest["observations"]["rows"]), "*" if r.id == current else "")
    out.print(table)
    if not found:
        out.print(f"no releases in {State.store} yet")
    from barometer.store.files import leftovers

    if stray := leftovers(State.store):
        out.print(f"{len(stray)} leftovers of interrupted writes (the next publish removes those whose process is "
                  "gone or that are over an hour old):", highlight=False)
        for item in stray:
            out.print(f"  {item.path} ({'stale' if item.stale else 'in use'})", highlight=False)


@app.command("use")
def use(release: Annotated[str, typer.Argument(help="Id of the release to make current (see `releases`).")]) -> None:
    """Make an earlier (or any) release current again — a roll-back; the website follows within seconds."""
    chosen = open_release(State.store, release)
    set_current(State.store, chosen.id)
    out.print(f"current release is now [bold]{chosen.id}[/]")


@app.command("show")
def show(
    area: Annotated[str, typer.Option(help="Area code: 000, a region (081-085) or a municipality (e.g. 851).")],
    release: Annotated[str | None, typer.Option(help="Release id (default: the current release).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report content as JSON.")] = False,
    lang: Annotated[str, typer.Option(help="Language of texts: da or en.")] = "da",
    significance: Annotated[bool | None, typer.Option(
        "--significance/--no-significance",
        help="Mark developments larger than the year-to-year noise (S, model-based), as `report "
             "--significance` does. Default: the [report] significance setting, off.")] = None,
) -> None:
    """Print an area's barometer: goals, indicators, movements and key figures."""
    if lang not in ("da", "en"):
        raise fail("--lang must be da or en")
    view = build_view(load_index(release), check_area(area), lang=lang)  # type: ignore[arg-type]
    if as_json:
        json.dump(view.show_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    _print_view(view, current_settings().report.significance if significance is None else significance)


def _cell(text: str, flag: str, words: dict[str, str]) -> str:
    """What a cell shows: the figure, "Opgøres ikke", or "–" for a hidden or missing figure (never 0)."""
    if flag == "not_computed":
        return words["not_computed"]
    return text or words["suppressed"]


def _print_view(view: BarometerView, significance: bool = False) -> None:
    from barometer.reports.render import MOVEMENT_SYMBOL, report_strings

    words = report_strings(view.lang)
    if view.synthetic:
        out.print(f"[bold red]{synthetic_label(view.lang)}:[/] {synthetic_note(view.lang)}", highlight=False)
    table = Table("", words["status_header"], words["development_header"].rstrip("*"), words["movement_label"],
                  title=f"{view.area.name} — {view.edition_label}", title_justify="left")
    for goal in view.goals:
        movement = (f"{MOVEMENT_SYMBOL[goal.movement]} {words['movement_' + goal.movement]}"
                    if goal.movement else "")
        if goal.basis_text:
            movement = f"{movement}\n({escape(goal.basis_text)})" if movement else f"({escape(goal.basis_text)})"
        table.add_row(f"[bold]{escape(goal.title)}[/]", str(goal.status_year or ""),
                      words["since"].format(year=goal.baseline_year), movement)
        for ind in goal.indicators:
            outcome = words["movement_" + ind.outcome] if ind.outcome else ""
            development = _cell(ind.development_text, ind.development_status, words)
            if significance and ind.significant:
                development += f" {words['significant_mark']}"
            table.add_row(f"  {ind.id} {escape(ind.title)}", _cell(ind.status_text, ind.value_status, words),
                          development, outcome)
    out.print(table)
    country = load_catalogue().country.display_name(view.lang)
    for section in view.sections:
        figures = Table("", view.area.name, country, title=section.title, title_justify="left")
        for k in section.key_figures:
            figures.add_row(f"{words['key_figure']} {k.number} - {escape(k.title)} - {k.period_text}",
                            _cell(k.value_text, k.value_status, words),
                            _cell(k.national_text, k.national_status, words))
        out.print(figures)
    out.print(words["suppressed_note"])
    out.print(f"{words['published_by']} {escape(view.publisher)}", highlight=False)
    if significance and any(i.significant for g in view.goals for i in g.indicators):
        out.print(f"{words['significant_mark']} {words['significant_note']}")


def _register_optional_commands() -> None:
    """Commands of packages that are optional at import time (heavy dependencies load lazily inside them)."""
    from barometer.bundle.cli import bundle
    from barometer.diff.cli import diff
    from barometer.engine.cli import build
    from barometer.exports.cli import export
    from barometer.registers.cli import manifest, validate
    from barometer.reports.cli import report
    from barometer.synth.cli import synth
    from barometer.web.cli import serve

    app.command("manifest")(manifest)
    app.command("validate")(validate)
    app.command("synth")(synth)
    app.command("build")(build)
    app.command("report")(report)
    app.command("export")(export)
    app.command("serve")(serve)
    app.command("diff")(diff)
    app.command("bundle")(bundle)


_register_optional_commands()
