"""Materialised views are dropped as soon as nothing after them reads them (build.finished_views): never one an
item or a later view still reads, directly or through a lazy view, and each at most once."""

from __future__ import annotations

import re

from barometer.engine.build import finished_views
from barometer.engine.definitions import DEFINITIONS
from barometer.engine.views import VIEWS


def _mentions(sql: str, name: str) -> bool:
    return re.search(rf"\b{name}\b", sql) is not None


def test_status_tables_are_dropped_once_their_cells_are_counted():
    assert finished_views("status_cells") == ["fulltime_support", "status_population"]
    assert finished_views("status_year") == []  # status_year is lazy: status_cells still reads through it


def test_no_view_is_dropped_while_something_later_reads_it():
    names = [v.name for v in VIEWS]
    dropped: list[str] = []
    for index, view in enumerate(VIEWS):
        done = finished_views(view.name)
        assert not set(done) & set(dropped), "a view dropped twice"
        dropped += done
        later_sql = [v.sql for v in VIEWS[index + 1:]] + [d.sql for d in DEFINITIONS]
        lazy = [v for v in VIEWS if not v.materialize]
        for name in done:
            assert names.index(name) < index
            readers = [sql for sql in later_sql if _mentions(sql, name)]
            readers += [v.name for v in lazy if _mentions(v.sql, name) and any(_mentions(s, v.name)
                                                                             for s in later_sql)]
            assert readers == [], (name, view.name)
    assert all(not _mentions(d.sql, name) for d in DEFINITIONS for name in dropped)
