"""The citizenship survey (Medborgerskabsundersøgelsen-like): a few thousand weighted respondents a year.

Respondents are not linked to the registers (as in reality). For every question the weighted share of the
counted answers (calibration.toml ``counted_answers``) of the non-Western group is steered onto the target;
persons of Danish origin answer with shares of their own. "Ved ikke" (9) is a small part of the other answers.
"""

from __future__ import annotations

import numpy as np

from barometer.registers.tables import SURVEY_QUESTIONS
from barometer.synth.frames import Codes, Frame
from barometer.synth.params import at_year, calibration

GROUPS = ("indvandrer", "efterkommer", "dansk")
SIZES = (1600, 800, 1600)
# Shares of the counted answers among respondents of Danish origin, by question.
DANISH_SHARES = {
    "recognition": 0.45,
    "association_member": 0.62,
    "politically_active": 0.66,
    "discrimination": 0.05,
    "restricted_partner": 0.03,
    "restricted_education_friends": 0.02,
    "gender_equality": 0.04,
}
YOUNG_ONLY = ("restricted_partner", "restricted_education_friends", "gender_equality")


def survey(seed: int, years: tuple[int, ...], scale: float) -> tuple[Frame, Frame]:
    """(respondents, answers) for every survey year; weights sum to the groups' adult populations x scale."""
    rng = np.random.default_rng([seed, 424_242])
    questions = {q["answer_key"]: q for q in calibration()["survey"]}
    pop = {"indvandrer": 330_000, "efterkommer": 90_000, "dansk": 4_000_000}
    resp: dict[str, list] = {k: [] for k in ("respondent_id", "year", "weight", "group", "age", "sex")}
    ans: dict[str, list] = {k: [] for k in ("respondent_id", "year", "question", "answer")}
    qcodes = tuple(SURVEY_QUESTIONS)
    for year in years:
        group = np.repeat(np.arange(3), SIZES)
        n = len(group)
        rid = np.arange(1, n + 1, dtype=np.int64)
        young = rng.random(n) < np.where(group == 2, 0.2, 0.4)
        age = np.where(young, rng.integers(18, 30, n), rng.integers(30, 80, n)).astype(np.int16)
        weight = np.array([pop[GROUPS[g]] for g in group]) * scale / np.array(SIZES)[group]
        weight = weight * rng.lognormal(0, 0.3, n)
        for k, v in (
            ("respondent_id", rid),
            ("year", np.full(n, year, np.int16)),
            ("weight", weight),
            ("group", group),
            ("age", age),
            ("sex", (rng.random(n) < 0.52).astype(int)),
        ):
            resp[k].append(v)
        for q, (_, answers) in SURVEY_QUESTIONS.items():
            asked = np.ones(n, bool)
            if q == "danish_problems":
                asked = group == 0
            if q in YOUNG_ONLY:
                asked = age <= 29
            share = np.where(
                group == 2,
                DANISH_SHARES.get(q, 0.0),
                at_year({int(y): v for y, v in questions[q]["values"].items()}, year) / 100,
            )
            counted = np.array(questions[q]["counted_answers"])
            rest = np.array([a for a in answers if a not in counted and a != 9])
            hit = rng.random(n) < share
            dont_know = ~hit & (rng.random(n) < 0.03)
            code = np.where(hit, rng.choice(counted, n), np.where(dont_know, 9, rng.choice(rest, n)))
            idx = np.flatnonzero(asked)
            ans["respondent_id"].append(rid[idx])
            ans["year"].append(np.full(len(idx), year, np.int16))
            ans["question"].append(np.full(len(idx), qcodes.index(q)))
            ans["answer"].append(code[idx].astype(np.int8))
    r = {k: np.concatenate(v) for k, v in resp.items()}
    a = {k: np.concatenate(v) for k, v in ans.items()}
    respondents: Frame = {**r, "group": Codes(r["group"], GROUPS), "sex": Codes(r["sex"], ("M", "K"))}
    answers_frame: Frame = {**a, "question": Codes(a["question"], qcodes)}
    return respondents, answers_frame
