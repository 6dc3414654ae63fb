"""Convictions: criminal-code convictions steered onto the 15-29 calibration targets, plus traffic and special laws.

The probability of at least one criminal-code conviction in a year is a logit of a persistent person effect, sex
and age, with the intercept solved per chunk, group and year on the 15-29-year-olds (both sexes). Convictions
under other laws are drawn independently, so an engine that forgets the law filter gets visibly wrong figures.
"""

from __future__ import annotations

import numpy as np

from barometer.synth import dates
from barometer.synth.calibrate import logit_probabilities
from barometer.synth.context import GROUP_NW, Chunk, target
from barometer.synth.frames import Codes, Dates, Frame, concat

LAWS = ("straffeloven", "faerdselsloven", "saerlove")
_AGE = np.interp(
    np.arange(121), [12, 15, 18, 22, 26, 30, 40, 50, 70, 90], [-6, -1.0, 0.3, 0.3, 0.0, -0.4, -1.0, -1.6, -3.0, -5.0]
)


def convictions(c: Chunk) -> Frame:
    p = c.p
    score_base = 1.2 * c.normal("crime") + np.where(p.sex == 0, 1.0, -1.0)
    frames = []
    for year in c.st.years:
        y0, y1 = dates.day(year), dates.day(year, 12, 31)
        age = p.age(year).astype(int)
        present = p.present(y0)
        score = score_base + _AGE[np.clip(age, 0, 120)]
        prob = np.zeros(p.n)
        for is_nw, tid in ((True, "convicted_nonwestern_15_29"), (False, "convicted_danish_15_29")):
            sel = ((c.group == GROUP_NW) == is_nw) & present & (age >= 12)
            if not sel.any():
                continue
            eff = c.effect("crime", year)[sel] / 100
            calib = (age[sel] >= 15) & (age[sel] <= 29)
            goal = target(tid, year) + (eff[calib].mean() if calib.any() else 0.0)
            prob[sel] = logit_probabilities(score[sel] + 20 * eff, calib, goal)
        convicted = c.rng.random(p.n) < prob
        # Criminal code: 1 + Poisson(0.3) decisions; other laws: independent, adults more often.
        n_crim = np.where(convicted, 1 + c.rng.poisson(0.3, p.n), 0)
        other = present & (age >= 18) & (c.rng.random(p.n) < 0.015)
        special = present & (age >= 15) & (c.rng.random(p.n) < 0.004 + 0.3 * prob)
        idx = np.concatenate([np.repeat(np.arange(p.n), n_crim), np.flatnonzero(other), np.flatnonzero(special)])
        law = np.concatenate([np.zeros(n_crim.sum(), int), np.ones(other.sum(), int), np.full(special.sum(), 2)])
        decided = dates.uniform_in(c.rng, np.maximum(p.entry[idx], y0), np.minimum(p.exit[idx] - 1, y1), len(idx))
        offence = decided - c.rng.integers(20, 400, len(idx))
        known = (c.rng.random(len(idx)) < 0.9) & (offence >= p.birth[idx] + 12 * 365)
        frames.append(
            {
                "pnr": p.pnr[idx],
                "decision_date": Dates(decided),
                "offence_date": Dates(np.where(known, offence, decided).astype(np.int32), known),
                "law": Codes(law, LAWS),
            }
        )
    return concat(frames)
