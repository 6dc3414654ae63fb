"""Helpers for the report tests: building views on the seed's day, and reading text back out of PDF and HTML."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from io import BytesIO

from pypdf import PdfReader

from barometer.view import BarometerView, ReleaseIndex, build_view

SEED_DAY = date(2024, 11, 16)  # the seed report was made on 16/11-2024


def view_of(index: ReleaseIndex, code: str, lang: str = "da") -> BarometerView:
    return build_view(index, code, lang=lang, today=SEED_DAY)  # type: ignore[arg-type]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def flat(text: str) -> str:
    """Whitespace collapsed to single spaces (PDF text breaks lines where the layout does)."""
    return " ".join(text.split())


class _Text(HTMLParser):
    """The visible text of an HTML page's body, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("style", "head", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "head", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def row_cells(html: str, row_id: str) -> list[str]:
    """The texts of the <td> cells of the row with this id (empty string for a blank cell)."""
    match = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return [flat(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]
