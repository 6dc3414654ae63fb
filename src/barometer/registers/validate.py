"""Validate a register folder against the contract: ``validate_registers(dir) -> ValidationReport``.

Order matters: the manifest and each file's schema are checked first (check_files.py), then values are checked
in DuckDB only over files and columns whose layout is right (check_values.py), so one broken file yields one
clear problem instead of a cascade.
"""

from __future__ import annotations

from pathlib import Path

from barometer.registers.check_files import (
    Footers,
    check_manifest,
    check_table_files,
    check_table_folders,
    check_unknown_tables,
)
from barometer.registers.check_values import ValueChecker
from barometer.registers.contract import CONTRACT, CONTRACT_VERSION
from barometer.registers.report import Problem, ValidationReport

SEVERITY_ORDER = {"error": 0, "warning": 1}


def validate_registers(root: Path | str, max_examples: int = 20, check_manifest_file: bool = True) -> ValidationReport:
    """Check every table under ``root``; never raises for bad data, everything wrong ends up in the report.

    ``max_examples`` bounds the offending rows reported per check (each carries the check's total ``count``).
    ``check_manifest_file=False`` skips manifest.json (e.g. while a writer is still producing parts).
    """
    root = Path(root)
    report = ValidationReport(directory=str(root), contract_version=CONTRACT_VERSION)
    problems = report.problems
    if not root.is_dir():
        problems.append(Problem(kind="missing_directory", message=f"{root} is not a directory"))
        return report
    footers = Footers()
    if check_manifest_file:
        check_manifest(root, problems, footers)
    check_unknown_tables(root, problems)
    check_table_folders(root, problems)
    checker = ValueChecker(root, max_examples, problems)
    try:
        for table in CONTRACT.tables.values():
            files = check_table_files(root, table, problems, footers)
            report.rows[table.name] = files.rows
            checker.add(files)
        checker.run()
    finally:
        checker.close()
    problems.sort(key=lambda p: (SEVERITY_ORDER[p.severity], p.table or "", p.kind, p.file or "", p.row or 0))
    return report
