"""Fixtures for the website tests: a multi-year sample release and the published-figures release."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from barometer.web import WebSettings, create_app
from tests.conftest import publish_seed_figures

from .sample_release import publish_sample


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("web-store")
    publish_sample(store)
    return store


@pytest.fixture(scope="session")
def client(sample_store: Path) -> TestClient:
    return TestClient(create_app(WebSettings(store=sample_store)))


@pytest.fixture(scope="session")
def published_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_seed_figures(tmp_path_factory.mktemp("web-published"))


@pytest.fixture(scope="session")
def published_client(published_store: Path) -> TestClient:
    return TestClient(create_app(WebSettings(store=published_store)))
