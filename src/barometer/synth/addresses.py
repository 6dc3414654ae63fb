"""Address history: residence spells (person, municipality, first day, last day) consistent with 1 January residence.

The population model (population.py) gives each person's municipality on every 1 January; this module dates the
moves in between and adds the in-year stays elsewhere that the 1 January table cannot show, so that key figures
dated within a year (N2-N6, N8, N9, N13) can place people where they live on that day. For each person and
simulated year Y, with S the municipality on 1 January Y (for arrivals: where they settle) and E the one on
1 January Y+1:

- S ≠ E: one move on a uniform day after they were first here in Y, unless a stay elsewhere (below) takes its
  place as S → C → E;
- a stay in another municipality C with a probability that is high in the first years after arrival (most for
  displaced Ukrainians and refugees, whose first housing is often temporary) and small otherwise
  (data/addresses.toml); the person is back in E (= S when they do not move) by 31 December, or before they
  emigrate or die, so the emigration's municipality and the next 1 January residence stay as they were.

Spells never overlap: a move on day d ends the old spell on d - 1. The first spell starts on the day of birth or
immigration; the last ends the day before emigration or death, or stays open (null) at the end of the data. The
stream of random draws is this module's own (generate passes a Generator seeded by seed and batch), so adding the
table changed no other table, and the output does not depend on the number of workers.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from barometer.synth import dates
from barometer.synth.context import Chunk
from barometer.synth.frames import Codes, Dates, Frame
from barometer.synth.params import _load
from barometer.synth.population import FAMILY_REFUGEE, REFUGEE, UKRAINE

KINDS = ("ukraine", "refugee", "family_refugee", "other")
"""Rows of the extra-probability table, by the person's (last) permit; everyone else who immigrated is "other"."""


@cache
def address_model() -> dict:
    """data/addresses.toml: probabilities and durations of in-year stays elsewhere."""
    return _load("addresses.toml")["detour"]


def _recent_table(par: dict) -> np.ndarray:
    """Extra stay probability [kind, calendar years since immigration], zero-padded to the longest list."""
    rows = [par[f"recent_{k}"] for k in KINDS]
    table = np.zeros((len(rows), max(len(r) for r in rows)))
    for i, r in enumerate(rows):
        table[i, : len(r)] = r
    return table


def _kind(permit: np.ndarray) -> np.ndarray:
    return np.select([permit == UKRAINE, permit == REFUGEE, permit == FAMILY_REFUGEE], [0, 1, 2], 3)


def _elsewhere(rng: np.random.Generator, weights: np.ndarray, avoid: tuple[np.ndarray, ...]) -> np.ndarray:
    """A municipality drawn by ``weights`` (where movers of the group go) that is none of ``avoid``: clashes are
    drawn again; the very few left after 20 rounds take the next code (deterministic, so still seeded)."""

    def clashing(x: np.ndarray) -> np.ndarray:
        return np.logical_or.reduce([x == a for a in avoid])

    out = rng.choice(len(weights), size=len(avoid[0]), p=weights).astype(np.int16)
    for _ in range(20):
        clash = clashing(out)
        if not clash.any():
            return out
        out[clash] = rng.choice(len(weights), size=int(clash.sum()), p=weights)
    for _ in range(len(avoid)):
        out = np.where(clashing(out), (out + 1) % len(weights), out).astype(np.int16)
    return out


def _between(rng: np.random.Generator, after: np.ndarray, last: np.ndarray) -> np.ndarray:
    """A uniform day in (after, last] (last > after)."""
    return (after + 1 + np.floor(rng.random(len(after)) * (last - after))).astype(np.int32)


