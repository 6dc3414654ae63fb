"""Integration: permits, visitation, Danish education and tests, programme status, IGU, repatriation, migrations.

Refugees, family-reunified to refugees and displaced Ukrainians arriving in the simulated years are visitated to
their chunk's municipality. They, and the family-reunified among the other non-Western arrivals, enter the
integration programme for five years and most start Danish education; the share passing a Danish test within five
years of start is steered onto the calibration target by start cohort.

The Danish-education history (courses, tests, programme status) reaches back to 1 January ``HISTORY_START``
whatever ``--years`` says, as a real extract must for 3.3's 2012 baseline (the 2007 cohort): the first-year stock's
non-Western immigrants who arrived from 2007 are programme participants like later arrivals.
"""

from __future__ import annotations

import numpy as np

from barometer.synth import dates
from barometer.synth.calibrate import logit_probabilities
from barometer.synth.context import Chunk, target
from barometer.synth.frames import Codes, Dates, Frame, Nullable, concat
from barometer.synth.params import country_table, model
from barometer.synth.population import FAMILY_REFUGEE, INDVANDRER, OTHER, PERMIT_CODES, REFUGEE, UKRAINE

COURSES = ("DU1", "DU2", "DU3")
TESTS = ("PD1", "PD2", "PD3", "studieproeve")
PROGRAMME_YEARS = 5
HISTORY_START = 2007
"""First year of the Danish-education history (courses, tests, programme status), whatever ``--years`` says."""


def _last_day(c: Chunk) -> int:
    return dates.day(max(c.st.years), 12, 31)


def _programme(c: Chunk) -> np.ndarray:
    """Covered by the integration programme: non-Western immigrants arrived from ``HISTORY_START`` who are refugees,
    family-reunified to refugees, Ukrainians, or (a share of the other permits) family-reunified to others."""
    if "programme" not in c.state:
        p = c.p
        share = model()["danish_education"]["family_share_other_non_western"]
        recent = (p.origin == INDVANDRER) & p.nw & (p.imm >= dates.day(HISTORY_START))
        family_other = (p.permit == OTHER) & (c.uniform("family_reunified") < share)
        c.state["programme"] = recent & (np.isin(p.permit, (REFUGEE, FAMILY_REFUGEE, UKRAINE)) | family_other)
    return c.state["programme"]


def permits(c: Chunk) -> Frame:
    """One open-ended permit per immigrant of non-Western origin, valid from immigration."""
    p = c.p
    idx = np.flatnonzero((p.origin == INDVANDRER) & (p.permit >= 0) & p.nw)
    return {
        "pnr": p.pnr[idx],
        "permit_type": Codes(p.permit[idx], PERMIT_CODES),
        "start_date": Dates(p.imm[idx]),
        "end_date": Dates(p.imm[idx], np.zeros(len(idx), bool)),
    }


def visitations(c: Chunk) -> Frame:
    """Refugees and Ukrainians are visitated 10-60 days after arrival to the municipality of their chunk."""
    p = c.p
    idx = np.flatnonzero(p.stream_new & np.isin(p.permit, (REFUGEE, UKRAINE)))
    when = p.imm[idx] + c.rng.integers(10, 60, len(idx)).astype(np.int32)
    keep = when <= _last_day(c)
    idx, when = idx[keep], when[keep]
    return {
        "pnr": p.pnr[idx],
        "visitation_date": Dates(when),
        "municipality": Codes(_home(c)[idx], c.st.codes),
        "permit_type": Codes(p.permit[idx], PERMIT_CODES),
    }


def _home(c: Chunk) -> np.ndarray:
    """The chunk's municipality (every person's first municipality)."""
    return c.p.muni[:, 0]


