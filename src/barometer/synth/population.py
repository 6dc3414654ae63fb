"""Who lives where: the persons of one chunk, their entry, exit and municipality on each 1 January.

A chunk is (a share of) one municipality: its first-year stock, the children born there and the immigrants who
settle or are visitated there. Persons keep their chunk for life (their pnr says so) but move between
municipalities year by year, so the residence table of a chunk spans the whole country. All work is vectorised
over persons; the only Python loops run over the ~13 simulated years.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from barometer.synth import dates
from barometer.synth.params import Setting, country_table, model, weights_to_index

DANSK, INDVANDRER, EFTERKOMMER = 0, 1, 2
PERMIT_NONE, REFUGEE, FAMILY_REFUGEE, UKRAINE, OTHER = -1, 0, 1, 2, 3
PERMIT_CODES = ("refugee", "family_refugee", "ukraine", "other")
# Arrival streams (model.toml [arrivals.*]) and the permit each gives.
STREAMS = {"refugee": REFUGEE, "family_refugee": FAMILY_REFUGEE, "ukraine": UKRAINE, "other": OTHER, "western": OTHER}
FIRST_SIM_YEAR = 2012


@dataclass
class Persons:
    """Column arrays of the persons of one chunk (one entry per person) and their yearly municipality."""

    pnr: np.ndarray
    birth: np.ndarray  # int32 day
    sex: np.ndarray  # int8 0 = M, 1 = K
    origin: np.ndarray  # int8 DANSK / INDVANDRER / EFTERKOMMER
    nw: np.ndarray  # bool: non-Western immigrant or descendant
    country: np.ndarray  # int16 index into country_table()
    imm: np.ndarray  # int32 day or NOT_IMMIGRATED
    death: np.ndarray  # int32 day or NEVER
    emig: np.ndarray  # int32 day or NEVER
    repatriated: np.ndarray  # bool: the emigration was a supported repatriation
    permit: np.ndarray  # int8 PERMIT_* of the (last) permit
    stream_new: np.ndarray  # bool: arrived during the simulated years
    muni: np.ndarray  # int16 [n, n_sim_years]: municipality index on 1 January
    sim_years: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.pnr)

    @property
    def entry(self) -> np.ndarray:
        if "_entry" in self.__dict__:
            return self._entry
        return np.where(self.imm == dates.NOT_IMMIGRATED, self.birth, self.imm)

    @property
    def exit(self) -> np.ndarray:
        if "_exit" in self.__dict__:
            return self._exit
        return np.minimum(self.death, self.emig)

    def freeze(self) -> Persons:
        """Mark the simulation of exits and moves done: from here on entry, exit, presence and ages are computed
        once and shared read-only by the outcome models, and the yearly municipalities are stored column by
        column (the models read one year at a time)."""
        self.muni = np.asfortranarray(self.muni)
        self._entry = _read_only(np.where(self.imm == dates.NOT_IMMIGRATED, self.birth, self.imm))
        self._exit = _read_only(np.minimum(self.death, self.emig))
        self._memo: dict[tuple[int, ...], np.ndarray] = {}
        return self

    def _remember(self, key: tuple[int, ...], compute: Callable[[], np.ndarray]) -> np.ndarray:
        memo = self.__dict__.get("_memo")
        if memo is None:
            return compute()
        if key not in memo:
            memo[key] = _read_only(compute())
        return memo[key]

    def present(self, on_day: int) -> np.ndarray:
        """Mask of persons living in Denmark on a day."""
        return self._remember((on_day,), lambda: (self.entry <= on_day) & (self.exit > on_day))

    def year_index(self, year: int) -> int:
        return self.sim_years.index(year)

    def birth_parts(self) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(self, "_bparts"):
            self._bparts = dates.split(self.birth)
        return self._bparts

    def age(self, year: int, month: int = 1, dom: int = 1) -> np.ndarray:
        by, bmd = self.birth_parts()
        return self._remember((year, month, dom), lambda: dates.age_at(by, bmd, year, month, dom))

    def arrival_age(self) -> np.ndarray:
        """Age at immigration (-1 for persons who never immigrated)."""
        by, bmd = self.birth_parts()
        iy, imd = dates.split(np.where(self.imm == dates.NOT_IMMIGRATED, self.birth, self.imm))
        a = iy - by - (bmd > imd)
        return np.where(self.imm == dates.NOT_IMMIGRATED, -1, a).astype(np.int16)


def _read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def concat_persons(parts: list[Persons]) -> Persons:
    """Several chunks' persons as one (for simulating small municipalities together)."""
    if len(parts) == 1:
        return parts[0].freeze()
    cols = {
        name: np.concatenate([getattr(x, name) for x in parts])
        for name in (
            "pnr",
            "birth",
            "sex",
            "origin",
            "nw",
            "country",
            "imm",
            "death",
            "emig",
            "repatriated",
            "permit",
            "stream_new",
            "muni",
        )
    }
    return Persons(**cols, sim_years=parts[0].sim_years).freeze()


