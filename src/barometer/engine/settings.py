"""Engine settings: the choices the published definitions leave open (fields and defaults declared once, in
``barometer.settings.EngineOptions``, the ``[engine]`` section of the settings tree), with the SQL placeholders
they give the declarations.

Every setting changes what a figure means, so the values used are recorded in each release's provenance
(``EngineSettings.model_dump()``) and documented in docs/engine.md.
"""

from __future__ import annotations

from barometer.engine.sql import sql_list
from barometer.settings import EngineOptions, current_settings

SUPPORT_BENEFITS = (
    "unemployment_benefit",
    "cash_benefit",
    "integration_benefit",
    "self_support_return_benefit",
    "activation",
    "sickness_benefit",
    "maternity_benefit",
    "disability_pension",
    "early_retirement",
    "flexjob",
    "other",
)
"""Benefits that count as public support (7.x) — every benefit type of the contract except SU."""

STUDENT_GRANT = "student_grant"


class EngineSettings(EngineOptions):
    """The ``[engine]`` settings (declared with their defaults in barometer.settings) and what the SQL needs."""

    def sql_params(self) -> dict[str, object]:
        """Placeholders the SQL declarations may use (``{support_benefits}``, ``{crime_sex_filter}`` …)."""
        benefits = SUPPORT_BENEFITS + ((STUDENT_GRANT,) if self.include_student_grant else ())
        return {
            "support_benefits": sql_list(benefits),
            "hours_cap": repr(float(self.weekly_hours_cap)),
            "hours_cap_centi": round(self.weekly_hours_cap * 100),
            "crime_sex_filter": "TRUE" if self.crime_sex == "all" else f"py.sex = '{self.crime_sex}'",
            "test_window": self.danish_test_window_years,
            "cohort_lag": self.danish_cohort_lag_years,
            "minus_cohort_lag": -self.danish_cohort_lag_years,
            "education_label_shift": 1 if self.education_year_label == "population" else 0,
            "minus_education_label_shift": -1 if self.education_year_label == "population" else 0,
            # how many years past the figure's year the test register must reach (end of the cohort's window)
            "test_window_beyond_period": self.danish_test_window_years - self.danish_cohort_lag_years,
        }


def engine_settings() -> EngineSettings:
    """The ``[engine]`` section of the current settings (defaults when the file has none)."""
    return EngineSettings.model_validate(current_settings().engine.model_dump())
