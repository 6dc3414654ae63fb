"""The year range and the registers' reach read from Parquet footers: the same as a scan, or a scan when a part
carries no statistics."""

from __future__ import annotations

import importlib
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from barometer.engine.backend import DuckDBBackend
from barometer.registers.contract import arrow_schema

build = importlib.import_module("barometer.engine.build")


def _write(folder, table: str, parts: list[dict], statistics: bool = True) -> None:
    (folder / table).mkdir(parents=True)
    for i, columns in enumerate(parts):
        data = pa.table(columns).cast(arrow_schema(table))
        pq.write_table(data, folder / table / f"part-{i:05d}.parquet", row_group_size=2,
                       write_statistics=statistics)


def _scan(backend: DuckDBBackend, table: str, column: str) -> tuple:
    return backend.con.execute(f'SELECT MIN("{column}"), MAX("{column}") FROM "{table}"').fetchall()[0]


@pytest.mark.parametrize("statistics", [True, False])
def test_the_range_is_the_scans_from_footers_or_by_scanning(tmp_path, statistics):
    _write(tmp_path, "residence", [
        {"pnr": [1, 1, 1, 2, 2], "year": [2015, 2016, 2017, 2013, 2014], "municipality": ["101"] * 5},
        {"pnr": [3, 3], "year": [2019, 2012], "municipality": ["851", "851"]},
        {"pnr": [], "year": [], "municipality": []},  # an empty part has no row group to read
    ], statistics)
    _write(tmp_path, "convictions", [
        {"pnr": [1, 2, 3], "decision_date": [date(2020, 3, 1), date(2023, 6, 30), date(2019, 1, 2)],
         "offence_date": [None, None, None], "law": ["straffeloven"] * 3}], statistics)
    backend = DuckDBBackend()
    backend.register_registers(tmp_path)
    try:
        assert (backend.column_range("residence", "year") is not None) == statistics
        for table, column in (("residence", "year"), ("convictions", "decision_date")):
            assert build._column_range(backend, table, column) == _scan(backend, table, column)
        assert build._column_range(backend, "residence", "year") == (2012, 2019)
        assert build._column_range(backend, "grades", "year") == (None, None)  # an absent table: no rows
    finally:
        backend.close()


def test_a_part_whose_column_is_all_null_is_scanned(tmp_path):
    _write(tmp_path, "convictions", [
        {"pnr": [1, 2], "decision_date": [date(2020, 3, 1), date(2021, 1, 1)], "offence_date": [None, None],
         "law": ["straffeloven"] * 2}])
    backend = DuckDBBackend()
    backend.register_registers(tmp_path)
    try:
        assert backend.column_range("convictions", "offence_date") is None
        assert build._column_range(backend, "convictions", "offence_date") == (None, None)
    finally:
        backend.close()
