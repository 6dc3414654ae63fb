"""Everything the generator reads from its data files, plus the seeded municipal effects.

The data files (municipal_profiles.toml, calibration.toml, model.toml) hold every number that shapes the synthetic
Denmark, so that the modules that simulate only hold the *form* of the models. ``Setting`` is built once in the
parent process and pickled to the workers: it is small (a few hundred numbers per municipality).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from barometer.registers.contract import countries


def _load(name: str) -> dict:
    text = resources.files("barometer.synth").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def profiles() -> list[dict]:
    """The 98 municipal profiles (code, name, region, population_2024, non_western_pct)."""
    return _load("municipal_profiles.toml")["municipality"]


@cache
def calibration() -> dict:
    """calibration.toml: national targets by year (``target``) and survey shares (``survey``)."""
    return _load("calibration.toml")


@cache
def model() -> dict:
    """model.toml: population flows, rates and origin-country weights."""
    return _load("model.toml")


def target_series(target_id: str) -> dict[int, float]:
    """Year -> target value of one calibration target (raises KeyError naming the id)."""
    for t in calibration()["target"]:
        if t["id"] == target_id:
            return {int(y): float(v) for y, v in t["values"].items()}
    raise KeyError(f"calibration.toml has no target {target_id!r}")


def at_year(series: dict[int, float], year: int) -> float:
    """A series' value in ``year``: linear between given years, flat beyond the ends."""
    years = sorted(series)
    return float(np.interp(year, years, [series[y] for y in years]))


@dataclass(frozen=True)
class CountryTable:
    """Country codes indexed by small integers, so person arrays hold int16 instead of strings."""

    codes: tuple[str, ...]
    western: np.ndarray

    def index(self, code: str) -> int:
        return self.codes.index(code)


@cache
def country_table() -> CountryTable:
    codes = tuple(sorted(countries()))
    return CountryTable(codes, np.array([countries()[c].western for c in codes]))


def weights_to_index(weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(country indices, probabilities) of a ``{code: weight}`` table from model.toml."""
    table = country_table()
    items = [(table.index(c), w) for c, w in weights.items() if w > 0]
    idx = np.array([i for i, _ in items], dtype=np.int16)
    p = np.array([w for _, w in items], dtype=float)
    return idx, p / p.sum()


@dataclass(frozen=True)
class Setting:
    """One run's fixed inputs: scale, years, seed and per-municipality numbers (index = position in codes)."""

    scale: float
    years: tuple[int, ...]
    seed: int
    codes: tuple[str, ...]
    population: np.ndarray  # 2024 population at scale 1
    nw_share: np.ndarray  # non-Western share (fraction)
    w_share: np.ndarray  # Western share (fraction)
    effects: dict[str, np.ndarray] = field(default_factory=dict)  # name -> [n_muni, n_years] in points
    # name -> [n_years]: the effect's mean weighted by the rest of the population (subtracted for them, so the
    # effects are centred within each group and the national figures of both groups stay on target).
    effects_others_mean: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_muni(self) -> int:
        return len(self.codes)

    def dest_weights(self, group: str) -> np.ndarray:
        """Where movers of a group go: in proportion to the group's population (normalised)."""
        w = self.population * self.nw_share if group == "nw" else self.population * (1 - self.nw_share)
        return w / w.sum()


# Municipal effects: (name, sd of level in points, sd of trend over the whole period in points,
# points per 10 percentage points of non-Western share — negative: outcome worse where the share is high).
EFFECTS: tuple[tuple[str, float, float, float], ...] = (
    ("employment_nw", 3.0, 5.0, -2.0),
    ("employment_dk", 1.5, 1.5, -1.0),
    ("grades", 3.0, 4.0, -1.5),
    ("youth_edu", 3.0, 4.0, -1.5),
    ("higher_edu", 4.0, 4.0, -1.0),
    ("support_nw", 2.5, 4.0, 1.5),
    ("support_dk", 1.5, 1.5, 0.5),
    ("crime", 0.8, 1.0, 0.3),
    ("danish_test", 6.0, 6.0, 0.0),
)


def municipal_effects(seed: int, years: tuple[int, ...], pop: np.ndarray, nw: np.ndarray) -> dict[str, np.ndarray]:
    """Seeded level + linear trend per municipality, centred so that the population-weighted mean is zero.

    Centring keeps the national figures on their calibration targets while municipalities spread around them;
    the trend term makes some municipalities improve faster than the country and some decline.
    """
    rng = np.random.default_rng([seed, 7_777])
    t = (np.array(years) - 2012) / 12.0
    weights = pop * nw
    out: dict[str, np.ndarray] = {}
    for name, sd_level, sd_trend, per_nw in EFFECTS:
        level = rng.normal(0, sd_level, len(pop)) + per_nw * (nw - 0.09) * 10
        trend = rng.normal(0, sd_trend, len(pop))
        eff = level[:, None] + trend[:, None] * t[None, :]
        eff -= (weights[:, None] * eff).sum(axis=0) / weights.sum()
        out[name] = eff
    return out


def make_setting(scale: float, years: tuple[int, ...], seed: int) -> Setting:
    """Build the run's Setting from the data files (validates scale and years)."""
    if not scale > 0:
        raise ValueError(f"--scale must be > 0, got {scale}")
    if not years or min(years) < 2012 or max(years) > 2024:
        shown = f"{years[0]}-{years[-1]}" if years else "nothing"
        raise ValueError(f"--years must lie within 2012-2024, got {shown}")
    prof = profiles()
    p = model()["population"]
    pop = np.array([m["population_2024"] for m in prof], dtype=float)
    nw = np.array([m["non_western_pct"] for m in prof], dtype=float) / 100
    w = p["western_base"] + p["western_per_nw"] * nw
    effects = municipal_effects(seed, tuple(years), pop, nw)
    others = pop * (1 - nw)
    return Setting(
        scale=scale,
        years=tuple(years),
        seed=seed,
        codes=tuple(m["code"] for m in prof),
        population=pop,
        nw_share=nw,
        w_share=w,
        effects=effects,
        effects_others_mean={k: (others[:, None] * v).sum(axis=0) / others.sum() for k, v in effects.items()},
    )
