"""Aalborg's Udviklingsrapport carries everything of the seed report (udviklingsrapport-aalborg-2024-11)."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

from barometer.reports import render_html
from barometer.settings import DEFAULT_PUBLISHER
from barometer.view import ReleaseIndex

from .helpers import flat, html_text, pdf_text, row_cells, view_of

SEED_TITLE = ("Udviklingsrapport: Det lokale integrationsbarometer samt nøgletal om flygtninge. "
              "Aalborg. November 2024.")
NATIONAL_TITLE = ("Udviklingsrapport: Det nationale integrationsbarometer samt nøgletal om flygtninge. "
                  "Hele landet. November 2024.")
FOOTNOTE = ("* Læs mere om barometerets bevægelser på "
            "https://integrationsbarometer.dk/om-integrationsbarometeret/barometerbevaegelser.")

# Copied by hand from the seed report, in its order: (indicator, status, development since baseline).
SEED_INDICATORS = [
    ("1.1", "19 pct. point", "-6 pct. point"), ("1.2", "61 pct.", "11 pct. point"),
    ("2.1", "92 pct.", "5 pct. point"), ("2.2", "83 pct.", "22 pct. point"), ("2.3", "46 pct.", "20 pct. point"),
    ("3.1", "75 pct.", "-16 pct. point"), ("3.3", "58 pct.", "-14 pct. point"),
    ("7.1", "7 pct. point", "-2 pct. point"), ("7.2", "24 pct.", "-5 pct. point"),
    ("8.1", "0 parallelsamfund", "0 parallelsamfund"), ("8.2", "0 omdannelsesområder", "0 omdannelsesområder"),
    ("8.3", "0 boligområder", "-1 boligområder"),
    ("9.1", "3 pct.", "-3 pct. point"),
]
# Key figure number → (Aalborg, Hele landet); "" where the seed leaves the cell blank.
SEED_KEY_FIGURES = {
    1: ("1.729 personer", "45.766 personer"), 2: ("1.041 personer", "33.106 personer"),
    3: ("368 personer", "11.047 personer"), 4: ("90 pct.", "89 pct."), 5: ("57 pct.", "58 pct."),
    6: ("36 pct.", "25 pct."), 7: ("20 personer", "506 personer"), 8: ("132 personer", "3.253 personer"),
    9: ("41 personer", "1.262 personer"), 10: ("59 pct.", "60 pct."), 11: ("25 pct.", "29 pct."),
    12: ("213 forløb", "3.213 forløb"), 13: ("", "40 pct."), 14: ("", "2,2 pct."), 15: ("50 pct.", "57 pct."),
    16: ("", "1.253 indvandring"), 17: ("", "1.195 udvandring"), 18: ("11 personer", "252 personer"),
}
SEED_STATUS_YEARS = ["2022", "2023", "2024", "2024", "2024", "2024", "2023", "2023", "2022"]
SEED_BASELINES = ["Siden 2012"] * 7 + ["Siden 2018", "Siden 2012"]
SEED_SECTIONS = ["Fordrevne fra Ukraine", "Nøgletal om flygtninge", "Vandringer og repatriering"]
SEED_PERIODS = {1: "31. august 2024", 2: "1. september 2024", 3: "2. kvartal 2024", 4: "5. december 2023",
                5: "august 2024", 6: "august 2024", 7: "januar-september 2024", 8: "1. juli 2024",
                9: "2. kvartal 2024", 12: "juli 2016-september 2024", 13: "2. kvartal 2024", 14: "2022",
                15: "2023", 16: "2023", 17: "2023", 18: "januar-september 2024"}
# Movement per goal (Mål 4-6 are survey-based and not computed for a municipality: no movement).
AALBORG_MOVEMENTS = {"1": "Positiv", "2": "Positiv", "3": "Negativ", "4": None, "5": None, "6": None,
                     "7": "Positiv", "8": "Uændret", "9": "Positiv"}

UNITS = "pct\\. point|pct\\.|personer|forløb|indvandring|udvandring|parallelsamfund|omdannelsesområder|boligområder"
FIGURE = re.compile(rf"(?<![\w.,-])-?\d[\d.,]* (?:{UNITS})")


def seed_figures_in_order() -> list[str]:
    figures = [f for _, status, dev in SEED_INDICATORS for f in (status, dev)]
    return figures + [f for n in sorted(SEED_KEY_FIGURES) for f in SEED_KEY_FIGURES[n] if f]


def test_pdf_has_every_seed_figure_with_its_unit_in_the_seed_order(aalborg_pdf: bytes) -> None:
    text = flat(pdf_text(aalborg_pdf))
    assert FIGURE.findall(text) == seed_figures_in_order()


def test_pdf_has_title_footnote_date_and_not_computed_marks(aalborg_pdf: bytes) -> None:
    text = flat(pdf_text(aalborg_pdf))
    assert text.startswith(SEED_TITLE)
    assert text.count("Opgøres ikke") == 8  # 3.2, 4.1-4.3, 5.1, 6.1-6.3
    assert FOOTNOTE.replace(" ", "") in "".join(text.split())  # the URL may wrap at a line end
    assert "Rapport dannet d. 16/11-2024." in text
    pages = len(PdfReader(BytesIO(aalborg_pdf)).pages)
    assert re.findall(r"Side (\d+) af (\d+)", text) == [(str(i), str(pages)) for i in range(1, pages + 1)]


def test_pdf_has_goal_rows_headers_sections_and_periods_in_order(aalborg_pdf: bytes) -> None:
    text = flat(pdf_text(aalborg_pdf))
    assert "Aktuel status Udvikling siden basismåling*" in text
    years = re.findall(r"(\d{4}) (Siden \d{4})", text)
    assert [y for y, _ in years] == SEED_STATUS_YEARS
    assert [s for _, s in years] == SEED_BASELINES
    positions = [text.index(s) for s in SEED_SECTIONS]
    assert positions == sorted(positions)
    assert text.count("Aalborg Hele landet") == 3
    for number, period in SEED_PERIODS.items():
        assert re.search(rf"Nøgletal {number} - [^\n]*? - {re.escape(period)}", text), number


def test_movement_symbol_and_word_per_goal(aalborg_pdf: bytes, aalborg_html: str) -> None:
    words = re.findall(r"([▲▼►]) (Positiv|Negativ|Uændret)", flat(pdf_text(aalborg_pdf)))
    expected = [m for m in AALBORG_MOVEMENTS.values() if m]
    symbol = {"Positiv": "▲", "Negativ": "▼", "Uændret": "►"}
    assert words[: len(expected)] == [(symbol[w], w) for w in expected]
    assert [w for _, w in words[len(expected):]] == ["Positiv", "Negativ", "Uændret"]  # the legend
    for goal, word in AALBORG_MOVEMENTS.items():
        group = re.search(rf'<tbody class="goal" id="goal-{goal}">(.*?)</tbody>', aalborg_html, re.S).group(1)
        goal_row = group.split("</tr>")[0]
        if word is None:
            assert "movement" not in goal_row, goal
        else:
            assert re.search(rf'class="movement movement-\w+">.*?{word}</span>', goal_row), goal


def test_blank_cells_where_the_seed_has_no_figure(aalborg_html: str) -> None:
    for number, (local, national) in SEED_KEY_FIGURES.items():
        cells = row_cells(aalborg_html, f"key-figure-{number}")
        assert cells[1:] == [local, national], number


def test_html_and_pdf_carry_the_same_content(aalborg_pdf: bytes, aalborg_html: str) -> None:
    """Same words in the same order, once the PDF's running header, footer and repeated table head are gone."""
    pdf = pdf_text(aalborg_pdf)
    header = rf"Udviklingsrapport: Aalborg\. November 2024\. {re.escape(DEFAULT_PUBLISHER)}"
    pdf = re.sub(rf"{header}|Side \d+ af \d+", "", pdf)
    repeated_head = "AktuelstatusUdviklingsidenbasismåling*"
    squeeze = lambda s: "".join(s.split()).replace(repeated_head, "")  # noqa: E731
    assert squeeze(pdf) == squeeze(html_text(aalborg_html))


