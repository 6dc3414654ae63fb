"""Placeholder: the report command is being written (see issue 2 §7)."""

from __future__ import annotations


def report() -> None:
    """Render Udviklingsrapporter (not yet available)."""
    raise SystemExit("report: not implemented yet")
