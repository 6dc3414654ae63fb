"""Key figures N1-N18, one declaration each.

Each key figure is computed for the periods in ``ref_kf_period`` (item_id, period code, p_start, p_end): the
catalogue's reference period of the edition and, by default, the same period in earlier years
(barometer.engine.periods). "Refugees" means permits as refugee or family-reunified to a refugee; "resident on d"
is a ``holder_spell`` row covering d: the person's address spell covering d says where they live. Figures over a month,
quarter or year fix their population (valid permit, age, municipality) on the period's last day, ``p_end``.
Counts of persons count each person once per municipality.
"""

from __future__ import annotations

from barometer.engine.definitions.indicators import DANISH_TEST_NEEDS
from barometer.engine.model import Definition, Needs

_NO_REF = "CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den"
_COUNT_TAIL = f"CAST(NULL AS BIGINT) AS den, {_NO_REF}"


def _kf(item_id: str, tables: tuple[str, ...], sql: str, optional: tuple[str, ...] = (),
        needs: tuple[Needs, ...] = ()) -> Definition:
    return Definition(id=item_id, group="key figures", tables=tables, optional_tables=optional,
                      sql=sql.replace("{item}", item_id), needs=needs)


_HOLDS = "h.valid_from <= kp.p_end AND h.valid_to >= kp.p_end"
"""A ``holder_spell`` row (``h``) covering the period's last day: a holder resident there then."""


def _during(table: str, alias: str, condition: str) -> str:
    """The persons with a row of ``table`` (as ``alias``) meeting ``condition`` in each of the item's periods
    (``kp``), once per period and person. A holder row joined with it is kept, once, if such a row exists, as a
    correlated EXISTS keeps it, but by one hash join: for N9's refugees (about a million holder-periods at full
    scale, of whom one in ten is on a programme course) that is cheaper than the EXISTS, which first
    deduplicates every holder-period; for a small population (N3's Ukrainians) the EXISTS is the cheaper."""
    return (f"(SELECT DISTINCT kp.period, {alias}.pnr FROM ref_kf_period kp JOIN {table} {alias} ON {condition} "
            f"WHERE kp.item_id = '{{item}}')")


def _periods(dates: str = "") -> str:
    """The item's periods (``kp``), with ``dates``: dates derived from the period (``ADD_YEARS(p_end, -5) AS
    since_5y``), computed once per period rather than once for each holder row the join pairs with it."""
    return f"(SELECT period, p_start, p_end{dates} FROM ref_kf_period WHERE item_id = '{{item}}') kp"


def _holders(kind: str, ages: str, num: str, extra_where: str = "TRUE", during: tuple[str, ...] = (),
             dates: str = "") -> str:
    """Share or count among permit holders resident on the period's last day (``h``), by where they live then;
    only those in every set of ``during`` (``_during``) for the period. ``dates``: as for ``_periods``."""
    joins = "".join(f"\nJOIN {d} w{i} ON w{i}.period = kp.period AND w{i}.pnr = h.pnr" for i, d in enumerate(during))
    return f"""
SELECT h.municipality, kp.period, {num}, {_NO_REF}
FROM {_periods(dates)} JOIN holder_spell h ON {_HOLDS}{joins}
WHERE h.kind = '{kind}' AND AGE_AT(h.birth_date, kp.p_end) BETWEEN {ages}
  AND {extra_where}
GROUP BY h.municipality, kp.period
"""


def _overlaps(table: str, alias: str, start: str = "kp.p_start", end: str = "kp.p_end") -> str:
    return f"{alias}.start_date <= {end} AND ({alias}.end_date IS NULL OR {alias}.end_date >= {start})"


def _holder_share(kind: str, ages: str, spells: str, extra_where: str = "TRUE", dates: str = "") -> str:
    """Share of permit holders resident on the period's last day with a spell of ``spells`` (pnr, start_date,
    end_date) overlapping the period. A LEFT JOIN and a per-person MAX rather than EXISTS in the SELECT list, which
    not every SQL engine accepts. ``dates``: as for ``_periods``."""
    return f"""
SELECT municipality, period, SUM(hit) AS num, COUNT(*) AS den, {_NO_REF}
FROM (
  SELECT h.municipality, kp.period, h.pnr, MAX(CASE WHEN x.pnr IS NOT NULL THEN 1 ELSE 0 END) AS hit
  FROM {_periods(dates)} JOIN holder_spell h ON {_HOLDS}
  LEFT JOIN {spells} x ON x.pnr = h.pnr AND {_overlaps('', 'x')}
  WHERE h.kind = '{kind}' AND AGE_AT(h.birth_date, kp.p_end) BETWEEN {ages}
    AND {extra_where}
  GROUP BY h.municipality, kp.period, h.pnr
) s
GROUP BY municipality, period
"""


