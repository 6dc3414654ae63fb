"""Column titles, types and display formats, declared once (columns.toml) for every format that names columns."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from barometer.catalogue import Catalogue

FORMATS = ("measure", "count", "integer", "decimal", "decimal1")


@dataclass(frozen=True)
class Column:
    name: str
    da: str
    en: str
    type: str  # Table Schema type: string, number, integer, boolean
    format: str | None = None  # how a spreadsheet shows its numbers (see columns.toml)
    description: str | None = None

    def title(self, lang: str = "da") -> str:
        return self.en if lang == "en" else self.da


@cache
def columns() -> dict[str, Column]:
    doc = tomllib.loads((Path(__file__).parent / "columns.toml").read_text(encoding="utf-8"))
    found = {name: Column(name=name, **spec) for name, spec in doc.items()}
    for col in found.values():
        if col.format is not None and col.format not in FORMATS:
            raise ValueError(f"columns.toml [{col.name}]: format must be one of {', '.join(FORMATS)}")
        if col.type not in ("string", "number", "integer", "boolean"):
            raise ValueError(f"columns.toml [{col.name}]: unknown type {col.type!r}")
    return found


def column(name: str) -> Column:
    """The declared column, or a plain text column titled by its name (tests keep that from happening)."""
    return columns().get(name) or Column(name=name, da=name, en=name, type="string")


def item_decimals(catalogue: Catalogue, item_id: str | None) -> int:
    """Decimals an item's figures are shown with: the catalogue's `decimals`, as the ministry prints them
    (one decimal for an unknown item)."""
    if item_id is None or not catalogue.has_item(item_id):
        return 1
    return catalogue.item(item_id).decimals
