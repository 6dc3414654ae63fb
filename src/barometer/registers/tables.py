"""The declaration of every table the engine reads (imported through ``barometer.registers.contract``).

Conventions (see docs/data-contract.md):
- ``pnr`` is an int64 surrogate of DST's pseudonymised person number; a loader inside DST maps PNR to it once.
- Municipality codes are the 3-digit DST codes of the catalogue ("101", "851"); country codes are ISO 3166-1
  alpha-2 from ``data/countries.toml`` (ZZ unknown, XS stateless).
- Dates are calendar dates; an ``end_date`` is the last day included; a null end means "still running at the
  time the data were extracted". Monthly tables use the first day of the month.
- Source names: register (DST abbreviation) and variable. Variables marked "(?)" are our best reading of DST's
  documentation and must be confirmed against TIMES before real data are loaded.
"""

from __future__ import annotations

from datetime import date

from barometer.registers.schema import Column, ForeignKey, RowRule, Table

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2035, 12, 31)
FIRST_YEAR = 1980
LAST_YEAR = 2035

SEX = {"M": "Mand / male (KOEN=1)", "K": "Kvinde / female (KOEN=2)"}
ORIGIN_TYPES = {
    "dansk": "Personer med dansk oprindelse (IE_TYPE=1)",
    "indvandrer": "Indvandrere (IE_TYPE=2)",
    "efterkommer": "Efterkommere (IE_TYPE=3)",
}
PERMIT_TYPES = {
    "refugee": "Flygtning (asyl, kvoteflygtning m.fl.)",
    "family_refugee": "Familiesammenført til flygtning",
    "ukraine": "Fordrevet fra Ukraine, opholdstilladelse efter særloven",
    "other": "Anden opholdsgrundlag (arbejde, studie, EU/EØS, anden familiesammenføring …)",
}
YES_NO_DONT_KNOW = {1: "Ja", 2: "Nej", 9: "Ved ikke / ønsker ikke at svare"}
AGREE_SCALE = {
    1: "Helt enig",
    2: "Overvejende enig",
    3: "Hverken enig eller uenig",
    4: "Overvejende uenig",
    5: "Helt uenig",
    9: "Ved ikke / ønsker ikke at svare",
}
SURVEY_QUESTIONS: dict[str, tuple[str, dict[int, str]]] = {
    "danish_problems": (
        "Oplever du problemer med dine danskkundskaber? (3.2)",
        {1: "Slet ikke", 2: "I mindre grad", 3: "I nogen grad", 4: "I høj grad", 9: "Ved ikke"},
    ),
    "recognition": (
        "Personer med indvandrerbaggrund bliver anerkendt for deres indsats i samfundet (4.1)",
        AGREE_SCALE,
    ),
    "association_member": ("Er du medlem af en forening? (4.2)", YES_NO_DONT_KNOW),
    "politically_active": (
        "Har du deltaget politisk (stemt, underskrevet, demonstreret …)? (4.3)",
        YES_NO_DONT_KNOW,
    ),
    "discrimination": (
        "Har du oplevet diskrimination på grund af din etniske baggrund? (5.1)",
        YES_NO_DONT_KNOW,
    ),
    "restricted_partner": (
        "Begrænser din familie din frihed til at vælge kæreste eller ægtefælle? (6.1)",
        YES_NO_DONT_KNOW,
    ),
    "restricted_education_friends": (
        "Begrænser din familie din frihed til at vælge uddannelse og venner? (6.2)",
        YES_NO_DONT_KNOW,
    ),
    "gender_equality": ("Mænd og kvinder skal have de samme rettigheder og muligheder (6.3)", AGREE_SCALE),
}
"""Survey questions and their answer codes; which answers count for an indicator is the catalogue's job."""


def _pnr(description: str = "Person (surrogate of the pseudonymised PNR).", source: str = "PNR") -> Column:
    return Column("pnr", "int64", description, source)


def _year(description: str, source: str) -> Column:
    return Column("year", "int16", description, source, minimum=FIRST_YEAR, maximum=LAST_YEAR)


def _date(
    name: str, description: str, source: str, nullable: bool = False, minimum: date = FIRST_DATE
) -> Column:
    return Column(name, "date", description, source, nullable=nullable, minimum=minimum, maximum=LAST_DATE)


def _municipality(description: str, source: str, nullable: bool = False) -> Column:
    return Column("municipality", "string", description, source, nullable=nullable, domain="municipality")


def _to_persons() -> tuple[ForeignKey, ...]:
    return (ForeignKey(("pnr",), "persons", ("pnr",)),)


