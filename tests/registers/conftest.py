"""Fixtures for register tests: the valid hand-written set (barometer.registers.fixtures), fresh per test."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from barometer.registers import check_sorted, check_values
from barometer.registers.check_sorted import SortedProof
from barometer.registers.fixtures import Rows, to_arrow, valid_rows, write_register_set
from barometer.registers.layout import sort_part


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


@pytest.fixture
def part_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[str, ...]]]:
    """(table, columns) of every part pyarrow decoded for the proofs and dictionaries, filled as validation runs:
    what a proof from pages or footers spared is absent."""
    reads: list[tuple[str, tuple[str, ...]]] = []
    original = check_sorted.read_part

    def spy(table, path, columns, metadata=None):
        reads.append((table.name, tuple(columns)))
        return original(table, path, columns, metadata)

    monkeypatch.setattr(check_sorted, "read_part", spy)
    return reads


@pytest.fixture
def proven_references(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Tables whose "every pnr is a person" rule the sorted proof proved (no SQL check needed), filled as
    validation runs."""
    proven: list[str] = []
    original = SortedProof.references

    def spy(self, tf, ref, fk, rules):
        result = original(self, tf, ref, fk, rules)
        if result:
            proven.append(tf.table.name)
        return result

    monkeypatch.setattr(SortedProof, "references", spy)
    return proven


@pytest.fixture
def write_defaults(tmp_path: Path):
    """write_defaults(rows=None) -> a register folder (with manifest) whose parts pyarrow wrote with its default
    options, as most Parquet writers do: every column dictionary-encoded (the project's writer encodes strings
    only), each part in the recommended row order."""

    def _write(rows: dict[str, Rows] | None = None) -> Path:
        tables = {name: sort_part(name, to_arrow(name, r)) for name, r in (valid_rows() if rows is None else
                                                                           rows).items()}
        # every column optional, so that a test may write a null where the contract forbids one
        return write_register_set(tmp_path / "defaults", {
            name: t.cast(pa.schema([f.with_nullable(True) for f in t.schema])) for name, t in tables.items()})

    return _write