def test_national_report_has_its_title_and_one_column(national_pdf: bytes, report_index: ReleaseIndex) -> None:
    text = flat(pdf_text(national_pdf))
    assert text.startswith(NATIONAL_TITLE)
    assert "Opgøres ikke" not in text  # every indicator is computed for the whole country
    assert "Aalborg" not in text
    html = render_html(view_of(report_index, "000"))
    for number, (_, national) in SEED_KEY_FIGURES.items():
        assert row_cells(html, f"key-figure-{number}")[1:] == [national]
    assert FIGURE.findall(text) == [national for _, national in SEED_KEY_FIGURES.values()]


def test_region_and_english_reports(report_index: ReleaseIndex) -> None:
    region = html_text(render_html(view_of(report_index, "081")))
    assert flat(region).startswith("Udviklingsrapport: Det regionale integrationsbarometer samt nøgletal om "
                                   "flygtninge. Region Nordjylland. November 2024.")
    english = render_html(view_of(report_index, "851", "en"))
    text = flat(html_text(english))
    assert text.startswith("Development report: The local integration barometer and key figures on refugees. "
                           "Aalborg. November 2024.")
    assert text.count("Not computed") == 8
    assert "Opgøres ikke" not in text and "Aktuel status" not in text
    assert "Current status Development since baseline*" in text
    assert re.findall(r"[▲▼►] (\w+)", text)[:6] == ["Positive", "Positive", "Negative", "Positive", "Unchanged",
                                                     "Positive"]
    assert "1,729 persons" in text and "2.2 per cent" in text
    assert "Report generated on 16 November 2024." in text
    assert '"Page " counter(page) " of " counter(pages)' in english
    assert '<html lang="en">' in english


def test_pdf_is_a4_tagged_with_title_and_language(aalborg_pdf: bytes) -> None:
    reader = PdfReader(BytesIO(aalborg_pdf))
    assert reader.metadata.title == SEED_TITLE
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "da"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged (PDF/UA-1): screen readers get structure and order
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_national_report_shows_movements_too(tmp_path) -> None:
    """With national indicator figures in the release, the national report badges its goals like a local one."""
    from barometer.catalogue import load_catalogue
    from barometer.sources.published import read_published
    from barometer.store import open_release, publish

    csv = tmp_path / "national.csv"
    csv.write_text("area_code,item_id,period,value,development\n"
                   "000,1.1,2022,20,-3\n000,1.2,2022,60,4\n000,9.1,2022,4,2\n", encoding="utf-8")
    store = tmp_path / "store"
    publish(store, read_published(csv, load_catalogue()), "2024-11", {"kind": "test"})
    html = render_html(view_of(ReleaseIndex.load(open_release(store)), "000"))
    text = flat(html_text(html))
    assert "Arbejde" in text and "20 pct. point -3 pct. point" in text and "60 pct. 4 pct. point" in text
    goal_1 = re.search(r'id="goal-1">(.*?)</tr>', html, re.S).group(1)
    goal_9 = re.search(r'id="goal-9">(.*?)</tr>', html, re.S).group(1)
    assert "movement-positive" in goal_1 and "Positiv" in goal_1  # a lower gap and a higher rate
    assert "movement-negative" in goal_9 and "Negativ" in goal_9  # more crime
