"""The derived views every definition reads, declared once in portable SQL (see barometer.engine.sql).

- ``person``: one row per person with the origin group by DST's definition and "arrived aged 0-12".
- ``person_year``: a person resident on 1 January of ``year``, with municipality and age on that date;
  ``target_year`` keeps those of the target group and of refugee permit holders (the other items' persons).
- ``exams``: 9th-grade exam results of the target group, one row per pupil and year with the four subjects the
  indicators use and where the pupil lived on 1 January.
- ``fulltime_support``: full-time persons on public support per person and year (37-hour weekly cap).
- ``status_year``: the end-of-year population of 1.x/2.2/2.3/7.x with employment, education and support joined;
  ``status_cells`` counts it by every value the items select on.
- ``course_cohort``: the first programme Danish-course start per person, and whether a test followed in time.
- ``holder_spell``: stretches of days on which refugees/family-reunified and displaced Ukrainians hold a valid
  permit, live at one address spell and are alive (each key figure places its date in them).
- ``register_year``: the years present in ``employment`` and ``education``.

Reference tables registered by the backend from data: ``ref_country(code, western)``,
``ref_area_map(municipality, area_code)``, ``ref_kf_period(item_id, period, p_start, p_end)`` and
``ref_year(year, y_start, y_end, days)`` (the residence years).
"""

from __future__ import annotations

from barometer.engine.joins import Attach, PersonChain, count_view, join_view
from barometer.engine.model import View

COVERAGE = View("coverage", """First and last residence year in the data (the years the data allow): the bounds of
``ref_year``, which the build derives from the residence years once, rather than a scan of residence for each item
that reads them.""", """
SELECT MIN(year) AS first_year, MAX(year) AS last_year FROM ref_year
""")

PERSON = View("person", """Persons with origin group, arrival age and whether they ever held a refugee or
family-reunification permit. The origin groups the items use are Danish origin (``origin_type``) and the target group
(``target``: immigrants and descendants of non-Western origin); Western immigrants and descendants are the rest, and
no item reads them as a class, so no class column is kept (a string for each of millions of persons).
``first_new_year`` is the first 1 January the person lived (the birth year for a birth on 1 January, else the year
after): the age on 1 January of year Y is Y - first_new_year, found once per person so that each of the tens of
millions of person-years takes a subtraction instead of date arithmetic.""", """
SELECT p.pnr, p.birth_date, p.sex, p.origin_type, p.immigration_date, p.death_date,
       CAST(EXTRACT(YEAR FROM ADD_DAYS(p.birth_date, -1)) + 1 AS SMALLINT) AS first_new_year,
       CASE WHEN p.origin_type <> 'dansk' AND NOT COALESCE(c.western, FALSE) THEN TRUE ELSE FALSE END AS target,
       CASE WHEN p.origin_type = 'indvandrer'
             AND p.immigration_date < ADD_YEARS(p.birth_date, 13) THEN TRUE ELSE FALSE END AS arrived_0_12,
       CASE WHEN rp.pnr IS NOT NULL THEN TRUE ELSE FALSE END AS refugee_permit
FROM persons p LEFT JOIN ref_country c ON c.code = p.origin_country
LEFT JOIN (SELECT DISTINCT pnr FROM permits WHERE permit_type IN ('refugee', 'family_refugee')) rp ON rp.pnr = p.pnr
""", materialize=True)

PERSON_YEAR = join_view("person_year", "Residents on 1 January of each year, age on that date.",
                        driver="residence", alias="r", select="""
r.pnr, r.year, r.municipality, p.sex, p.origin_type, p.target, p.arrived_0_12, p.refugee_permit,
p.immigration_date,
r.year - p.first_new_year AS age""", attach=(Attach("person", "p", ("pnr",), inner=True),))

