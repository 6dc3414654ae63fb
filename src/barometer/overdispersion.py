"""Overdispersion: how much more municipal figures vary than the binomial model says (the funnel-plot method).

Register figures are a census, so a binomial interval describes only person-level chance and shrinks without
limit as groups grow: on 300 000 persons it calls a 0.3-point change "significant". The municipal series show how
much figures really move. Following Spiegelhalter (2005, "Funnel plots for comparing institutional performance",
Stat Med 24:1185-1202), each municipality's figure gets a standardised Pearson z-score against the common target
(z = (y − y₀) / √v, v the binomial variance at the target), the z-scores are winsorised at 10 % / 90 %, and the
overdispersion is φ = mean z². The binomial variance is then multiplied by φ (never by less than 1).

Two estimates answer two questions (docs/uncertainty.md):

* **year-to-year** (``change_dispersion``): z-scores of each municipality's change between consecutive published
  periods against the pooled change, pooled over all pairs of an item's series. This is the noise a development
  since baseline must exceed; it widens the published intervals and drives the "model-based" verdict.
* **between municipalities** (``level_dispersion``): z-scores of one period's figures against the pooled rate,
  Spiegelhalter's funnel plot exactly; it widens the funnel plot's control limits.

The math is written for plain floats on small lists (about 98 municipalities × 13 periods per item).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

WINSOR = 0.10  # share of z-scores pulled in at each end (Spiegelhalter 2005 §3.3)
MIN_MUNICIPALITIES = 20  # fewer municipal figures in a period (or pair of periods): no estimate, no verdict


@dataclass(frozen=True)
class Cell:
    """One municipality's figure as a fraction and its binomial variance at the target (the Pearson variance)."""

    area: str
    estimate: float
    variance: float


@dataclass(frozen=True)
class Group:
    """Figures compared with one common target (one period, or one pair of periods)."""

    target: float
    cells: tuple[Cell, ...]
    unit_variance: float = 0.0  # s₀²: a cell's variance is s₀²/n* for its equivalent group size n* (funnel x-axis)
    rate: float = 0.0  # the pooled target-group rate (s₀² = rate·(1 − rate))

    def sizes(self) -> dict[str, float]:
        """Equivalent group sizes s₀²/v: a rate's denominator; for a gap, the target-group size that alone would
        give its variance (a little below the target group's own size)."""
        return {c.area: self.unit_variance / c.variance for c in self.cells}

    def z_scores(self) -> list[float]:
        return [(c.estimate - self.target) / math.sqrt(c.variance) for c in self.cells]


@dataclass(frozen=True)
class Dispersion:
    """An overdispersion estimate.

    ``phi_raw`` is Spiegelhalter's winsorised mean of z²; ``phi`` divides it by the winsorised mean of z² that a
    standard normal would give (0.679 at 10 %), so that z-scores with variance φ give back φ; ``tau2`` is the
    DerSimonian-Laird between-municipality variance of the additive alternative (fraction², 0 when φ ≤ 1);
    ``factor`` = max(1, φ) is what multiplies the binomial variance.
    """

    phi: float
    phi_raw: float
    tau2: float
    units: int  # z-scores used
    groups: int  # periods (level) or pairs of periods (change) that had enough municipalities

    @property
    def factor(self) -> float:
        return max(1.0, self.phi)


def winsorise(z: Sequence[float], fraction: float = WINSOR) -> list[float]:
    """The k = ⌊fraction·I⌋ lowest z-scores set to the (k+1)-th lowest, the k highest to the (k+1)-th highest."""
    if not 0 <= fraction < 0.5:
        raise ValueError(f"winsorising fraction must be in [0, 0.5), got {fraction}")
    if not z:
        return []
    k = math.floor(fraction * len(z))
    ordered = sorted(z)
    low, high = ordered[k], ordered[len(z) - 1 - k]
    return [min(max(v, low), high) for v in z]


@cache
def consistency(fraction: float = WINSOR) -> float:
    """E[W²] for a standard normal W winsorised at its fraction and 1 − fraction quantiles (0.679 at 10 %)."""
    if fraction == 0:
        return 1.0
    normal = NormalDist()
    a = normal.inv_cdf(1 - fraction)
    return (1 - 2 * fraction) - 2 * a * normal.pdf(a) + 2 * fraction * a * a


