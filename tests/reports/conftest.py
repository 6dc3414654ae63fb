"""A release from the seed's published figures, and Aalborg's and the nation's reports rendered once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.catalogue import load_catalogue
from barometer.reports import render_html, render_pdf
from barometer.sources.published import read_published
from barometer.store import open_release, publish
from barometer.view import BarometerView, ReleaseIndex

from .helpers import PUBLISHED_CSV, view_of


@pytest.fixture(scope="session")
def report_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("report-store")
    publish(store, read_published(PUBLISHED_CSV, load_catalogue()), "2024-11", {"kind": "published"})
    return store


@pytest.fixture(scope="session")
def report_index(report_store: Path) -> ReleaseIndex:
    return ReleaseIndex.load(open_release(report_store))


@pytest.fixture(scope="session")
def aalborg_view(report_index: ReleaseIndex) -> BarometerView:
    return view_of(report_index, "851")


@pytest.fixture(scope="session")
def aalborg_pdf(aalborg_view: BarometerView) -> bytes:
    return render_pdf(aalborg_view)


@pytest.fixture(scope="session")
def aalborg_html(aalborg_view: BarometerView) -> str:
    return render_html(aalborg_view)


@pytest.fixture(scope="session")
def national_pdf(report_index: ReleaseIndex) -> bytes:
    return render_pdf(view_of(report_index, "000"))
