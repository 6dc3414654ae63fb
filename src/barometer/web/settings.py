"""Settings of the website: where releases live, which release to serve, optional map boundaries.

Values come from the `barometer serve` options, then environment variables, then the `[web]` section of the
settings tree (barometer.settings, which declares each key, its default and its environment variable once);
docs/web.md and docs/configuration.md list them. The two-indicator rule and the least number of
indicators before a goal moves are the project-wide settings, so that the site shows exactly what the reports show.
"""

from __future__ import annotations

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
