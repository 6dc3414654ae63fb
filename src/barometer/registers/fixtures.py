"""A tiny, hand-written, valid register set for tests (validation here; the engine's hand-made fixtures later).

Seven persons in Aalborg (851) and København (101) with just enough rows in every table that each check has
something to bite on. ``valid_rows()`` returns plain Python rows so that a test can change one value and write
the result; ``write_register_set`` writes tables in the contract layout plus a manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from barometer.registers.contract import CONTRACT
from barometer.registers.layout import part_name, table_dir, write_part
from barometer.registers.manifest import write_manifest

Rows = list[dict[str, Any]]
D = date


def valid_rows() -> dict[str, Rows]:
    """Fresh rows for every contract table (a new copy on each call, safe to mutate)."""
    rows: dict[str, list[tuple]] = {
        "persons": [
            (1, D(1980, 5, 1), "M", "dansk", "DK", None, None),
            (2, D(1985, 2, 10), "K", "dansk", "DK", None, None),
            (3, D(1990, 3, 15), "M", "indvandrer", "SY", D(2015, 9, 1), None),
            (4, D(2008, 6, 1), "K", "efterkommer", "TR", None, None),
            (5, D(1985, 7, 7), "K", "indvandrer", "UA", D(2022, 4, 1), None),
            (6, D(2005, 1, 20), "M", "indvandrer", "SO", D(2010, 8, 1), None),
            (7, D(1950, 11, 30), "M", "indvandrer", "IQ", D(2000, 1, 15), D(2023, 1, 2)),
        ],
        "residence": [
            (1, 2022, "851"),
            (2, 2022, "101"),
            (3, 2022, "851"),
            (4, 2022, "851"),
            (6, 2022, "101"),
            (1, 2023, "851"),
            (2, 2023, "101"),
            (3, 2023, "851"),
            (4, 2023, "851"),
            (5, 2023, "851"),
            (6, 2023, "101"),
        ],
        "addresses": [  # pnr, start, end, municipality: agrees with residence on each 1 January
            (1, D(1980, 5, 1), None, "851"),
            (2, D(1985, 2, 10), D(2022, 3, 31), "101"),
            (2, D(2022, 4, 1), D(2022, 9, 30), "851"),  # half a year away, back before 1 January
            (2, D(2022, 10, 1), None, "101"),
            (3, D(2015, 9, 1), None, "851"),
            (4, D(2008, 6, 1), None, "851"),
            (5, D(2022, 4, 1), D(2022, 4, 9), None),  # resident, municipality not yet known
            (5, D(2022, 4, 10), None, "851"),
            (6, D(2010, 8, 1), D(2015, 12, 31), "851"),
            (6, D(2016, 1, 1), None, "101"),
        ],
        "employment": [
            (1, 2022, "employee"),
            (2, 2022, "self_employed"),
            (3, 2022, "unemployed"),
            (6, 2022, "outside_labour_force"),
            (5, 2023, "employee"),
        ],
        "education": [
            (1, 2022, "H70", "H70"),
            (2, 2022, "H30", "H30"),
            (3, 2022, "H90", None),
            (6, 2022, "H10", "H10"),
        ],
        "grades": [
            (4, 2024, "dansk_skriftlig", 7),
            (4, 2024, "matematik_med_hjaelpemidler", 4),
            (6, 2021, "dansk_mundtlig", 2),
            (6, 2021, "dansk_retskrivning", -3),
        ],
        "danish_courses": [
            (3, D(2016, 1, 10), D(2018, 6, 30), "DU2", True, "851"),
            (5, D(2022, 5, 1), None, "DU3", False, "851"),
        ],
        "danish_tests": [(3, "PD2", D(2018, 6, 15))],
        "benefits": [
            (3, "integration_benefit", D(2016, 1, 4), D(2016, 12, 25), 37.0),
            (2, "sickness_benefit", D(2022, 3, 7), D(2022, 4, 3), 18.5),
        ],
        "convictions": [(6, D(2023, 2, 1), D(2022, 11, 20), "straffeloven")],
        "permits": [(3, "refugee", D(2015, 10, 1), None), (5, "ukraine", D(2022, 4, 1), D(2025, 3, 16))],
        "visitations": [(3, D(2015, 10, 15), "851", "refugee"), (5, D(2022, 4, 10), "851", "ukraine")],
        "programme_status": [(3, D(2016, 1, 1), "851", True, True, False), (3, D(2016, 2, 1), "851", True, None, True)],
        "igu_courses": [(3, D(2017, 1, 2), D(2019, 1, 1), "851")],
        "repatriations": [(7, D(2020, 5, 1), "101", "IQ")],
        "migrations": [
            (3, D(2015, 9, 1), "immigration", "SY", None),
            (5, D(2022, 4, 1), "immigration", "UA", "851"),
            (7, D(2000, 1, 15), "immigration", "IQ", "101"),
            (7, D(2020, 5, 1), "emigration", "IQ", "101"),
        ],
        "enrolment": [(4, "school", D(2014, 8, 11), None, "851"), (5, "daycare", D(2022, 6, 1), None, "851")],
        "housing_areas": [
            (2023, "aalborg-oest", "Aalborg Øst", "851", "udsat"),
            (2023, "mjoelnerparken", "Mjølnerparken", "101", "udsat"),
            (2023, "mjoelnerparken", "Mjølnerparken", "101", "parallelsamfund"),
        ],
        "survey_respondents": [(1, 2024, 1.5, "indvandrer", 40, "M"), (2, 2024, 0.8, "dansk", 55, "K")],
        "survey_answers": [
            (1, 2024, "discrimination", 1),
            (1, 2024, "danish_problems", 2),
            (2, 2024, "discrimination", 2),
        ],
        "wage_employment": [(5, D(2022, 8, 1), None)],
    }
    return {
        name: [dict(zip(CONTRACT.table(name).column_names, r, strict=True)) for r in table_rows]
        for name, table_rows in rows.items()
    }


def to_arrow(table: str, rows: Rows) -> pa.Table:
    """Rows in the exact contract schema (raises if a value does not fit its type)."""
    schema = CONTRACT.table(table).arrow_schema()
    return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()


def loose_table(
    table: str,
    rows: Rows,
    types: Mapping[str, pa.DataType] | None = None,
    drop: tuple[str, ...] = (),
    extra: Mapping[str, list[Any]] | None = None,
) -> pa.Table:
    """Rows with every field nullable, some types changed, columns dropped or added — for writing bad input."""
    types = types or {}
    fields = [
        pa.field(c.name, types.get(c.name, c.arrow_type), nullable=True)
        for c in CONTRACT.table(table).columns
        if c.name not in drop
    ]
    data = pa.Table.from_pylist([{k: v for k, v in r.items() if k not in drop} for r in rows], schema=pa.schema(fields))
    for name, values in (extra or {}).items():
        data = data.append_column(name, pa.array(values))
    return data


def write_register_set(
    root: Path | str, rows: Mapping[str, Rows | pa.Table] | None = None, manifest: bool = True
) -> Path:
    """Write ``rows`` (default: ``valid_rows()``) as one part per table, then the manifest.

    A ``pa.Table`` value is written exactly as given (no casting), so tests can write wrong types on purpose.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for name, data in (valid_rows() if rows is None else rows).items():
        if isinstance(data, pa.Table):
            path = table_dir(root, name) / part_name(0)
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(data, path)
        else:
            write_part(root, name, to_arrow(name, data))
    if manifest:
        write_manifest(root, generator="barometer.registers.fixtures", synthetic=True)
    return root
