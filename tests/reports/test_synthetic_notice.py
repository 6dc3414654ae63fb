"""A report from synthetic registers says so on every PDF page and in its HTML; one from the ministry's published
figures never does. The publisher line comes from the release's manifest."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from barometer.catalogue import load_catalogue
from barometer.reports import render_html, render_pdf
from barometer.settings import DEFAULT_PUBLISHER
from barometer.sources.published import read_published
from barometer.store import open_release, publish
from barometer.view import BarometerView, ReleaseIndex
from tests.conftest import PUBLISHED_CSV

from .helpers import flat, html_text, view_of

PUBLISHER = "Testkommunens Analyseenhed"


def _release_view(tmp_path: Path, code: str = "851", lang: str = "da", **labels: object) -> BarometerView:
    """The seed's figures published into a fresh store with the given manifest labels (synthetic, publisher)."""
    store = tmp_path / f"store-{len(list(tmp_path.iterdir()))}"
    publish(store, read_published(PUBLISHED_CSV, load_catalogue()), "2024-11", {"kind": "test", **labels})
    return view_of(ReleaseIndex.load(open_release(store)), code, lang)


def _pages(pdf: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def synthetic_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return render_pdf(_release_view(tmp_path_factory.mktemp("synth-report"), synthetic=True, publisher=PUBLISHER))


def test_every_pdf_page_of_a_synthetic_report_says_so(synthetic_pdf: bytes) -> None:
    pages = _pages(synthetic_pdf)
    assert len(pages) >= 3  # the running footer is tested on more than the first page
    for number, text in enumerate(pages, start=1):
        # the running footer: the mark beside "Side X af Y" on every page
        assert re.search(rf"Syntetiske data Side {number} af {len(pages)}", text), number
    assert pages[0].startswith("Syntetiske data Tallene er beregnet af syntetiske registre. De siger intet om "
                               "virkelige personer eller kommuner.")  # the banner opens page 1
    assert all("Syntetiske data Tallene" not in page for page in pages[1:])  # the banner once, the footer always
    title = PdfReader(BytesIO(synthetic_pdf)).metadata.title
    assert title.startswith("Syntetiske data: Udviklingsrapport: Det lokale integrationsbarometer")


def test_synthetic_report_publisher_from_the_release(synthetic_pdf: bytes) -> None:
    pages = _pages(synthetic_pdf)
    assert f"Udgivet af {PUBLISHER}" in pages[0]  # the masthead
    for text in pages[1:]:  # the running header of every later page
        assert f"Udviklingsrapport: Aalborg. November 2024. {PUBLISHER}" in text
    assert not any(DEFAULT_PUBLISHER in page for page in pages)
    # the ministry's domain only in the footnote's link to its explanation of the movements
    assert "".join(pages).count("integrationsbarometer.dk") == 1


def test_synthetic_html_and_english_report(tmp_path: Path) -> None:
    html = render_html(_release_view(tmp_path, synthetic=True))
    text = flat(html_text(html))
    assert text.startswith("Syntetiske data Tallene er beregnet af syntetiske registre.")
    assert re.search(r"<title>Syntetiske data: Udviklingsrapport: ", html)
    assert 'class="synthetic-banner" role="note"' in html
    english = render_pdf(_release_view(tmp_path, lang="en", synthetic=True))
    pages = _pages(english)
    for number, page in enumerate(pages, start=1):
        assert f"Synthetic data Page {number} of {len(pages)}" in page
        assert "Syntetiske" not in page
    assert pages[0].startswith("Synthetic data The figures are computed from synthetic registers.")


def test_report_from_published_figures_never_says_synthetic(aalborg_pdf: bytes, aalborg_html: str,
                                                            report_index: ReleaseIndex) -> None:
    """The facsimile of the seed (imported published figures) carries no synthetic mark anywhere."""
    assert report_index.release.synthetic is False
    english = render_html(view_of(report_index, "851", "en"))
    for text in [*_pages(aalborg_pdf), html_text(aalborg_html), html_text(english)]:  # visible text (not CSS)
        assert "syntetisk" not in text.lower() and "synthetic" not in text.lower()
    for html in (aalborg_html, english):
        assert "synthetic-banner" not in html.split("</style>")[1] and "synthetic-data" not in html
    assert "Udgivet af " + DEFAULT_PUBLISHER in _pages(aalborg_pdf)[0]
    assert not PdfReader(BytesIO(aalborg_pdf)).metadata.title.startswith("Syntetiske")


def test_national_synthetic_report_too(tmp_path: Path) -> None:
    pages = _pages(render_pdf(_release_view(tmp_path, code="000", synthetic=True)))
    assert all("Syntetiske data Side" in page for page in pages)
