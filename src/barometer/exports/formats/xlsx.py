"""Excel workbooks (XlsxWriter): a sheet per table with Danish column titles, numbers stored as numbers and
shown with the item's decimals, withheld figures as empty cells with a note, and a sheet "Om data" with the
release, licence, source, status flags, the definitions of the items and of the columns.

Number formats are written in Excel's neutral notation (`#,##0.0`); Excel shows them with the reader's own
separators, so a Danish Excel prints 1.729 and 2,2.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from barometer.catalogue import Catalogue, load_catalogue
from barometer.exports.codes import STATUS_CODES, SUPPRESSED_NOTE
from barometer.exports.columns import column, item_decimals
from barometer.exports.model import Export, Table, marked_tables
from barometer.exports.registry import ReleaseWriter, Renderer, register_renderer, register_writer
from barometer.exports.release import release_export, write_atomically
from barometer.formatting import unit_text
from barometer.notice import synthetic_label, synthetic_note
from barometer.store import Release

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLES = {
    "observations": ("Observationer", "Observations"), "areas": ("Områder", "Areas"),
    "items": ("Indikatorer og nøgletal", "Indicators and key figures"), "series": ("Tidsserie", "Time series"),
    "ranking": ("Rangering", "Ranking"),
}
ABOUT = {"da": "Om data", "en": "About the data"}
WORDS = {
    "da": {"release": "Udgivelse", "edition": "Udgave", "created": "Udgivet", "licence": "Licens",
           "source": "Kilde", "kind": "Dannet af", "status": "Statuskoder", "code": "Kode", "meaning": "Betydning",
           "items": "Indikatorer og nøgletal", "title": "Titel", "unit": "Enhed", "decimals": "Decimaler",
           "data_source": "Datakilde", "columns": "Kolonner", "column": "Kolonne", "description": "Beskrivelse",
           "note": "Tomme celler med en note er udeladt af hensyn til diskretion; de har ingen værdi i nogen "
                   "kolonne."},
    "en": {"release": "Release", "edition": "Edition", "created": "Published", "licence": "Licence",
           "source": "Source", "kind": "Made from", "status": "Status codes", "code": "Code", "meaning": "Meaning",
           "items": "Indicators and key figures", "title": "Title", "unit": "Unit", "decimals": "Decimals",
           "data_source": "Data source", "columns": "Columns", "column": "Column", "description": "Description",
           "note": "Empty cells with a note are withheld for confidentiality; they have no value in any column."},
}
ITEM_COLUMNS = ("item_id", "indicator", "key_figure", "id")  # where a row names the item its numbers measure
NUMBER_FORMATS = {"count": "#,##0", "integer": "0", "decimal": "0.000", "decimal1": "0.0"}
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_name(table: Table, lang: str, used: set[str]) -> str:
    da_en = SHEET_TITLES.get(table.name)
    name = (da_en[1] if lang == "en" else da_en[0]) if da_en else table.name
    name = name.translate(_BAD_SHEET_CHARS)[:31]
    base, n = name, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name


class _Formats:
    """XlsxWriter formats, made once per workbook and number pattern."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.cache: dict[Any, Any] = {}
        self.header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
        self.bold = workbook.add_format({"bold": True})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def number(self, pattern: str) -> Any:
        if pattern not in self.cache:
            self.cache[pattern] = self.workbook.add_format({"num_format": pattern})
        return self.cache[pattern]


def _pattern(col_format: str | None, row: dict[str, Any], catalogue: Catalogue) -> str:
    if col_format == "measure":
        item = next((row[c] for c in ITEM_COLUMNS if isinstance(row.get(c), str)), None)
        decimals = item_decimals(catalogue, item)
        return "#,##0" + ("." + "0" * decimals if decimals else "")
    return NUMBER_FORMATS.get(col_format or "", "General")


def _write_table(sheet: Any, table: Table, lang: str, fmt: _Formats, catalogue: Catalogue) -> int:
    """Write one table; returns the number of withheld cells it noted."""
    cols = table.columns
    specs = [column(c) for c in cols]
    for x, spec in enumerate(specs):
        sheet.write_string(0, x, spec.title(lang), fmt.header)
        sheet.set_column(x, x, max(10, min(40, len(spec.title(lang)) + 2)))
    noted = 0
    note = SUPPRESSED_NOTE[lang]
    for y, row in enumerate(table.rows, start=1):
        suppressed = row.get("status") == "suppressed" or row.get("value_status") == "suppressed"
        first_empty_number = True
        for x, (name, spec) in enumerate(zip(cols, specs, strict=True)):
            value = row.get(name)
            if value is None:
                if suppressed and spec.type in ("number", "integer") and first_empty_number:
                    sheet.write_comment(y, x, note)  # Excel shows it as the cell's note
                    first_empty_number = False
                    noted += 1
                continue
            if isinstance(value, bool):
                sheet.write_boolean(y, x, value)
            elif isinstance(value, int | float):
                sheet.write_number(y, x, value, fmt.number(_pattern(spec.format, row, catalogue)))
            elif isinstance(value, list | tuple):
                sheet.write_string(y, x, " ".join(str(v) for v in value))
            else:
                sheet.write_string(y, x, str(value))
    sheet.freeze_panes(1, 0)
    if cols:
        sheet.autofilter(0, 0, max(len(table.rows), 1), len(cols) - 1)
    return noted


