"""What every output says about the release it comes from: who publishes it and whether its figures are synthetic.

A release built from synthetic registers (``Release.synthetic``) must never pass for real figures, so the report
(HTML and every PDF page), every web page and every download (JSON, CSV) carries the same notice, worded here
once. The publisher is recorded in the release's manifest from the `[release]` settings at build time.
"""

from __future__ import annotations

from typing import Any

SYNTHETIC_LABEL = {"da": "Syntetiske data", "en": "Synthetic data"}
SYNTHETIC_NOTE = {
    "da": "Tallene er beregnet af syntetiske registre. De siger intet om virkelige personer eller kommuner.",
    "en": "The figures are computed from synthetic registers. They say nothing about real persons or "
          "municipalities.",
}
# Downloads are read by machines and people in either language: one notice in both.
SYNTHETIC_DOWNLOAD_NOTE = f"{SYNTHETIC_LABEL['da']} / {SYNTHETIC_LABEL['en']}"
NOTICE_COLUMN = "notice"  # the first CSV column of a synthetic download, on every row
SYNTHETIC_HEADER = "X-Synthetic-Data"


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "da"


def synthetic_label(lang: str = "da") -> str:
    """The short mark ("Syntetiske data") for banners, running headers and footers."""
    return SYNTHETIC_LABEL[_lang(lang)]


def synthetic_note(lang: str = "da") -> str:
    """The sentence under the mark that says what it means."""
    return SYNTHETIC_NOTE[_lang(lang)]


# The source of a synthetic release's figures: so every format that names its source (every SDMX-CSV row,
# JSON-stat, the Data Package, Excel's "Om data") says "Syntetiske data" too.
SYNTHETIC_SOURCE = (f"{SYNTHETIC_DOWNLOAD_NOTE}: synthetic registers of invented persons; "
                    "no real persons or municipalities")


def attribution(publisher: str, lang: str = "en") -> str:
    """The licence line of the data: reuse is free with the publisher named."""
    if lang == "da":
        return f"Fri genbrug med kildeangivelse: {publisher}"
    return f"Free to reuse with attribution: {publisher}"


def mark_rows(rows: list[dict[str, Any]], synthetic: bool) -> list[dict[str, Any]]:
    """CSV rows with the synthetic notice as their first column, so every row says so when copied or filtered
    on its own; rows of a release from real registers are returned unchanged."""
    if not synthetic:
        return rows
    return [{NOTICE_COLUMN: SYNTHETIC_DOWNLOAD_NOTE, **row} for row in rows]