def danish_education(c: Chunk) -> tuple[Frame, Frame]:
    """Danish courses of adult immigrants and the tests they pass (within 5 years at the calibrated rate)."""
    p, last = c.p, _last_day(c)
    par = model()["danish_education"]
    prog = _programme(c)
    adult = c.arrival_age >= 18
    other = (p.imm >= dates.day(HISTORY_START)) & (p.origin == INDVANDRER) & ~prog & adult & p.nw
    starts = adult & (
        (prog & (c.rng.random(p.n) < par["start_share_programme"]))
        | (other & (c.rng.random(p.n) < par["start_share_other"]))
    )
    start = p.imm + c.rng.integers(20, 200, p.n).astype(np.int32)
    starts &= (start < p.exit) & (start <= last)
    idx = np.flatnonzero(starts)
    s = start[idx]
    course = c.rng.choice(3, size=len(idx), p=[0.3, 0.45, 0.25])
    # Pass within 5 years: logit on ability and course, steered per start cohort onto the target.
    score = 0.8 * c.normal("ability")[idx] + (course - 1) * 0.6 + 0.3 * (p.sex[idx] == 1)
    cohort = dates.split(s)[0]
    passed5 = np.zeros(len(idx), bool)
    for year in np.unique(cohort):
        sel = cohort == year
        eff = c.effect("danish_test", c.st.years[_eff_year(c, int(year))])[idx[sel]] / 100
        goal = (target("danish_test_within_5_years", int(year)) if prog[idx[sel]].any() else 0.5) + eff.mean()
        calib = prog[idx[sel]]
        prob = logit_probabilities(score[sel] + 4 * eff, calib if calib.any() else np.ones(sel.sum(), bool), goal)
        passed5[sel] = c.rng.random(sel.sum()) < prob
    late = ~passed5 & (c.rng.random(len(idx)) < 0.12)  # pass after five years (must not count)
    t_date = np.where(
        passed5, s + c.rng.integers(200, 5 * 365, len(idx)), s + c.rng.integers(5 * 365 + 30, 7 * 365, len(idx))
    ).astype(np.int32)
    t_date = np.minimum(t_date, p.exit[idx] - 1)
    test_ok = (passed5 | late) & (t_date <= last) & (t_date >= s)
    duration = c.rng.integers(300, 4 * 365, len(idx))
    end = np.minimum(np.where(test_ok, t_date + 30, s + duration), p.exit[idx] - 1).astype(np.int32)
    courses = {
        "pnr": p.pnr[idx],
        "start_date": Dates(s),
        "end_date": Dates(end, end <= last),
        "course": Codes(course, COURSES),
        "programme": prog[idx],
        "municipality": Codes(_home(c)[idx], c.st.codes),
    }
    ti = np.flatnonzero(test_ok)
    test = np.where((course[ti] == 2) & (c.rng.random(len(ti)) < 0.15), 3, course[ti])
    tests = {"pnr": p.pnr[idx[ti]], "test": Codes(test, TESTS), "test_date": Dates(t_date[ti])}
    return courses, tests


def _eff_year(c: Chunk, year: int) -> int:
    """Column of the municipal effects for a year (clamped into the output years)."""
    return c.st.years.index(min(max(year, c.st.years[0]), c.st.years[-1]))


def programme_status(c: Chunk) -> Frame:
    """Monthly status during the five programme years while resident: benefit, job-ready, company activation."""
    p, last = c.p, _last_day(c)
    idx = np.flatnonzero(_programme(c) & (c.arrival_age >= 16))
    if not len(idx):
        return {}
    first_month = p.imm[idx].astype("datetime64[D]").astype("datetime64[M]") + 1
    n_months = PROGRAMME_YEARS * 12
    months = first_month[:, None] + np.arange(n_months)[None, :]
    mday = months.astype("datetime64[D]").astype(np.int32)
    elapsed = np.broadcast_to(np.arange(n_months)[None, :], mday.shape)
    ok = (mday <= last) & (mday < p.exit[idx][:, None]) & (mday >= dates.day(HISTORY_START))
    r, k = np.nonzero(ok)
    person, md, el = idx[r], mday[r, k], elapsed[r, k]
    n = len(r)
    sy = np.clip(dates.split(md)[0], p.sim_years[0], p.sim_years[-1]) - p.sim_years[0]
    recipient = c.rng.random(n) < 0.95 - 0.5 * el / n_months
    job_ready = np.where(recipient, c.rng.random(n) < 0.25 + 0.35 * el / n_months, False)
    activation = recipient & (c.rng.random(n) < 0.12 + 0.2 * el / n_months)
    return {
        "pnr": p.pnr[person],
        "month": Dates(md),
        "municipality": Codes(p.muni[person, sy], c.st.codes),
        "benefit_recipient": recipient,
        "job_ready": Nullable(job_ready, recipient),
        "company_directed_activation": activation,
    }


