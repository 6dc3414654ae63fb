"""The release the site serves, and everything derived from it, swapped atomically when a new one is published.

A :class:`Snapshot` bundles one release with its index and caches (barometer views, charts, rendered pages);
when the store's CURRENT pointer names another release, a new snapshot is built and replaces the old one in a
single assignment, so a request sees either the old release or the new one, never a mix. The pointer is
checked by its stat (mtime, size) at most every `check_interval` seconds, which costs one stat per interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from barometer.catalogue import Catalogue
from barometer.errors import BarometerError
from barometer.store import Release, StoreError, current_release_id, open_release
from barometer.view import BarometerView, ReleaseIndex, build_view
from barometer.web.obsindex import ObservationIndex
from barometer.web.settings import DEFAULT_PAGE_CACHE_BYTES, WebSettings

log = logging.getLogger("barometer.web")


class NoRelease(BarometerError, RuntimeError):
    """The store has no readable release yet."""

    code = "no_release"
    http_status = 503


class LRU:
    """A small thread-safe least-recently-used cache, bounded by its number of entries and, when `max_bytes` is
    given, by the sum of `weigh(value)`: rendered responses differ in size by four orders of magnitude (a
    municipality page some tens of kB, the unfiltered observations of a full release megabytes), so a count
    alone bounds nothing."""

    def __init__(self, size: int, max_bytes: int | None = None, weigh: Any = None) -> None:
        self.data: OrderedDict[Any, Any] = OrderedDict()
        self.size, self.lock = size, threading.Lock()
        self.max_bytes, self.weigh, self.bytes = max_bytes, weigh, 0
        self.weights: dict[Any, int] = {}

    def get(self, key: Any) -> Any:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        weight = self.weigh(value) if self.weigh is not None else 0
        if self.max_bytes is not None and weight > self.max_bytes:
            return  # larger than the whole budget: answered, never kept
        with self.lock:
            self.bytes += weight - self.weights.pop(key, 0)
            self.data[key], self.weights[key] = value, weight
            self.data.move_to_end(key)
            while len(self.data) > self.size or (self.max_bytes is not None and self.bytes > self.max_bytes):
                old, _ = self.data.popitem(last=False)
                self.bytes -= self.weights.pop(old)


def response_bytes(entry: Any) -> int:
    """What a cached response holds in memory: its plain and gzip bodies and headers (cache.py's entries)."""
    return sum(len(body) + sum(len(k) + len(v) for k, v in headers) for headers, body in (e for e in entry if e))


def page_cache(max_bytes: int) -> LRU:
    """The rendered-response cache of a release: bounded by bytes (the count bound only caps bookkeeping)."""
    return LRU(1_000_000, max_bytes=max_bytes, weigh=response_bytes)


@dataclass
class Snapshot:
    release: Release
    index: ReleaseIndex
    catalogue: Catalogue
    settings: WebSettings
    pages: LRU = field(default_factory=lambda: page_cache(DEFAULT_PAGE_CACHE_BYTES))
    memo: LRU = field(default_factory=lambda: LRU(1024))  # views, charts, reports: bounded, as queries vary

    @cached_property
    def observations(self) -> ObservationIndex:
        """The published rows indexed by area, item and period (obsindex.py); built when the release is loaded."""
        return ObservationIndex(self.index.rows.values())

    @property
    def id(self) -> str:
        return self.release.id

    def cached(self, key: Any, make: Any) -> Any:
        """A value derived from this release, computed once while it stays in the cache (charts, views)."""
        value = self.memo.get(key)
        if value is None:
            value = make()
            self.memo.put(key, value)
        return value

    def view(self, area_code: str, lang: str) -> BarometerView:
        return self.cached(("view", area_code, lang), lambda: build_view(
            self.index, area_code, lang, self.catalogue, two_rule=self.settings.two_rule,  # type: ignore[arg-type]
            min_indicators=self.settings.min_indicators))


class ReleaseHolder:
    """Hands out the current snapshot; follows the store's CURRENT pointer unless a release is pinned."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self._snapshot: Snapshot | None = None
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def _pointer_stamp(self) -> tuple[int, int] | None:
        try:
            st = (self.settings.store / "CURRENT").stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _load(self, release_id: str | None) -> Snapshot:
        release = open_release(self.settings.store, release_id)
        log.info("serving release %s", release.id)
        snap = Snapshot(release, ReleaseIndex.load(release), release.catalogue, self.settings,
                        pages=page_cache(self.settings.page_cache_bytes))
        snap.observations  # noqa: B018 - indexed once now, before the snapshot serves its first request
        return snap

    def get(self) -> Snapshot:
        """The snapshot to answer this request from; raises NoRelease when the store is empty."""
        snap = self._snapshot
        if snap is not None and (self.settings.release_id or time.monotonic() - self._checked
                                 < self.settings.check_interval):
            return snap
        with self._lock:
            self._checked = time.monotonic()
            if self._snapshot is not None and self.settings.release_id:
                return self._snapshot
            stamp = self._pointer_stamp()
            if self._snapshot is not None and stamp == self._stamp:
                return self._snapshot
            try:
                wanted = self.settings.release_id or current_release_id(self.settings.store)
                if self._snapshot is None or wanted != self._snapshot.id:
                    self._snapshot = self._load(wanted)
                self._stamp = stamp
            except (StoreError, OSError, ValueError) as exc:
                if self._snapshot is None:
                    raise NoRelease(str(exc)) from exc
                log.error("keeping release %s: cannot switch: %s", self._snapshot.id, exc)
        return self._snapshot
