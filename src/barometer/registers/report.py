"""The typed result of validating a register folder: one Problem per offending example, with totals.

Problems are data (pydantic models) rather than log lines so that the CLI can print them as a table or JSON and
tests can assert exactly which table, column, row and kind was found.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

PROBLEM_KINDS: dict[str, str] = {
    "missing_directory": "The register folder does not exist.",
    "missing_manifest": "manifest.json is missing.",
    "invalid_manifest": "manifest.json is not valid JSON or not a manifest.",
    "contract_version_mismatch": "Data written for another contract version (error if the major version "
    "differs, warning otherwise).",
    "manifest_file_missing": "A file listed in the manifest does not exist.",
    "file_not_in_manifest": "A Parquet part exists that the manifest does not list.",
    "checksum_mismatch": "A file's SHA-256 differs from the manifest (changed or truncated after writing).",
    "row_count_mismatch": "A file's row count differs from the manifest.",
    "unknown_table": "A folder with Parquet files that is not a contract table (warning; ignored).",
    "missing_table": "A required table has no folder or no Parquet parts.",
    "unreadable_file": "A part is not readable Parquet (empty, truncated, corrupted pages).",
    "missing_column": "A contract column is missing from a part.",
    "unexpected_column": "A part has a column the contract does not declare (warning; ignored).",
    "wrong_type": "A column's Arrow type differs from the contract.",
    "empty_table": "A table whose rows are required has none.",
    "null_value": "A null in a column that may not be null.",
    "unknown_code": "A value outside the column's code list (incl. grades off the 7-point scale).",
    "unknown_municipality": "A municipality code that is not one of the 98 municipalities.",
    "unknown_country": "A country code not in countries.toml.",
    "out_of_range": "A number outside the column's range (e.g. hours per week below 0 or above 168, NaN).",
    "date_out_of_range": "A date outside the column's range or its table's rule (e.g. Ukraine permits before 2022).",
    "duplicate_key": "A primary key that occurs more than once (e.g. the same person twice in a year).",
    "unknown_person": "A pnr that is not in persons.",
    "unknown_reference": "Another foreign key without a matching row (survey answers without a respondent).",
    "end_before_start": "An end date before its start date.",
    "inconsistent": "A row rule across columns fails (e.g. an immigrant without an immigration date).",
    "overlapping_spells": "A spell that overlaps an earlier-starting spell of the same person (e.g. two addresses "
    "on one day).",
}
"""Every kind of problem validation reports, with what it means (rendered into docs/data-contract.md)."""

ProblemKind = Literal[
    "missing_directory",
    "missing_manifest",
    "invalid_manifest",
    "contract_version_mismatch",
    "manifest_file_missing",
    "file_not_in_manifest",
    "checksum_mismatch",
    "row_count_mismatch",
    "unknown_table",
    "missing_table",
    "unreadable_file",
    "missing_column",
    "unexpected_column",
    "wrong_type",
    "empty_table",
    "null_value",
    "unknown_code",
    "unknown_municipality",
    "unknown_country",
    "out_of_range",
    "date_out_of_range",
    "duplicate_key",
    "unknown_person",
    "unknown_reference",
    "end_before_start",
    "inconsistent",
    "overlapping_spells",
]
Severity = Literal["error", "warning"]


class Problem(BaseModel):
    """One thing wrong, located as precisely as the check allows.

    ``file`` is relative to the register folder and ``row`` is the 0-based row inside that file; ``key`` holds
    the primary-key values of the offending row (or the duplicated key). ``count`` is how many rows (or keys)
    the same check found in total (duplicated keys for ``duplicate_key``); only the first few are reported
    one by one.
    """

    table: str | None = None
    column: str | None = None
    file: str | None = None
    row: int | None = None
    key: dict[str, str] | None = None
    value: str | None = None
    kind: ProblemKind
    severity: Severity = "error"
    message: str
    count: int = Field(default=1, ge=1)


class ValidationReport(BaseModel):
    directory: str
    contract_version: str
    rows: dict[str, int] = Field(default_factory=dict, description="Rows found per table (from Parquet footers).")
    problems: list[Problem] = Field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing is an error (warnings do not block computing)."""
        return not self.errors

    def find(self, kind: str, table: str | None = None, column: str | None = None) -> list[Problem]:
        """Problems of one kind, optionally for one table/column (what tests and callers usually ask)."""
        return [
            p
            for p in self.problems
            if p.kind == kind and (table is None or p.table == table) and (column is None or p.column == column)
        ]
