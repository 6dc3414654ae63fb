"""The declared disclosure rule set (``disclosure.toml``) and its loading; see docs/disclosure.md."""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class DisclosureConfigError(ValueError):
    """A disclosure config file cannot be read or does not follow the model."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateRule(_Strict):
    min_denominator: float = Field(20, ge=0)
    min_numerator: float = Field(3, ge=0)
    min_complement: float = Field(3, ge=0)


class CountRule(_Strict):
    min_count: float = Field(3, ge=0)
    exempt_items: tuple[str, ...] = ()
    publish_zero: bool = True  # a count of 0 concerns no person: published, and a sum of hidden counts may be 0


class LinkedRule(_Strict):
    groups: tuple[tuple[str, ...], ...] = ()


class NestedRule(_Strict):
    pairs: tuple[tuple[str, str], ...] = ()  # (whole, part): the part's population is a subset of the whole's


class CumulativeRule(_Strict):
    items: tuple[str, ...] = ()  # counts whose value in a period includes every earlier period's


class PublicationRule(_Strict):
    """What a release publishes of a share or gap, and how uncertain the attacker must stay about a hidden one."""

    # Shares and gaps are published as values rounded to the catalogue's decimals, with intervals; their
    # numerators and denominators only for the items listed here (then they are known exactly, as counts are).
    exact_items: tuple[str, ...] = ()
    # Items whose denominators (target and reference group) are published, though not their numerators: sizes
    # of population groups that are public statistics anyway (and that the protection assumes known).
    denominator_items: tuple[str, ...] = ()
    # The attacker may not narrow the number of persons with the trait in a hidden cell (or a sum of hidden cells
    # an equation isolates) to fewer than this many + 1 possibilities, unless the group is smaller than that.
    min_uncertainty: float = Field(3, ge=0)


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


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return merged


def load_config(path: str | Path | None = None) -> DisclosureConfig:
    """The packaged defaults, with any keys of the user file at ``path`` replacing them."""
    doc = tomllib.loads(resources.files("barometer").joinpath("disclosure.toml").read_text("utf-8"))
    source = "disclosure.toml (packaged defaults)"
    if path is not None:
        source = str(path)
        try:
            doc = _merge(doc, tomllib.loads(Path(path).read_text("utf-8")))
        except FileNotFoundError:
            raise DisclosureConfigError(f"{path}: disclosure config file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DisclosureConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return DisclosureConfig(**doc)
    except ValidationError as exc:
        raise DisclosureConfigError(f"{source}: {exc}") from exc
