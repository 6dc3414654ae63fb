"""Match the rows of one person part on their keys with numpy: what the per-part execution of a keyed join
does instead of building and probing a hash table.

Within a part, a key of a person (``pnr``) or of a person and a small number (``pnr, year``) has a slot: the
person's position among the part's persons (found once per run of equal ``pnr``: rows sorted by person, as the
recommended layout writes them, have one run per person), times the span of the second column, plus its offset.
The part's persons x years are few, so an attached table's rows are written into an array at their slots and each
driving row reads its match from its own slot: two linear passes, whatever the order of the rows. Each function
checks the property it relies on and raises ``NotApplicable`` when it does not hold, so the caller can fall back to
SQL; numpy releases the GIL, so two parts are matched at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


class NotApplicable(Exception):
    """The data do not have the property the ordered execution relies on (the SQL execution applies instead)."""


def column_int64(table: pa.Table, name: str) -> np.ndarray:
    """A key column as int64 numbers (nulls have no place in a key: not applicable)."""
    column = table.column(name)
    if column.null_count:
        raise NotApplicable(f"column {name} has nulls")
    if not pa.types.is_integer(column.type):
        raise NotApplicable(f"column {name} is {column.type}, not an integer")
    return column.to_numpy().astype(np.int64, copy=False)


def strictly_increasing(keys: np.ndarray) -> bool:
    """Sorted with no key twice: each row of the driving table then matches at most one row."""
    return len(keys) < 2 or bool((keys[1:] > keys[:-1]).all())


def match(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``keys``, the position of the equal key in ``sorted_keys`` (strictly increasing) and whether
    there is one."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
    at = np.searchsorted(sorted_keys, keys)
    np.minimum(at, len(sorted_keys) - 1, out=at)
    return at, sorted_keys[at] == keys


def compact(table: pa.Table) -> pa.Table:
    """``table`` with its string columns dictionary-encoded: gathering rows then copies small integers instead
    of strings (DuckDB reads them back as the same VARCHAR values)."""
    columns = [c.dictionary_encode() if pa.types.is_string(c.type) else c for c in table.columns]
    return pa.table(columns, names=table.column_names)


def person_index(persons: np.ndarray, pnr: np.ndarray, where: str) -> np.ndarray:
    """The position of each person number in ``persons`` (the part's persons, strictly increasing). Rows sorted
    by person (the recommended layout) are looked up once per person; a person not among them means the row is
    in another person's part: not applicable."""
    if len(pnr) > 1 and bool((pnr[1:] >= pnr[:-1]).all()):
        starts = np.flatnonzero(np.r_[True, pnr[1:] != pnr[:-1]])
        at, found = match(persons, pnr[starts])
        if not found.all():
            raise NotApplicable(f"{where} has persons of another part")
        return np.repeat(at, np.diff(np.r_[starts, len(pnr)]))
    at, found = match(persons, pnr)
    if not found.all():
        raise NotApplicable(f"{where} has persons of another part")
    return at


@dataclass(frozen=True)
class Slots:
    """Each row's slot in a part's key space: its person's position among the part's persons, times the span of
    the key's second column (a year), plus that column's offset. Distinct keys of the part have distinct slots,
    and there are few slots (persons x years), so a key is found by indexing an array instead of searching."""

    slots: np.ndarray
    size: int


def slots(persons: np.ndarray, person: np.ndarray, second: np.ndarray | None, low: int, span: int) -> Slots:
    """``Slots`` of rows given their person positions (``person_index``) and second key column."""
    if second is None:
        return Slots(person, len(persons))
    return Slots(person * span + (second - low), len(persons) * span)


def dense_match(attached: Slots, driving: Slots, where: str) -> tuple[np.ndarray, np.ndarray]:
    """For each driving row, the attached row with the same slot and whether there is one. Each attached row
    writes its number into its slot; a slot written twice (fewer filled slots than rows) is a key occurring
    twice, which a join would repeat driving rows for: not applicable."""
    table: np.ndarray = np.full(attached.size, -1, np.int32 if len(attached.slots) < 2**31 else np.int64)
    table[attached.slots] = np.arange(len(attached.slots), dtype=table.dtype)
    if np.count_nonzero(table >= 0) != len(attached.slots):
        raise NotApplicable(f"{where} has a key twice")
    at: np.ndarray = table[driving.slots].astype(np.int64)
    found = at >= 0
    at[~found] = 0
    return at, found


def gather(table: pa.Table, at: np.ndarray, found: np.ndarray) -> pa.Table:
    """The rows of ``table`` at ``at``, NULL where nothing was ``found`` (what a left join attaches)."""
    if found.all():
        return table.take(pa.array(at))
    return table.take(pa.array(at, mask=~found))


def people(pnr: np.ndarray) -> np.ndarray:
    """The distinct person numbers of a column, in order."""
    if len(pnr) > 1 and bool((pnr[1:] >= pnr[:-1]).all()):
        return pnr[np.r_[True, pnr[1:] != pnr[:-1]]]
    return np.unique(pnr)


def all_within(pnr: np.ndarray, persons: np.ndarray) -> bool:
    """Every person number of ``pnr`` is one of ``persons`` (strictly increasing)."""
    return bool(match(persons, people(pnr))[1].all())


def disjoint(parts: list[np.ndarray]) -> bool:
    """No person number in two of ``parts`` (each strictly increasing). Parts whose ranges do not overlap are
    disjoint by their ranges; only overlapping ones are compared person by person."""
    ordered = sorted((p for p in parts if len(p)), key=lambda p: int(p[0]))
    cluster: list[np.ndarray] = []
    end = None
    for part in [*ordered, None]:
        if part is not None and end is not None and part[0] <= end:
            cluster.append(part)
            end = max(end, int(part[-1]))
            continue
        if len(cluster) > 1 and not strictly_increasing(np.sort(np.concatenate(cluster))):
            return False
        if part is not None:
            cluster, end = [part], int(part[-1])
    return True
