"""Integration tables: Danish education, benefits, convictions, permits, visitation, programme status, IGU,
repatriation, daycare/school enrolment and wage employment (goals 3, 7, 9 and the key figures)."""

from __future__ import annotations

from datetime import date

from barometer.registers.columns import (
    BENEFIT_TYPES,
    PERMIT_TYPES,
    date_column,
    end_not_before_start,
    first_of_month,
    municipality_column,
    pnr_column,
    to_persons,
)
from barometer.registers.schema import Column, RowRule, Table

DANISH_COURSES = Table(
    "danish_courses",
    "Courses in Danish education for adult foreigners (danskuddannelse), one row per person and course start.",
    "Danskuddannelse for voksne udlændinge (SIRI/DST kursistregister, ?)",
    (
        pnr_column(source="PNR"),
        date_column("start_date", "Start of the Danish education course.", "start date (?)"),
        date_column("end_date", "Last day on the course; null if still enrolled.", "end date (?)", nullable=True),
        Column(
            "course",
            "string",
            "Danskuddannelse 1, 2 or 3.",
            "DU (?)",
            codes={"DU1": "Danskuddannelse 1", "DU2": "Danskuddannelse 2", "DU3": "Danskuddannelse 3"},
        ),
        Column(
            "programme",
            "bool",
            "Participant covered by the integration act's programme at start "
            "(omfattet af integrationslovens program; the cohort of indicator 3.3).",
            "programme flag (?)",
        ),
        municipality_column("Municipality responsible for the course.", "KOM (?)"),
    ),
    primary_key=("pnr", "start_date"),
    foreign_keys=to_persons(),
    rules=(end_not_before_start(),),
)

DANISH_TESTS = Table(
    "danish_tests",
    "Passed Danish tests, one row per person, test and date (indicator 3.3: passed within 5 years of start).",
    "Danskuddannelse for voksne udlændinge: prøver (?)",
    (
        pnr_column(source="PNR"),
        Column(
            "test",
            "string",
            "Test passed.",
            "prøve (?)",
            codes={
                "PD1": "Prøve i Dansk 1",
                "PD2": "Prøve i Dansk 2",
                "PD3": "Prøve i Dansk 3",
                "studieproeve": "Studieprøven",
            },
        ),
        date_column("test_date", "Date the test was passed.", "prøvedato (?)"),
    ),
    primary_key=("pnr", "test", "test_date"),
    foreign_keys=to_persons(),
    rows_required=False,
)


BENEFITS = Table(
    "benefits",
    "Spells of public benefits (DREAM-like, weekly resolution): type, first and last day, hours per week. "
    "Full-time persons (7.x) = sum of hours/37 over the year's weeks, capped at 37 hours a week per person.",
    "DREAM (STAR) — weekly branchekoder",
    (
        pnr_column(source="DREAM: PNR"),
        Column(
            "benefit",
            "string",
            "Benefit type (grouping of DREAM branch codes).",
            "DREAM: branchekode (grouped)",
            codes=BENEFIT_TYPES,
        ),
        date_column("start_date", "First day of the spell (a Monday in DREAM).", "DREAM: first week"),
        date_column("end_date", "Last day of the spell (inclusive).", "DREAM: last week"),
        Column(
            "hours_per_week",
            "float64",
            "Hours a week on the benefit; 37 = full time.",
            "DREAM: omfang (?)",
            minimum=0.0,
            maximum=168.0,
        ),
    ),
    foreign_keys=to_persons(),
    rules=(end_not_before_start(),),
)

CONVICTIONS = Table(
    "convictions",
    "Convictions (afgørelser with a finding of guilt), one row per decision and law.",
    "KRAF (kriminalitet — afgørelser)",
    (
        pnr_column(source="KRAF: PNR"),
        date_column("decision_date", "Date of the decision (conviction).", "KRAF: AFG_DATO"),
        date_column(
            "offence_date",
            "Date the offence was committed; null if unknown.",
            "KRAF: GERNINGSDATO (?)",
            nullable=True,
        ),
        Column(
            "law",
            "string",
            "Law the conviction falls under.",
            "KRAF: AFG_GER7 grouped (?)",
            codes={
                "straffeloven": "Straffeloven",
                "faerdselsloven": "Færdselsloven",
                "saerlove": "Særlove (lov om euforiserende stoffer, våbenloven m.fl.)",
            },
        ),
    ),
    foreign_keys=to_persons(),
    rules=(
        RowRule(
            "offence_before_decision",
            "end_before_start",
            ("offence_date", "decision_date"),
            "decision_date < offence_date",
            "decision_date is before offence_date",
        ),
    ),
)