def igu_courses(c: Chunk) -> Frame:
    """IGU from July 2016 for refugees and family-reunified to refugees aged 18-40 at arrival, starting on a day
    drawn over their first five years here (from July 2016); take-up rises with the arrival year (model.toml
    ``[igu]``), so new courses keep starting every year instead of piling up in 2016."""
    p, last = c.p, _last_day(c)
    par = model()["igu"]
    cand = _programme(c) & np.isin(p.permit, (REFUGEE, FAMILY_REFUGEE)) & (c.arrival_age >= 18) & (c.arrival_age <= 40)
    first = np.maximum(p.imm.astype(np.int64) + 180, dates.day(2016, 7, 1))
    window_end = p.imm.astype(np.int64) + 5 * 365 - 1
    start = dates.uniform_in(c.rng, first, np.maximum(window_end, first), p.n)
    years, shares = zip(*sorted((int(y), float(v)) for y, v in par["take_up_by_arrival_year"].items()), strict=True)
    arrival_year = np.where(cand, dates.split(np.where(cand, p.imm, 0))[0], 0)
    share = np.interp(arrival_year, years, shares)
    take = cand & (first <= window_end) & (c.rng.random(p.n) < share) & (start <= last) & (start < p.exit)
    idx = np.flatnonzero(take)
    s = start[idx]
    end = np.minimum(s + 729, p.exit[idx] - 1).astype(np.int32)
    sy = np.clip(dates.split(s)[0], p.sim_years[0], p.sim_years[-1]) - p.sim_years[0]
    return {
        "pnr": p.pnr[idx],
        "start_date": Dates(s),
        "end_date": Dates(end, end <= last),
        "municipality": Codes(p.muni[idx, sy], c.st.codes),
    }


def migrations(c: Chunk) -> tuple[Frame, Frame]:
    """Immigration events of every immigrant and emigrations in the simulated years; repatriations among them."""
    p = c.p
    ctab = country_table()
    imm = np.flatnonzero(p.origin == INDVANDRER)
    emi = np.flatnonzero(p.emig != dates.NEVER)
    sy = np.clip(dates.split(p.emig[emi])[0], p.sim_years[0], p.sim_years[-1]) - p.sim_years[0]
    unknown = ctab.index("ZZ")
    dest = np.where(c.rng.random(len(emi)) < 0.6, p.country[emi], unknown)
    dest = np.where(p.country[emi] == ctab.index("DK"), unknown, dest)
    frame = concat(
        [
            {
                "pnr": p.pnr[imm],
                "event_date": Dates(p.imm[imm]),
                "direction": Codes(np.zeros(len(imm), int), ("immigration", "emigration")),
                "country": Codes(p.country[imm], ctab.codes),
                "municipality": Codes(_home(c)[imm], c.st.codes),
            },
            {
                "pnr": p.pnr[emi],
                "event_date": Dates(p.emig[emi]),
                "direction": Codes(np.ones(len(emi), int), ("immigration", "emigration")),
                "country": Codes(dest, ctab.codes),
                "municipality": Codes(p.muni[emi, sy], c.st.codes),
            },
        ]
    )
    rep = np.flatnonzero(p.repatriated)
    ry = np.clip(dates.split(p.emig[rep])[0], p.sim_years[0], p.sim_years[-1]) - p.sim_years[0]
    repat = {
        "pnr": p.pnr[rep],
        "repatriation_date": Dates(p.emig[rep]),
        "municipality": Codes(p.muni[rep, ry], c.st.codes),
        "country": Codes(p.country[rep], ctab.codes),
    }
    return frame, repat
