"""Register-based indicators, one declaration each: the computation (SQL). Their words (population, numerator,
denominator, reference dates) live in the catalogue (catalogue/data/goals.toml), in Danish and English.

Conventions shared by all (docs/engine.md): the target group is ``person.target`` (immigrants and descendants of
non-Western origin); "arrived aged 0-12" is immigrants whose first immigration was before their 13th birthday;
a status at the end of year Y (employment end of November, education 1 October, support during Y) is paired with
the population, municipality and age on 1 January Y+1, as DST pairs RAS with BEF.
"""

from __future__ import annotations

from barometer.engine.model import Definition, Needs

_YOUTH_EDUCATION = "('H20', 'H30', 'H35', 'H40', 'H50', 'H60', 'H70', 'H80')"
_HIGHER_EDUCATION = "('H40', 'H50', 'H60', 'H70', 'H80')"

EMPLOYMENT_GAP = Definition(
    id="1.1", group="employment",
    gap_sign=1,
    tables=("persons", "residence", "employment"),
    needs=(Needs("employment", "year"),),
    sql="""
SELECT s.municipality, s.year AS period,
       SUM(CASE WHEN s.target THEN s.employed * s.persons ELSE 0 END) AS num,
       SUM(CASE WHEN s.target THEN s.persons ELSE 0 END) AS den,
       SUM(CASE WHEN NOT s.target THEN s.employed * s.persons ELSE 0 END) AS ref_num,
       SUM(CASE WHEN NOT s.target THEN s.persons ELSE 0 END) AS ref_den
FROM status_cells s
JOIN register_year ey ON ey.register = 'employment' AND ey.year = s.year
WHERE s.age BETWEEN 25 AND 64
GROUP BY s.municipality, s.year
""")

EMPLOYMENT_RATE = Definition(
    id="1.2", group="employment",
    tables=("persons", "residence", "employment"),
    needs=(Needs("employment", "year"),),
    sql="""
SELECT s.municipality, s.year AS period, SUM(s.employed * s.persons) AS num, SUM(s.persons) AS den,
       CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den
FROM status_cells s
JOIN register_year ey ON ey.register = 'employment' AND ey.year = s.year
WHERE s.target AND s.age BETWEEN 25 AND 64
GROUP BY s.municipality, s.year
""")


def _exam(item_id: str, where: str, subjects: tuple[str, str]) -> Definition:
    a, b = subjects
    return Definition(
        id=item_id, group="education",
        tables=("persons", "residence", "grades"),
        needs=(Needs("grades", "year"),),
        sql=f"""
SELECT x.municipality, x.year AS period,
       SUM(CASE WHEN x.{a} >= 2 AND x.{b} >= 2 THEN 1 ELSE 0 END) AS num, COUNT(*) AS den,
       CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den
FROM exams x
WHERE x.{a} IS NOT NULL AND x.{b} IS NOT NULL AND {where}
GROUP BY x.municipality, x.year
""")


_GREW_UP = "x.target AND (x.origin_type = 'efterkommer' OR x.arrived_0_12)"

EXAM_WRITTEN_MATHS = _exam("2.1", _GREW_UP, ("written_danish", "maths_with_aids"))
EXAM_ORAL_SPELLING = _exam("3.1", "x.target AND x.origin_type = 'indvandrer' AND x.arrived_0_12",
                           ("oral_danish", "spelling"))


def _education(item_id: str, ages: tuple[int, int], levels: str) -> Definition:
    return Definition(
        id=item_id, group="education",
        tables=("persons", "residence", "education"),
        needs=(Needs("education", "year", "minus_education_label_shift"),),
        sql=f"""
SELECT s.municipality, s.year + {{education_label_shift}} AS period,
       SUM(CASE WHEN s.danish_level IN {levels} THEN s.persons ELSE 0 END) AS num, SUM(s.persons) AS den,
       CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den
FROM status_cells s
JOIN register_year ey ON ey.register = 'education' AND ey.year = s.year
WHERE s.grew_up AND s.age BETWEEN {ages[0]} AND {ages[1]}
GROUP BY s.municipality, s.year + {{education_label_shift}}
""")


