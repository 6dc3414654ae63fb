"""Shared fixtures: the shipped published figures and a store holding a release built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.catalogue import load_catalogue
from barometer.sources.published import read_published
from barometer.store import Release, publish

FIXTURES = Path(__file__).parent / "fixtures"
PUBLISHED_CSV = FIXTURES / "published-2024-11.csv"


def publish_seed_figures(store: Path) -> Path:
    """Publish the shipped seed figures (Aalborg and Hele landet, November 2024) into ``store`` as
    `barometer import-published` does (the definitions recorded are the published ones); return it."""
    from barometer.provenance import provenance

    publish(store, read_published(PUBLISHED_CSV, load_catalogue()), "2024-11",
            provenance({"published_csv": PUBLISHED_CSV}, kind="published", synthetic=False))
    return store


@pytest.fixture
def published_store(tmp_path: Path) -> Path:
    """A store with one release imported from the seed's Aalborg and national figures."""
    return publish_seed_figures(tmp_path / "store")


@pytest.fixture
def published_release(published_store: Path) -> Release:
    from barometer.store import open_release

    return open_release(published_store)


@pytest.fixture(autouse=True)
def _default_settings():
    """Each test starts from default settings; `--config` in a CLI test must not leak into the next test."""
    import os

    from barometer.settings import current_settings

    saved = os.environ.pop("BAROMETER_CONFIG", None)
    current_settings.cache_clear()
    yield
    os.environ.pop("BAROMETER_CONFIG", None)
    if saved is not None:
        os.environ["BAROMETER_CONFIG"] = saved
    current_settings.cache_clear()
