"""Engine settings: the choices the published definitions leave open, declared with their defaults in one place.

Every setting changes what a figure means, so the values used are recorded in each release's provenance
(``EngineSettings.model_dump()``) and documented in docs/engine.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from barometer.engine.sql import sql_list

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


class EngineSettings(BaseModel):
    """Open definitional choices (left open by the published definitions) and their defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    include_student_grant: bool = Field(
        default=False, description="Count SU (student grant) as public support in 7.1/7.2 (an open choice).")
    weekly_hours_cap: float = Field(
        default=37.0, gt=0, description="Hours a week that make one full-time person; overlapping benefits are "
                                        "summed and capped at this per person.")
    crime_sex: Literal["all", "M", "K"] = Field(
        default="all", description="Sex filter of 9.1 (the old site counted men only; the 2024 text says the "
                                   "whole group).")
    danish_test_window_years: int = Field(
        default=5, ge=1, le=10, description="3.3/N15: a test counts if passed within this many years of the "
                                            "first programme course start.")
    danish_cohort_lag_years: int = Field(
        default=5, ge=0, le=10, description="3.3/N15: the figure for year Y is the cohort that started in "
                                            "Y minus this many years (an open choice).")
    education_year_label: Literal["status", "population"] = Field(
        default="status", description="2.2/2.3: label the education status of 1 October Y (population 1 January "
                                      "Y+1) as year Y ('status') or as Y+1 ('population', as DST tables labelled "
                                      "by the population date do).")
    key_figure_series: bool = Field(
        default=True, description="Besides each key figure's reference period, compute the same period in "
                                  "every earlier year the data cover.")

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