def _end_not_before_start(start: str = "start_date", end: str = "end_date") -> RowRule:
    return RowRule(
        f"{end}_after_{start}",
        "end_before_start",
        (start, end),
        f"{end} < {start}",
        f"{end} is before {start}",
    )


def _first_of_month(column: str = "month") -> RowRule:
    return RowRule(
        f"{column}_first_day",
        "inconsistent",
        (column,),
        f"day({column}) <> 1",
        f"{column} must be the first day of a month",
    )


PERSONS = Table(
    "persons",
    "One row per person who ever lived in Denmark in the covered years (every pnr in another table must be "
    "here). Age is derived from birth_date at each reference date (BEF ALDER).",
    "BEF (befolkningen) + DOD (dødsfald) + VNDS (vandringer)",
    (
        _pnr(source="BEF: PNR"),
        _date("birth_date", "Date of birth.", "BEF: FOED_DAG"),
        Column("sex", "string", "Sex.", "BEF: KOEN", codes=SEX),
        Column(
            "origin_type",
            "string",
            "Origin type (herkomst) by DST's definition (domain.md §2).",
            "BEF: IE_TYPE",
            codes=ORIGIN_TYPES,
        ),
        Column(
            "origin_country",
            "string",
            "Country of origin (oprindelsesland); DK for persons of Danish origin, never DK for immigrants "
            "and descendants. Western/non-Western comes from data/countries.toml.",
            "BEF: OPR_LAND",
            domain="country",
        ),
        _date(
            "immigration_date",
            "Date of first immigration to Denmark; null if never immigrated. Required "
            "for immigrants (age at arrival = this minus birth_date).",
            "VNDS: INDV_DAG (first)",
            nullable=True,
        ),
        _date("death_date", "Date of death; null if alive at extraction.", "DOD: DODDATO", nullable=True),
    ),
    primary_key=("pnr",),
    rules=(
        RowRule(
            "immigrant_has_immigration_date",
            "inconsistent",
            ("origin_type", "immigration_date"),
            "origin_type = 'indvandrer' AND immigration_date IS NULL",
            "an immigrant (indvandrer) needs an immigration_date",
        ),
        RowRule(
            "origin_country_matches_type",
            "inconsistent",
            ("origin_type", "origin_country"),
            "(origin_type = 'dansk') <> (origin_country = 'DK')",
            "origin_country must be DK exactly for persons of Danish origin",
        ),
        RowRule(
            "immigration_after_birth",
            "inconsistent",
            ("birth_date", "immigration_date"),
            "immigration_date < birth_date",
            "immigration_date is before birth_date",
        ),
        _end_not_before_start("birth_date", "death_date"),
    ),
)

RESIDENCE = Table(
    "residence",
    "Municipality of residence on 1 January of each year, one row per person resident in Denmark that day "
    "(the population denominator of every indicator; RAS end-of-November status pairs with 1 January next "
    "year).",
    "BEF (per 1 January)",
    (
        _pnr(source="BEF: PNR"),
        _year("Year of the reference date (1 January of this year).", "BEF: reference year"),
        _municipality("Municipality of residence.", "BEF: KOM"),
    ),
    primary_key=("pnr", "year"),
    foreign_keys=_to_persons(),
)

EMPLOYMENT = Table(
    "employment",
    "Labour-market status at the end of November of each year, one row per person aged 15-74 resident then. "
    "Employed = employee, self_employed or assisting_spouse (DST RAS beskæftigelsesfrekvens).",
    "RAS (registerbaseret arbejdsstyrkestatistik)",
    (
        _pnr(source="RAS: PNR"),
        _year("Year (status at the end of November of this year).", "RAS: reference year"),
        Column(
            "status",
            "string",
            "Socio-economic status at the end of November.",
            "RAS: SOCIO13 / BESKST13 (?)",
            codes={
                "employee": "Lønmodtager",
                "self_employed": "Selvstændig",
                "assisting_spouse": "Medarbejdende ægtefælle",
                "unemployed": "Arbejdsløs",
                "outside_labour_force": "Uden for arbejdsstyrken",
            },
        ),
    ),
    primary_key=("pnr", "year"),
    foreign_keys=_to_persons(),
)

EDUCATION_LEVELS = {
    "H10": "Grundskole",
    "H20": "Gymnasiale uddannelser",
    "H30": "Erhvervsfaglige uddannelser",
    "H35": "Adgangsgivende uddannelsesforløb",
    "H40": "Korte videregående uddannelser, KVU",
    "H50": "Mellemlange videregående uddannelser, MVU",
    "H60": "Bacheloruddannelser, BACH",
    "H70": "Lange videregående uddannelser, LVU",
    "H80": "Ph.d. og forskeruddannelser",
    "H90": "Uoplyst",
}

