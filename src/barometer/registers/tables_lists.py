"""Tables that are not person registers: the yearly housing-area lists and the citizenship survey."""

from __future__ import annotations

from barometer.registers.columns import SEX, SURVEY_GROUPS, SURVEY_QUESTIONS, municipality_column, year_column
from barometer.registers.schema import Column, ForeignKey, RowRule, Table

HOUSING_AREAS = Table(
    "housing_areas",
    "The yearly lists of housing areas published 1 December (from 2018): one row per year, area and list. An "
    "area on several lists has one row per list.",
    "Social- og Boligministeriet: lister over udsatte boligområder m.fl. (not a DST register)",
    (
        year_column("List year (published 1 December of this year).", "list year"),
        Column("area_id", "string", "Stable identifier of the housing area.", "our id (name slug)"),
        Column("area_name", "string", "Name of the area as on the list.", "list"),
        municipality_column("Municipality of the area.", "list"),
        Column(
            "category",
            "string",
            "List the area is on.",
            "list",
            codes={
                "udsat": "Udsat boligområde",
                "parallelsamfund": "Parallelsamfund",
                "omdannelsesomraade": "Omdannelsesområde",
            },
        ),
    ),
    primary_key=("year", "area_id", "category"),
)


SURVEY_RESPONDENTS = Table(
    "survey_respondents",
    "Respondents of the citizenship survey (Medborgerskabsundersøgelsen), aged 18+; not linked to persons.",
    "Medborgerskabsundersøgelsen (UIM)",
    (
        Column("respondent_id", "int64", "Respondent, unique within a survey year.", "respondent id"),
        year_column("Survey year.", "survey year"),
        Column("weight", "float64", "Survey weight.", "vægt", minimum=0.0, maximum=1e7),
        Column("group", "string", "Sample group.", "herkomst", codes=SURVEY_GROUPS),
        Column("age", "int16", "Age at the interview.", "alder", minimum=18, maximum=120),
        Column("sex", "string", "Sex.", "køn", codes=SEX),
    ),
    primary_key=("year", "respondent_id"),
    rules=(RowRule("weight_positive", "out_of_range", ("weight",), "weight <= 0", "weight must be > 0"),),
)

_ANSWER_VIOLATION = " OR ".join(
    f"(question = '{q}' AND answer NOT IN ({', '.join(str(a) for a in answers)}))"
    for q, (_, answers) in SURVEY_QUESTIONS.items()
)

SURVEY_ANSWERS = Table(
    "survey_answers",
    "Answers of survey respondents, one row per respondent and question (answer codes per question in the "
    "contract's SURVEY_QUESTIONS).",
    "Medborgerskabsundersøgelsen (UIM)",
    (
        Column("respondent_id", "int64", "Respondent.", "respondent id"),
        year_column("Survey year.", "survey year"),
        Column(
            "question",
            "string",
            "Question.",
            "spørgsmål",
            codes={q: text for q, (text, _) in SURVEY_QUESTIONS.items()},
        ),
        Column("answer", "int8", "Answer code (per question, see the question list).", "svar"),
    ),
    primary_key=("year", "respondent_id", "question"),
    foreign_keys=(ForeignKey(("year", "respondent_id"), "survey_respondents", ("year", "respondent_id")),),
    rules=(
        RowRule(
            "answer_code_of_question",
            "unknown_code",
            ("question", "answer"),
            _ANSWER_VIOLATION,
            "answer is not a code of this question",
        ),
    ),
)
