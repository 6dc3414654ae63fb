"""Schooling: highest completed education, 9th-grade exam grades, daycare/school enrolment and SU.

Education uses one persistent uniform draw per person: a person has completed a youth (higher) education at a
reference date when that draw is below p(year) x F(age) (p(year) x G(age)), F and G being the shares of eventual
completers who have finished by a given age. Solving p on each chunk's 20-24 (25-39) year-olds puts the period
shares on their calibration targets; a cumulative maximum over years keeps completions from being undone.
"""

from __future__ import annotations

import numpy as np

from barometer.registers.tables import BENEFIT_TYPES, EDUCATION_LEVELS
from barometer.synth import dates
from barometer.synth.calibrate import logit_probabilities, solve_shift
from barometer.synth.context import GROUP_NW, Chunk, target
from barometer.synth.frames import Codes, Dates, Frame, concat
from barometer.synth.population import INDVANDRER, UKRAINE

LEVELS = tuple(EDUCATION_LEVELS)
BENEFITS = tuple(BENEFIT_TYPES)
_L = {code: i for i, code in enumerate(LEVELS)}
# Share of eventual completers who have completed by age (youth: F; higher: G).
_F = np.interp(
    np.arange(0, 121),
    [16, 17, 18, 19, 20, 21, 22, 23, 24, 26],
    [0, 0.02, 0.15, 0.55, 0.72, 0.85, 0.92, 0.96, 0.98, 1.0],
)
_G = np.interp(
    np.arange(0, 121),
    [20, 22, 24, 26, 28, 30, 32, 34, 36, 38],
    [0, 0.12, 0.32, 0.52, 0.70, 0.82, 0.90, 0.95, 0.98, 1.0],
)
_FOREIGN = (
    ("H10", 0.30),
    ("H20", 0.12),
    ("H30", 0.18),
    ("H40", 0.06),
    ("H50", 0.12),
    ("H60", 0.04),
    ("H70", 0.10),
    ("H90", 0.08),
)
_HIGHER = (("H40", 0.15), ("H50", 0.40), ("H60", 0.12), ("H70", 0.30), ("H80", 0.03))
SUBJECTS = (
    "dansk_skriftlig",
    "matematik_med_hjaelpemidler",
    "dansk_mundtlig",
    "dansk_retskrivning",
    "dansk_laesning",
    "dansk_skriftlig_fremstilling",
    "matematik_uden_hjaelpemidler",
)
GRADES = np.array([-3, 0, 2, 4, 7, 10, 12], dtype=np.int8)
_PASS_GRADE_P = np.array([0, 0, 0.12, 0.22, 0.32, 0.24, 0.10])
_FAIL_GRADE_P = np.array([0.15, 0.85, 0, 0, 0, 0, 0])


def _pick(u: np.ndarray, table: tuple[tuple[str, float], ...]) -> np.ndarray:
    """Level index for uniforms u by a cumulative (code, share) table."""
    cum = np.cumsum([s for _, s in table])
    codes = np.array([_L[c] for c, _ in table])
    return codes[np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(codes) - 1)]


MIN_CALIBRATION = 40
"""Below this many persons a chunk uses the national mean of F (G) instead of solving on its own persons."""
_F_MEAN, _G_MEAN = 0.886, 0.78


def _solve_p(
    before: np.ndarray, u: np.ndarray, lim: np.ndarray, eff: np.ndarray, goal: float, fallback: float
) -> float:
    """p with mean(before | u < (p + eff) * lim) == goal on the chunk's calibration set.

    ``before`` holds completions of earlier years (kept), ``lim`` is F or G at each person's age and ``eff`` the
    municipal effect, so the period share lands on the target although completions are never undone.
    """
    if len(u) < MIN_CALIBRATION:
        return goal / fallback
    return solve_shift(lambda q: float((before | (u < (q + eff) * lim)).mean()), goal, 0.0, 3.0, 30)