EDUCATION = Table(
    "education",
    "Highest completed education on 1 October of each year (DST level codes of HFAUDD as in StatBank "
    "HFUDD11). "
    "Ungdomsuddannelse = H20/H30/H35 or higher; videregående = H40-H80. Persons without a row count as no "
    "education registered.",
    "UDDA (uddannelsesregistret)",
    (
        _pnr(source="UDDA: PNR"),
        _year("Year of the reference date (1 October of this year).", "UDDA: reference year"),
        Column(
            "level",
            "string",
            "Highest completed education, any country.",
            "UDDA: HFAUDD grouped to level",
            codes=EDUCATION_LEVELS,
        ),
        Column(
            "danish_level",
            "string",
            "Highest completed Danish education; null if none registered "
            "(indicators 2.2 and 2.3 count Danish educations only).",
            "UDDA: HFAUDD with HF_KILDE (?) = Danish",
            nullable=True,
            codes={k: v for k, v in EDUCATION_LEVELS.items() if k != "H90"},
        ),
    ),
    primary_key=("pnr", "year"),
    foreign_keys=_to_persons(),
)

GRADES = Table(
    "grades",
    "9th-grade leaving exam (folkeskolens afgangsprøve) grades, one row per pupil, exam year and subject.",
    "Grundskolekarakterer (KARAKTERER, ?)",
    (
        _pnr(source="KARAKTERER: PNR"),
        _year("Exam year (the school year ends in June of this year).", "KARAKTERER: SKOLEAAR (?)"),
        Column(
            "subject",
            "string",
            "Exam subject (the 2022 edition called matematik_med_hjaelpemidler 'matematisk problemløsning').",
            "KARAKTERER: FAG + BEDOMMELSESFORM (?)",
            codes={
                "dansk_skriftlig": "Dansk, skriftlig (samlet skriftlig dansk)",
                "dansk_laesning": "Dansk, læsning",
                "dansk_retskrivning": "Dansk, retskrivning",
                "dansk_skriftlig_fremstilling": "Dansk, skriftlig fremstilling",
                "dansk_mundtlig": "Dansk, mundtlig",
                "matematik_med_hjaelpemidler": "Matematik med hjælpemidler (matematisk problemløsning)",
                "matematik_uden_hjaelpemidler": "Matematik uden hjælpemidler (matematiske færdigheder)",
            },
        ),
        Column(
            "grade",
            "int8",
            "Grade on the 7-point scale.",
            "KARAKTERER: GRUNDSKOLEKARAKTER (?)",
            codes={-3: "-3", 0: "00", 2: "02", 4: "4", 7: "7", 10: "10", 12: "12"},
        ),
    ),
    primary_key=("pnr", "year", "subject"),
    foreign_keys=_to_persons(),
)

DANISH_COURSES = Table(
    "danish_courses",
    "Courses in Danish education for adult foreigners (danskuddannelse), one row per person and course "
    "start.",
    "Danskuddannelse for voksne udlændinge (SIRI/DST kursistregister, ?)",
    (
        _pnr(source="PNR"),
        _date("start_date", "Start of the Danish education course.", "start date (?)"),
        _date("end_date", "Last day on the course; null if still enrolled.", "end date (?)", nullable=True),
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
        _municipality("Municipality responsible for the course.", "KOM (?)"),
    ),
    primary_key=("pnr", "start_date"),
    foreign_keys=_to_persons(),
    rules=(_end_not_before_start(),),
)

DANISH_TESTS = Table(
    "danish_tests",
    "Passed Danish tests, one row per person, test and date (indicator 3.3: passed within 5 years of start).",
    "Danskuddannelse for voksne udlændinge: prøver (?)",
    (
        _pnr(source="PNR"),
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
        _date("test_date", "Date the test was passed.", "prøvedato (?)"),
    ),
    primary_key=("pnr", "test", "test_date"),
    foreign_keys=_to_persons(),
    rows_required=False,
)

