"""The ASGI application for uvicorn (`barometer.web.asgi:app`), configured from the environment.

BAROMETER_STORE (default data/), BAROMETER_RELEASE (pin a release), BAROMETER_TOPOJSON (boundaries).
"""

from __future__ import annotations

import os

from barometer.store import resolve_store
from barometer.web.app import create_app
from barometer.web.settings import WebSettings

app = create_app(WebSettings.resolve(resolve_store(None), os.environ.get("BAROMETER_RELEASE") or None))
