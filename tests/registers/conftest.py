"""Fixtures for register tests: the valid hand-written set (barometer.registers.fixtures), fresh per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.registers import check_values
from barometer.registers.fixtures import Rows, valid_rows, write_register_set


@pytest.fixture
def rows() -> dict[str, Rows]:
    return valid_rows()


@pytest.fixture
def write(tmp_path: Path):
    """write(rows_or_tables, manifest=True) -> the register folder written under tmp_path."""

    def _write(data: dict, manifest: bool = True) -> Path:
        return write_register_set(tmp_path / "reg", data, manifest=manifest)

    return _write


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``table.column:kind`` of each row check the value scan ran (neither footers nor dictionaries proved it),
    filled as validation runs."""
    seen: list[str] = []
    original = check_values.ValueChecker._unproven

    def record(self, tf):
        checks = original(self, tf)
        seen.extend(f"{tf.table.name}.{c.column}:{c.kind}" for c in checks)
        return checks

    monkeypatch.setattr(check_values.ValueChecker, "_unproven", record)
    return seen
