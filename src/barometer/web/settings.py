"""Settings of the website: where releases live, which release to serve, optional map boundaries.

Values come from the `barometer serve` options, then environment variables, then the `[web]` table of the
settings file (barometer.settings); docs/web.md lists them. The two-indicator rule and the least number of
indicators before a goal moves are the project-wide settings, so that the site shows exactly what the reports show.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from barometer.rules import DEFAULT_MIN_INDICATORS, TwoIndicatorRule
from barometer.settings import current_settings

DEFAULT_PAGE_CACHE_MB = 128  # per release: room for the pages and several full downloads (megabytes each)
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
        web = (current_settings().model_extra or {}).get("web", {}) or {}
        topo = topojson or os.environ.get("BAROMETER_TOPOJSON") or web.get("topojson")
        interval = float(os.environ.get("BAROMETER_RELEASE_CHECK", web.get("check_interval", 2.0)))
        cache_mb = float(os.environ.get("BAROMETER_PAGE_CACHE_MB", web.get("page_cache_mb", DEFAULT_PAGE_CACHE_MB)))
        return cls(store=Path(store), release_id=release_id, topojson=Path(topo) if topo else None,
                   check_interval=interval, page_cache_bytes=int(cache_mb * 2**20),
                   two_rule=current_settings().rules.two_indicator_rule,
                   min_indicators=current_settings().rules.min_indicators)
