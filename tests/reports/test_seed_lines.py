"""Aalborg's report from the ministry's published figures reads like the ministry's own, line by line.

The published figures (tests/fixtures/published-2024-11.csv) are imported with `barometer import-published`, as
the README shows, and the report is written by `write_reports` (what `barometer report` runs) on the seed's
day. Its rows are compared with the seed text (tests/fixtures/seed/, a copy of the ministry's report) read by
tests/reports/seed_lines.py. The only differences allowed are the catalogue's corrections of the seed's slips,
each listed here and each required to occur.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from barometer.catalogue import load_catalogue
from barometer.cli import app
from barometer.reports import render_html, write_reports
from barometer.settings import DEFAULT_PUBLISHER
from barometer.store import observation_table, open_release, publish
from barometer.view import ReleaseIndex
from tests.conftest import FIXTURES, PUBLISHED_CSV

from .helpers import SEED_DAY, view_of
from .seed_lines import REPORT_ADDITIONS, Row, report_rows, seed_rows

SEED = FIXTURES / "seed" / "udviklingsrapport-aalborg-2024-11.txt"
# The seed material beside the clone (absent in an installed copy; the fixture above is then the reference).
SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / SEED.name

# The seed's slips, corrected by the catalogue and the periods module (docs/reports.md): seed text → ours.
CORRECTIONS = {
    "Nøgletal 1 - Visterede personer": "Nøgletal 1 - Visiterede personer",
    "7.1 Forsørgelsesgabets mellem": "7.1 Forsørgelsesgabet mellem",
    "integrationsloven - September 2023": "integrationsloven - september 2023",
    "virksomhedsrettet aktivering - September 2024": "virksomhedsrettet aktivering - september 2024",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The published figures imported through the command line, then Aalborg's report in both formats."""
    root = tmp_path_factory.mktemp("seed-lines")
    store = root / "store"
    result = CliRunner().invoke(app, ["--store", str(store), "import-published", str(PUBLISHED_CSV),
                                      "--edition", "2024-11"])
    assert result.exit_code == 0, result.output
    paths = write_reports(store, ["851"], ["html", "pdf"], root / "out", today=SEED_DAY)
    return {p.suffix: p for p in paths} | {"store": store}


def _corrected(row: Row) -> tuple[Row, set[str]]:
    used = {wrong for wrong in CORRECTIONS if wrong in row[0]}
    first = row[0]
    for wrong in used:
        first = first.replace(wrong, CORRECTIONS[wrong])
    return (first, *row[1:]), used


def expected_rows() -> tuple[list[Row], set[str]]:
    rows, used = [], set()
    for row in seed_rows(SEED.read_text(encoding="utf-8")):
        fixed, hit = _corrected(row)
        rows.append(fixed)
        used |= hit
    return rows, used


def test_fixture_is_the_seed_text() -> None:
    if not SHARED_SEED.is_file():
        pytest.skip(f"no seed material beside the clone ({SHARED_SEED})")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_reads_into_the_rows_of_its_report() -> None:
    """The normaliser itself: 58 rows — title, head, 9 goals, 21 indicators, 3 × (section, head) and 18 key
    figures, footnote, date — with every one of the seed's figures where the seed prints it."""
    rows = seed_rows(SEED.read_text(encoding="utf-8"))
    assert len(rows) == 1 + 1 + 9 + 21 + 3 * 2 + 18 + 2
    assert ("8.3 Antal udsatte boligområder.", "0 boligområder", "-1 boligområder") in rows
    assert rows[rows.index(("Vandringer og repatriering",)) + 2][1:] == ("", "1.253 indvandring")
    assert sum(1 for r in rows if r[1:] == ("", "Opgøres ikke")) == 8


def test_html_report_line_by_line(written: dict[str, Path]) -> None:
    expected, used = expected_rows()
    actual, found = report_rows(written[".html"].read_text(encoding="utf-8"))
    assert used == set(CORRECTIONS)  # every correction is still needed: the list cannot go stale
    assert found == set(REPORT_ADDITIONS)
    for number, (ours, seed) in enumerate(zip(actual, expected, strict=False), start=1):
        assert ours == seed, f"line {number}: ours {ours!r} ≠ seed {seed!r}"
    assert len(actual) == len(expected)


def test_pdf_report_line_by_line(written: dict[str, Path]) -> None:
    """Each of the seed's lines, its cells in order, follows the previous one in the PDF's text (pypdf), once the
    running header and footer are gone; nothing synthetic is said on any page."""
    pages = [page.extract_text() for page in PdfReader(BytesIO(written[".pdf"].read_bytes())).pages]
    text = "\n".join(pages)
    text = re.sub(rf"Udviklingsrapport: Aalborg\. November 2024\. {re.escape(DEFAULT_PUBLISHER)}|Side \d+ af \d+",
                  "", text)
    squeezed = "".join(text.split())
    position = 0
    expected, _ = expected_rows()
    for number, row in enumerate(expected, start=1):
        cells = "".join("".join(c.split()) for c in row)
        found = squeezed.find(cells, position)
        assert found >= 0, f"line {number} not in order in the PDF: {row!r}"
        position = found + len(cells)
    assert not any("syntetisk" in page.lower() for page in pages)
    assert open_release(written["store"]).synthetic is False


def _da(value: float, decimals: int) -> str:
    """An independent Danish rendering, half away from zero (Decimal), for the decimals test below."""
    q = Decimal(str(abs(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{q:f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")
    return ("-" if value < 0 and q != 0 else "") + text


@pytest.mark.parametrize(("n5", "n14", "n15", "share"), [(57.3, 2.25, 49.5, 60.5), (57.5, 2.0, 50.49, 61.49)])
def test_unrounded_figures_print_with_the_catalogues_decimals(tmp_path: Path, n5, n14, n15, share) -> None:
    """Computed (unrounded) figures, as a built release holds them, print as the ministry prints them:
    key-figure shares whole, N14 with exactly one decimal, indicators whole."""
    cat = load_catalogue()
    period = {k: cat.key_figure(k).reference_period["2024-11"] for k in ("N5", "N14", "N15")}
    cells = [("851", "N5", period["N5"], n5), ("000", "N14", period["N14"], n14), ("851", "N15", period["N15"], n15),
             ("851", "1.2", "2022", share), ("851", "1.2", "2012", share - 10.26)]
    rows = [{"area_code": a, "item_id": i, "period": p, "status": "ok", "value": v, "source": "test"}
            for a, i, p, v in cells]
    publish(tmp_path, observation_table(rows), "2024-11", {"kind": "test", "synthetic": True})
    view = view_of(ReleaseIndex.load(open_release(tmp_path)), "851")
    html = render_html(view)
    table, _ = report_rows(html)
    by_label = {r[0].split(" - ")[0]: r[1:] for r in table if len(r) == 3}
    assert by_label["Nøgletal 5"] == (f"{_da(n5, 0)} pct.", "")
    assert by_label["Nøgletal 14"] == ("", f"{_da(n14, 1)} pct.")
    assert by_label["Nøgletal 15"] == (f"{_da(n15, 0)} pct.", "")
    one_two = next(r for r in table if r[0].startswith("1.2 "))
    assert one_two[1:] == (f"{_da(share, 0)} pct.", f"{_da(10.26, 0)} pct. point")
    assert [cat.key_figure(k).decimals for k in ("N5", "N14", "N15")] == [0, 1, 0]
