"""A release from the seed's published figures, and Aalborg's and the nation's reports rendered once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.reports import render_html, render_pdf
from barometer.store import open_release
from barometer.view import BarometerView, ReleaseIndex
from tests.conftest import publish_seed_figures

from .helpers import view_of


@pytest.fixture(scope="session")
def report_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_seed_figures(tmp_path_factory.mktemp("report-store"))


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
