"""Render the engine's portable SQL for one backend.

Definitions are written in ANSI-ish SQL that DuckDB and Spark SQL both accept, except for the few things no
standard covers the same way on both: date differences, adding years or days to a date, age at a date, a bit of a
BIGINT (a shift), quoting a reserved word and turning a double into a decimal with the same digits. Those are written
as macros (``DAYS_BETWEEN(a, b)``, ``ADD_YEARS(d, n)``, ``ADD_DAYS(d, n)``, ``AGE_AT(birth, d)``, ``BIT(n)``: 2^n as
a BIGINT, ``QUOTE(name)``, ``FIXED(x, p, s)``) and expanded here, so a definition exists once and each backend gets
text it can run.
Settings enter as ``{name}`` placeholders (``str.format``), rendered before the macros.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

Macro = Callable[..., str]


def _age_at(birth: str, at: str) -> str:
    """Completed years at date ``at``: a birthday on the date counts (portable EXTRACT arithmetic)."""
    return (
        f"(EXTRACT(YEAR FROM {at}) - EXTRACT(YEAR FROM {birth}) - CASE WHEN "
        f"EXTRACT(MONTH FROM {birth}) > EXTRACT(MONTH FROM {at}) OR (EXTRACT(MONTH FROM {birth}) = "
        f"EXTRACT(MONTH FROM {at}) AND EXTRACT(DAY FROM {birth}) > EXTRACT(DAY FROM {at})) THEN 1 ELSE 0 END)"
    )


def _fixed(value: str, precision: str, scale: str) -> str:
    """``value`` (a DOUBLE) as DECIMAL(precision, scale), the same digits on every engine.

    A plain ``CAST(x AS DECIMAL(p, s))`` of a double is rounded differently by each engine (DuckDB rounds
    ``x * 10^s`` in floating point, Spark rounds Java's decimal string of ``x``), so about one value in 500 differs
    in its last digit and a sum of them in its last bit. Here both engines make the same IEEE product, round it
    half away from zero to an integral double (exact below 2^52), cast that integer exactly and scale it by an
    exact decimal literal. The integer's precision leaves room for Spark's product rule (p1 + p2 + 1 <= 38)."""
    p, s = int(precision), int(scale)
    inner = min(p, 37 - s)
    return (f"CAST(CAST(ROUND(({value}) * 1e{s}) AS DECIMAL({inner}, 0)) * 0.{'0' * (s - 1)}1 "
            f"AS DECIMAL({p}, {s}))")


DIALECTS: dict[str, dict[str, Macro]] = {
    "duckdb": {
        "DAYS_BETWEEN": lambda a, b: f"date_diff('day', {a}, {b})",
        "ADD_YEARS": lambda d, n: f"CAST({d} + to_years(CAST({n} AS INTEGER)) AS DATE)",
        "ADD_DAYS": lambda d, n: f"({d} + CAST({n} AS INTEGER))",
        "BIT": lambda n: f"(CAST(1 AS BIGINT) << ({n}))",
        "AGE_AT": _age_at,
        "QUOTE": lambda name: f'"{name}"',
        "FIXED": _fixed,
    },
    "spark": {
        "DAYS_BETWEEN": lambda a, b: f"datediff({b}, {a})",
        "ADD_YEARS": lambda d, n: f"add_months({d}, 12 * ({n}))",
        "ADD_DAYS": lambda d, n: f"date_add({d}, {n})",
        "BIT": lambda n: f"shiftleft(CAST(1 AS BIGINT), {n})",
        "AGE_AT": _age_at,
        "QUOTE": lambda name: f"`{name}`",
        "FIXED": _fixed,
    },
}


def split_top_level(text: str) -> list[str]:
    """Split a macro's argument text (or a select list) on top-level commas (items may contain calls)."""
    args: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
            continue
        depth += ch == "("
        depth -= ch == ")"
        current.append(ch)
    args.append("".join(current).strip())
    return args


def expand_macros(sql: str, dialect: str) -> str:
    """Replace every macro call (innermost first, so macros may nest) with the dialect's text."""
    macros = DIALECTS[dialect]
    pattern = re.compile(r"\b(" + "|".join(macros) + r")\(")
    while match := pattern.search(sql):
        start, depth, i = match.end(), 1, match.end()
        while depth:
            if i >= len(sql):
                raise ValueError(f"unbalanced parentheses in macro {match[1]} of: {sql[match.start():][:80]}")
            depth += sql[i] == "("
            depth -= sql[i] == ")"
            i += 1
        inner = expand_macros(sql[start : i - 1], dialect)
        sql = sql[: match.start()] + macros[match[1]](*split_top_level(inner)) + sql[i:]
    return sql


def render(sql: str, dialect: str, params: Mapping[str, object]) -> str:
    """Fill ``{setting}`` placeholders, then expand the dialect macros."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    return expand_macros(sql.format(**params), dialect)


def sql_list(values: object) -> str:
    """A SQL IN-list of string literals, e.g. ``('a', 'b')`` (values come from settings, not from users' SQL)."""
    items = list(values)  # type: ignore[call-overload]
    if not items:
        return "(NULL)"
    for v in items:
        if "'" in str(v):
            raise ValueError(f"invalid code in settings: {v!r}")
    return "(" + ", ".join(f"'{v}'" for v in items) + ")"
