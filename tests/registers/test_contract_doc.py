"""docs/data-contract.md is rendered from the contract; a stale copy fails here."""

from pathlib import Path

from barometer.registers.contract import CONTRACT
from barometer.registers.doc import render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-contract.md"


def test_committed_doc_matches_the_declaration():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/data-contract.md is stale: run `python -m barometer.registers.doc > docs/data-contract.md`"
    )


def test_doc_names_every_table_and_column():
    text = render_markdown()
    for table in CONTRACT.tables.values():
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text


def test_every_problem_kind_is_documented():
    import pytest
    from pydantic import ValidationError

    from barometer.problems import kinds_in
    from barometer.registers.report import PROBLEM_KINDS, Problem

    assert list(PROBLEM_KINDS) == [k.code for k in kinds_in("registers")] and "overlapping_spells" in PROBLEM_KINDS
    assert all(f"| `{kind}` |" in render_markdown() for kind in PROBLEM_KINDS)
    with pytest.raises(ValidationError, match="not a register problem kind"):
        Problem(kind="not_utf8", message="a published-CSV kind, not one validation reports")
