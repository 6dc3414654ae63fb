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
from typing import Any

from barometer.catalogue import Catalogue, load_catalogue
from barometer.store import Release, StoreError, current_release_id, open_release
from barometer.view import BarometerView, ReleaseIndex, build_view
from barometer.web.settings import WebSettings

log = logging.getLogger("barometer.web")


class NoRelease(RuntimeError):
    """The store has no readable release yet."""


class LRU:
    """A small thread-safe least-recently-used cache."""

    def __init__(self, size: int) -> None:
        self.size, self.data, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


@dataclass
class Snapshot:
    release: Release
    index: ReleaseIndex
    catalogue: Catalogue
    settings: WebSettings
    pages: LRU = field(default_factory=lambda: LRU(1024))
    memo: LRU = field(default_factory=lambda: LRU(1024))  # views, charts, reports: bounded, as queries vary

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
        return Snapshot(release, ReleaseIndex.load(release), load_catalogue(), self.settings,
                        pages=LRU(self.settings.page_cache_size))

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