TARGET_YEAR = View("target_year", """``person_year`` of the persons the items other than 1.x, 2.2, 2.3 and 7.x read
it for: the target group (2.1, 3.1, 9.1) and holders of a refugee or family-reunification permit (N14). Kept as a
table, so residence is joined with the persons once for those four items instead of once per item.""", """
SELECT py.pnr, py.year, py.municipality, py.sex, py.origin_type, py.target, py.arrived_0_12, py.immigration_date,
       py.age
FROM person_year py
WHERE py.target OR py.refugee_permit  -- person columns: the filter is applied to the persons before the join
""", materialize=True)

EXAMS = View("exams", """9th-grade exam grades of the target group's pupils (2.1 and 3.1 count only them), one row per
pupil and exam year with one column per subject used, and the pupil's municipality and origin on 1 January of the
exam year (``target_year``). Kept as a table: the grades are pivoted and joined with the residents once for both
items; only the target group's grades are pivoted (a filter on the persons before the join).""", """
SELECT py.pnr, py.year, py.municipality, py.target, py.origin_type, py.arrived_0_12,
       g.written_danish, g.maths_with_aids, g.oral_danish, g.spelling
FROM (
  SELECT pnr, year,
         MAX(CASE WHEN subject = 'dansk_skriftlig' THEN grade END) AS written_danish,
         MAX(CASE WHEN subject = 'matematik_med_hjaelpemidler' THEN grade END) AS maths_with_aids,
         MAX(CASE WHEN subject = 'dansk_mundtlig' THEN grade END) AS oral_danish,
         MAX(CASE WHEN subject = 'dansk_retskrivning' THEN grade END) AS spelling
  FROM grades WHERE pnr IN (SELECT pnr FROM person WHERE target)
  GROUP BY pnr, year
) g JOIN target_year py ON py.pnr = g.pnr AND py.year = g.year
""", materialize=True)

REGISTER_YEAR = View("register_year", """The years present in the year-labelled status registers whose years the
items pair with the population: ``employment`` (1.x) and ``education`` (2.2, 2.3). Found once, rather than by each
item scanning the register's year column.""", """
SELECT 'employment' AS register, year FROM (SELECT DISTINCT year FROM employment) e
UNION ALL
SELECT 'education' AS register, year FROM (SELECT DISTINCT year FROM education) e
""", materialize=True)

SUPPORT_SPELL = View("support_spell", """Benefit spells that count as public support, cut at calendar years: one
row per spell and calendar year it touches, with its first and last day in that year and its hours a week in
integer centi-hours. The benefits are read once (the common table): every spell's piece in its first year comes
from that read without a join (a spell within one year, nearly all, is that piece); only spells across a new year
take the range join with the years for their later pieces. The years are not limited here:
``fulltime_support`` keeps those of ``ref_year``.""", """
WITH b AS (
  SELECT pnr, start_date, end_date, CAST(ROUND(hours_per_week * 100) AS INTEGER) AS centi_hours
  FROM benefits
  WHERE benefit IN {support_benefits} AND hours_per_week > 0
)
SELECT pnr, CAST(EXTRACT(YEAR FROM start_date) AS INTEGER) AS year, start_date AS s,
       CASE WHEN EXTRACT(YEAR FROM end_date) = EXTRACT(YEAR FROM start_date) THEN end_date
            ELSE MAKE_DATE(CAST(EXTRACT(YEAR FROM start_date) AS INTEGER), 12, 31) END AS e,
       centi_hours
FROM b
UNION ALL
SELECT b.pnr, y.year, y.y_start AS s, CASE WHEN b.end_date < y.y_end THEN b.end_date ELSE y.y_end END AS e,
       b.centi_hours
FROM b JOIN ref_year y ON y.y_start > b.start_date AND y.y_start <= b.end_date
WHERE EXTRACT(YEAR FROM b.end_date) <> EXTRACT(YEAR FROM b.start_date)
""")

