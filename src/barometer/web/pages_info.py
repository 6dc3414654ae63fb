"""Placeholder while the pages are written."""

from __future__ import annotations

from starlette.routing import Route

from barometer.web.holder import ReleaseHolder


def routes(holder: ReleaseHolder) -> list[Route]:
    return []