BENEFIT_TYPES = {
    "unemployment_benefit": "Arbejdsløshedsdagpenge",
    "cash_benefit": "Kontanthjælp, uddannelseshjælp",
    "integration_benefit": "Integrationsydelse",
    "self_support_return_benefit": "Selvforsørgelses- og hjemrejseydelse, overgangsydelse",
    "activation": "Aktivering, ressourceforløb, revalidering",
    "sickness_benefit": "Sygedagpenge",
    "maternity_benefit": "Barselsdagpenge",
    "disability_pension": "Førtidspension",
    "early_retirement": "Efterløn, fleksydelse",
    "flexjob": "Fleksjob, ledighedsydelse",
    "student_grant": "SU (statens uddannelsesstøtte)",
    "other": "Andre offentlige forsørgelsesydelser",
}

BENEFITS = Table(
    "benefits",
    "Spells of public benefits (DREAM-like, weekly resolution): type, first and last day, hours per week. "
    "Full-time persons (7.x) = sum of hours/37 over the year's weeks, capped at 37 hours a week per person.",
    "DREAM (STAR) — weekly branchekoder",
    (
        _pnr(source="DREAM: PNR"),
        Column(
            "benefit",
            "string",
            "Benefit type (grouping of DREAM branch codes).",
            "DREAM: branchekode (grouped)",
            codes=BENEFIT_TYPES,
        ),
        _date("start_date", "First day of the spell (a Monday in DREAM).", "DREAM: first week"),
        _date("end_date", "Last day of the spell (inclusive).", "DREAM: last week"),
        Column(
            "hours_per_week",
            "float64",
            "Hours a week on the benefit; 37 = full time.",
            "DREAM: omfang (?)",
            minimum=0.0,
            maximum=168.0,
        ),
    ),
    foreign_keys=_to_persons(),
    rules=(_end_not_before_start(),),
)