def dispersion(groups: Sequence[Group], fraction: float = WINSOR,
               min_units: int = MIN_MUNICIPALITIES) -> Dispersion | None:
    """Pooled overdispersion over groups that have at least ``min_units`` cells (each winsorised on its own).

    None when no group qualifies. τ² pools the DerSimonian-Laird moment equation over the groups:
    τ² = (Σ z_w² − Σ (I_g − 1)) / Σ (Σw − Σw²/Σw), w = 1/v.
    """
    used = [g for g in groups if len(g.cells) >= min_units]
    if not used:
        return None
    squares = 0.0
    units = 0
    dof = 0
    scale = 0.0
    for g in used:
        squares += sum(v * v for v in winsorise(g.z_scores(), fraction))
        units += len(g.cells)
        dof += len(g.cells) - 1
        weights = [1 / c.variance for c in g.cells]
        scale += sum(weights) - sum(w * w for w in weights) / sum(weights)
    phi_raw = squares / units
    tau2 = max(0.0, (squares - dof) / scale) if scale > 0 else 0.0
    return Dispersion(phi=phi_raw / consistency(fraction), phi_raw=phi_raw, tau2=tau2, units=units,
                      groups=len(used))


# --- from numerators and denominators to cells -------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """A municipality's published numbers for one period: target group, and the reference group for gaps."""

    area: str
    num: float
    den: float
    ref_num: float | None = None
    ref_den: float | None = None


def _pooled(counts: Sequence[Counts], gap: bool) -> tuple[float, float | None]:
    rate = sum(c.num for c in counts) / sum(c.den for c in counts)
    if not gap:
        return rate, None
    return rate, sum(c.ref_num or 0.0 for c in counts) / sum(c.ref_den or 0.0 for c in counts)


def level_group(counts: Sequence[Counts], gap: bool) -> Group | None:
    """One period's municipal figures against their pooled value.

    Rates: y = x/n, y₀ = Σx/Σn, v = y₀(1 − y₀)/n. Gaps (reference − target, two independent groups): y = r/m − x/n,
    y₀ the difference of the pooled rates, v the sum of the two binomial variances. None where the model is not
    defined: no usable municipality, or a pooled rate of 0 or 1 (no variance to standardise by). Municipalities
    without a reference group are left out of a gap's group.
    """
    usable = [c for c in counts if c.den > 0 and (not gap or ((c.ref_den or 0) > 0 and c.ref_num is not None))]
    if not usable:
        return None
    rate, ref = _pooled(usable, gap)
    if not 0 < rate < 1 or (gap and not 0 < (ref or 0.0) < 1):
        return None
    cells = []
    for c in usable:
        variance = rate * (1 - rate) / c.den
        estimate = c.num / c.den
        if gap:
            assert ref is not None and c.ref_den and c.ref_num is not None
            variance += ref * (1 - ref) / c.ref_den
            estimate = c.ref_num / c.ref_den - estimate
        cells.append(Cell(c.area, estimate, variance))
    return Group(target=rate if not gap else (ref or 0.0) - rate, cells=tuple(cells),
                 unit_variance=rate * (1 - rate), rate=rate)


def change_group(before: Group, after: Group) -> Group:
    """Each municipality's change between two periods against the pooled change; variances add (the periods
    are treated as independent, which the estimated φ then corrects empirically)."""
    earlier = {c.area: c for c in before.cells}
    cells = tuple(Cell(c.area, c.estimate - earlier[c.area].estimate, c.variance + earlier[c.area].variance)
                  for c in after.cells if c.area in earlier)
    return Group(target=after.target - before.target, cells=cells)


def level_dispersion(counts: Sequence[Counts], gap: bool, fraction: float = WINSOR,
                     min_units: int = MIN_MUNICIPALITIES) -> tuple[Group, Dispersion] | None:
    """Spiegelhalter's funnel-plot overdispersion for one period (None: too few municipalities or undefined)."""
    group = level_group(counts, gap)
    if group is None:
        return None
    found = dispersion([group], fraction, min_units)
    return (group, found) if found else None


def change_dispersion(series: Sequence[Sequence[Counts]], gap: bool, fraction: float = WINSOR,
                      min_units: int = MIN_MUNICIPALITIES) -> Dispersion | None:
    """Year-to-year overdispersion from an item's municipal series (periods in order), pooled over consecutive
    pairs of periods in which at least ``min_units`` municipalities are published in both."""
    levels = [level_group(counts, gap) for counts in series]
    pairs = [change_group(a, b) for a, b in itertools.pairwise(levels) if a and b]
    return dispersion(pairs, fraction, min_units)


def funnel_limits(target: float, unit_variance: float, size: float, factor: float,
                  level: float) -> tuple[float, float]:
    """Control limits at a given group size: y₀ ± z·√(φ·s₀²/n) (fractions; size is the equivalent group size)."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    half = z * math.sqrt(factor * unit_variance / size)
    return target - half, target + half
