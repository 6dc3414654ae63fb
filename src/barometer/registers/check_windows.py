"""Join rules that keep a row's date within its person's window (alive on the reference date), proven in numpy.

A window rule (``JoinRule.window``) is exactly ``date < r.first OR date > r.last``, ``date`` an SQL date over one
of the row's own columns that never decreases as the column grows (``make_date(t.year, 11, 30)``,
``t.start_date``), ``first`` and ``last`` the referenced person's dates (birth and death; a null bound never
breaks it, as in SQL). In a part sorted by person and that column, a person's rows break it only if the first
row's date is before ``first`` or the last row's after ``last``. So the rule's own SQL date is evaluated once per
value of the column from the part's smallest to its largest (a dozen years, some thousand days), and each
person's two dates are compared with their window, held as days per persons part: no row is gathered and no date
built per row.

``windows_hold`` says True (no row breaks a rule), False (some row does: the SQL check then finds and reports
the rows) or None (it cannot tell: a date that is not a DATE, a null or an error; the rules are then evaluated on
the gathered rows, check_parts.py), so a proof never differs from the SQL check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from barometer.registers.schema import JoinRule

Dates = Callable[[JoinRule, pa.Array], "np.ndarray | None"]
"""The rule's date for each of some values of its own column as int32 days, in their order; None when it is not
a DATE for every one of them."""

_MAX_SPAN = 1 << 20
"""Values of a column in one part further apart than this are left to the gathered rows (the rule's date is
evaluated for every value between a part's smallest and largest: a dozen years, some thousand days)."""

_NEVER_BEFORE = np.iinfo(np.int32).min
_NEVER_AFTER = np.iinfo(np.int32).max


class Windows:
    """The window bounds of each persons part as int32 days (a null as no bound), made once per part and pair of
    columns and shared by the tables that reference the persons."""

    def __init__(self, dates: Dates):
        self.dates = dates
        self._bounds: dict[tuple[int, str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()
        self._keep: list[pa.Table] = []  # the tables keyed by id(), kept alive while their bounds are
        self._days: dict[tuple[JoinRule, str], tuple[int, np.ndarray]] = {}  # first value, dates from it on

    def bounds(self, kept: pa.Table, first: str, last: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The first and last day of each person of ``kept`` (None when those are not date columns)."""
        key = (id(kept), first, last)
        with self._lock:
            if key not in self._bounds:
                if not all(pa.types.is_date32(kept.schema.field(c).type) for c in (first, last)):
                    return None
                self._bounds[key] = (_days(kept.column(first), _NEVER_BEFORE), _days(kept.column(last), _NEVER_AFTER))
                self._keep.append(kept)
            return self._bounds[key]

    def days(self, rule: JoinRule, low: int, span: int, dtype: np.dtype, kind: pa.DataType) -> np.ndarray | None:
        """The rule's date for each value of its column from ``low`` to ``low + span - 1`` as int32 days (``kind``
        the column's type, ``dtype`` its numbers'). Evaluated for a range covering the parts asked about so far,
        once for most parts, as one part's values are mostly another's (the same years, a lifetime of days)."""
        high, key = low + span, (rule, str(kind))
        with self._lock:
            start, known = self._days.get(key, (low, None))
            if known is None or low < start or high > start + len(known):
                end = high
                if known is not None and max(start + len(known), high) - min(start, low) <= _MAX_SPAN:
                    start, end = min(start, low), max(start + len(known), high)
                else:
                    start = low
                known = self.dates(rule, pa.array(np.arange(start, end, dtype=dtype)).view(kind))
                if known is None or len(known) != end - start:
                    return None
                self._days[key] = (start, known)
            return known[low - start:high - start]


def _days(column: pa.ChunkedArray, missing: int) -> np.ndarray:
    return column.cast(pa.int32()).fill_null(pa.scalar(missing, pa.int32())).to_numpy()


def windows_hold(windows: Windows, rules: list[JoinRule], data: pa.Table, known: dict[str, np.ndarray],
                 runs: tuple[np.ndarray, np.ndarray], at: np.ndarray, kept: pa.Table) -> bool | None:
    """Whether every row keeps every rule in ``rules`` (all window rules over one own column whose numbers are in
    ``known``), given each person's first and last row (``runs``) and their persons' rows in ``kept`` (``at``)."""
    starts, ends = runs
    verdict = True
    for rule in rules:
        if rule.window is None or len(rule.columns) != 1 or rule.columns[0] not in known:
            return None
        column = rule.columns[0]
        values, kind = known[column], data.schema.field(column).type
        if values.dtype.itemsize * 8 != kind.bit_width:
            return None
        bounds = windows.bounds(kept, rule.window[1], rule.window[2])
        if bounds is None:
            return None
        first, last = values[starts].astype(np.int64), values[ends].astype(np.int64)
        low = int(first.min())  # the earliest value is a person's first, the latest a person's last
        span = int(last.max()) - low + 1
        if span > _MAX_SPAN:
            return None
        dates = windows.days(rule, low, span, values.dtype, kind)
        if dates is None:
            return None
        first_day, last_day = bounds
        before = dates[first - low] < first_day[at]
        after = dates[last - low] > last_day[at]
        verdict = verdict and not bool(before.any() or after.any())
    return verdict