_SHARE = "SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS num, COUNT(*) AS den"
KEY_FIGURES: tuple[Definition, ...] = (
    _kf("N1", ("visitations",), f"""
SELECT v.municipality, kp.period, COUNT(DISTINCT v.pnr) AS num, {_COUNT_TAIL}
FROM ref_kf_period kp JOIN visitations v ON v.visitation_date <= kp.p_end
WHERE kp.item_id = '{{item}}' AND v.permit_type = 'ukraine'
GROUP BY v.municipality, kp.period
"""),
    _kf("N2", ("permits", "addresses", "persons"),
        _holders("ukraine", "0 AND 200", "COUNT(*) AS num, CAST(NULL AS BIGINT) AS den")),
    _kf("N3", ("permits", "addresses", "persons", "danish_courses"),
        _holders("ukraine", "18 AND 200", "COUNT(*) AS num, CAST(NULL AS BIGINT) AS den",
                 f"EXISTS (SELECT 1 FROM danish_courses dc WHERE dc.pnr = h.pnr AND {_overlaps('', 'dc')})"),
        needs=(Needs("danish_courses", "start_date"),)),
    _kf("N4", ("permits", "addresses", "persons", "enrolment"),
        _holder_share("ukraine", "0 AND 16", "enrolment"),
        needs=(Needs("enrolment", "start_date"),)),
    _kf("N5", ("permits", "addresses", "persons"),
        _holder_share("ukraine", "18 AND 66", "wage_employment"),
        optional=("wage_employment",),
        needs=(Needs("wage_employment", "start_date"),)),
    _kf("N6", ("permits", "addresses", "persons", "benefits"),
        _holder_share("ukraine", "18 AND 66", "(SELECT pnr, start_date, end_date FROM benefits "
                                               "WHERE benefit = 'self_support_return_benefit')"),
        needs=(Needs("benefits", "start_date"),)),
    _kf("N7", ("visitations",), f"""
SELECT v.municipality, kp.period, COUNT(DISTINCT v.pnr) AS num, {_COUNT_TAIL}
FROM ref_kf_period kp JOIN visitations v ON v.visitation_date BETWEEN kp.p_start AND kp.p_end
WHERE kp.item_id = '{{item}}' AND v.permit_type IN ('refugee', 'family_refugee')
GROUP BY v.municipality, kp.period
"""),
    _kf("N8", ("permits", "addresses", "persons"),
        _holders("refugee", "18 AND 66", "COUNT(*) AS num, CAST(NULL AS BIGINT) AS den",
                 "h.permit_start > kp.since_5y", dates=", ADD_YEARS(p_end, -5) AS since_5y")),
    _kf("N9", ("permits", "addresses", "persons", "danish_courses", "programme_status"),
        _holders("refugee", "18 AND 200", "COUNT(*) AS num, CAST(NULL AS BIGINT) AS den",
                 "EXISTS (SELECT 1 FROM programme_status ps WHERE ps.pnr = h.pnr AND ps.benefit_recipient "
                 "AND ps.month BETWEEN kp.p_start AND kp.p_end)",
                 during=(_during("danish_courses", "dc", f"dc.programme AND {_overlaps('', 'dc')}"),)),
        needs=(Needs("danish_courses", "start_date"), Needs("programme_status", "month"))),
    *(
        _kf(item, ("programme_status", "persons"), f"""
SELECT ps.municipality, kp.period, {_SHARE.format(cond=cond)}, {_NO_REF}
FROM ref_kf_period kp JOIN programme_status ps ON ps.month = kp.p_start
JOIN person p ON p.pnr = ps.pnr
WHERE kp.item_id = '{{item}}' AND ps.benefit_recipient AND AGE_AT(p.birth_date, ps.month) BETWEEN 16 AND 64
GROUP BY ps.municipality, kp.period
""", needs=(Needs("programme_status", "month"),))
        for item, cond in (("N10", "ps.job_ready"), ("N11", "ps.company_directed_activation"))
    ),
    _kf("N12", ("igu_courses",), f"""
SELECT g.municipality, kp.period, COUNT(*) AS num, {_COUNT_TAIL}
FROM ref_kf_period kp JOIN igu_courses g ON g.start_date BETWEEN kp.p_start AND kp.p_end
WHERE kp.item_id = '{{item}}'
GROUP BY g.municipality, kp.period
"""),
    _kf("N13", ("permits", "addresses", "persons"),
        _holder_share("refugee", "21 AND 64", "wage_employment",
            "h.permit_start > kp.since_4y AND h.permit_start <= kp.since_3y",
            dates=", ADD_YEARS(p_end, -4) AS since_4y, ADD_YEARS(p_end, -3) AS since_3y"),
        optional=("wage_employment",),
        needs=(Needs("wage_employment", "start_date"),)),
    _kf("N14", ("persons", "residence", "permits", "convictions"), f"""
SELECT municipality, period, SUM(hit) AS num, COUNT(*) AS den, {_NO_REF}
FROM (
  SELECT py.municipality, kp.period, py.pnr, MAX(CASE WHEN cv.pnr IS NOT NULL THEN 1 ELSE 0 END) AS hit
  FROM ref_kf_period kp JOIN target_year py ON py.year = EXTRACT(YEAR FROM kp.p_start)
  LEFT JOIN convictions cv ON cv.pnr = py.pnr AND cv.law = 'straffeloven'
                          AND cv.decision_date BETWEEN kp.p_start AND kp.p_end
  WHERE kp.item_id = '{{item}}' AND py.sex = 'M' AND py.age BETWEEN 15 AND 29
    AND py.immigration_date > ADD_YEARS(kp.p_start, -5)
    AND EXISTS (SELECT 1 FROM permits pm WHERE pm.pnr = py.pnr AND pm.permit_type IN ('refugee', 'family_refugee')
                AND pm.start_date <= kp.p_start)
  GROUP BY py.municipality, kp.period, py.pnr
) s
GROUP BY municipality, period
""", needs=(Needs("convictions", "decision_date"),)),
    _kf("N15", ("danish_courses", "danish_tests", "permits", "persons", "programme_status"), f"""
SELECT c.municipality, kp.period, SUM(c.passed) AS num, COUNT(*) AS den, {_NO_REF}
FROM ref_kf_period kp JOIN course_cohort c ON c.cohort_year + {{cohort_lag}} = EXTRACT(YEAR FROM kp.p_start)
JOIN person p ON p.pnr = c.pnr
WHERE kp.item_id = '{{item}}' AND AGE_AT(p.birth_date, c.start_date) >= 18
  AND EXISTS (SELECT 1 FROM permits pm WHERE pm.pnr = c.pnr AND pm.permit_type IN ('refugee', 'family_refugee')
              AND pm.start_date <= c.start_date)
  AND EXISTS (SELECT 1 FROM programme_status ps WHERE ps.pnr = c.pnr AND ps.benefit_recipient
              AND EXTRACT(YEAR FROM ps.month) = c.cohort_year)
GROUP BY c.municipality, kp.period
""", needs=(*DANISH_TEST_NEEDS, Needs("programme_status", "month", "minus_cohort_lag"))),
    *(
        _kf(item, ("migrations", "permits"), f"""
SELECT COALESCE(m.municipality, '') AS municipality, kp.period, COUNT(*) AS num, {_COUNT_TAIL}
FROM ref_kf_period kp JOIN migrations m ON m.event_date BETWEEN kp.p_start AND kp.p_end
WHERE kp.item_id = '{{item}}' AND m.direction = '{direction}'
  AND m.pnr IN (SELECT pnr FROM permits WHERE permit_type IN ('refugee', 'family_refugee'))
GROUP BY COALESCE(m.municipality, ''), kp.period
""")
        for item, direction in (("N16", "immigration"), ("N17", "emigration"))
    ),
    _kf("N18", ("repatriations",), f"""
SELECT r.municipality, kp.period, COUNT(DISTINCT r.pnr) AS num, {_COUNT_TAIL}
FROM ref_kf_period kp JOIN repatriations r ON r.repatriation_date BETWEEN kp.p_start AND kp.p_end
WHERE kp.item_id = '{{item}}'
GROUP BY r.municipality, kp.period
"""),
)
