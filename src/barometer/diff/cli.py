"""`barometer diff OLD NEW`: review what a new release changes before making it current."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from barometer.cliapp import State, existing_store, fail, out
from barometer.formatting import format_number

WORDS: dict[str, dict[str, str]] = {
    "da": {
        "title": "Ændringer fra {old} til {new}", "item": "Tal", "added": "nye", "removed": "fjernet",
        "value": "ny værdi", "status": "ny status", "areas": "områder", "none": "Ingen ændrede tal.",
        "total": "{n} celler (område, tal, periode) er ændret.", "movements": "Ændrede barometerbevægelser",
        "area": "Område", "goal": "Målsætning", "old": "før", "new": "nu", "provenance": "Ændret proveniens",
        "key": "Nøgle", "section": "Del", "no_movement": "–", "same": "Samme udgivelse: ingen ændringer.",
        "parts": "{n} dele ændret (se --json)", "by_area": "Ændrede celler pr. område", "items": "tal",
        "ok": "vist", "suppressed": "diskretioneret", "not_computed": "opgøres ikke", "missing": "mangler",
        "positive": "positiv", "negative": "negativ", "unchanged": "uændret",
    },
    "en": {
        "title": "Changes from {old} to {new}", "item": "Item", "added": "added", "removed": "removed",
        "value": "new value", "status": "new status", "areas": "areas", "none": "No figures changed.",
        "total": "{n} cells (area, item, period) changed.", "movements": "Changed barometer movements",
        "area": "Area", "goal": "Goal", "old": "before", "new": "now", "provenance": "Changed provenance",
        "key": "Key", "section": "Part", "no_movement": "–", "same": "Same release: no changes.",
        "parts": "{n} parts changed (see --json)", "by_area": "Changed cells per area", "items": "items",
        "ok": "shown", "suppressed": "withheld", "not_computed": "not computed", "missing": "missing",
        "positive": "positive", "negative": "negative", "unchanged": "unchanged",
    },
}
MAX_PARTS = 4  # more changed parts of one manifest entry are summed up in one row
MAX_TEXT = 60  # long provenance values (paths, checksums) are cut in the table; --json has them whole


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def diff(
    old: Annotated[str, typer.Argument(help="Id of the earlier release (see `releases`).")],
    new: Annotated[str, typer.Argument(help="Id of the release to compare with it.")],
    as_json: Annotated[bool, typer.Option("--json",
                                          help="Print the whole diff as JSON (fields: docs/api.md).")] = False,
    lang: Annotated[str, typer.Option(help="Language of the tables: da or en.")] = "da",
    by_area: Annotated[bool, typer.Option("--by-area", help="Also summarise the changed cells per area.")] = False,
) -> None:
    """What changed between two releases: cells added, removed or changed, goal movements and provenance.

    Only published figures are compared (a withheld figure has no value in a release, so none can appear).
    With --json: an object whose `changed_cells` counts the (area, item, period) cells that differ and whose
    `changes` lists them; `goal_movements` and `provenance` list the other differences."""
    from barometer.catalogue import load_catalogue
    from barometer.diff.compare import diff_releases
    from barometer.store import open_release

    if lang not in WORDS:
        raise fail(f"--lang must be da or en, got {lang!r}")
    existing_store()
    before, after = open_release(State.store, old), open_release(State.store, new)
    catalogue = load_catalogue()
    result = diff_releases(before, after, catalogue)
    if as_json:
        print(json.dumps(result.as_json(catalogue), ensure_ascii=False, indent=2))
        return
    w = WORDS[lang]
    if before.id == after.id:
        out.print(w["same"], highlight=False)
        return
    table = Table(title=w["title"].format(old=before.id, new=after.id), title_justify="left")
    # Titles are sentences; one line each (cut with …) keeps the summary readable. --json has them whole.
    numbers = ("added", "removed", "value", "status", "areas")
    room = out.width - sum(max(len(w[k]), 6) + 3 for k in numbers) - 4
    table.add_column(w["item"], no_wrap=True, overflow="ellipsis", max_width=max(room, 24))
    for key in numbers:
        table.add_column(w[key], justify="right", no_wrap=True, min_width=len(w[key]))
    for row in result.by_item(catalogue):
        title = row["title_en" if lang == "en" else "title_da"]
        table.add_row(f"{row['item_id']} {escape(title)}",
                      *(format_number(row[k], lang) for k in numbers))
    if result.cells:
        out.print(table)
    if result.cells and by_area:
        out.print(_area_table(result, catalogue, lang, w))
    out.print(w["total"].format(n=format_number(len(result.cells), lang)) if result.cells else w["none"],
              highlight=False)
    if result.movements:
        moves = Table(w["area"], w["goal"], w["old"], w["new"], title=w["movements"], title_justify="left")
        for m in result.movements:
            area = catalogue.area(m.area_code)
            name = (area.name_en or area.name) if lang == "en" else area.name
            goal = catalogue.goal(m.goal_id)
            theme = goal.theme_en if lang == "en" else goal.theme_da
            moves.add_row(f"{m.area_code} {escape(name)}", f"{m.goal_id} {escape(theme)}",
                          w.get(m.old or "", w["no_movement"]), w.get(m.new or "", w["no_movement"]))
        out.print(moves)
    if result.provenance:
        prov = Table(w["section"], w["key"], w["old"], w["new"], title=w["provenance"], title_justify="left")
        for section, key, before_text, after_text in _provenance_rows(result.provenance, w):
            prov.add_row(section, escape(key), escape(before_text), escape(after_text))
        out.print(prov)


def _area_table(result: Any, catalogue: Any, lang: str, w: dict[str, str]) -> Table:
    table = Table(title=w["by_area"], title_justify="left")
    table.add_column(w["area"], no_wrap=True, overflow="ellipsis", max_width=24)
    for key in ("added", "removed", "value", "status", "items"):
        table.add_column(w[key], justify="right", no_wrap=True, min_width=len(w[key]))
    for row in result.by_area(catalogue):
        name = row["name_en" if lang == "en" else "name"]
        table.add_row(f"{row['area_code']} {escape(name)}",
                      *(format_number(row[k], lang) for k in ("added", "removed", "value", "status", "items")))
    return table


def _provenance_rows(changes: list, w: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """One row per changed entry; an entry with many changed parts (every register file's checksum, the
    suppression counts of every item) becomes one row saying how many parts changed."""
    groups: dict[str, list] = {}
    for p in changes:
        groups.setdefault(p.key.split(".")[0].split("[")[0], []).append(p)
    rows = []
    for top, parts in groups.items():
        if len(parts) > MAX_PARTS:
            rows.append((parts[0].section, top, w["parts"].format(n=len(parts)), ""))
        else:
            rows += [(p.section, p.key, _short(p.old), _short(p.new)) for p in parts]
    return rows
