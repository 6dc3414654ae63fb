"""Keyed joins declared as data, so that one declaration can be executed in two ways.

A ``JoinView`` is a driving table with tables attached to each of its rows on equal key columns (a person, a
person and year). Declared as data — the driving table, and for each attached table its key, its SQL filter and
whether a row without a match is kept — it renders to the plain ``JOIN`` SQL every engine runs (``JoinView.sql``),
and the DuckDB backend can execute the very same declaration another way when the registers allow it: one person
part at a time, finding each row's match by its key's slot in the part instead of hash joining whole tables
(barometer.engine.ordered). Filters and
the select list are SQL text in both executions; only how matching rows are found differs.

A ``PersonChain`` names views that are computed row by row for each person (a join on the person, a filter, a
projection) and the view that finally counts them: computed on the rows of any set of persons, such a view gives
exactly its rows for those persons, which is what lets the chain run one person part at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from barometer.engine.model import View
from barometer.engine.sql import split_top_level


@dataclass(frozen=True)
class Attach:
    """A table joined to each row of the driving table where all ``key`` columns are equal.

    ``where`` is an SQL predicate over the attached table's own columns (the rows that can match); ``inner``
    drops driving rows without a match (``JOIN``), otherwise they are kept with NULLs (``LEFT JOIN``). The
    attached table's columns the select list reads are found from the text (``alias.column``)."""

    table: str
    alias: str
    key: tuple[str, ...]
    where: str = ""
    inner: bool = False


def columns_read(alias: str, text: str) -> list[str]:
    """The columns ``text`` reads from ``alias`` (``alias.column``), in order of first use."""
    return list(dict.fromkeys(re.findall(rf"\b{re.escape(alias)}\.(\w+)", text)))


def attached_columns(select: str, a: Attach) -> list[str]:
    """The key of ``a``, then every other column of it that ``select`` reads."""
    return list(dict.fromkeys([*a.key, *columns_read(a.alias, select)]))


@dataclass(frozen=True)
class JoinView(View):
    """A view that is a driving table with attached tables (see the module docstring); ``sql`` is rendered from
    the declaration, never written by hand."""

    driver: str = ""
    alias: str = ""
    select: str = ""
    attach: tuple[Attach, ...] = field(default=())

    def driver_columns(self, select: str | None = None) -> list[str]:
        """The columns of the driving table the select list (or ``select``) and the join keys read."""
        keys = [k for a in self.attach for k in a.key]
        return list(dict.fromkeys([*keys, *columns_read(self.alias, self.select if select is None else select)]))

    def pruned(self, select: str) -> JoinView:
        """This view with the select list ``select`` (``select_for``): its SQL reads only what that reads."""
        return join_view(self.name, self.description, driver=self.driver, alias=self.alias, select=select,
                         attach=self.attach, materialize=self.materialize)

    def select_for(self, read_after: str) -> str:
        """The select list without the columns ``read_after`` (the SQL that reads this view) never names: what
        a planner's projection pushdown keeps, so nothing is gathered for a column no one reads."""
        items = split_top_level(re.sub(r"--[^\n]*", "", self.select))
        kept = [i for i in items if re.search(rf"\b{re.escape(_output_name(i))}\b", read_after)]
        return ",\n".join(kept or items[:1])


def _output_name(item: str) -> str:
    """The name a select item gives its column: after ``AS``, else the column it reads."""
    named = re.search(r"\bAS\s+(\w+)\s*$", item, re.IGNORECASE)
    return named[1] if named else item.strip().split(".")[-1]


def join_view(name: str, description: str, *, driver: str, alias: str, select: str, attach: tuple[Attach, ...],
              materialize: bool = False) -> JoinView:
    """Declare a ``JoinView``; its SQL (for every engine) is rendered here from the declaration."""
    joins = []
    for a in attach:
        kind = "JOIN" if a.inner else "LEFT JOIN"
        cols = ", ".join(attached_columns(select, a))
        where = f" WHERE {a.where.strip()}" if a.where.strip() else ""
        on = " AND ".join(f"{a.alias}.{k} = {alias}.{k}" for k in a.key)
        joins.append(f"{kind} (SELECT {cols} FROM {a.table}{where}) {a.alias}\n  ON {on}")
    sql = f"SELECT {select.strip()}\nFROM {driver} {alias}\n" + "\n".join(joins) + "\n"
    return JoinView(name, description, sql, materialize, driver=driver, alias=alias, select=select, attach=attach)


@dataclass(frozen=True)
class CountView(View):
    """A view that groups a source by some columns and counts rows (``COUNT(*)``) or sums values (``SUM(x)``).
    Declared as data, its SQL is rendered once; and since counts and sums of disjoint sets of rows add up, it can
    also be computed over parts of the source and the parts' results summed (``combine_sql``)."""

    source: str = ""
    by: tuple[str, ...] = ()
    measures: tuple[tuple[str, str], ...] = ()  # (output column, "COUNT(*)" or "SUM(expression)")


def count_view(name: str, description: str, *, source: str, by: tuple[str, ...],
               measures: tuple[tuple[str, str], ...], materialize: bool = True) -> CountView:
    """Declare a ``CountView``; its SQL is rendered here."""
    for column, measure in measures:
        if not re.fullmatch(r"COUNT\(\*\)|SUM\(.+\)", measure.strip()):
            raise ValueError(f"view {name}, column {column}: {measure!r} is neither COUNT(*) nor SUM(...)")
    keys = ", ".join(by)
    values = ", ".join(f"{m} AS {c}" for c, m in measures)
    sql = f"SELECT {keys},\n       {values}\nFROM {source}\nGROUP BY {keys}\n"
    return CountView(name, description, sql, materialize, source=source, by=by, measures=measures)


def combine_sql(view: CountView, partials: str) -> str:
    """Sum ``partials`` (the view's own SQL run over disjoint parts of its source) into the view's rows: a count
    is the sum of the parts' counts (cast back to the type of ``COUNT``), a sum the sum of their sums."""
    keys = ", ".join(view.by)
    values = ", ".join(f"CAST(SUM({c}) AS BIGINT) AS {c}" if m.strip() == "COUNT(*)" else f"SUM({c}) AS {c}"
                       for c, m in view.measures)
    return f"SELECT {keys}, {values} FROM {partials} GROUP BY {keys}"


@dataclass(frozen=True)
class PersonChain:
    """Views computed row by row per person, in order (each reads the one before it; the first is a
    ``JoinView`` driven by a register), and ``result``, the ``CountView`` that counts the last of them.

    ``per_person`` are the derived views the steps attach (and the views they read), each also per person: its
    rows for a set of persons follow from those persons' rows alone. ``own`` are the materialised ones among them
    that nothing but the chain reads. The backend may compute ``result`` one person part at a time
    (barometer.engine.ordered); the steps after the first and the ``own`` views are then never created. Whether
    it does or runs the SQL of every view, the result is the same."""

    steps: tuple[View, ...]
    result: CountView
    per_person: tuple[View, ...] = ()
    own: tuple[str, ...] = ()
    persons: str = "persons"  # the register whose parts say which persons each part holds

    @property
    def skipped(self) -> tuple[str, ...]:
        """Views not created when the chain runs per part: all steps but the first (which other views read),
        and the per-person views only the chain reads."""
        return (*(s.name for s in self.steps[1:]), *self.own)
