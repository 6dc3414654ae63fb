"""A deliberately simple reference calculation of the national calibration figures from a register folder.

Plain DuckDB SQL over the Parquet parts, written for the tests and independent of barometer.engine, so the
generator is checked against calibration.toml by code that shares nothing with what it will later feed.
Every figure comes back with its denominator ``n`` so the tests can allow for sampling error at small scales.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from barometer.registers.contract import western_country_codes

SMALL_SCALE = 0.01
"""The scale the tests generate at (about 60,000 persons)."""
EMPLOYED = "('employee', 'self_employed', 'assisting_spouse')"
YOUTH = "('H20', 'H30', 'H35', 'H40', 'H50', 'H60', 'H70', 'H80')"
HIGHER = "('H40', 'H50', 'H60', 'H70', 'H80')"


def age_sql(ref: str) -> str:
    """Exact age in whole years on the date expression ``ref``."""
    return (
        f"(year({ref}) - year(p.birth_date) - "
        f"CASE WHEN strftime(p.birth_date, '%m%d') > strftime({ref}, '%m%d') THEN 1 ELSE 0 END)"
    )


@dataclass(frozen=True)
class Figure:
    target_id: str
    year: int
    value: float  # percent, or count at scale 1
    n: float  # denominator (persons) or expected count at the run's scale


def calibration() -> dict:
    text = resources.files("barometer.synth").joinpath("data/calibration.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def connect(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in (
        "persons",
        "residence",
        "employment",
        "education",
        "grades",
        "benefits",
        "convictions",
        "danish_courses",
        "danish_tests",
        "migrations",
        "permits",
        "housing_areas",
        "survey_respondents",
        "survey_answers",
    ):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{root}/{table}/*.parquet')")
    western = ", ".join(f"'{c}'" for c in sorted(western_country_codes()))
    # grp: 'nw' non-Western immigrants and descendants, 'dk' Danish origin, NULL others.
    # raised: descendants and immigrants who arrived aged 0-12 (indicators 2.x and 3.1).
    con.execute(f"""
        CREATE VIEW people AS SELECT p.*,
          CASE WHEN origin_type = 'dansk' THEN 'dk'
               WHEN origin_country NOT IN ({western}) THEN 'nw' END AS grp,
          origin_type = 'efterkommer' OR (origin_type = 'indvandrer' AND {age_sql("p.immigration_date")} <= 12)
            AS raised
        FROM persons p""")
    return con


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def national_figures(root: Path, scale: float) -> list[Figure]:
    """Every calibration target the register folder allows computing, as Figures."""
    con = connect(root)
    out: list[Figure] = []

    def add(prefix: str, sql: str) -> None:
        for key, year, value, n in _rows(con, sql):
            if n:
                out.append(Figure(f"{prefix}{key}", int(year), float(value), float(n)))

    add(
        "employment_",
        f"""
        SELECT CASE grp WHEN 'nw' THEN 'nonwestern_25_64' ELSE 'danish_25_64' END, e.year,
               100 * avg(CASE WHEN status IN {EMPLOYED} THEN 1 ELSE 0 END), count(*)
        FROM employment e JOIN people p USING (pnr)
        WHERE grp IS NOT NULL AND {age_sql("make_date(e.year, 11, 30)")} BETWEEN 25 AND 64 GROUP BY 1, 2""",
    )
    for subjects, key, who in (
        (
            "'dansk_skriftlig', 'matematik_med_hjaelpemidler'",
            "written_danish_math",
            "CASE WHEN grp = 'nw' AND raised THEN 'nonwestern' WHEN grp = 'dk' THEN 'danish' END",
        ),
        (
            "'dansk_mundtlig', 'dansk_retskrivning'",
            "oral_danish_spelling",
            "CASE WHEN grp = 'nw' AND raised AND origin_type = 'indvandrer' THEN 'immigrants' END",
        ),
    ):
        add(
            f"grade9_{key}_",
            f"""
            SELECT who, year, 100 * avg(CASE WHEN lowest >= 2 THEN 1 ELSE 0 END), count(*) FROM (
              SELECT {who} AS who, g.year, min(grade) AS lowest, count(*) AS k
              FROM grades g JOIN people p USING (pnr) WHERE subject IN ({subjects}) GROUP BY 1, 2, g.pnr)
            WHERE who IS NOT NULL AND k = 2 GROUP BY 1, 2""",
        )
    # 2.2/2.3 as the indicators define them: residents of 1 January Y+1 by their age then, with the education of
    # 1 October Y (no row = no education).
    for key, levels, low, high in (("youth_education_", YOUTH, 20, 24), ("higher_education_", HIGHER, 25, 39)):
        add(
            key,
            f"""
            SELECT CASE WHEN grp = 'nw' AND raised THEN 'nonwestern' ELSE 'danish' END || '_{low}_{high}',
                   r.year - 1, 100 * avg(CASE WHEN u.danish_level IN {levels} THEN 1 ELSE 0 END), count(*)
            FROM residence r JOIN people p USING (pnr)
            LEFT JOIN education u ON u.pnr = r.pnr AND u.year = r.year - 1
            WHERE ((grp = 'nw' AND raised) OR grp = 'dk')
              AND r.year - 1 IN (SELECT DISTINCT year FROM education)
              AND {age_sql("make_date(r.year, 1, 1)")} BETWEEN {low} AND {high} GROUP BY 1, 2""",
        )
    add(
        "public_support_",
        f"""
        WITH fte AS (
          SELECT b.pnr, y.year, least(1.0, sum(
            (least(b.end_date, make_date(y.year, 12, 31)) - greatest(b.start_date, make_date(y.year, 1, 1)) + 1)
            * b.hours_per_week / 37.0) / (make_date(y.year + 1, 1, 1) - make_date(y.year, 1, 1))) AS f
          FROM benefits b JOIN (SELECT DISTINCT year FROM residence) y
            ON b.start_date <= make_date(y.year, 12, 31) AND b.end_date >= make_date(y.year, 1, 1)
          WHERE b.benefit <> 'student_grant' GROUP BY 1, 2)
        SELECT CASE grp WHEN 'nw' THEN 'nonwestern_16_66' ELSE 'danish_16_66' END, r.year,
               100 * avg(coalesce(f, 0)), count(*)
        FROM residence r JOIN people p USING (pnr) LEFT JOIN fte USING (pnr, year)
        WHERE grp IS NOT NULL AND {age_sql("make_date(r.year, 1, 1)")} BETWEEN 16 AND 66 GROUP BY 1, 2""",
    )
    add(
        "convicted_",
        f"""
        WITH c AS (SELECT DISTINCT pnr, year(decision_date) AS year FROM convictions WHERE law = 'straffeloven')
        SELECT CASE grp WHEN 'nw' THEN 'nonwestern_15_29' ELSE 'danish_15_29' END, r.year,
               100 * avg(CASE WHEN c.pnr IS NULL THEN 0 ELSE 1 END), count(*)
        FROM residence r JOIN people p USING (pnr) LEFT JOIN c USING (pnr, year)
        WHERE grp IS NOT NULL AND {age_sql("make_date(r.year, 1, 1)")} BETWEEN 15 AND 29 GROUP BY 1, 2""",
    )
    last = _rows(con, "SELECT max(year) FROM residence")[0][0]
    add(
        "danish_test_within_5_",
        f"""
        SELECT 'years', year(k.start_date), 100 * avg(CASE WHEN EXISTS (
                 SELECT 1 FROM danish_tests t WHERE t.pnr = k.pnr AND t.test_date >= k.start_date
                   AND t.test_date <= k.start_date + INTERVAL 5 YEAR) THEN 1 ELSE 0 END), count(*)
        FROM danish_courses k WHERE programme AND year(k.start_date) <= {last} - 5 GROUP BY 1, 2""",
    )
    add(
        "population_",
        f"""
        SELECT 'total', year, count(*) / {scale}, count(*) FROM residence GROUP BY 1, 2""",
    )
    add(
        "non_western_",
        """
        SELECT 'share', year, 100 * avg(CASE WHEN grp = 'nw' THEN 1 ELSE 0 END), count(*)
        FROM residence JOIN people USING (pnr) GROUP BY 1, 2""",
    )
    add(
        "refugee_",
        f"""
        SELECT 'immigrations', year(event_date), count(*) / {scale}, count(*) FROM migrations m
        WHERE direction = 'immigration' AND year(event_date) >= (SELECT min(year) FROM residence)
          AND pnr IN (SELECT pnr FROM permits WHERE permit_type IN ('refugee', 'family_refugee')) GROUP BY 1, 2""",
    )
    add(
        "ukraine_",
        f"""
        SELECT 'permits', year(start_date), count(*) / {scale}, count(*) FROM permits
        WHERE permit_type = 'ukraine' GROUP BY 1, 2""",
    )
    add(
        "",
        """
        SELECT CASE category WHEN 'udsat' THEN 'udsatte_boligomraader' WHEN 'parallelsamfund' THEN 'parallelsamfund'
               ELSE 'omdannelsesomraader' END, year, count(*), count(*) FROM housing_areas GROUP BY 1, 2""",
    )
    for q in calibration()["survey"]:
        counted = ", ".join(str(a) for a in q["counted_answers"])
        groups = "('indvandrer')" if q["answer_key"] == "danish_problems" else "('indvandrer', 'efterkommer')"
        add(
            f"survey_{q['question']}",
            f"""
            SELECT '', a.year, 100 * sum(CASE WHEN answer IN ({counted}) THEN weight ELSE 0 END) / sum(weight),
                   count(*)
            FROM survey_answers a JOIN survey_respondents r USING (year, respondent_id)
            WHERE question = '{q["answer_key"]}' AND r."group" IN {groups} GROUP BY 1, 2""",
        )
    con.close()
    return out


@dataclass(frozen=True)
class Check:
    figure: Figure
    target: float
    allowed: float

    @property
    def ok(self) -> bool:
        return abs(self.figure.value - self.target) <= self.allowed


def checks(figures: list[Figure], scale: float) -> list[Check]:
    """Each figure beside its target; allowed = stated tolerance + 3 standard errors at this scale."""
    cal = calibration()
    specs = {t["id"]: t for t in cal["target"]}
    specs.update({f"survey_{q['question']}": q for q in cal["survey"]})
    out = []
    for f in figures:
        spec = specs.get(f.target_id)
        if spec is None or str(f.year) not in spec["values"]:
            continue
        target = float(spec["values"][str(f.year)])
        if spec["unit"] == "pct":
            p = min(max(target / 100, 0.01), 0.99)
            sampling = 300 * math.sqrt(p * (1 - p) / f.n)
        else:  # a count at scale 1: Poisson error of the count actually drawn, scaled back
            sampling = 3 * math.sqrt(max(target * scale, 1)) / scale if f.target_id not in _LISTS else 0.0
        tol = spec["tolerance"] * (target if spec["tolerance_kind"] == "relative" else 1)
        out.append(Check(f, target, tol + sampling))
    return out


_LISTS = ("parallelsamfund", "omdannelsesomraader", "udsatte_boligomraader")