PERMITS = Table(
    "permits",
    "Residence permits, one row per person and permit.",
    "Opholdstilladelser (UIM/SIRI via DST, VAN tables)",
    (
        pnr_column(source="PNR"),
        Column("permit_type", "string", "Permit basis.", "OPHOLDSGRUNDLAG (?)", codes=PERMIT_TYPES),
        date_column("start_date", "First day the permit is valid.", "gyldig fra (?)"),
        date_column("end_date", "Last day the permit is valid; null if open-ended.", "gyldig til (?)", nullable=True),
    ),
    primary_key=("pnr", "permit_type", "start_date"),
    foreign_keys=to_persons(),
    rules=(
        end_not_before_start(),
        RowRule(
            "ukraine_special_act_from_2022",
            "date_out_of_range",
            ("permit_type", "start_date"),
            "permit_type = 'ukraine' AND start_date < DATE '2022-03-01'",
            "permits under the Ukraine special act start in March 2022 or later",
        ),
    ),
)

VISITATIONS = Table(
    "visitations",
    "Visitation (placement) of newly arrived refugees and displaced Ukrainians to a municipality.",
    "Udlændingestyrelsen: visitering (key figures 1, 7)",
    (
        pnr_column(source="PNR"),
        date_column("visitation_date", "Date of the visitation decision.", "visiteringsdato (?)"),
        municipality_column("Municipality the person is visitated to.", "KOM (?)"),
        Column("permit_type", "string", "Permit basis at visitation.", "OPHOLDSGRUNDLAG (?)", codes=PERMIT_TYPES),
    ),
    primary_key=("pnr", "visitation_date"),
    foreign_keys=to_persons(),
    rows_required=False,
)

PROGRAMME_STATUS = Table(
    "programme_status",
    "Monthly status of persons covered by the integration programme (integrationsloven), key figures 10 and 11.",
    "Jobindsats / STAR (DREAM + matchgrupper)",
    (
        pnr_column(source="PNR"),
        date_column("month", "Month (first day).", "måned"),
        municipality_column("Municipality responsible that month.", "KOM"),
        Column("benefit_recipient", "bool", "Receives a benefit (ydelsesmodtager) that month.", "DREAM (?)"),
        Column(
            "job_ready",
            "bool",
            "Matched as job-ready (jobparat); null if not matched.",
            "matchgruppe (?)",
            nullable=True,
        ),
        Column(
            "company_directed_activation",
            "bool",
            "In company-directed activation (virksomhedsrettet "
            "aktivering: virksomhedspraktik, løntilskud, nytteindsats) that month.",
            "aktiveringstype (?)",
        ),
    ),
    primary_key=("pnr", "month"),
    foreign_keys=to_persons(),
    rules=(first_of_month(),),
    rows_required=False,
)

IGU_COURSES = Table(
    "igu_courses",
    "Integration basic education courses (IGU-forløb, from July 2016), one row per course — key figure 12.",
    "SIRI / STAR: IGU-registreringer",
    (
        pnr_column(source="PNR"),
        date_column("start_date", "Start of the IGU course.", "startdato (?)", minimum=date(2016, 7, 1)),
        date_column("end_date", "End of the course; null if running.", "slutdato (?)", nullable=True),
        municipality_column("Municipality of residence at start.", "KOM"),
    ),
    primary_key=("pnr", "start_date"),
    foreign_keys=to_persons(),
    rules=(end_not_before_start(),),
    rows_required=False,
)

REPATRIATIONS = Table(
    "repatriations",
    "Repatriations with support under the repatriation act (repatrieringsloven) — key figure 18.",
    "Repatriering (Dansk Flygtningehjælp / UIM)",
    (
        pnr_column(source="PNR"),
        date_column("repatriation_date", "Date of departure with repatriation support.", "udrejsedato (?)"),
        municipality_column("Municipality the person left.", "KOM"),
        Column("country", "string", "Country repatriated to.", "land", domain="country"),
    ),
    primary_key=("pnr", "repatriation_date"),
    foreign_keys=to_persons(),
    rows_required=False,
)


ENROLMENT = Table(
    "enrolment",
    "Enrolment in daycare (dagtilbud) or primary school (grundskole) — key figure 4.",
    "BørnInst (dagtilbud) + KOTRE (elevregistret)",
    (
        pnr_column(source="PNR"),
        Column(
            "institution",
            "string",
            "Kind of institution.",
            "institutionstype",
            codes={"daycare": "Dagtilbud", "school": "Grundskole"},
        ),
        date_column("start_date", "First day enrolled.", "startdato"),
        date_column("end_date", "Last day enrolled; null if still enrolled.", "slutdato", nullable=True),
        municipality_column("Municipality of the institution.", "KOM"),
    ),
    primary_key=("pnr", "institution", "start_date"),
    foreign_keys=to_persons(),
    rules=(end_not_before_start(),),
)


WAGE_EMPLOYMENT = Table(
    "wage_employment",
    "Spells of wage employment (lønmodtagerbeskæftigelse), monthly resolution — key figures 5 and 13. "
    "Optional: without it those key figures are 'not computed'.",
    "BFL (beskæftigelse for lønmodtagere) / eIndkomst",
    (
        pnr_column(source="BFL: PNR"),
        date_column("start_date", "First day of the employment spell.", "BFL: first month"),
        date_column("end_date", "Last day of the spell; null if running.", "BFL: last month", nullable=True),
    ),
    primary_key=("pnr", "start_date"),
    foreign_keys=to_persons(),
    rules=(end_not_before_start(),),
    required=False,
)