def addresses(c: Chunk, rng: np.random.Generator) -> Frame:
    """The address spells of the chunk's persons that reach the first output year."""
    p, st = c.p, c.st
    par = address_model()
    recent = _recent_table(par)
    years = p.sim_years
    n, last_day = p.n, dates.day(years[-1], 12, 31)
    entry, exit_ = p.entry, p.exit
    kind = _kind(p.permit)
    arrived = p.imm != dates.NOT_IMMIGRATED
    imm_year = np.where(arrived, dates.split(np.where(arrived, p.imm, 0))[0], -10_000)  # never: no "recent" extra
    weights = {True: st.dest_weights("nw"), False: st.dest_weights("other")}
    who, when, where = [], [], []  # moves: person index, first day in the new municipality, municipality

    for t, year in enumerate(years):
        y0, y1 = dates.day(year), dates.day(year, 12, 31)
        lo = np.maximum(entry, y0)  # first day here in the year
        hi = np.minimum(exit_.astype(np.int64) - 1, y1)  # last day here in the year
        active = lo <= hi
        s = p.muni[:, t]
        e = np.where(exit_ > y1, p.muni[:, t + 1], s) if t + 1 < len(years) else s
        since = year - imm_year
        extra = np.where((since >= 0) & (since < recent.shape[1]), recent[kind, np.clip(since, 0, recent.shape[1] - 1)],
                         0.0)
        age = p.age(year, 7, 1)
        prob = np.where((age >= 18) & (age <= 29), par["base_18_29"], par["base_other"]) + extra
        stay = active & (hi - lo >= 2) & (rng.random(n) < prob)

        plain = np.flatnonzero(active & (s != e) & ~stay)
        who.append(plain)
        when.append(_between(rng, lo[plain], hi[plain]))
        where.append(e[plain])

        idx = np.flatnonzero(stay)
        if not len(idx):
            continue
        first = _between(rng, lo[idx], hi[idx] - 1)  # leaves S: (lo, hi - 1], so one day is left for coming back
        other = np.empty(len(idx), np.int16)
        for nw in (True, False):
            sel = p.nw[idx] == nw
            other[sel] = _elsewhere(rng, weights[nw], (s[idx][sel], e[idx][sel]))
        moving = s[idx] != e[idx]
        duration = par["min_days"] + np.floor(rng.exponential(par["mean_extra_days"], len(idx))).astype(np.int64)
        open_end = ~moving & (t == len(years) - 1) & (exit_[idx] > y1) & (first + duration > hi[idx])
        back = np.where(moving, _between(rng, first, hi[idx]), np.minimum(first + duration, hi[idx]))
        who += [idx, idx[~open_end]]
        when += [first, back[~open_end].astype(np.int32)]
        where += [other, e[idx][~open_end]]

    return _spells(c, np.concatenate(who), np.concatenate(when), np.concatenate(where), last_day)


def _spells(c: Chunk, who: np.ndarray, when: np.ndarray, where: np.ndarray, last_day: int) -> Frame:
    """First spells (from birth or immigration, in the municipality the population model gives for the year of
    entry, or for the first simulated year when they came earlier) plus one spell per move, each ending the day
    before the next starts; the last one ends the day before the person leaves, or stays open."""
    p, st = c.p, c.st
    entry_t = np.clip(dates.split(p.entry)[0] - p.sim_years[0], 0, len(p.sim_years) - 1)
    person = np.concatenate([np.arange(p.n), who])
    start = np.concatenate([p.entry, when]).astype(np.int32)
    muni = np.concatenate([p.muni[np.arange(p.n), entry_t], where.astype(np.int16)])
    order = np.lexsort((start, person))
    person, start, muni = person[order], start[order], muni[order]
    same_next = np.append(person[1:] == person[:-1], False)
    leaves = p.exit[person]
    end = np.where(same_next, np.append(start[1:], 0) - 1, np.minimum(leaves.astype(np.int64) - 1, last_day))
    closed = same_next | (leaves <= last_day)
    # spells of the output years only, of persons who lived here (some leave on the day they arrive)
    keep = (~closed | (end >= dates.day(min(st.years)))) & (end >= start)
    return {
        "pnr": p.pnr[person[keep]],
        "start_date": Dates(start[keep]),
        "end_date": Dates(end[keep].astype(np.int32), closed[keep]),
        "municipality": Codes(muni[keep], st.codes),
    }
