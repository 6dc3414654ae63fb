"""Excel workbooks read back with openpyxl: Danish titles, numbers as numbers, withheld cells empty with a note."""

from __future__ import annotations

import io

import pytest

from barometer.exports import renderer
from barometer.exports.release import release_export
from barometer.store import Release

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def workbook(small_release: Release):
    return openpyxl.load_workbook(io.BytesIO(renderer("xlsx")(release_export(small_release))))


def _records(sheet) -> list[dict]:
    rows = list(sheet.iter_rows())
    titles = [c.value for c in rows[0]]
    return [{t: c for t, c in zip(titles, row, strict=True)} for row in rows[1:]]


def test_a_sheet_per_table_and_one_about_the_data(workbook):
    assert workbook.sheetnames == ["Observationer", "Områder", "Indikatorer og nøgletal", "Om data"]


def test_danish_titles_numbers_as_numbers_with_the_items_decimals(workbook):
    records = _records(workbook["Observationer"])
    assert list(records[0])[:5] == ["Områdekode", "Indikator/nøgletal", "Periode", "Værdi", "Status"]
    by_key = {(r["Områdekode"].value, r["Indikator/nøgletal"].value, r["Periode"].value): r for r in records}
    share = by_key[("000", "1.2", "2021")]
    assert share["Værdi"].value == 41.25 and share["Værdi"].data_type == "n"
    assert share["Værdi"].number_format == "#,##0"  # indicators are published whole (catalogue decimals 0)
    assert share["Nævner"].value == 10000 and share["Nævner"].number_format == "#,##0"
    n5 = next(r for k, r in by_key.items() if k[1] == "N5" and k[0] == "000")
    assert n5["Værdi"].value == 1729 and n5["Værdi"].number_format == "#,##0"


def test_withheld_cells_are_empty_with_a_note(workbook):
    records = _records(workbook["Observationer"])
    hidden = next(r for r in records if r["Områdekode"].value == "851" and r["Periode"].value == "2022")
    assert hidden["Status"].value == "suppressed"
    numeric = ("Værdi", "Tæller", "Nævner", "Tæller, referencegruppe", "Nævner, referencegruppe",
               "Nedre grænse (95 %)", "Øvre grænse (95 %)", "Offentliggjort udvikling")
    assert all(hidden[c].value is None for c in numeric)
    assert hidden["Værdi"].comment is not None and "diskretion" in hidden["Værdi"].comment.text
    others = [r for r in records if r["Status"].value != "suppressed"]
    assert all(r["Værdi"].comment is None for r in others)


def test_about_sheet_has_release_licence_source_and_definitions(workbook, small_release: Release):
    cells = [c.value for row in workbook["Om data"].iter_rows() for c in row if c.value is not None]
    assert small_release.id in cells
    assert any("kildeangivelse" in str(c) for c in cells) and any("Danmarks Statistik" in str(c) for c in cells)
    assert "suppressed" in cells and "Q" in cells
    assert "Beskæftigelse" in " ".join(map(str, cells)) or "1.2" in cells


def test_english_workbook_has_english_titles(small_release: Release):
    export = release_export(small_release, lang="en")
    book = openpyxl.load_workbook(io.BytesIO(renderer("xlsx")(export)))
    assert book.sheetnames[0] == "Observations" and book.sheetnames[-1] == "About the data"
    assert [c.value for c in next(book["Observations"].iter_rows())][:3] == ["Area code", "Indicator/key figure",
                                                                             "Period"]
