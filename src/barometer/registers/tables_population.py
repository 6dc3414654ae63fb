"""Population tables: who lives where (on 1 January and day by day), works, has which education and grades, and
moves in and out (BEF, BEF address history, RAS, UDDA, grundskolekarakterer, VNDS)."""

from __future__ import annotations

from barometer.registers.columns import (
    EDUCATION_LEVELS,
    ORIGIN_TYPES,
    SEX,
    alive_on,
    date_column,
    end_not_before_start,
    municipality_column,
    pnr_column,
    to_persons,
    year_column,
)
from barometer.registers.schema import Column, NoOverlap, RowRule, Table

PERSONS = Table(
    "persons",
    "One row per person who ever lived in Denmark in the covered years (every pnr in another table must be "
    "here). Age is derived from birth_date at each reference date (BEF ALDER).",
    "BEF (befolkningen) + DOD (dødsfald) + VNDS (vandringer)",
    (
        pnr_column(source="BEF: PNR"),
        date_column("birth_date", "Date of birth.", "BEF: FOED_DAG"),
        Column("sex", "string", "Sex.", "BEF: KOEN", codes=SEX),
        Column(
            "origin_type",
            "string",
            "Origin type (herkomst) by DST's definition.",
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
        date_column(
            "immigration_date",
            "Date of first immigration to Denmark; null if never immigrated. Required "
            "for immigrants (age at arrival = this minus birth_date).",
            "VNDS: INDV_DAG (first)",
            nullable=True,
        ),
        date_column("death_date", "Date of death; null if alive at extraction.", "DOD: DODDATO", nullable=True),
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
        end_not_before_start("birth_date", "death_date"),
    ),
)

RESIDENCE = Table(
    "residence",
    "Municipality of residence on 1 January of each year, one row per person resident in Denmark that day "
    "(the population denominator of every indicator; RAS end-of-November status pairs with 1 January next "
    "year).",
    "BEF (per 1 January)",
    (
        pnr_column(source="BEF: PNR"),
        year_column("Year of the reference date (1 January of this year).", "BEF: reference year"),
        municipality_column("Municipality of residence.", "BEF: KOM"),
    ),
    primary_key=("pnr", "year"),
    foreign_keys=to_persons(),
    join_rules=(alive_on("alive_on_1_january", "make_date(t.year, 1, 1)", "the reference date (1 January)"),),
)

ADDRESSES = Table(
    "addresses",
    "Address history: one row per person and residence spell in Denmark (an address, or a stretch of addresses in "
    "one municipality), so that a person can be placed on any day — key figures N2-N6, N8, N9 and N13 count "
    "permit holders where they live on the figure's date. Spells of a person never overlap; gaps are periods "
    "abroad (or not registered). On 1 January the spells agree with `residence`. A move on day d ends the old "
    "spell on d - 1 and starts the new one on d; the last spell before an emigration or death ends the day before "
    "it. A loader at DST whose move-out date (BOP_VTIL) is the next address's move-in date writes BOP_VTIL - 1.",
    "BEF address history (CPR addresses; BEFADR, ?)",
    (
        pnr_column(source="BEFADR (?): PNR"),
        date_column("start_date", "First day at the address (moving-in date).", "BEFADR (?): BOP_VFRA"),
        date_column(
            "end_date",
            "Last day at the address; null if still living there when the data were extracted.",
            "BEFADR (?): BOP_VTIL (?) - 1 day",
            nullable=True,
        ),
        municipality_column(
            "Municipality of the address; null if registered as resident in Denmark without a known municipality "
            "(counted for the whole country only).",
            "BEFADR (?): KOM",
            nullable=True,
        ),
    ),
    primary_key=("pnr", "start_date"),
    foreign_keys=to_persons(),
    rules=(end_not_before_start(),),
    join_rules=(
        alive_on("alive_at_start", "t.start_date", "the start of the spell", columns=("start_date",)),
    ),
    no_overlap=NoOverlap(("pnr",), "start_date", "end_date", "the spell overlaps an earlier spell of the person"),
)

EMPLOYMENT = Table(
    "employment",
    "Labour-market status at the end of November of each year, one row per person aged 15-74 resident then. "
    "Employed = employee, self_employed or assisting_spouse (DST RAS beskæftigelsesfrekvens).",
    "RAS (registerbaseret arbejdsstyrkestatistik)",
    (
        pnr_column(source="RAS: PNR"),
        year_column("Year (status at the end of November of this year).", "RAS: reference year"),
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
    foreign_keys=to_persons(),
    join_rules=(alive_on("alive_at_end_of_november", "make_date(t.year, 11, 30)", "the end of November"),),
)


EDUCATION = Table(
    "education",
    "Highest completed education on 1 October of each year (DST level codes of HFAUDD as in StatBank "
    "HFUDD11). "
    "Ungdomsuddannelse = H20/H30/H35 or higher; videregående = H40-H80. Persons without a row count as no "
    "education registered.",
    "UDDA (uddannelsesregistret)",
    (
        pnr_column(source="UDDA: PNR"),
        year_column("Year of the reference date (1 October of this year).", "UDDA: reference year"),
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
    foreign_keys=to_persons(),
)

GRADES = Table(
    "grades",
    "9th-grade leaving exam (folkeskolens afgangsprøve) grades, one row per pupil, exam year and subject.",
    "Grundskolekarakterer (KARAKTERER, ?)",
    (
        pnr_column(source="KARAKTERER: PNR"),
        year_column("Exam year (the school year ends in June of this year).", "KARAKTERER: SKOLEAAR (?)"),
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
    foreign_keys=to_persons(),
)


MIGRATIONS = Table(
    "migrations",
    "Immigration and emigration events, one row per event — key figures 16, 17.",
    "VNDS (vandringer)",
    (
        pnr_column(source="VNDS: PNR"),
        date_column("event_date", "Date of immigration or emigration.", "VNDS: HAEND_DATO"),
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
        municipality_column("Municipality moved to or from; null if not known.", "BEF: KOM (?)", nullable=True),
    ),
    primary_key=("pnr", "event_date", "direction"),
    foreign_keys=to_persons(),
)
