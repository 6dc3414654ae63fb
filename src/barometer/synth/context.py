"""Per-chunk context shared by the outcome models: persons, seeded draws, groups and municipal effects."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from barometer.synth import dates
from barometer.synth.params import Setting, at_year, target_series
from barometer.synth.population import DANSK, EFTERKOMMER, INDVANDRER, Persons

GROUP_DK, GROUP_WEST, GROUP_NW = 0, 1, 2


@dataclass
class Chunk:
    """What every outcome module needs about one chunk; ``latent`` holds persistent person-level draws."""

    p: Persons
    st: Setting
    rng: np.random.Generator
    latent: dict[str, np.ndarray] = field(default_factory=dict)
    state: dict[str, np.ndarray] = field(default_factory=dict)  # outcomes later models depend on
    _effects: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.group = np.where(self.p.origin == DANSK, GROUP_DK, np.where(self.p.nw, GROUP_NW, GROUP_WEST))
        self.arrival_age = self.p.arrival_age()
        # Grew up in Denmark: descendants, Danish origin and immigrants who arrived aged 0-12.
        self.danish_raised = (self.p.origin != INDVANDRER) | (self.arrival_age <= 12)
        # Indicator target groups.
        self.nw_raised = self.p.nw & ((self.p.origin == EFTERKOMMER) | (self.arrival_age <= 12))

    def normal(self, name: str) -> np.ndarray:
        """A persistent standard-normal draw per person (made on first use, so the order of use matters)."""
        if name not in self.latent:
            self.latent[name] = self.rng.standard_normal(self.p.n)
        return self.latent[name]

    def uniform(self, name: str) -> np.ndarray:
        if name not in self.latent:
            self.latent[name] = self.rng.random(self.p.n)
        return self.latent[name]

    def muni_in(self, year: int) -> np.ndarray:
        """Municipality index of every person on 1 January of ``year``."""
        return self.p.muni[:, self.p.year_index(year)]

    def effect(self, name: str, year: int) -> np.ndarray:
        """The municipal effect (points) of each person's municipality on 1 January of ``year``.

        Centred within each group: non-Western persons around the non-Western-weighted mean, everybody else
        around the mean weighted by the rest of the population.
        """
        key = (name, year)
        if key not in self._effects:
            t = self.st.years.index(year)
            by_muni = self.st.effects[name][:, t]
            centred = np.concatenate([by_muni - self.st.effects_others_mean[name][t], by_muni])
            self._effects[key] = centred.take(self._effect_index(year))
        return self._effects[key]

    def _effect_index(self, year: int) -> np.ndarray:
        """Each person's row in [others' effects by municipality, then non-Western persons' ones] in ``year``."""
        key = ("", year)
        if key not in self._effects:
            self._effects[key] = self.p.nw * np.intp(self.st.n_muni) + self.muni_in(year)
        return self._effects[key]

    def years_since_arrival(self, on_day: int) -> np.ndarray:
        return np.where(self.p.imm == dates.NOT_IMMIGRATED, 99.0, (on_day - self.p.imm) / 365.25)


def target(target_id: str, year: int) -> float:
    """A calibration target as a fraction (pct / 100)."""
    return at_year(target_series(target_id), year) / 100.0