def _item_ids(export: Export, catalogue: Catalogue) -> list[str]:
    seen: dict[str, None] = {}
    for table in export.tables:
        for row in table.rows:
            for c in ITEM_COLUMNS:
                if isinstance(row.get(c), str) and catalogue.has_item(row[c]):
                    seen.setdefault(row[c], None)
    order = {i.id: n for n, i in enumerate((*catalogue.indicators, *catalogue.key_figures))}
    return sorted(seen, key=lambda i: order[i])


def _write_about(sheet: Any, export: Export, fmt: _Formats, catalogue: Catalogue) -> None:
    meta, lang = export.meta, export.meta.lang
    w = WORDS[lang]
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 4, 14)
    rows: list[tuple[str, Any]] = [(meta.title, None), *([(synthetic_label(lang), synthetic_note(lang))]
                                                         if meta.synthetic else []),
                                   (w["release"], meta.release), (w["edition"], meta.edition),
                                   (w["created"], meta.created), (w["kind"], meta.kind),
                                   (w["licence"], meta.licence_text), (w["source"], meta.source)]
    y = 0
    for label, value in rows:
        sheet.write_string(y, 0, label, fmt.bold)
        if value is not None:
            sheet.write_string(y, 1, str(value), fmt.wrap)
        y += 1
    sheet.write_string(y + 1, 0, w["note"])
    y += 3
    sheet.write_string(y, 0, w["status"], fmt.bold)
    y += 1
    sheet.write_row(y, 0, [w["code"], w["meaning"], "SDMX OBS_STATUS"], fmt.header)
    for code in STATUS_CODES.values():
        y += 1
        sheet.write_row(y, 0, [code.flag, code.label(lang), code.obs_status])
    if ids := _item_ids(export, catalogue):
        y += 2
        sheet.write_string(y, 0, w["items"], fmt.bold)
        y += 1
        sheet.write_row(y, 0, ["Id", w["title"], w["unit"], w["decimals"], w["data_source"]], fmt.header)
        for item_id in ids:
            item = catalogue.item(item_id)
            y += 1
            sheet.write_row(y, 0, [item.id, item.title(lang), unit_text(item.unit, item.count_noun(lang), lang)])
            sheet.write_number(y, 3, item.decimals)
            sheet.write_string(y, 4, item.data_source)
    y += 2
    sheet.write_string(y, 0, w["columns"], fmt.bold)
    y += 1
    sheet.write_row(y, 0, [w["column"], w["description"], "name"], fmt.header)
    names = list(dict.fromkeys(c for t in export.tables for c in t.columns))
    for name in names:
        spec = column(name)
        y += 1
        sheet.write_row(y, 0, [spec.title(lang), spec.description or spec.title("en"), name])


def render_xlsx(export: Export) -> bytes:
    import xlsxwriter

    catalogue = load_catalogue()
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    synthetic = export.meta.synthetic
    label = synthetic_label(export.meta.lang)
    workbook.set_properties({"title": (f"{label}: " if synthetic else "") + export.meta.title,
                             "subject": export.meta.name,
                             "comments": f"{export.meta.release or ''} — {export.meta.licence}",
                             "company": export.meta.source})
    fmt = _Formats(workbook)
    used: set[str] = {ABOUT["da"].lower(), ABOUT["en"].lower()}
    sheets = []
    for table in marked_tables(export):  # a synthetic release's rows start with the notice column
        sheets.append(workbook.add_worksheet(_sheet_name(table, export.meta.lang, used)))
        _write_table(sheets[-1], table, export.meta.lang, fmt, catalogue)
    sheets.append(workbook.add_worksheet(ABOUT[export.meta.lang if export.meta.lang == "en" else "da"]))
    _write_about(sheets[-1], export, fmt, catalogue)
    if synthetic:  # and every printed page says so in its header
        for sheet in sheets:
            sheet.set_header(f"&C&B{label}")
    workbook.close()
    return buf.getvalue()


XLSX = register_renderer(Renderer(
    name="xlsx", extension="xlsx", media_type=MEDIA_TYPE, label="Excel (XLSX)", render=render_xlsx,
    description="Excel workbook: a sheet per table, Danish titles, a sheet about the data"))


def write_release_xlsx(release: Release, out_dir: Path) -> list[Path]:
    return [write_atomically(out_dir / f"integrationsbarometer-{release.id}.xlsx", render_xlsx(
        release_export(release)))]


register_writer(ReleaseWriter("xlsx", "an Excel workbook: observations, areas, items and a sheet about the data",
                              write_release_xlsx))