FULLTIME_SUPPORT = View("fulltime_support", """Full-time persons per person and year: a sweep over each person-year's
spell starts (+hours) and ends (-hours, the day after the last day); the running sum is the hours a week until the
next change, capped at the weekly cap; fte = sum(capped hours x days) / (cap x days in the year). Hours are summed
as integer centi-hours so the result does not depend on summation order; fte is fixed to 9 decimals by ``FIXED``,
which gives the same digits on every engine.

A person-year with one spell (nearly all) has nothing to sum or cap together: its centi-days are that spell's capped
hours x days, computed on the spell's own row. Only the person-years with more spells (``shared``) are swept (the
window sorts its input), with the same integer result as the sum of their spells when they do not overlap. Finding
them takes no count over all person-years: a person whose spells fall in as many distinct years as they are many has
one spell in each of its person-years, and the years are counted per person as the bits of a set (``BIT_OR`` of
``BIT(year % 62)``; years 62 apart share a bit, which can only send a person to the exact count below, never miss
one). Only the few persons with fewer distinct years than spells (``sharing``) are counted by person and year. The
spells are one common table read by each (DuckDB computes it once).""", """
WITH spell AS (
  SELECT pnr, year, s, e, centi_hours FROM support_spell
), sharing AS (  -- persons with two spells in a year (or, rarely, in years 62 apart)
  SELECT pnr FROM spell GROUP BY pnr HAVING COUNT(*) > BIT_COUNT(BIT_OR(BIT(year % 62)))
), sharing_spell AS (
  SELECT sp.pnr, sp.year, sp.s, sp.e, sp.centi_hours FROM spell sp JOIN sharing h ON h.pnr = sp.pnr
), shared AS (  -- person-years with more than one spell
  SELECT pnr, year FROM sharing_spell GROUP BY pnr, year HAVING COUNT(*) > 1
), changes AS (  -- each spell of a shared person-year: its start and the day after its end
  SELECT sp.pnr, sp.year, CASE WHEN k.sign = 1 THEN sp.s ELSE ADD_DAYS(sp.e, 1) END AS p,
         k.sign * sp.centi_hours AS delta
  FROM sharing_spell sp
  JOIN shared o ON o.pnr = sp.pnr AND o.year = sp.year
  CROSS JOIN (SELECT 1 AS sign UNION ALL SELECT -1 AS sign) k
), levels AS (
  SELECT pnr, year, p,
         SUM(delta) OVER (PARTITION BY pnr, year ORDER BY p, delta ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
           AS centi_hours,
         LEAD(p) OVER (PARTITION BY pnr, year ORDER BY p, delta) AS next_p
  FROM changes
), centi_days AS (
  SELECT sp.pnr, sp.year,
         CAST(CASE WHEN sp.centi_hours > {hours_cap_centi} THEN {hours_cap_centi} ELSE sp.centi_hours END AS BIGINT)
           * (DAYS_BETWEEN(sp.s, sp.e) + 1) AS centi_days
  FROM spell sp LEFT JOIN shared o ON o.pnr = sp.pnr AND o.year = sp.year
  WHERE o.pnr IS NULL  -- the only spell of its person-year
  UNION ALL
  SELECT pnr, year,
         SUM(CASE WHEN centi_hours > {hours_cap_centi} THEN {hours_cap_centi} ELSE centi_hours END
             * DAYS_BETWEEN(p, next_p)) AS centi_days
  FROM levels WHERE next_p IS NOT NULL AND next_p > p
  GROUP BY pnr, year
)
SELECT c.pnr, y.year,
       FIXED(CAST(c.centi_days AS DOUBLE) / ({hours_cap_centi} * y.days), 18, 9) AS fte
FROM centi_days c JOIN ref_year y ON y.year = c.year
""", materialize=True)