def stochastic_round(rng: np.random.Generator, x: float) -> int:
    """An integer with expectation x, so small chunks get fractional expected counts right on average."""
    base = int(np.floor(x))
    return base + int(rng.random() < x - base)


def mortality(age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Annual death probability: Gompertz, lower for women, plus infant mortality."""
    h = np.exp(-10.3 + 0.094 * age.astype(float)) * np.where(sex == 1, 0.65, 1.0)
    return np.minimum(h + np.where(age == 0, 0.003, 0.0), 0.6)


def _danish_cohort_size(birth_year: np.ndarray) -> np.ndarray:
    """Relative size of Danish birth cohorts (baby boom 1946, low point 1983), for the first-year age pyramid."""
    knots_y = [1910, 1940, 1946, 1950, 1965, 1967, 1972, 1983, 1994, 2008, 2011]
    knots_v = [60, 75, 96, 80, 76, 88, 76, 51, 70, 65, 62]
    return np.interp(birth_year, knots_y, knots_v)


def _survival(age: np.ndarray) -> np.ndarray:
    return np.exp(-(np.exp(-10.3) / 0.094) * (np.exp(0.094 * age) - 1))


def _draw(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def _countries(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    idx, p = weights_to_index(table)
    return idx[rng.choice(len(idx), size=size, p=p)]


def _arrival_ages(rng: np.random.Generator, size: int, child_share: float) -> np.ndarray:
    """Age at arrival: children spread over 0-17, adults concentrated in their twenties and thirties."""
    child = rng.random(size) < child_share
    adult = 18 + rng.gamma(2.2, 6.0, size)
    return np.where(child, rng.integers(0, 18, size), np.minimum(adult, 75)).astype(int)


class _Builder:
    """Accumulates person blocks; ``finish`` assigns pnrs and simulates exits and moves."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, np.ndarray]] = []

    def add(self, **cols: np.ndarray) -> None:
        n = len(cols["birth"])
        if n:
            defaults: dict[str, np.ndarray] = {
                "imm": np.full(n, dates.NOT_IMMIGRATED, np.int32),
                "permit": np.full(n, PERMIT_NONE, np.int8),
                "stream_new": np.zeros(n, bool),
            }
            defaults.update(cols)
            self.blocks.append(defaults)

    def column(self, name: str, dtype: type) -> np.ndarray:
        return np.concatenate([b[name] for b in self.blocks]).astype(dtype) if self.blocks else np.zeros(0, dtype)


def build_persons(rng: np.random.Generator, st: Setting, m: int, share: float, chunk_id: int) -> Persons:
    """Simulate the persons of chunk ``chunk_id``: ``share`` of municipality ``m``."""
    par = model()["population"]
    ctab = country_table()
    last_year = max(st.years)
    sim_years = tuple(range(FIRST_SIM_YEAR, last_year + 1))
    k = st.scale * share
    size_nw = st.population[m] * st.nw_share[m] * k
    size_w = st.population[m] * st.w_share[m] * k
    size_dk = st.population[m] * k - size_nw - size_w
    start = dates.day(FIRST_SIM_YEAR)
    b = _Builder()
    dk_idx = ctab.index("DK")

    # First-year stock of Danish origin: age pyramid from cohort sizes and survival.
    n = stochastic_round(rng, size_dk * par["stock_fraction_danish"])
    ages = np.arange(0, 101)
    age = _draw(rng, _danish_cohort_size(FIRST_SIM_YEAR - 1 - ages) * _survival(ages), n)
    b.add(
        birth=dates.uniform_in(rng, start - (age + 1) * 365 - (age + 1) // 4, start - age * 365 - age // 4 - 1, n),
        sex=(rng.random(n) < np.where(age > 70, 0.56, 0.495)).astype(np.int8),
        origin=np.full(n, DANSK, np.int8),
        country=np.full(n, dk_idx, np.int16),
    )
    stock = model()["stock"]
    refugee_countries = np.array([ctab.index(c) for c in stock["refugee_countries"]])
    for group, size, imm_share, child_share, ctry_imm, ctry_desc in (
        (
            "nw",
            size_nw * par["stock_fraction_non_western"],
            par["immigrant_share_non_western"],
            par["stock_child_share_non_western"],
            stock["non_western_immigrant_countries"],
            stock["non_western_descendant_countries"],
        ),
        (
            "w",
            size_w * par["stock_fraction_western"],
            par["immigrant_share_western"],
            par["stock_child_share_western"],
            stock["western_countries"],
            stock["western_countries"],
        ),
    ):
        # Immigrants of the stock: arrival year (recent years weigh more), age at arrival, survival thinning.
        n = stochastic_round(rng, size * imm_share)
        years = np.arange(1960, FIRST_SIM_YEAR)
        ay = years[_draw(rng, (years - 1955.0) ** (1.6 if group == "nw" else 2.2), n)]
        aa = _arrival_ages(rng, n, child_share)
        imm = dates.uniform_in(rng, dates.year_start(ay), dates.year_start(ay + 1) - 1, n)
        birth = (imm - aa * 365.25 - rng.random(n) * 365).astype(np.int32)
        age_now = (start - birth) / 365.25
        keep = rng.random(n) < _survival(age_now) / _survival(np.maximum(aa, 0))
        ctry = _countries(rng, ctry_imm, n)
        permit = np.full(n, OTHER, np.int8)
        if group == "nw":
            in_ref = np.isin(ctry, refugee_countries) & (ay >= 1984)
            u = rng.random(n)
            permit[in_ref & (u < stock["refugee_share_in_refugee_countries"])] = REFUGEE
            fam = stock["refugee_share_in_refugee_countries"] + stock["family_share_in_refugee_countries"]
            permit[in_ref & (u >= stock["refugee_share_in_refugee_countries"]) & (u < fam)] = FAMILY_REFUGEE
        b.add(
            birth=birth[keep],
            sex=(rng.random(keep.sum()) < 0.5).astype(np.int8),
            origin=np.full(keep.sum(), INDVANDRER, np.int8),
            country=ctry[keep],
            imm=imm[keep].astype(np.int32),
            permit=permit[keep],
        )
        # Descendants of the stock: young, most under 30.
        n = stochastic_round(rng, size * (1 - imm_share))
        age = _draw(rng, np.exp(-np.arange(0, 50) / (11.0 if group == "nw" else 16.0)), n)
        b.add(
            birth=dates.uniform_in(rng, start - (age + 1) * 365 - (age + 1) // 4, start - age * 365 - age // 4 - 1, n),
            sex=(rng.random(n) < 0.487).astype(np.int8),
            origin=np.full(n, EFTERKOMMER, np.int8),
            country=_countries(rng, ctry_desc, n),
        )

    # Births and arrivals during the simulated years.
    arrivals = model()["arrivals"]
    nat_pop = st.population.sum()
    nat_nw = (st.population * st.nw_share).sum()
    nat_w = (st.population * st.w_share).sum()
    for year in sim_years:
        y0, y1 = dates.day(year), dates.day(year, 12, 31)
        births: list[tuple[float, Any, int, dict[str, float] | None]] = [
            (par["birth_rate_danish"], size_dk, DANSK, None),
            (par["birth_rate_non_western"], size_nw, EFTERKOMMER, stock["non_western_descendant_countries"]),
            (par["birth_rate_western"], size_w, EFTERKOMMER, stock["western_countries"]),
        ]
        for rate, size, born_origin, born_countries in births:
            n = stochastic_round(rng, rate * size)
            b.add(
                birth=dates.uniform_in(rng, y0, y1, n),
                sex=(rng.random(n) < 0.487).astype(np.int8),
                origin=np.full(n, born_origin, np.int8),
                country=np.full(n, dk_idx, np.int16) if born_countries is None else _countries(rng, born_countries, n),
            )
        for name, stream in arrivals.items():
            count = stream["counts"].get(str(year), 0)
            if not count:
                continue
            if stream["dispersal"]:
                frac = st.population[m] / nat_pop
            elif name == "western":
                frac = st.population[m] * st.w_share[m] / nat_w
            else:
                frac = st.population[m] * st.nw_share[m] / nat_nw
            n = stochastic_round(rng, count * st.scale * share * frac)
            first = dates.day(2022, 3, 1) if name == "ukraine" and year == 2022 else y0
            imm = dates.uniform_in(rng, first, y1, n)
            if name == "ukraine" and year == 2022:  # most arrived in spring 2022
                imm = np.minimum(imm, dates.uniform_in(rng, first, dates.day(2022, 7, 31), n))
            aa = _arrival_ages(rng, n, stream["child_share"])
            female = np.where(aa < 18, 0.49, stream["female_share_adults"])
            peak = 2014 <= year <= 2016 and "countries_peak" in stream
            b.add(
                birth=(imm - aa * 365.25 - rng.random(n) * 364).astype(np.int32),
                sex=(rng.random(n) < female).astype(np.int8),
                origin=np.full(n, INDVANDRER, np.int8),
                country=_countries(rng, stream["countries_peak" if peak else "countries"], n),
                imm=imm,
                permit=np.full(n, STREAMS[name], np.int8),
                stream_new=np.ones(n, bool),
            )

    birth = b.column("birth", np.int32)
    n = len(birth)
    country = b.column("country", np.int16)
    origin = b.column("origin", np.int8)
    p = Persons(
        pnr=np.int64(chunk_id) * 10_000_000 + np.arange(1, n + 1, dtype=np.int64),
        birth=birth,
        sex=b.column("sex", np.int8),
        origin=origin,
        nw=(origin != DANSK) & ~ctab.western[country],
        country=country,
        imm=b.column("imm", np.int32),
        death=np.full(n, dates.NEVER, np.int32),
        emig=np.full(n, dates.NEVER, np.int32),
        repatriated=np.zeros(n, bool),
        permit=b.column("permit", np.int8),
        stream_new=b.column("stream_new", bool),
        muni=np.full((n, len(sim_years)), m, np.int16, order="F"),
        sim_years=sim_years,
    )
    _simulate_exits(rng, p, par)
    _simulate_moves(rng, p, st, par)
    return p.freeze()


def _emigration_rate(p: Persons, par: dict, year: int) -> np.ndarray:
    """Annual emigration probability by origin, permit and years since arrival."""
    ysa = (dates.day(year) - p.imm) / 365.25
    recent = ysa < 5
    western = ~p.nw & (p.origin != DANSK)
    rate = np.full(p.n, par["emigration_danish"])
    rate[p.origin == EFTERKOMMER] = par["emigration_descendant"]
    imm = p.origin == INDVANDRER
    rate[imm] = par["emigration_stock_immigrant"]
    rate[imm & (p.permit <= FAMILY_REFUGEE) & (p.permit >= 0)] = par["emigration_refugee"]
    rate[imm & (p.permit == UKRAINE)] = par["emigration_ukraine"]
    other_new = imm & p.stream_new & (p.permit == OTHER)
    rate[other_new & p.nw] = np.where(recent, par["emigration_other_first_5_years"], par["emigration_other_later"])[
        other_new & p.nw
    ]
    rate[other_new & western] = np.where(
        recent, par["emigration_western_first_5_years"], par["emigration_western_later"]
    )[other_new & western]
    return rate


def _simulate_exits(rng: np.random.Generator, p: Persons, par: dict) -> None:
    """Deaths, emigration and supported repatriation, year by year (competing risks, uniform dates)."""
    entry = p.entry
    refugee_like = (p.origin == INDVANDRER) & ((p.permit == REFUGEE) | (p.permit == FAMILY_REFUGEE))
    for year in p.sim_years:
        y0, y1 = dates.day(year), dates.day(year, 12, 31)
        at_risk = (entry <= y1) & (p.exit > y0) & (entry < p.exit)
        idx = np.flatnonzero(at_risk)
        if not len(idx):
            continue
        begin = np.maximum(entry[idx], y0)
        exposure = (y1 - begin + 1) / (y1 - y0 + 1)
        age = p.age(year, 7, 1)[idx].clip(0, 110)
        die = rng.random(len(idx)) < mortality(age, p.sex[idx]) * exposure
        emig_rate = _emigration_rate(p, par, year)[idx] + refugee_like[idx] * par["repatriation_rate"]
        leave = rng.random(len(idx)) < emig_rate * exposure
        when = dates.uniform_in(rng, begin, y1, len(idx))
        p.death[idx[die]] = when[die]
        leavers = idx[leave & ~die]
        p.emig[leavers] = when[leave & ~die]
        repat = refugee_like[leavers] & (rng.random(len(leavers)) < par["repatriation_rate"] / emig_rate[leave & ~die])
        p.repatriated[leavers[repat]] = True


def _simulate_moves(rng: np.random.Generator, p: Persons, st: Setting, par: dict) -> None:
    """Moves between municipalities between consecutive 1 Januaries, more often for young adults."""
    dest = {g: st.dest_weights(g) for g in ("nw", "other")}
    for t in range(1, len(p.sim_years)):
        year = p.sim_years[t]
        p.muni[:, t] = p.muni[:, t - 1]
        age = p.age(year)
        rate = np.where(
            (age >= 18) & (age <= 29),
            par["move_rate_18_29"],
            np.where((age >= 30) & (age <= 39), par["move_rate_30_39"], par["move_rate_other"]),
        )
        movers = p.present(dates.day(year - 1, 7, 1)) & (rng.random(p.n) < rate)
        for group, mask in (("nw", movers & p.nw), ("other", movers & ~p.nw)):
            idx = np.flatnonzero(mask)
            p.muni[idx, t] = rng.choice(st.n_muni, size=len(idx), p=dest[group]).astype(np.int16)