YOUTH_EDUCATION = _education("2.2", (20, 24), _YOUTH_EDUCATION)
HIGHER_EDUCATION = _education("2.3", (25, 39), _HIGHER_EDUCATION)

DANISH_TEST_NEEDS = (Needs("danish_courses", "start_date", "minus_cohort_lag"),
                     Needs("danish_tests", "test_date", "test_window_beyond_period"))
"""3.3 and N15: the course register must cover the cohort's year, the test register the end of its test window."""

DANISH_TEST = Definition(
    id="3.3", group="danish",
    tables=("danish_courses", "danish_tests", "residence"),
    needs=DANISH_TEST_NEEDS,
    sql="""
SELECT c.municipality, c.cohort_year + {cohort_lag} AS period,
       SUM(c.passed) AS num, COUNT(*) AS den,
       CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den
FROM course_cohort c CROSS JOIN coverage cv
WHERE c.cohort_year + {cohort_lag} <= cv.last_year
GROUP BY c.municipality, c.cohort_year + {cohort_lag}
""")

def _support_sql(gap: bool) -> str:
    if gap:
        cols = """SUM(CASE WHEN s.target THEN s.fte ELSE 0 END) AS num,
       SUM(CASE WHEN s.target THEN s.persons ELSE 0 END) AS den,
       SUM(CASE WHEN NOT s.target THEN s.fte ELSE 0 END) AS ref_num,
       SUM(CASE WHEN NOT s.target THEN s.persons ELSE 0 END) AS ref_den"""
        who = "TRUE"
    else:
        cols = """SUM(s.fte) AS num, SUM(s.persons) AS den,
       CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den"""
        who = "s.target"
    return f"""
SELECT s.municipality, s.year AS period,
       {cols}
FROM status_cells s CROSS JOIN coverage cv
WHERE {who} AND s.year >= cv.first_year
GROUP BY s.municipality, s.year
"""


SUPPORT_GAP = Definition(
    id="7.1", group="support",
    gap_sign=-1,
    tables=("persons", "residence", "benefits"),
    needs=(Needs("benefits", "start_date"),),
    sql=_support_sql(gap=True))

SUPPORT_SHARE = Definition(
    id="7.2", group="support",
    tables=("persons", "residence", "benefits"),
    needs=(Needs("benefits", "start_date"),),
    sql=_support_sql(gap=False))


def _housing(item_id: str, category: str) -> Definition:
    return Definition(
        id=item_id, group="housing",
        tables=("housing_areas",),
        sql=f"""
SELECT COALESCE(h.municipality, '') AS municipality, y.year AS period, COUNT(h.area_id) AS num,
       CAST(NULL AS BIGINT) AS den, CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den
FROM (SELECT DISTINCT year FROM housing_areas) y
LEFT JOIN housing_areas h ON h.year = y.year AND h.category = '{category}'
GROUP BY COALESCE(h.municipality, ''), y.year
""")


PARALLEL = _housing("8.1", "parallelsamfund")
TRANSFORMATION = _housing("8.2", "omdannelsesomraade")
VULNERABLE = _housing("8.3", "udsat")

CRIME = Definition(
    id="9.1", group="crime",
    tables=("persons", "residence", "convictions"),
    needs=(Needs("convictions", "decision_date"),),
    sql="""
SELECT py.municipality, py.year AS period,
       SUM(CASE WHEN cv.pnr IS NOT NULL THEN 1 ELSE 0 END) AS num, COUNT(*) AS den,
       CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den
FROM target_year py
LEFT JOIN (SELECT DISTINCT pnr, EXTRACT(YEAR FROM decision_date) AS year FROM convictions
           WHERE law = 'straffeloven') cv ON cv.pnr = py.pnr AND cv.year = py.year
WHERE py.target AND py.age BETWEEN 15 AND 29 AND {crime_sex_filter}
GROUP BY py.municipality, py.year
""")

INDICATORS: tuple[Definition, ...] = (
    EMPLOYMENT_GAP, EMPLOYMENT_RATE, EXAM_WRITTEN_MATHS, YOUTH_EDUCATION, HIGHER_EDUCATION, EXAM_ORAL_SPELLING,
    DANISH_TEST, SUPPORT_GAP, SUPPORT_SHARE, PARALLEL, TRANSFORMATION, VULNERABLE, CRIME,
)
