"""Suppression per item for a release's latest year: how many cells are published, and why the others are not.

    .venv/bin/python benchmarks/suppression.py STORE [RELEASE_ID] [--area 851] [--markdown]

Reads the release's manifest (``suppression_latest``: per item, the edition's latest period and its cells split
into published, primary, secondary and empty groups) and its observations (the status of Hele landet and of
``--area``). A release built before that record existed gets the columns the observations alone can give
(published and hidden; the split shows as "?"), so the table before and after a change in the rules can be
printed side by side from two releases. Not a timing: the figures are counts of cells.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from barometer.catalogue import load_catalogue
from barometer.store import open_release

COLUMNS = ("item", "period", "cells", "published", "primary", "secondary", "empty", "country", "area")


def _latest_period(item, edition: str) -> str | None:  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    if hasattr(item, "goal"):
        year = catalogue.goal(item.goal).latest_year.get(edition)
        return str(year) if year else None
    return item.reference_period.get(edition)


def suppression_table(store: Path, release_id: str | None, area: str) -> list[dict[str, object]]:
    """One row per item of the catalogue (in its order) for the release's latest period of that item."""
    release = open_release(store, release_id)
    catalogue = load_catalogue()
    record = release.manifest.get("suppression_latest") or {}
    statuses: dict[tuple[str, str, str], str] = {}
    for row in release.observations().select(["area_code", "item_id", "period", "status"]).to_pylist():
        statuses[(row["area_code"], row["item_id"], row["period"])] = row["status"]
    rows = []
    for item in (*catalogue.indicators, *catalogue.key_figures):
        period = (record.get(item.id) or {}).get("period") or _latest_period(item, release.edition)
        cells = {k: s for k, s in statuses.items() if k[1] == item.id and k[2] == period}
        if not cells:
            continue
        known = record.get(item.id)
        hidden = sum(s == "suppressed" for s in cells.values())
        rows.append({
            "item": item.id, "period": period, "cells": len(cells),
            "published": known["published"] if known else sum(s == "ok" for s in cells.values()),
            "primary": known["primary"] if known else "?",
            "secondary": known["secondary"] if known else "?",
            "empty": known["empty"] if known else "?",
            "hidden": hidden,
            "country": statuses.get((catalogue.country.code, item.id, period), "-"),
            "area": statuses.get((area, item.id, period), "-"),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("release", nargs="?", default=None)
    parser.add_argument("--area", default="851", help="a second area whose status is shown (default Aalborg)")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table (for docs/disclosure.md)")
    args = parser.parse_args(argv)
    rows = suppression_table(args.store, args.release, args.area)
    header = [*COLUMNS[:-2], "Hele landet", args.area]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(str(r[c]) for c in COLUMNS) + " |")
    else:
        print(" ".join(f"{h:>11}" for h in header))
        for r in rows:
            print(" ".join(f"{r[c]!s:>11}" for c in COLUMNS))
    total = {c: sum(r[c] for r in rows if isinstance(r[c], int)) for c in ("cells", "published", "hidden")}
    print(f"total: {total['cells']} cells, {total['published']} published, {total['hidden']} hidden",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