def education(c: Chunk) -> Frame:
    """Highest completed education on 1 October, persons aged 15-69; also stores completion flags for others."""
    p, u = c.p, c.uniform("edu")
    youth_type = np.where(c.uniform("edu_type") < 0.55, _L["H20"], _L["H30"])
    higher_level = _pick(c.uniform("edu_higher"), _HIGHER)
    foreign = _pick(c.uniform("edu_foreign"), _FOREIGN)
    adult_arrival = (p.origin == INDVANDRER) & (c.arrival_age >= 18)
    late_child = (p.origin == INDVANDRER) & (c.arrival_age >= 13) & (c.arrival_age <= 17)
    u = np.where(late_child, np.minimum(u * 1.25, 1.0), u)
    nwg = c.group == GROUP_NW
    youth_done = np.zeros(p.n, bool)
    higher_done = np.zeros(p.n, bool)
    frames, done = [], {}
    for year in c.st.years:
        age = p.age(year, 10, 1).astype(int)
        ages = np.clip(age, 0, 120)
        f, g = _F[ages], _G[ages]
        present = p.present(dates.day(year, 10, 1))
        eff_y = c.effect("youth_edu", year) / 100
        eff_h = c.effect("higher_edu", year) / 100
        p_y = np.empty(p.n)
        p_h = np.empty(p.n)
        # Calibrated on the indicators' population: residents of 1 January Y+1, by their age on that day.
        resident_next = p.present(dates.day(year + 1))
        age_next = p.age(year + 1)
        for is_nw, yt, ht in (
            (True, "youth_education_nonwestern_20_24", "higher_education_nonwestern_25_39"),
            (False, "youth_education_danish_20_24", "higher_education_danish_25_39"),
        ):
            sel = nwg == is_nw
            pop = sel & (c.nw_raised if is_nw else c.danish_raised) & present & resident_next
            cy = pop & (age_next >= 20) & (age_next <= 24)
            ch = pop & (age_next >= 25) & (age_next <= 39)
            py = _solve_p(youth_done[cy], u[cy], f[cy], eff_y[cy], target(yt, year), _F_MEAN)
            ph = _solve_p(higher_done[ch], u[ch], g[ch], eff_h[ch], target(ht, year), _G_MEAN)
            # Older cohorts keep the completion chances of their own youth (no retroactive degrees).
            older_y = np.clip(py - 0.012 * (age - 24).clip(0, None), 0.3, 1.0)
            older_h = np.clip(ph - 0.012 * (age - 39).clip(0, None), 0.08, 1.0)
            p_y[sel] = np.where(age > 24, older_y, py)[sel]
            p_h[sel] = np.where(age > 39, older_h, ph)[sel]
        youth_done |= u < (p_y + eff_y) * f
        higher_done |= (u < (p_h + eff_h) * g) & youth_done
        done[year] = (youth_done.copy(), higher_done.copy())
        level = np.where(higher_done, higher_level, np.where(youth_done, youth_type, _L["H10"]))
        rows = present & (age >= 15) & (age <= 69)
        danish = np.where(adult_arrival, -1, level)
        shown = np.where(adult_arrival, foreign, level)
        frames.append(
            {
                "pnr": p.pnr[rows],
                "year": np.full(rows.sum(), year, np.int16),
                "level": Codes(shown[rows], LEVELS),
                "danish_level": Codes(danish[rows], LEVELS),
            }
        )
    c.state["education_done"] = done  # type: ignore[assignment]
    c.state["adult_arrival"] = adult_arrival
    return concat(frames)


def grades(c: Chunk) -> Frame:
    """9th-grade exam grades of pupils finishing in June, at age 15-16, who grew up (at least partly) here."""
    p = c.p
    frames = []
    u_a, u_b, u_share = c.uniform("grade_a"), c.uniform("grade_b"), c.uniform("grade_shared")
    u_b = np.where(u_share < 0.7, u_a, u_b)  # both exam pairs go together for most pupils
    for year in c.st.years:
        by, _ = p.birth_parts()
        pupils = (
            (by == year - 16) & p.present(dates.day(year, 6, 1)) & (c.arrival_age <= 15) & (c.rng.random(p.n) < 0.96)
        )
        if not pupils.any():
            continue
        eff = c.effect("grades", year) / 100 * 4
        score = 1.0 * c.normal("ability") + eff
        pa, pb = np.zeros(p.n), np.zeros(p.n)
        for mask, ta, tb in (
            (c.nw_raised, "grade9_written_danish_math_nonwestern", "grade9_oral_danish_spelling_immigrants"),
            (~c.nw_raised, "grade9_written_danish_math_danish", "grade9_written_danish_math_danish"),
        ):
            sel = pupils & mask
            calib_a = np.ones(sel.sum(), bool)
            calib_b = (p.origin[sel] == INDVANDRER) if mask is c.nw_raised else calib_a
            shift = eff[sel].mean() / 4 if sel.any() else 0.0  # the chunk's own municipal effect, as a share
            pa[sel] = logit_probabilities(score[sel], calib_a, target(ta, year) + shift)
            pb[sel] = logit_probabilities(score[sel], calib_b, target(tb, year) + shift)
        idx = np.flatnonzero(pupils)
        n = len(idx)
        pass_a, pass_b = u_a[idx] < pa[idx], u_b[idx] < pb[idx]
        grade = np.empty((n, len(SUBJECTS)), np.int8)
        for j, passed in ((0, pass_a), (2, pass_b)):
            # A failed pair: first subject only, second only, or both below 2.
            pattern = c.rng.choice(3, size=n, p=[0.45, 0.35, 0.2])
            for k in (0, 1):
                fail = ~passed & ((pattern == k) | (pattern == 2))
                grade[:, j + k] = GRADES[
                    np.where(fail, c.rng.choice(7, n, p=_FAIL_GRADE_P), c.rng.choice(7, n, p=_PASS_GRADE_P))
                ]
        for j in (4, 5, 6):
            fail = c.rng.random(n) < np.where(c.nw_raised[idx], 0.14, 0.06)
            grade[:, j] = GRADES[
                np.where(fail, c.rng.choice(7, n, p=_FAIL_GRADE_P), c.rng.choice(7, n, p=_PASS_GRADE_P))
            ]
        frames.append(
            {
                "pnr": np.repeat(p.pnr[idx], len(SUBJECTS)),
                "year": np.full(n * len(SUBJECTS), year, np.int16),
                "subject": Codes(np.tile(np.arange(len(SUBJECTS)), n), SUBJECTS),
                "grade": grade.reshape(-1),
            }
        )
    return concat(frames)


