"""Labour market and public support: RAS status at the end of November, DREAM-like benefit spells, wage spells.

Employment is a logit of a persistent person effect, age, sex, years since arrival and education, with the
intercept solved per chunk, group and year so that the 25-64-year-olds' rate is the calibration target plus the
municipality's effect. Public support is the share of the year on benefits, clip(score + a, 0, 1), solved the
same way on the 16-66-year-olds (SU excluded, as in the calibration target).
"""

from __future__ import annotations

import numpy as np

from barometer.registers.tables import BENEFIT_TYPES
from barometer.synth import dates
from barometer.synth.calibrate import clipped_fraction, logit_probabilities
from barometer.synth.context import GROUP_DK, GROUP_NW, GROUP_WEST, Chunk, target
from barometer.synth.frames import Codes, Dates, Frame, concat
from barometer.synth.population import FAMILY_REFUGEE, INDVANDRER, REFUGEE, UKRAINE

STATUSES = ("employee", "self_employed", "assisting_spouse", "unemployed", "outside_labour_force")
BENEFITS = tuple(BENEFIT_TYPES)
_B = {b: i for i, b in enumerate(BENEFITS)}
_AGE_EMP = np.interp(
    np.arange(121), [15, 19, 22, 25, 30, 55, 60, 64, 67, 74], [-2.2, -1.6, -0.6, 0.0, 0.5, 0.5, 0.1, -0.9, -2.8, -4.0]
)
_AGE_SUP = np.interp(np.arange(121), [16, 25, 50, 60, 66], [-0.05, -0.15, -0.05, 0.15, 0.35])
_GROUP_TARGETS = {
    GROUP_NW: ("employment_nonwestern_25_64", "public_support_nonwestern_16_66", "employment_nw", "support_nw"),
    GROUP_DK: ("employment_danish_25_64", "public_support_danish_16_66", "employment_dk", "support_dk"),
    GROUP_WEST: ("employment_danish_25_64", "public_support_danish_16_66", "employment_dk", "support_dk"),
}
OVERLAP_SHARE = 0.03
"""Share of full-year benefit recipients with an overlapping short sickness spell (exercises the 37-hour cap)."""
_WEST_OFFSET = {"employment": -0.05, "support": -0.02}


def _refugee_like(c: Chunk) -> np.ndarray:
    return (c.p.origin == INDVANDRER) & np.isin(c.p.permit, (REFUGEE, FAMILY_REFUGEE, UKRAINE))


def employment(c: Chunk) -> Frame:
    """RAS status at the end of November for residents aged 15-74; stores employed flags for later models."""
    p = c.p
    z = c.normal("work")
    female = p.sex == 1
    refugee_like = _refugee_like(c)
    frames, employed_by_year = [], {}
    for year in c.st.years:
        nov30 = dates.day(year, 11, 30)
        age = p.age(year, 11, 30).astype(int)
        present = p.present(nov30)
        ysa = c.years_since_arrival(nov30)
        youth, higher = c.state["education_done"][year]
        score = 1.3 * z + _AGE_EMP[np.clip(age, 0, 120)] + 0.5 * higher - 0.5 * (~youth & (age >= 25))
        score -= np.where(p.nw & female, 0.45, 0.1 * female)
        score -= np.where(p.origin == INDVANDRER, 2.0 * np.exp(-ysa / 3.0), 0.0)
        score -= np.where(refugee_like, 1.5 * np.exp(-ysa / 5.0), 0.0)
        prob = np.zeros(p.n)
        working_age = present & (age >= 15) & (age <= 74)
        for g, (emp_target, _, eff_name, _) in _GROUP_TARGETS.items():
            sel = np.flatnonzero((c.group == g) & working_age)
            if not len(sel):
                continue
            eff = c.effect(eff_name, year)[sel] / 100
            calib = (age[sel] >= 25) & (age[sel] <= 64)
            goal = target(emp_target, year) + (eff[calib].mean() if calib.any() else 0.0)
            goal += _WEST_OFFSET["employment"] if g == GROUP_WEST else 0.0
            prob[sel] = logit_probabilities(score[sel] + 4 * eff, calib, goal)
        employed = working_age & (c.rng.random(p.n) < prob)
        employed_by_year[year] = employed
        rows = np.flatnonzero(working_age)
        u, work = c.rng.random(p.n)[rows], employed[rows]
        status = np.where(
            work, np.where(u < 0.9, 0, np.where(u < 0.99, 1, 2)), np.where((age[rows] < 65) & (u < 0.22), 3, 4)
        )
        frames.append(
            {"pnr": p.pnr[rows], "year": np.full(len(rows), year, np.int16), "status": Codes(status, STATUSES)}
        )
    c.state["employed"] = employed_by_year  # type: ignore[assignment]
    return concat(frames)


