"""The declared disclosure rule set (``disclosure.toml``) and its loading; see docs/disclosure.md."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from barometer.errors import BarometerError


class DisclosureConfigError(BarometerError, ValueError):
    """A disclosure config file cannot be read or does not follow the model."""

    code = "disclosure_config_invalid"
    exit_code = 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateRule(_Strict):
    """Shares ("pct") and each group of a gap ("pct_point")."""

    min_denominator: float = Field(20, ge=0, description="A share is hidden when its group has fewer persons.")
    min_numerator: float = Field(3, ge=0, description="A share is hidden when fewer persons have the trait.")
    min_complement: float = Field(3, ge=0, description="A share is hidden when fewer persons lack the trait.")


class CountRule(_Strict):
    """Counts ("count")."""

    min_count: float = Field(3, ge=0, description="A count below this is hidden.")
    exempt_items: tuple[str, ...] = Field((), description="Counts of public facts, never hidden (the housing-area "
                                                          "lists the ministry publishes by name).")
    # a count of 0 concerns no person: published, and a sum of hidden counts may be 0
    publish_zero: bool = Field(True, description="Publish a count of 0 (it concerns no person).")


class LinkedRule(_Strict):
    groups: tuple[tuple[str, ...], ...] = Field(
        (), description="Items sharing the target group's numbers in an area and period: one hidden hides all.")


class NestedRule(_Strict):
    pairs: tuple[tuple[str, str], ...] = Field(
        (), description="(whole, part) items whose part's population is a subset of the whole's; the rest must "
                        "not be revealed while small.")


class CumulativeRule(_Strict):
    items: tuple[str, ...] = Field(
        (), description="Counts whose value in a period includes every earlier period's; a small difference "
                        "between consecutive published values hides the later one.")


class PublicationRule(_Strict):
    """What a release publishes of a share or gap, and how uncertain the attacker must stay about a hidden one."""

    # Shares and gaps are published as values rounded to the catalogue's decimals, with intervals; their
    # numerators and denominators only for the items listed here (then they are known exactly, as counts are).
    exact_items: tuple[str, ...] = Field((), description="Shares and gaps whose numerators and denominators are "
                                                         "published (others: the rounded value and interval only).")
    # Items whose denominators (target and reference group) are published, though not their numerators: sizes
    # of population groups that are public statistics anyway (and that the protection assumes known).
    denominator_items: tuple[str, ...] = Field((), description="Items whose denominators (not numerators) are "
                                                               "published: population sizes public anyway.")
    # The attacker may not narrow the number of persons with the trait in a hidden cell (or a sum of hidden cells
    # an equation isolates) to fewer than this many + 1 possibilities, unless the group is smaller than that.
    min_uncertainty: float = Field(3, ge=0, description="How many persons an attacker's range for a hidden "
                                                        "numerator must span at least.")


class DisclosureConfig(_Strict):
    """The declared rule set; recorded in every release (``digest``) so a release states how it was protected."""

    rates: RateRule = RateRule()
    counts: CountRule = CountRule()
    linked: LinkedRule = LinkedRule()
    nested: NestedRule = NestedRule()
    cumulative: CumulativeRule = CumulativeRule()
    publication: PublicationRule = PublicationRule()

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:12]

    def coupled(self, items: Sequence[str]) -> list[list[str]]:
        """``items`` in the groups whose decisions depend on each other: a linked group or a nested pair joins its
        items (a cell hidden in one hides or bounds the other's); every other rule — primary suppression, the
        area hierarchy's equations, the cumulative series, the developments — looks at one item's cells only. So
        deciding group by group decides every cell as deciding all items at once does, and a build decides each
        group as soon as its items are computed (barometer.engine.protection). Each group keeps the order of
        ``items``; the groups come in the order of their first item."""
        root = {item: item for item in items}

        def find(item: str) -> str:
            while root[item] != item:
                item = root[item]
            return item

        for group in (*self.linked.groups, *self.nested.pairs):
            present = [item for item in group if item in root]
            for item in present[1:]:
                root[find(item)] = find(present[0])
        groups: dict[str, list[str]] = {}
        for item in items:
            groups.setdefault(find(item), []).append(item)
        return list(groups.values())

    @staticmethod
    def merged(base: DisclosureConfig, override: Mapping[str, Any]) -> dict[str, Any]:
        """``base`` with the keys of a partial rule table replaced (a key it leaves out keeps base's value)."""
        return _merge(base.model_dump(), dict(override))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return merged


@cache
def packaged_rules() -> DisclosureConfig:
    """The rules shipped with the package (``disclosure.toml``): the defaults of the `[disclosure]` settings."""
    doc = tomllib.loads(resources.files("barometer").joinpath("disclosure.toml").read_text("utf-8"))
    try:
        return DisclosureConfig(**doc)
    except ValidationError as exc:
        raise DisclosureConfigError(f"disclosure.toml (packaged defaults): {exc}") from exc


def load_config(path: str | Path | None = None) -> DisclosureConfig:
    """The rules in force: the packaged ones, with the `[disclosure]` settings over them, and any keys of the
    user file at ``path`` (``build --disclosure-config``) over both."""
    from barometer.settings import current_settings

    base = current_settings().disclosure
    if path is None:
        return base
    try:
        doc = DisclosureConfig.merged(base, tomllib.loads(Path(path).read_text("utf-8")))
    except FileNotFoundError:
        raise DisclosureConfigError(f"{path}: disclosure config file not found") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DisclosureConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return DisclosureConfig(**doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"]]
        where = f"[{'.'.join(loc[:-1])}] {loc[-1]}" if len(loc) > 1 else f"[{''.join(loc)}]"
        message = "unknown key (docs/disclosure.md)" if first["type"] == "extra_forbidden" else first["msg"]
        raise DisclosureConfigError(f"{path}: {where}: {message}") from exc
