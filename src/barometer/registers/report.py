"""The typed result of validating a register folder: one Problem per offending example, with totals.

Problems are data (pydantic models) rather than log lines so that the CLI can print them as a table or JSON and
tests can assert exactly which table, column, row and kind was found.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from barometer.problems import kinds_in


def _register_kind(code: str) -> str:
    """A code of the problem catalogue that validation reports (scope "registers"); ValueError otherwise."""
    if code not in PROBLEM_KINDS:
        raise ValueError(f"{code!r} is not a register problem kind of problems.toml")
    return code


PROBLEM_KINDS: dict[str, str] = {k.code: k.description for k in kinds_in("registers")}
"""Every kind of problem validation reports, with what it means: the "registers" kinds of the one problem
catalogue (problems.toml, docs/problems.md), rendered into docs/data-contract.md."""

ProblemKind = Annotated[str, AfterValidator(_register_kind)]
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
