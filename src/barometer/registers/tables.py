"""The declaration of every table the engine reads (imported through ``barometer.registers.contract``).

Conventions (see docs/data-contract.md):
- ``pnr`` is an int64 surrogate of DST's pseudonymised person number; a loader inside DST maps PNR to it once.
- Municipality codes are the 3-digit DST codes of the catalogue ("101", "851"); country codes are ISO 3166-1
  alpha-2 and ISO 3166-3 codes of former countries from ``data/countries.toml`` (ZZ unknown, XS stateless).
- Dates are calendar dates; an ``end_date`` is the last day included; a null end means "still running at the
  time the data were extracted". Monthly tables use the first day of the month.
- Source names: register (DST abbreviation) and variable. Variables marked "(?)" are our best reading of DST's
  documentation and must be confirmed against TIMES before real data are loaded.
"""

from barometer.registers.columns import (
    AGREE_SCALE,
    BENEFIT_TYPES,
    EDUCATION_LEVELS,
    FIRST_DATE,
    FIRST_YEAR,
    LAST_DATE,
    LAST_YEAR,
    ORIGIN_TYPES,
    PERMIT_TYPES,
    SEX,
    SURVEY_GROUPS,
    SURVEY_QUESTIONS,
    YES_NO_DONT_KNOW,
)
from barometer.registers.schema import Table
from barometer.registers.tables_integration import (
    BENEFITS,
    CONVICTIONS,
    DANISH_COURSES,
    DANISH_TESTS,
    ENROLMENT,
    IGU_COURSES,
    PERMITS,
    PROGRAMME_STATUS,
    REPATRIATIONS,
    VISITATIONS,
    WAGE_EMPLOYMENT,
)
from barometer.registers.tables_lists import HOUSING_AREAS, SURVEY_ANSWERS, SURVEY_RESPONDENTS
from barometer.registers.tables_population import (
    ADDRESSES,
    EDUCATION,
    EMPLOYMENT,
    GRADES,
    MIGRATIONS,
    PERSONS,
    RESIDENCE,
)

ALL_TABLES: tuple[Table, ...] = (
    PERSONS,
    RESIDENCE,
    ADDRESSES,
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

__all__ = [
    "AGREE_SCALE",
    "ALL_TABLES",
    "BENEFIT_TYPES",
    "EDUCATION_LEVELS",
    "FIRST_DATE",
    "FIRST_YEAR",
    "LAST_DATE",
    "LAST_YEAR",
    "ORIGIN_TYPES",
    "PERMIT_TYPES",
    "SEX",
    "SURVEY_GROUPS",
    "SURVEY_QUESTIONS",
    "YES_NO_DONT_KNOW",
]