def enrolment(c: Chunk) -> Frame:
    """Daycare (age ~1 to school start) and school (August of the year turning 6 to June of the year turning 16)."""
    p = c.p
    first, last = dates.day(c.st.years[0]), dates.day(max(c.st.years), 12, 31)
    by, _ = p.birth_parts()
    ukr = p.permit == UKRAINE
    entry, exit_ = p.entry, p.exit
    delay = np.where(p.imm == dates.NOT_IMMIGRATED, 0, c.rng.integers(14, 120, p.n))
    frames = []
    for inst, begin, end, share in (
        (0, p.birth + c.rng.integers(300, 450, p.n), dates.year_start(by + 6) + 211, np.where(ukr, 0.7, 0.92)),
        (1, dates.year_start(by + 6) + 212, dates.year_start(by + 16) + 180, np.where(ukr, 0.9, 0.99)),
    ):
        start = np.maximum(begin, entry + delay).astype(np.int32)
        stop = np.minimum(end, exit_ - 1).astype(np.int32)
        keep = (start <= stop) & (stop >= first) & (start <= last) & (c.rng.random(p.n) < share)
        idx = np.flatnonzero(keep)
        sy = np.clip(dates.split(start[idx])[0], p.sim_years[0], p.sim_years[-1])
        muni = p.muni[idx, sy - p.sim_years[0]]
        frames.append(
            {
                "pnr": p.pnr[idx],
                "institution": Codes(np.full(len(idx), inst), ("daycare", "school")),
                "start_date": Dates(start[idx]),
                "end_date": Dates(stop[idx], stop[idx] <= last),
                "municipality": Codes(muni, c.st.codes),
            }
        )
    return concat(frames)


def student_grant_spells(c: Chunk) -> Frame:
    """SU for the years a person studies towards a youth (18-19) or higher (20-29) education they will complete."""
    p, done = c.p, c.state["education_done"]
    frames = []
    years = list(c.st.years)
    for i, year in enumerate(years):
        youth_done, higher_done = done[year]
        later = done[years[min(i + 2, len(years) - 1)]]
        age = p.age(year, 7, 1)
        studying = ((age >= 18) & (age <= 19) & ~youth_done & later[0]) | (
            (age >= 20) & (age <= 29) & youth_done & ~higher_done & later[1]
        )
        y0, y1 = dates.day(year), dates.day(year, 12, 31)
        start = np.maximum(p.entry, y0)
        stop = np.minimum(p.exit - 1, y1)
        idx = np.flatnonzero(studying & (start <= stop))
        su = np.full(len(idx), BENEFITS.index("student_grant"))
        frames.append(
            {
                "pnr": p.pnr[idx],
                "benefit": Codes(su, BENEFITS),
                "start_date": Dates(start[idx].astype(np.int32)),
                "end_date": Dates(stop[idx].astype(np.int32)),
                "hours_per_week": np.full(len(idx), 37.0),
            }
        )
    return concat(frames)