def _full_year_benefit(c: Chunk, age: np.ndarray, year: int, ysa: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Benefit of full-year recipients ``idx`` (one uniform is drawn for every person of the chunk)."""
    u = c.rng.random(c.p.n)[idx]
    age = age[idx]
    kind = np.where(
        age < 30,
        np.where(u < 0.8, _B["cash_benefit"], _B["activation"]),
        np.where(u < 0.5, _B["disability_pension"], np.where(u < 0.8, _B["cash_benefit"], _B["flexjob"])),
    )
    kind = np.where((age >= 60) & (c.group[idx] != GROUP_NW) & (u < 0.45), _B["early_retirement"], kind)
    new_refugee = _refugee_like(c)[idx] & (ysa[idx] < 5)
    integration = _B["integration_benefit"] if year < 2020 else _B["self_support_return_benefit"]
    kind = np.where(new_refugee, integration, kind)
    return np.where(c.p.permit[idx] == UKRAINE, _B["self_support_return_benefit"], kind)


def _partial_benefit(c: Chunk, age: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Benefit of part-year recipients ``idx`` (one uniform is drawn for every person of the chunk)."""
    u = c.rng.random(c.p.n)[idx]
    age = age[idx]
    maternity = (c.p.sex[idx] == 1) & (age >= 24) & (age <= 40) & (u < 0.2)
    kind = np.where(
        u < 0.45,
        _B["unemployment_benefit"],
        np.where(u < 0.75, _B["sickness_benefit"], np.where(u < 0.92, _B["activation"], _B["other"])),
    )
    return np.where(maternity, _B["maternity_benefit"], kind)


def benefits(c: Chunk) -> Frame:
    """Benefit spells: a full-year spell, or one spell of the year's share in whole weeks from a Monday."""
    p = c.p
    z = -0.6 * c.normal("work") + 0.8 * c.normal("support")
    refugee_like = _refugee_like(c)
    frames = []
    for year in c.st.years:
        y0, y1 = dates.day(year), dates.day(year, 12, 31)
        age = p.age(year).astype(int)
        ysa = c.years_since_arrival(y0 + 182)
        start = np.maximum(p.entry, y0)
        stop = np.minimum(p.exit - 1, y1)
        days = stop - start + 1
        alive = (days > 0) & (age >= 16) & (age <= 66)
        score = 0.45 * z + _AGE_SUP[np.clip(age, 0, 120)] - 0.3 * c.state["employed"][year]
        score += np.where(refugee_like, 0.9 * np.exp(-ysa / 4.0), 0.0)
        frac = np.zeros(p.n)
        for g, (_, sup_target, _, eff_name) in _GROUP_TARGETS.items():
            sel = np.flatnonzero((c.group == g) & alive)
            if not len(sel):
                continue
            eff = c.effect(eff_name, year)[sel] / 100
            calib = p.present(y0)[sel]
            goal = target(sup_target, year) + (eff[calib].mean() if calib.any() else 0.0)
            goal += _WEST_OFFSET["support"] if g == GROUP_WEST else 0.0
            exposure = days[sel] / (y1 - y0 + 1)
            frac[sel] = clipped_fraction(score[sel] + eff, calib, goal, exposure)
        full_all = alive & (frac >= 0.98)
        idx = np.flatnonzero(full_all | (alive & (frac >= 0.01)))
        # Part-year spells: whole weeks from a Monday, on a uniform start (drawn for every person of the chunk).
        u_start = c.rng.random(p.n)[idx]
        full = full_all[idx]
        begin, end = start[idx], stop[idx]
        weeks = np.maximum(np.round(frac[idx] * 52.18), 1).astype(int)
        length = np.minimum(weeks * 7, days[idx].clip(0, None))
        first = dates.monday_on_or_after(begin)
        latest = np.maximum(end - length + 1, first)
        s_part = np.minimum(dates.uniform_from(u_start, first, latest), end)
        s_part = np.where(s_part > latest, first, s_part)
        e_part = np.minimum(s_part + length - 1, end)
        kind = np.where(full, _full_year_benefit(c, age, year, ysa, idx), _partial_benefit(c, age, idx))
        frames.append(
            {
                "pnr": p.pnr[idx],
                "benefit": Codes(kind, BENEFITS),
                "start_date": Dates(np.where(full, begin, s_part).astype(np.int32)),
                "end_date": Dates(np.where(full, end, e_part).astype(np.int32)),
                "hours_per_week": np.full(len(idx), 37.0),
            }
        )
        # A few full-year recipients also get a short overlapping sickness spell: the 37-hour weekly cap keeps
        # them at one full-time person, so an engine without the cap shows too much support.
        extra = np.flatnonzero(full_all & (c.rng.random(p.n) < OVERLAP_SHARE) & (stop - start >= 70))
        o_start = dates.uniform_in(c.rng, start[extra], stop[extra] - 60, len(extra))
        o_stop = np.minimum(o_start + 7 * c.rng.integers(2, 9, len(extra)) - 1, stop[extra]).astype(np.int32)
        frames.append(
            {
                "pnr": p.pnr[extra],
                "benefit": Codes(np.full(len(extra), _B["sickness_benefit"]), BENEFITS),
                "start_date": Dates(o_start),
                "end_date": Dates(o_stop),
                "hours_per_week": np.full(len(extra), 37.0),
            }
        )
    return concat(frames)


def wage_employment(c: Chunk) -> Frame:
    """Wage-employment spells (monthly) of refugees, family-reunified and Ukrainians.

    Only these groups are generated (key figures 5 and 13 need no others), whether they arrived during the
    simulated years or before: key figure 13 of the first years counts refugees who arrived up to three years
    earlier. A spell covers every consecutive end of November the person was an employee, starting on the first
    of a month before and ending after it.
    """
    p = c.p
    who = np.flatnonzero(_refugee_like(c))
    years = list(c.st.years)
    if not len(who) or not years:
        return {}
    emp = np.stack([c.state["employed"][y][who] for y in years], axis=1)
    padded = np.pad(emp, ((0, 0), (1, 1)))
    rows_s, cols_s = np.nonzero(padded[:, 1:-1] & ~padded[:, :-2])
    _, cols_e = np.nonzero(padded[:, 1:-1] & ~padded[:, 2:])  # same order: row-major, paired
    ys, ye = np.array(years)[cols_s], np.array(years)[cols_e]
    persons = who[rows_s]
    n = len(persons)
    start_month = c.rng.integers(0, 11, n)  # January-November of the first year
    start = dates.year_start(ys).astype("datetime64[D]").astype("datetime64[M]") + start_month
    # someone already employed when the simulated years begin has been so for a while (up to three years)
    earlier = (ys == years[0]) & ~p.stream_new[persons]
    start[earlier] -= start_month[earlier] + 1 + c.rng.integers(0, 36, int(earlier.sum()))
    start_day = np.maximum(start.astype("datetime64[D]").astype(np.int32), p.imm[persons])
    end_month = dates.year_start(ye + 1).astype("datetime64[D]").astype("datetime64[M]") + c.rng.integers(0, 10, n)
    end_day = (end_month + 1).astype("datetime64[D]").astype(np.int32) - 1
    end_day = np.minimum(end_day, p.exit[persons] - 1)
    running = (ye == years[-1]) & (p.exit[persons] > dates.day(years[-1], 12, 31))
    return {
        "pnr": p.pnr[persons],
        "start_date": Dates(start_day.astype(np.int32)),
        "end_date": Dates(end_day.astype(np.int32), ~running),
    }
