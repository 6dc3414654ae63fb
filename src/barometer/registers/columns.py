"""Code lists and column/rule helpers shared by the table declarations (tables_*.py).

Code lists live here, once, so that the generator (synth) and the engine use the same values the validator
checks; import them through ``barometer.registers.tables``.
"""

from __future__ import annotations

from datetime import date

from barometer.registers.schema import Column, ForeignKey, JoinRule, RowRule, window_sql

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

SURVEY_GROUPS = {
    "indvandrer": "Indvandrere med ikke-vestlig oprindelse (≥ 3 års ophold)",
    "efterkommer": "Efterkommere med ikke-vestlig oprindelse",
    "dansk": "Personer med dansk oprindelse",
}


def pnr_column(description: str = "Person (surrogate of the pseudonymised PNR).", source: str = "PNR") -> Column:
    return Column("pnr", "int64", description, source)


def year_column(description: str, source: str) -> Column:
    return Column("year", "int16", description, source, minimum=FIRST_YEAR, maximum=LAST_YEAR)


def date_column(name: str, description: str, source: str, nullable: bool = False, minimum: date = FIRST_DATE) -> Column:
    return Column(name, "date", description, source, nullable=nullable, minimum=minimum, maximum=LAST_DATE)


def municipality_column(description: str, source: str, nullable: bool = False) -> Column:
    return Column("municipality", "string", description, source, nullable=nullable, domain="municipality")


def to_persons() -> tuple[ForeignKey, ...]:
    return (ForeignKey(("pnr",), "persons", ("pnr",)),)


def end_not_before_start(start: str = "start_date", end: str = "end_date") -> RowRule:
    return RowRule(
        f"{end}_after_{start}",
        "end_before_start",
        (start, end),
        f"{end} < {start}",
        f"{end} is before {start}",
    )


def first_of_month(column: str = "month") -> RowRule:
    return RowRule(
        f"{column}_first_day",
        "inconsistent",
        (column,),
        f"day({column}) <> 1",
        f"{column} must be the first day of a month",
    )


def alive_on(name: str, date_sql: str, what: str, columns: tuple[str, ...] = ("year",)) -> JoinRule:
    """The person (persons row ``r``) must be born and not yet dead on ``date_sql`` (an SQL date over ``t``)."""
    window = (date_sql, "birth_date", "death_date")
    return JoinRule(
        name,
        "inconsistent",
        "persons",
        columns,
        window[1:],
        window_sql(*window),
        f"the person is not born yet or already dead at {what}",
        interval=True,  # date_sql never decreases as its column grows: outside [birth, death] at an extreme
        window=window,
    )
