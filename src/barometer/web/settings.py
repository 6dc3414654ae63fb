"""Settings of the website: where releases live, which release to serve, optional map boundaries.

Values come from the `barometer serve` options, then environment variables, then the `[web]` section of the
settings tree (barometer.settings, which declares each key, its default and its environment variable once);
docs/web.md and docs/configuration.md list them. The two-indicator rule and the least number of
indicators before a goal moves are the project-wide settings, so that the site shows exactly what the reports show.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from barometer.rules import DEFAULT_MIN_INDICATORS, TwoIndicatorRule
from barometer.settings import DEFAULT_PAGE_CACHE_MB, current_settings, with_env

DEFAULT_PAGE_CACHE_BYTES = DEFAULT_PAGE_CACHE_MB * 2**20


@dataclass(frozen=True)
class WebSettings:
    store: Path
    release_id: str | None = None  # pinned release; None follows CURRENT
    topojson: Path | None = None  # municipal boundaries (property KOMKODE); None → the tile-grid map
    check_interval: float = 2.0  # seconds between cheap checks of the store's CURRENT pointer
    page_cache_bytes: int = DEFAULT_PAGE_CACHE_BYTES  # rendered responses kept per release (LRU), by size in bytes
    two_rule: TwoIndicatorRule = "strict"
    min_indicators: int = DEFAULT_MIN_INDICATORS

    @classmethod
    def resolve(cls, store: Path, release_id: str | None = None, topojson: Path | None = None) -> WebSettings:
        web = with_env(current_settings().web)
        return cls(store=Path(store), release_id=release_id, topojson=topojson or web.topojson,
                   check_interval=web.check_interval, page_cache_bytes=int(web.page_cache_mb * 2**20),
                   two_rule=current_settings().rules.two_indicator_rule,
                   min_indicators=current_settings().rules.min_indicators)


@dataclass(frozen=True)
class ServeLimits:
    """How `barometer serve` bounds its clients (docs/deployment.md): per worker process, a connection must send
    its request's headers within `header_timeout` seconds, and at most `max_connections` are held open (the
    surplus closes the oldest connection still waiting for its headers, else the new one)."""

    workers: int
    header_timeout: float = 10.0
    keep_alive: float = 5.0  # seconds an idle keep-alive connection is kept (uvicorn's timeout_keep_alive)
    max_connections: int = 1000
    backlog: int = 2048  # the listen queue, and how many connections asyncio accepts in one go (uvicorn's default)
    http: str = "auto"  # the HTTP parser: auto (httptools when installed), httptools or h11

    @classmethod
    def resolve(cls, workers: int | None = None) -> ServeLimits:
        """Options, then BAROMETER_* environment variables (how `serve` hands them to its workers), then `[web]`
        (barometer.settings declares and checks each key; a bad value raises SettingsError naming it)."""
        web = with_env(current_settings().web)
        return cls(workers=workers or web.workers or default_workers(), header_timeout=web.header_timeout,
                   keep_alive=web.keep_alive, max_connections=web.max_connections, backlog=web.backlog,
                   http=web.http)


def default_workers() -> int:
    """Two worker processes where there are two cores or more: one busy answer never holds every client."""
    return max(1, min(2, os.cpu_count() or 1))
