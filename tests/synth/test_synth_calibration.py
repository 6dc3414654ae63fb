"""National figures of the generated registers against calibration.toml, by an independent reference calculation.

synth_reference.py computes every figure in plain DuckDB SQL from the Parquet files (no generator or engine code);
each must lie within the target's stated tolerance plus three standard errors of the sample at the test scale.
"""

from __future__ import annotations

from pathlib import Path

from synth_reference import SMALL_SCALE, Figure, calibration, checks, national_figures


def test_every_calibration_target_is_computed(small_registers: Path) -> None:
    figures = national_figures(small_registers, SMALL_SCALE)
    computed = {f.target_id for f in figures}
    cal = calibration()
    wanted = {t["id"] for t in cal["target"]} | {f"survey_{q['question']}" for q in cal["survey"]}
    assert wanted <= computed, wanted - computed
    # One figure per target and year with a target (Danish test cohorts 2007-2019 for data ending 2024).
    assert len(checks(figures, SMALL_SCALE)) == sum(len(t["values"]) for t in cal["target"]) + sum(
        len(q["values"]) for q in cal["survey"]
    )


def test_national_figures_land_on_their_targets(small_registers: Path) -> None:
    results = checks(national_figures(small_registers, SMALL_SCALE), SMALL_SCALE)
    off = [
        f"{c.figure.target_id} {c.figure.year}: {c.figure.value:.2f} vs {c.target:.2f} (allowed ±{c.allowed:.2f})"
        for c in results
        if not c.ok
    ]
    assert not off, off


def test_trends_go_the_published_way(small_registers: Path) -> None:
    """Averages of the first and last three years, so the direction is not a matter of sampling noise."""
    by_id: dict[str, dict[int, float]] = {}
    for f in national_figures(small_registers, SMALL_SCALE):
        by_id.setdefault(f.target_id, {})[f.year] = f.value

    def change(target_id: str, first: tuple[int, ...], last: tuple[int, ...]) -> float:
        series = by_id[target_id]
        return sum(series[y] for y in last) / len(last) - sum(series[y] for y in first) / len(first)

    early, late = (2012, 2013, 2014), (2022, 2023, 2024)
    assert change("employment_nonwestern_25_64", early, late) > 6

    def gap(years: tuple[int, ...]) -> float:
        dk, nw = by_id["employment_danish_25_64"], by_id["employment_nonwestern_25_64"]
        return sum(dk[y] - nw[y] for y in years) / len(years)

    gap_early, gap_late = gap(early), gap(late)
    assert gap_late < gap_early - 3
    # 2.2/2.3 need the population of 1 January Y+1: the last data year has no figure.
    assert change("youth_education_nonwestern_20_24", early, (2021, 2022, 2023)) > 8
    assert change("higher_education_nonwestern_25_39", early, (2021, 2022, 2023)) > 12
    assert change("public_support_nonwestern_16_66", early, late) < -3
    assert change("convicted_nonwestern_15_29", early, late) < -1
    assert change("parallelsamfund", (2018,), (2024,)) < -10
    assert by_id["refugee_immigrations"][2015] > 3 * by_id["refugee_immigrations"][2012]


def test_the_tolerance_check_can_fail() -> None:
    """A figure far from its target is reported, so the calibration test is not vacuous."""
    far = Figure("employment_nonwestern_25_64", 2012, 70.0, 100_000)
    near = Figure("employment_nonwestern_25_64", 2012, 50.4, 100_000)
    assert [c.ok for c in checks([far, near], 1.0)] == [False, True]