STATUS_POPULATION = View("status_population", """The population of 1.x, 2.2, 2.3 and 7.x before its status
values are joined: residents aged 16-66 on 1 January Y+1 of Danish origin or in the target group, labelled with
the status year Y. Kept as a table so that the joins of ``status_year`` know its size and build their hash tables
on the smaller status tables rather than on these tens of millions of person-years; kept narrow (the origin class
follows from ``target`` in this population, age fits a SMALLINT), since it is the largest table of the build.""", """
SELECT py.pnr, py.year - 1 AS year, py.municipality, CAST(py.age AS SMALLINT) AS age, py.target,
       CASE WHEN py.target AND (py.origin_type = 'efterkommer' OR py.arrived_0_12) THEN TRUE ELSE FALSE END
         AS grew_up
FROM person_year py
WHERE (py.target OR py.origin_type = 'dansk') AND py.age BETWEEN 16 AND 66
""", materialize=True)

STATUS_YEAR = join_view("status_year", """End-of-year status of year Y for residents aged 16-66 on 1 January Y+1
of Danish origin or in the target group (the population of 1.x, 2.2, 2.3 and 7.x): municipality and age on 1 January
Y+1, employed at the end of November Y, highest Danish education on 1 October Y (target group only: no item reads
it for others, and the smaller join halves the work), full-time support during Y. One row per person-year; not
kept: the items read its cells (``status_cells``). No support is a zero of full-time support's own type,
DECIMAL(18, 9): a bare 0 would widen the column to DECIMAL(19, 9), which takes 128-bit integers, and make every
sum of it slower (the cells' sums are DECIMAL(38, 9) either way).""", driver="status_population", alias="sp",
    select="""
sp.pnr, sp.year, sp.municipality, sp.age, sp.target, sp.grew_up,
CASE WHEN e.pnr IS NOT NULL THEN 1 ELSE 0 END AS employed,
ed.danish_level,
COALESCE(f.fte, CAST(0 AS DECIMAL(18, 9))) AS fte""", attach=(
    Attach("employment", "e", ("pnr", "year"), where="status IN ('employee', 'self_employed', 'assisting_spouse')"),
    Attach("education", "ed", ("pnr", "year"),  # only the target group's education is used
           where="danish_level IS NOT NULL AND pnr IN (SELECT pnr FROM person WHERE target)"),
    Attach("fulltime_support", "f", ("pnr", "year")),
))

STATUS_CELLS = count_view("status_cells", """``status_year`` counted by every value its items select on:
municipality, year, age, target group, grew up here, employed and Danish education level, with the number of
persons and their full-time support summed (exactly: integer counts, DECIMAL sums). The six items of 1.x, 2.2, 2.3
and 7.x sum these cells instead of each scanning tens of millions of person-years, and the person-years are never
stored. The reference group of the gaps, Danish origin, is ``NOT target`` in this population, so no origin class is
counted by (a string key that would only repeat ``target``).""", source="status_year",
    by=("municipality", "year", "age", "target", "grew_up", "employed", "danish_level"),
    measures=(("persons", "COUNT(*)"), ("fte", "SUM(fte)")))

COURSE_COHORT = View("course_cohort", """First Danish-course start under the integration programme per person
(the cohort), the course's municipality, and whether a Danish test was passed on or after the start and less than
the test window after it.""", """
WITH first_start AS (
  SELECT pnr, MIN(start_date) AS start_date FROM danish_courses WHERE programme GROUP BY pnr
), passed AS (
  SELECT f.pnr,
         MAX(CASE WHEN t.test_date >= f.start_date AND t.test_date < ADD_YEARS(f.start_date, {test_window})
                  THEN 1 ELSE 0 END) AS passed
  FROM first_start f LEFT JOIN danish_tests t ON t.pnr = f.pnr GROUP BY f.pnr
)
SELECT f.pnr, EXTRACT(YEAR FROM f.start_date) AS cohort_year, f.start_date, c.municipality, ps.passed
FROM first_start f
JOIN danish_courses c ON c.pnr = f.pnr AND c.start_date = f.start_date
JOIN passed ps ON ps.pnr = f.pnr
""", materialize=True)