CONVICTIONS = Table(
    "convictions",
    "Convictions (afgørelser with a finding of guilt), one row per decision and law.",
    "KRAF (kriminalitet — afgørelser)",
    (
        _pnr(source="KRAF: PNR"),
        _date("decision_date", "Date of the decision (conviction).", "KRAF: AFG_DATO"),
        _date(
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
    foreign_keys=_to_persons(),
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
        _pnr(source="PNR"),
        Column("permit_type", "string", "Permit basis.", "OPHOLDSGRUNDLAG (?)", codes=PERMIT_TYPES),
        _date("start_date", "First day the permit is valid.", "gyldig fra (?)"),
        _date(
            "end_date", "Last day the permit is valid; null if open-ended.", "gyldig til (?)", nullable=True
        ),
    ),
    primary_key=("pnr", "permit_type", "start_date"),
    foreign_keys=_to_persons(),
    rules=(
        _end_not_before_start(),
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
        _pnr(source="PNR"),
        _date("visitation_date", "Date of the visitation decision.", "visiteringsdato (?)"),
        _municipality("Municipality the person is visitated to.", "KOM (?)"),
        Column(
            "permit_type", "string", "Permit basis at visitation.", "OPHOLDSGRUNDLAG (?)", codes=PERMIT_TYPES
        ),
    ),
    primary_key=("pnr", "visitation_date"),
    foreign_keys=_to_persons(),
    rows_required=False,
)

PROGRAMME_STATUS = Table(
    "programme_status",
    "Monthly status of persons covered by the integration programme (integrationsloven), key figures 10 "
    "and 11.",
    "Jobindsats / STAR (DREAM + matchgrupper)",
    (
        _pnr(source="PNR"),
        _date("month", "Month (first day).", "måned"),
        _municipality("Municipality responsible that month.", "KOM"),
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
    foreign_keys=_to_persons(),
    rules=(_first_of_month(),),
    rows_required=False,
)

IGU_COURSES = Table(
    "igu_courses",
    "Integration basic education courses (IGU-forløb, from July 2016), one row per course — key figure 12.",
    "SIRI / STAR: IGU-registreringer",
    (
        _pnr(source="PNR"),
        _date("start_date", "Start of the IGU course.", "startdato (?)", minimum=date(2016, 7, 1)),
        _date("end_date", "End of the course; null if running.", "slutdato (?)", nullable=True),
        _municipality("Municipality of residence at start.", "KOM"),
    ),
    primary_key=("pnr", "start_date"),
    foreign_keys=_to_persons(),
    rules=(_end_not_before_start(),),
    rows_required=False,
)

REPATRIATIONS = Table(
    "repatriations",
    "Repatriations with support under the repatriation act (repatrieringsloven) — key figure 18.",
    "Repatriering (Dansk Flygtningehjælp / UIM)",
    (
        _pnr(source="PNR"),
        _date("repatriation_date", "Date of departure with repatriation support.", "udrejsedato (?)"),
        _municipality("Municipality the person left.", "KOM"),
        Column("country", "string", "Country repatriated to.", "land", domain="country"),
    ),
    primary_key=("pnr", "repatriation_date"),
    foreign_keys=_to_persons(),
    rows_required=False,
)

MIGRATIONS = Table(
    "migrations",
    "Immigration and emigration events, one row per event — key figures 16, 17.",
    "VNDS (vandringer)",
    (
        _pnr(source="VNDS: PNR"),
        _date("event_date", "Date of immigration or emigration.", "VNDS: HAEND_DATO"),
        Column(
            "direction",
            "string",
            "Direction.",
            "VNDS: INDUD_KODE",
            codes={"immigration": "Indvandring (I)", "emigration": "Udvandring (U)"},
        ),
        Column(
            "country",
            "string",
            "Country moved from (immigration) or to (emigration); ZZ if unknown.",
            "VNDS: LAND",
            domain="country",
        ),
        _municipality("Municipality moved to or from; null if not known.", "BEF: KOM (?)", nullable=True),
    ),
    primary_key=("pnr", "event_date", "direction"),
    foreign_keys=_to_persons(),
)

ENROLMENT = Table(
    "enrolment",
    "Enrolment in daycare (dagtilbud) or primary school (grundskole) — key figure 4.",
    "BørnInst (dagtilbud) + KOTRE (elevregistret)",
    (
        _pnr(source="PNR"),
        Column(
            "institution",
            "string",
            "Kind of institution.",
            "institutionstype",
            codes={"daycare": "Dagtilbud", "school": "Grundskole"},
        ),
        _date("start_date", "First day enrolled.", "startdato"),
        _date("end_date", "Last day enrolled; null if still enrolled.", "slutdato", nullable=True),
        _municipality("Municipality of the institution.", "KOM"),
    ),
    primary_key=("pnr", "institution", "start_date"),
    foreign_keys=_to_persons(),
    rules=(_end_not_before_start(),),
)

HOUSING_AREAS = Table(
    "housing_areas",
    "The yearly lists of housing areas published 1 December (from 2018): one row per year, area and list. An "
    "area on several lists has one row per list.",
    "Social- og Boligministeriet: lister over udsatte boligområder m.fl. (not a DST register)",
    (
        _year("List year (published 1 December of this year).", "list year"),
        Column("area_id", "string", "Stable identifier of the housing area.", "our id (name slug)"),
        Column("area_name", "string", "Name of the area as on the list.", "list"),
        _municipality("Municipality of the area.", "list"),
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

SURVEY_GROUPS = {
    "indvandrer": "Indvandrere med ikke-vestlig oprindelse (≥ 3 års ophold)",
    "efterkommer": "Efterkommere med ikke-vestlig oprindelse",
    "dansk": "Personer med dansk oprindelse",
}

SURVEY_RESPONDENTS = Table(
    "survey_respondents",
    "Respondents of the citizenship survey (Medborgerskabsundersøgelsen), aged 18+; not linked to persons.",
    "Medborgerskabsundersøgelsen (UIM)",
    (
        Column("respondent_id", "int64", "Respondent, unique within a survey year.", "respondent id"),
        _year("Survey year.", "survey year"),
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
        _year("Survey year.", "survey year"),
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

WAGE_EMPLOYMENT = Table(
    "wage_employment",
    "Spells of wage employment (lønmodtagerbeskæftigelse), monthly resolution — key figures 5 and 13. "
    "Optional: without it those key figures are 'not computed'.",
    "BFL (beskæftigelse for lønmodtagere) / eIndkomst",
    (
        _pnr(source="BFL: PNR"),
        _date("start_date", "First day of the employment spell.", "BFL: first month"),
        _date("end_date", "Last day of the spell; null if running.", "BFL: last month", nullable=True),
    ),
    primary_key=("pnr", "start_date"),
    foreign_keys=_to_persons(),
    rules=(_end_not_before_start(),),
    required=False,
)

ALL_TABLES: tuple[Table, ...] = (
    PERSONS,
    RESIDENCE,
    EMPLOYMENT,
    EDUCATION,
    GRADES,
    DANISH_COURSES,
    DANISH_TESTS,
    BENEFITS,
    CONVICTIONS,
    PERMITS,
    VISITATIONS,
    PROGRAMME_STATUS,
    IGU_COURSES,
    REPATRIATIONS,
    MIGRATIONS,
    ENROLMENT,
    HOUSING_AREAS,
    SURVEY_RESPONDENTS,
    SURVEY_ANSWERS,
    WAGE_EMPLOYMENT,
)
