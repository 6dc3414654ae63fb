"""An independent reference implementation of every item, in plain Python over rows read with polars.

Written from domain.md and the conventions in docs/engine.md (not from the engine's SQL): person by person,
day by day where the engine uses intervals (full-time support), dictionaries where the engine joins. It is slow
on purpose-free grounds (clarity over speed) and is used on small synthetic registers in the tests and, on a
sample, as the baseline of benchmarks/engine.py.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import polars as pl

from barometer.catalogue import load_catalogue
from barometer.registers.contract import western_country_codes

Key = tuple[str, str, str]  # item, period, municipality ('' = unknown)
EMPLOYED = {"employee", "self_employed", "assisting_spouse"}
YOUTH = {"H20", "H30", "H35", "H40", "H50", "H60", "H70", "H80"}
HIGHER = {"H40", "H50", "H60", "H70", "H80"}
SUPPORT = {"unemployment_benefit", "cash_benefit", "integration_benefit", "self_support_return_benefit",
           "activation", "sickness_benefit", "maternity_benefit", "disability_pension", "early_retirement",
           "flexjob", "other"}
SURVEY = {  # item: (question, yes codes, groups, min age, max age)
    "3.2": ("danish_problems", {1, 2}, {"indvandrer"}, 18, 200),
    "4.1": ("recognition", {1, 2}, {"indvandrer", "efterkommer"}, 18, 200),
    "4.2": ("association_member", {1}, {"indvandrer", "efterkommer"}, 18, 200),
    "4.3": ("politically_active", {1}, {"indvandrer", "efterkommer"}, 18, 200),
    "5.1": ("discrimination", {1}, {"indvandrer", "efterkommer"}, 18, 200),
    "6.1": ("restricted_partner", {1}, {"indvandrer", "efterkommer"}, 18, 29),
    "6.2": ("restricted_education_friends", {1}, {"indvandrer", "efterkommer"}, 18, 29),
    "6.3": ("gender_equality", {3, 4, 5}, {"indvandrer", "efterkommer"}, 18, 29),
}


def age(birth: date, at: date) -> int:
    return at.year - birth.year - ((birth.month, birth.day) > (at.month, at.day))


def add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def period_bounds(code: str) -> tuple[date, date]:
    """First and last day of a period code (written here again, independently of the engine)."""
    if "/" in code:
        a, b = code.split("/")
        return period_bounds(a)[0], period_bounds(b)[1]
    if "Q" in code:
        y, q = int(code[:4]), int(code[-1])
        first = date(y, 3 * q - 2, 1)
        last = date(y + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
        return first, last
    parts = code.split("-")
    if len(parts) == 3:
        d = date.fromisoformat(code)
        return d, d
    if len(parts) == 2:
        y, m = int(parts[0]), int(parts[1])
        return date(y, m, 1), date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
    return date(int(code), 1, 1), date(int(code), 12, 31)


def overlaps(start: date, end: date | None, a: date, b: date) -> bool:
    return start <= b and (end is None or end >= a)


class Registers:
    def __init__(self, root: Path, sample: int | None = None) -> None:
        def read(name: str) -> list[dict]:
            files = sorted((root / name).glob("*.parquet"))
            if not files:
                return []
            frame = pl.read_parquet(files)
            if sample and "pnr" in frame.columns:
                frame = frame.filter(pl.col("pnr") % sample == 0)
            return frame.to_dicts()

        self.t = {n: read(n) for n in (
            "persons", "residence", "employment", "education", "grades", "danish_courses", "danish_tests",
            "benefits", "convictions", "permits", "visitations", "programme_status", "igu_courses",
            "repatriations", "migrations", "enrolment", "housing_areas", "survey_respondents", "survey_answers",
            "wage_employment", "addresses")}
        manifest = root / "manifest.json"
        extra = json.loads(manifest.read_text())["extra"] if manifest.exists() else {}
        self.declared_coverage: dict[str, str] = extra.get("coverage", {})
        western = western_country_codes()
        self.person = {p["pnr"]: p for p in self.t["persons"]}
        for p in self.person.values():
            p["target"] = p["origin_type"] != "dansk" and p["origin_country"] not in western
            p["grew_up"] = p["target"] and (p["origin_type"] == "efterkommer" or (
                p["origin_type"] == "indvandrer" and p["immigration_date"] < add_years(p["birth_date"], 13)))
        self.res = {(r["pnr"], r["year"]): r["municipality"] for r in self.t["residence"]}
        self.res_by_year: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for (pnr, y), m in self.res.items():
            self.res_by_year[y].append((pnr, m))
        self.years = sorted(self.res_by_year)
        self.by_pnr: dict[str, dict[int, list[dict]]] = {}
        for name in ("danish_courses", "enrolment", "wage_employment", "benefits", "programme_status", "permits",
                     "addresses"):
            index: dict[int, list[dict]] = defaultdict(list)
            for row in self.t[name]:
                index[row["pnr"]].append(row)
            self.by_pnr[name] = index


_DANISH_TEST = [("danish_courses", "start_date", -5), ("danish_tests", "test_date", 0)]
NEEDS = {  # item: registers (table, column, years past the period) that must reach the period's last day
    "1.1": [("employment", "year", 0)], "1.2": [("employment", "year", 0)],
    "2.1": [("grades", "year", 0)], "3.1": [("grades", "year", 0)],
    "2.2": [("education", "year", 0)], "2.3": [("education", "year", 0)],
    "3.3": _DANISH_TEST, "N15": [*_DANISH_TEST, ("programme_status", "month", -5)],
    "7.1": [("benefits", "start_date", 0)], "7.2": [("benefits", "start_date", 0)],
    "N6": [("benefits", "start_date", 0)],
    "9.1": [("convictions", "decision_date", 0)], "N14": [("convictions", "decision_date", 0)],
    "N3": [("danish_courses", "start_date", 0)], "N4": [("enrolment", "start_date", 0)],
    "N5": [("wage_employment", "start_date", 0)], "N13": [("wage_employment", "start_date", 0)],
    "N9": [("danish_courses", "start_date", 0), ("programme_status", "month", 0)],
    "N10": [("programme_status", "month", 0)], "N11": [("programme_status", "month", 0)],
}


def covered_to(reg: Registers, table: str, column: str) -> date | None:
    """Last day a register covers: recorded in the manifest, else the end of the month (year) of its last value."""
    if table in reg.declared_coverage:
        return date.fromisoformat(reg.declared_coverage[table])
    values = [r[column] for r in reg.t[table] if r[column] is not None]
    if not values:
        return None
    top = max(values)
    if isinstance(top, int):
        return date(top, 12, 31)
    return date(top.year + (top.month == 12), top.month % 12 + 1, 1) - timedelta(days=1)


def drop_uncovered(reg: Registers, cells: dict[Key, list[float]]) -> dict[Key, list[float]]:
    """Leave out the periods of an item that a register it needs does not reach."""
    def ok(item: str, period: str) -> bool:
        last = period_bounds(period)[1]
        for table, column, years in NEEDS.get(item, []):
            if not reg.t[table]:
                continue  # an absent (optional) table: the item is "not computed" anyway
            cov = covered_to(reg, table, column)
            if cov is None or cov < add_years(last, years):
                return False
        return True

    return {k: v for k, v in cells.items() if ok(k[0], k[1])}


def compute(reg: Registers, kf_periods: dict[str, list[str]]) -> dict[Key, list[float]]:
    """Municipal (num, den, ref_num, ref_den) per item and period; kf_periods: the key-figure periods to do."""
    out: dict[Key, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    P, years = reg.person, reg.years
    last = years[-1]

    def add(item, period, muni, num=0.0, den=0.0, rnum=0.0, rden=0.0):
        cell = out[(item, str(period), muni)]
        cell[0] += num
        cell[1] += den
        cell[2] += rnum
        cell[3] += rden

    # --- 1.x: end-of-November status of year Y, population on 1 January Y+1
    status = {(e["pnr"], e["year"]): e["status"] for e in reg.t["employment"]}
    for y in sorted({e["year"] for e in reg.t["employment"]}):
        for pnr, muni in reg.res_by_year.get(y + 1, []):
            p = P[pnr]
            if not 25 <= age(p["birth_date"], date(y + 1, 1, 1)) <= 64:
                continue
            emp = status.get((pnr, y)) in EMPLOYED
            if p["target"]:
                add("1.2", y, muni, emp, 1)
                add("1.1", y, muni, emp, 1)
            elif p["origin_type"] == "dansk":
                add("1.1", y, muni, 0, 0, emp, 1)
    # --- 2.1 / 3.1: exam year Y, municipality on 1 January Y
    exams: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for g in reg.t["grades"]:
        exams[(g["pnr"], g["year"])][g["subject"]] = g["grade"]
    for (pnr, y), subj in exams.items():
        muni, p = reg.res.get((pnr, y)), P[pnr]
        if muni is None or not p["grew_up"]:
            continue
        if "dansk_skriftlig" in subj and "matematik_med_hjaelpemidler" in subj:
            add("2.1", y, muni, subj["dansk_skriftlig"] >= 2 and subj["matematik_med_hjaelpemidler"] >= 2, 1)
        if p["origin_type"] == "indvandrer" and "dansk_mundtlig" in subj and "dansk_retskrivning" in subj:
            add("3.1", y, muni, subj["dansk_mundtlig"] >= 2 and subj["dansk_retskrivning"] >= 2, 1)
    # --- 2.2 / 2.3: education on 1 October Y, population on 1 January Y+1
    danish = {(e["pnr"], e["year"]): e["danish_level"] for e in reg.t["education"]}
    for y in sorted({e["year"] for e in reg.t["education"]}):
        for pnr, muni in reg.res_by_year.get(y + 1, []):
            p = P[pnr]
            if not p["grew_up"]:
                continue
            a, level = age(p["birth_date"], date(y + 1, 1, 1)), danish.get((pnr, y))
            if 20 <= a <= 24:
                add("2.2", y, muni, level in YOUTH, 1)
            if 25 <= a <= 39:
                add("2.3", y, muni, level in HIGHER, 1)
    # --- 3.3 / N15 cohorts
    cohorts = _cohorts(reg)
    for start, muni, passed in cohorts.values():
        if start.year + 5 <= last:
            add("3.3", start.year + 5, muni, passed, 1)
    # --- 7.x: full-time persons in year Y, population on 1 January Y+1
    fte = _fulltime(reg)
    for y in years:
        if y + 1 not in reg.res_by_year:
            continue
        for pnr, muni in reg.res_by_year[y + 1]:
            p = P[pnr]
            if not 16 <= age(p["birth_date"], date(y + 1, 1, 1)) <= 66:
                continue
            f = fte.get((pnr, y), 0.0)
            if p["target"]:
                add("7.2", y, muni, f, 1)
                add("7.1", y, muni, f, 1)
            elif p["origin_type"] == "dansk":
                add("7.1", y, muni, 0, 0, f, 1)
    # --- 8.x: list counts (a list year exists for every category)
    cat = {"parallelsamfund": "8.1", "omdannelsesomraade": "8.2", "udsat": "8.3"}
    for y in {h["year"] for h in reg.t["housing_areas"]}:
        for item in cat.values():
            add(item, y, "")  # the year exists, even if a list is empty
    for h in reg.t["housing_areas"]:
        add(cat[h["category"]], h["year"], h["municipality"], 1)
    # --- 9.1: convictions decided in Y, population on 1 January Y
    convicted = {(c["pnr"], c["decision_date"].year) for c in reg.t["convictions"] if c["law"] == "straffeloven"}
    for y in years:
        for pnr, muni in reg.res_by_year[y]:
            p = P[pnr]
            if p["target"] and 15 <= age(p["birth_date"], date(y, 1, 1)) <= 29:
                add("9.1", y, muni, (pnr, y) in convicted, 1)
    # --- survey
    resp = {(r["year"], r["respondent_id"]): r for r in reg.t["survey_respondents"]}
    for a in reg.t["survey_answers"]:
        r = resp[(a["year"], a["respondent_id"])]
        for item, (question, yes, groups, lo, hi) in SURVEY.items():
            if a["question"] == question and r["group"] in groups and lo <= r["age"] <= hi:
                add(item, a["year"], "", r["weight"] * (a["answer"] in yes), r["weight"])
    _key_figures(reg, kf_periods, cohorts, add)
    return drop_uncovered(reg, out)


def _cohorts(reg: Registers) -> dict[int, tuple[date, str, bool]]:
    first: dict[int, dict] = {}
    for c in reg.t["danish_courses"]:
        if c["programme"] and (c["pnr"] not in first or c["start_date"] < first[c["pnr"]]["start_date"]):
            first[c["pnr"]] = c
    tests = defaultdict(list)
    for t in reg.t["danish_tests"]:
        tests[t["pnr"]].append(t["test_date"])
    return {pnr: (c["start_date"], c["municipality"],
                  any(c["start_date"] <= d < add_years(c["start_date"], 5) for d in tests[pnr]))
            for pnr, c in first.items()}


def _fulltime(reg: Registers) -> dict[tuple[int, int], float]:
    """A sweep over each person-year's spell starts and ends: between two consecutive change days the hours a
    week are constant; capped at 37; fte = sum(capped hours x days) / (37 x days in the year)."""
    changes: dict[tuple[int, int], dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for b in reg.t["benefits"]:
        if b["benefit"] not in SUPPORT or b["hours_per_week"] <= 0:
            continue
        for y in range(b["start_date"].year, b["end_date"].year + 1):
            first, last = max(b["start_date"], date(y, 1, 1)), min(b["end_date"], date(y, 12, 31))
            changes[(b["pnr"], y)][first] += b["hours_per_week"]
            changes[(b["pnr"], y)][last + timedelta(days=1)] -= b["hours_per_week"]
    out = {}
    for (pnr, y), delta in changes.items():
        total, level, days = 0.0, 0.0, sorted(delta)
        for day, following in pairwise(days):
            level += delta[day]
            total += min(round(level, 6), 37.0) * (following - day).days
        out[(pnr, y)] = total / 37.0 / (date(y + 1, 1, 1) - date(y, 1, 1)).days
    return out


def _lives_in(reg: Registers, pnr: int, d: date) -> str | None:
    """Where a person lives on day d: the municipality of their address spell covering d ('' for a spell without
    a municipality: counted for the whole country only); None when no spell covers d or they died on or before d."""
    death = reg.person[pnr]["death_date"]
    if death is not None and death <= d:
        return None
    for spell in reg.by_pnr["addresses"][pnr]:
        if overlaps(spell["start_date"], spell["end_date"], d, d):
            return spell["municipality"] or ""
    return None


def _holders(reg: Registers, d: date, kind: str) -> dict[int, tuple[str, date]]:
    """Residents on d with a valid permit of ``kind`` ('ukraine' or 'refugee'): municipality, and the start of
    their first permit of that kind (a renewal does not restart the integration period)."""
    types = {"ukraine"} if kind == "ukraine" else {"refugee", "family_refugee"}
    valid = {p["pnr"] for p in reg.t["permits"]
             if p["permit_type"] in types and overlaps(p["start_date"], p["end_date"], d, d)}
    starts: dict[int, date] = {}
    for p in reg.t["permits"]:
        if p["pnr"] in valid and p["permit_type"] in types and p["start_date"] <= d:
            starts[p["pnr"]] = min(starts.get(p["pnr"], p["start_date"]), p["start_date"])
    where = {pnr: _lives_in(reg, pnr, d) for pnr in starts}
    return {pnr: (where[pnr], s) for pnr, s in starts.items() if where[pnr] is not None}


def _key_figures(reg, kf_periods, cohorts, add) -> None:
    P, t, idx = reg.person, reg.t, reg.by_pnr
    refugees = {p["pnr"] for p in t["permits"] if p["permit_type"] in ("refugee", "family_refugee")}
    for item, periods in kf_periods.items():
        for code in periods:
            a, b = period_bounds(code)
            n = int(re.sub(r"\D", "", item))
            if n in (1, 7):
                types = {"ukraine"} if n == 1 else {"refugee", "family_refugee"}
                seen = {(v["pnr"], v["municipality"]) for v in t["visitations"] if v["permit_type"] in types
                        and v["visitation_date"] <= b and (n == 1 or v["visitation_date"] >= a)}
                for _, muni in seen:
                    add(item, code, muni, 1)
            elif n in (2, 3, 4, 5, 6, 8, 9, 13):
                kind = "ukraine" if n <= 6 else "refugee"
                for pnr, (muni, start) in _holders(reg, b, kind).items():
                    x = age(P[pnr]["birth_date"], b)
                    if n == 2:
                        add(item, code, muni, 1)
                    elif n == 3 and x >= 18:
                        add(item, code, muni, any(overlaps(c["start_date"], c["end_date"], a, b)
                                                  for c in idx["danish_courses"][pnr]))
                    elif n == 4 and x <= 16:
                        add(item, code, muni, any(overlaps(e["start_date"], e["end_date"], a, b)
                                                  for e in idx["enrolment"][pnr]), 1)
                    elif n in (5, 6) and 18 <= x <= 66:
                        if n == 5:
                            hit = any(overlaps(w["start_date"], w["end_date"], a, b)
                                      for w in idx["wage_employment"][pnr])
                        else:
                            hit = any(s["benefit"] == "self_support_return_benefit"
                                      and overlaps(s["start_date"], s["end_date"], a, b) for s in idx["benefits"][pnr])
                        add(item, code, muni, hit, 1)
                    elif n == 8 and 18 <= x <= 66 and start > add_years(b, -5):
                        add(item, code, muni, 1)
                    elif n == 9 and x >= 18:
                        course = any(c["programme"] and overlaps(c["start_date"], c["end_date"], a, b)
                                     for c in idx["danish_courses"][pnr])
                        paid = any(s["benefit_recipient"] and a <= s["month"] <= b
                                   for s in idx["programme_status"][pnr])
                        add(item, code, muni, course and paid)
                    elif n == 13 and 21 <= x <= 64 and add_years(b, -4) < start <= add_years(b, -3):
                        add(item, code, muni, any(overlaps(w["start_date"], w["end_date"], a, b)
                                                  for w in idx["wage_employment"][pnr]), 1)
            elif n in (10, 11):
                for s in t["programme_status"]:
                    if s["month"] == a and s["benefit_recipient"] and 16 <= age(P[s["pnr"]]["birth_date"], a) <= 64:
                        hit = bool(s["job_ready"]) if n == 10 else s["company_directed_activation"]
                        add(item, code, s["municipality"], hit, 1)
            elif n == 12:
                for g in t["igu_courses"]:
                    if a <= g["start_date"] <= b:
                        add(item, code, g["municipality"], 1)
            elif n == 14:
                convicted = {c["pnr"] for c in t["convictions"] if c["law"] == "straffeloven"
                             and a <= c["decision_date"] <= b}
                started = {p["pnr"] for p in t["permits"] if p["permit_type"] in ("refugee", "family_refugee")
                           and p["start_date"] <= a}
                for pnr, muni in reg.res_by_year.get(a.year, []):
                    p = P[pnr]
                    if (p["sex"] == "M" and 15 <= age(p["birth_date"], a) <= 29 and pnr in started
                            and p["immigration_date"] is not None and p["immigration_date"] > add_years(a, -5)):
                        add(item, code, muni, pnr in convicted, 1)
            elif n == 15:
                for pnr, (start, muni, passed) in cohorts.items():
                    if start.year + 5 != a.year or age(P[pnr]["birth_date"], start) < 18:
                        continue
                    ok_permit = any(p["permit_type"] in ("refugee", "family_refugee") and p["start_date"] <= start
                                    for p in idx["permits"][pnr])
                    paid = any(s["benefit_recipient"] and s["month"].year == start.year
                               for s in idx["programme_status"][pnr])
                    if ok_permit and paid:
                        add(item, code, muni, passed, 1)
            elif n in (16, 17):
                direction = "immigration" if n == 16 else "emigration"
                for m in t["migrations"]:
                    if m["direction"] == direction and a <= m["event_date"] <= b and m["pnr"] in refugees:
                        add(item, code, m["municipality"] or "", 1)
            elif n == 18:
                for _pnr, muni in {(r["pnr"], r["municipality"]) for r in t["repatriations"]
                                   if a <= r["repatriation_date"] <= b}:
                    add(item, code, muni, 1)


def to_areas(municipal: dict[Key, list[float]]) -> dict[Key, list[float]]:
    """Sum municipal cells into regions and the whole country ('' counts only for the country)."""
    catalogue = load_catalogue()
    region = {m.code: m.region for m in catalogue.municipalities}
    out: dict[Key, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for (item, period, muni), cell in municipal.items():
        areas = [catalogue.country.code] + ([muni, region[muni]] if muni else [])
        for area in areas:
            acc = out[(item, period, area)]
            for i in range(4):
                acc[i] += cell[i]
    return out