HOLDER_SPELL = View("holder_spell", """Stretches of days on which a person holds a valid refugee/family-reunification
('refugee') or special-act ('ukraine') permit, lives at one address spell (``addresses``; its municipality, '' for
a spell without one, counted for the whole country only) and is alive: a key figure's holders on its date d are
the rows with ``valid_from <= d <= valid_to`` (open ends are 9999-12-31). Holders without a spell covering d
(abroad, not yet registered) and persons who died on or before d are in no such row. A person's overlapping
permits of a kind are first merged into the stretches they cover together (a running maximum of the earlier
permits' ends marks where a new stretch starts), so a day of two valid permits is one holder, not two; each
stretch is then cut by the person's address spells and the day before death. ``permit_start`` is the earliest start
of any permit of the kind: for refugees the start of the integration period, which a renewal does not restart
(N8's "less than 5 years", N13's "3 years' residence"); one is valid on d, so it started on or before d. Kept at
this grain (about two rows a holder) rather than one row per holder and key-figure date: each key figure joins
its own dates with it.""", """
WITH permit_kind AS (
  SELECT pnr, CASE WHEN permit_type = 'ukraine' THEN 'ukraine' ELSE 'refugee' END AS kind, start_date,
         COALESCE(end_date, DATE '9999-12-31') AS end_date
  FROM permits WHERE permit_type IN ('refugee', 'family_refugee', 'ukraine')
), after AS (  -- the latest end among the person's earlier permits of the kind (NULL for the first)
  SELECT pnr, kind, start_date, end_date,
         MAX(end_date) OVER (PARTITION BY pnr, kind ORDER BY start_date, end_date
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
  FROM permit_kind
), numbered AS (  -- a permit starting after every earlier one ended starts a new stretch
  SELECT pnr, kind, start_date, end_date,
         SUM(CASE WHEN earlier_end IS NULL OR earlier_end < start_date THEN 1 ELSE 0 END)
           OVER (PARTITION BY pnr, kind ORDER BY start_date, end_date
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS stretch
  FROM after
), held AS (
  SELECT pnr, kind, MIN(start_date) AS held_from, MAX(end_date) AS held_to FROM numbered GROUP BY pnr, kind, stretch
), holder AS (
  SELECT h.pnr, h.kind, h.held_from, h.held_to, MIN(h.held_from) OVER (PARTITION BY h.pnr, h.kind) AS permit_start,
         p.birth_date, COALESCE(ADD_DAYS(p.death_date, -1), DATE '9999-12-31') AS alive_to
  FROM held h JOIN person p ON p.pnr = h.pnr
), spell AS (
  SELECT h.pnr, h.kind, h.permit_start, h.birth_date, COALESCE(a.municipality, '') AS municipality,
         GREATEST(h.held_from, a.start_date) AS valid_from,
         LEAST(h.held_to, COALESCE(a.end_date, DATE '9999-12-31'), h.alive_to) AS valid_to
  FROM holder h JOIN addresses a ON a.pnr = h.pnr
)
SELECT pnr, kind, permit_start, birth_date, municipality, valid_from, valid_to
FROM spell WHERE valid_from <= valid_to
""", materialize=True)

VIEWS: tuple[View, ...] = (COVERAGE, PERSON, PERSON_YEAR, TARGET_YEAR, EXAMS, SUPPORT_SPELL, FULLTIME_SUPPORT,
                           STATUS_POPULATION, STATUS_YEAR, STATUS_CELLS, COURSE_COHORT, HOLDER_SPELL,
                           REGISTER_YEAR)
"""In dependency order."""

STATUS_CHAIN = PersonChain(steps=(PERSON_YEAR, STATUS_POPULATION, STATUS_YEAR), result=STATUS_CELLS,
                           per_person=(PERSON, SUPPORT_SPELL, FULLTIME_SUPPORT), own=("fulltime_support",))
"""Row by row per person up to ``status_year``, then counted: the DuckDB backend may compute ``status_cells`` one
person part at a time by merging sorted keys (barometer.engine.ordered) instead of running the joins' SQL."""

PERSON_CHAINS: tuple[PersonChain, ...] = (STATUS_CHAIN,)
