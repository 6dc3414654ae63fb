"""The website and API: server-rendered pages, SVG charts, JSON/CSV twins and /api/v1/.

``create_app`` and ``WebSettings`` load lazily so that `barometer --help` and other commands do not pay for
importing FastAPI and Altair.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WebSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from barometer.web.app import create_app

        return create_app
    if name == "WebSettings":
        from barometer.web.settings import WebSettings

        return WebSettings
    raise AttributeError(name)
