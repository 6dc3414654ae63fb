"""Import the ministry's published barometer figures from a documented CSV into observations.

Format (docs/published-csv.md): UTF-8, comma-separated, decimal point, header
``area_code,item_id,period,value,development``. ``period`` is the year for indicators and the reference period
(Danish text or canonical code) for key figures; an empty ``value`` means not published; ``development`` may be
empty. Every problem is reported with file, line, kind (a code of the problem catalogue, docs/problems.md) and reason,
and nothing is published unless the whole file is clean.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from barometer.catalogue import Catalogue
from barometer.errors import BarometerError
from barometer.periods import PeriodError, parse_period, period_year
from barometer.problems import problem_kind
from barometer.store import Status, observation_table

REQUIRED_COLUMNS = ("area_code", "item_id", "period", "value", "development")
MAX_REPORTED = 20


@dataclass(frozen=True)
class ImportProblem:
    file: str
    line: int
    kind: str  # a code of the problem catalogue (problems.toml)
    reason: str

    def __post_init__(self) -> None:
        problem_kind(self.kind)  # a code the catalogue lacks is a programming error, caught by the tests

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason} [{self.kind}]"


class PublishedImportError(BarometerError, ValueError):
    """The file was refused; ``problems`` lists every problem found (file, line, kind, reason)."""

    code = "published_csv_refused"
    exit_code = 2
    http_status = 422

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:MAX_REPORTED])
        more = f"\n… and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        super().__init__(f"{len(problems)} problem(s) in published figures:\n{shown}{more}\n"
                         "No release was written.")


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_published(path: Path, catalogue: Catalogue, edition: str | None = None) -> pa.Table:
    """Parse and check the whole file; return observations or raise PublishedImportError.

    With ``edition`` (e.g. "2024-11"), periods after the edition's year are refused as well.
    """
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise PublishedImportError([ImportProblem(name, line, "not_utf8", "file is not valid UTF-8 "
                                                               f"(byte {exc.start}); save it as UTF-8")]) from exc
    except OSError as exc:
        raise PublishedImportError([ImportProblem(name, 0, "unreadable_file",
                                                  f"cannot read file: {exc.strerror}")]) from exc
    if not text.strip():
        raise PublishedImportError([ImportProblem(name, 1, "empty_table", "file is empty; expected header "
                                                           + ",".join(REQUIRED_COLUMNS))])
    reader = csv.DictReader(text.splitlines(), strict=True)
    header = reader.fieldnames or []
    if missing := [c for c in REQUIRED_COLUMNS if c not in header]:
        raise PublishedImportError([ImportProblem(name, 1, "missing_column", f"missing column(s) {', '.join(missing)}; "
                                                           f"header is {','.join(header)}")])
    problems: list[ImportProblem] = []
    rows: list[dict] = []
    seen: dict[tuple[str, str, str], int] = {}
    try:
        for record in reader:
            line = reader.line_num
            row, row_problems = _parse_row(record, catalogue, edition)
            problems += [ImportProblem(name, line, kind, reason) for kind, reason in row_problems]
            if row is None:
                continue
            key = (row["area_code"], row["item_id"], row["period"])
            if key in seen:
                problems.append(ImportProblem(name, line, "duplicate_key",
                                              f"duplicate row for area {key[0]}, item {key[1]}, "
                                              f"period {key[2]} (first on line {seen[key]})"))
                continue
            seen[key] = line
            rows.append(row)
    except csv.Error as exc:
        problems.append(ImportProblem(name, reader.line_num, "malformed_csv", f"malformed CSV: {exc}"))
    if not rows and not problems:
        problems.append(ImportProblem(name, 2, "empty_table", "no data rows after the header"))
    if problems:
        raise PublishedImportError(problems)
    return observation_table(rows)


def _range_problem(item_id: str, unit: str, column: str, value: float) -> str | None:
    """Values a published figure of this unit cannot take (a share above 100 %, a fractional count …)."""
    if unit == "count":
        if value != int(value) or (column == "value" and value < 0):
            hint = " (a Danish thousands separator? write 45766, not 45.766)" if value != int(value) else ""
            kind = "a whole number ≥ 0" if column == "value" else "a whole number"
            return f"{column} {value:g} of count {item_id} must be {kind}{hint}"
        return None
    low = 0.0 if unit == "pct" and column == "value" else -100.0
    if not low <= value <= 100:
        return f"{column} {value:g} of {item_id} is outside {low:g}…100 ({'pct.' if unit == 'pct' else 'pct. point'})"
    return None


def _parse_row(record: dict[str | None, Any], catalogue: Catalogue,
               edition: str | None) -> tuple[dict | None, list[tuple[str, str]]]:
    """The observation of one row, or None and the row's problems as (kind, reason)."""
    if None in record:
        return None, [("malformed_csv", f"too many fields ({len(record) - 1 + len(record[None] or [])} for "
                      f"{len(record) - 1} columns)")]
    values = {k: (v or "").strip() for k, v in record.items()}
    problems = []
    area, item = values["area_code"], values["item_id"]
    if not catalogue.has_area(area):
        problems.append(("unknown_area", f"unknown area_code {area!r} (expected a code such as 000, 084 or 851)"))
    if not catalogue.has_item(item):
        problems.append(("unknown_item", f"unknown item_id {item!r} (expected 1.1 … 9.1 or N1 … N18)"))
    period = values["period"]
    if catalogue.has_item(item):
        try:
            period = parse_period(period)
            is_indicator = item[0].isdigit()
            if is_indicator and not period.isdigit():
                problems.append(("invalid_period", f"period {values['period']!r} of indicator {item} must be a year"))
            elif edition and period_year(period) > int(edition[:4]):
                problems.append(("period_after_edition", f"period {values['period']!r} is after edition {edition}"))
        except PeriodError as exc:
            problems.append(("invalid_period", f"period: {exc}"))
    parsed: dict[str, float | None] = {}
    for column in ("value", "development"):
        if values[column] == "":
            parsed[column] = None
            continue
        try:
            number = parsed[column] = _number(values[column])
        except ValueError:
            problems.append(("not_a_number", f"{column} {values[column]!r} is not a number (use a decimal point, "
                                             "e.g. 2.2)"))
            continue
        if catalogue.has_item(item) and (bad := _range_problem(item, catalogue.item(item).unit, column, number)):
            problems.append(("out_of_range", bad))
    if problems:
        return None, problems
    return {
        "area_code": area,
        "item_id": item,
        "period": period,
        "value": parsed["value"],
        "status": Status.OK if parsed["value"] is not None else Status.MISSING,
        "published_development": parsed["development"],
        "source": "published",
    }, []
