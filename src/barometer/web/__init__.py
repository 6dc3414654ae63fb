"""The website and API (issue 5): server-rendered pages, SVG charts, JSON/CSV twins and /api/v1/."""

from barometer.web.app import create_app
from barometer.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
