"""Survey indicators (3.2, 4.1-4.3, 5.1, 6.1-6.3): weighted shares for the whole country only.

Municipalities and regions get no row (the catalogue's ``local = false`` makes the views print "Opgøres ikke").
Every answer code counts in the denominator, "ved ikke" (9) included: the published share is of all who were
asked. Weights are summed as DECIMAL (to 1e-9; squared weights to 1e-6, through ``FIXED`` so every engine has
the same digits) so the result does not depend on summation order or engine; ``sum_w2`` (sum of squared weights)
gives Kish's effective sample size for the uncertainty interval.
"""

from __future__ import annotations

from barometer.engine.model import Definition

_GROUPS = {"all": "('indvandrer', 'efterkommer')", "immigrants": "('indvandrer')"}
"""Respondent groups: non-Western immigrants (at least 3 years' residence) and descendants, or the immigrants."""


def _survey(item_id: str, question: str, yes: str, groups: str = "all",
            ages: tuple[int, int] = (18, 120)) -> Definition:
    codes = _GROUPS[groups]
    return Definition(
        id=item_id, group="survey",
        tables=("survey_respondents", "survey_answers"),
        extra_columns=("sum_w2",),
        sql=f"""
SELECT '' AS municipality, r.year AS period,
       SUM(CASE WHEN a.answer IN {yes} THEN FIXED(r.weight, 38, 9) ELSE 0 END) AS num,
       SUM(FIXED(r.weight, 38, 9)) AS den,
       CAST(NULL AS BIGINT) AS ref_num, CAST(NULL AS BIGINT) AS ref_den,
       SUM(FIXED(r.weight * r.weight, 38, 6)) AS sum_w2
FROM survey_respondents r
JOIN survey_answers a ON a.year = r.year AND a.respondent_id = r.respondent_id AND a.question = '{question}'
WHERE r.QUOTE(group) IN {codes} AND r.age BETWEEN {ages[0]} AND {ages[1]}
GROUP BY r.year
""")


SURVEY: tuple[Definition, ...] = (
    _survey("3.2", "danish_problems", "(1, 2)", groups="immigrants"),
    _survey("4.1", "recognition", "(1, 2)"),
    _survey("4.2", "association_member", "(1)"),
    _survey("4.3", "politically_active", "(1)"),
    _survey("5.1", "discrimination", "(1)"),
    _survey("6.1", "restricted_partner", "(1)", ages=(18, 29)),
    _survey("6.2", "restricted_education_friends", "(1)", ages=(18, 29)),
    _survey("6.3", "gender_equality", "(3, 4, 5)", ages=(18, 29)),
)
