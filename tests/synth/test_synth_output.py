"""The generated registers: contract validity, determinism, and the spread that makes comparisons interesting."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from barometer.registers.contract import CONTRACT, municipality_codes
from barometer.registers.manifest import read_manifest
from barometer.registers.validate import validate_registers
from barometer.synth import generate as synth_generate
from barometer.synth.generate import generate
from barometer.synth.params import make_setting, profiles


def checksums(root: Path) -> dict[str, str]:
    return {f.path: f.sha256 for t in read_manifest(root).tables.values() for f in t.files}


def test_output_passes_contract_validation(small_registers: Path) -> None:
    report = validate_registers(small_registers)
    assert report.ok, [p.message for p in report.errors][:10]
    manifest = read_manifest(small_registers)
    # The registers say they are invented, so every release built from them says "Syntetiske data".
    assert manifest.synthetic is True and manifest.generator == "barometer.synth"
    # Every contract table is written, with rows, in the contract's exact schema.
    assert set(manifest.tables) == set(CONTRACT.tables)
    for name, entry in manifest.tables.items():
        assert entry.rows > 0, name
        for f in entry.files:
            assert pq.read_schema(small_registers / f.path).remove_metadata() == CONTRACT.table(name).arrow_schema(), (
                f.path
            )


def test_same_seed_gives_identical_bytes_whatever_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small batches, so that even this small scale is simulated in several batches by the worker processes and
    # they finish in an order of their own.
    monkeypatch.setattr(synth_generate, "CHUNK_PERSONS", 1_500)
    assert len(synth_generate.plan_batches(make_setting(0.002, (2020, 2021, 2022), 3))) >= 6
    generate(tmp_path / "a", 0.002, range(2020, 2023), seed=3, workers=1)
    generate(tmp_path / "b", 0.002, range(2020, 2023), seed=3, workers=2)
    generate(tmp_path / "c", 0.002, range(2020, 2023), seed=4, workers=1)
    a, b, c = (checksums(tmp_path / x) for x in "abc")
    assert a == b
    assert len({k.split("/")[0] for k in a}) == len(CONTRACT.tables)
    assert len([k for k in a if k.startswith("persons/")]) >= 6
    differing = {k.split("/")[0] for k in a.keys() & c.keys() if a[k] != c[k]}
    assert {"persons", "residence", "employment", "benefits", "survey_answers"} <= differing


def test_all_municipalities_with_realistic_sizes_and_origin_spread(small_registers: Path) -> None:
    con = duckdb.connect()
    rows = con.execute(f"""
        SELECT municipality, count(*) AS n, avg(CASE WHEN p.origin_type <> 'dansk' AND p.origin_country IN (
                 SELECT code FROM (VALUES {", ".join(f"('{c}')" for c in _non_western())}) v(code)) THEN 1 ELSE 0 END)
        FROM read_parquet('{small_registers}/residence/*.parquet') r
        JOIN read_parquet('{small_registers}/persons/*.parquet') p USING (pnr)
        WHERE year = 2024 GROUP BY 1""").fetchall()
    got = {m: (n, share) for m, n, share in rows}
    assert set(got) == set(municipality_codes())
    prof = {p["code"]: p for p in profiles()}
    sizes = np.array([[got[c][0], prof[c]["population_2024"] * 0.01] for c in got])
    assert np.corrcoef(sizes.T)[0, 1] > 0.99
    assert abs(sizes[:, 0].sum() / sizes[:, 1].sum() - 1) < 0.03
    # Highest non-Western shares in the western Copenhagen suburbs, lowest in rural municipalities.
    ranked = sorted((s for c, (n, s) in got.items() if n >= 150), reverse=True)
    top = {c for c, (n, s) in got.items() if n >= 150 and s >= ranked[5]}
    assert {"183", "153"} <= top  # Ishøj, Brøndby
    assert got["183"][1] > 0.25 and got["101"][1] > 0.10
    rural = [got[c][1] for c in ("665", "706", "741", "825") if c in got]
    assert max(rural) < 0.07


def _non_western() -> list[str]:
    from barometer.registers.contract import countries

    return [c for c, v in countries().items() if not v.western]


def test_municipal_effects_are_centred_and_spread() -> None:
    st = make_setting(1.0, tuple(range(2012, 2025)), 1)
    w = st.population * st.nw_share
    for name, eff in st.effects.items():
        assert np.allclose((w[:, None] * eff).sum(axis=0) / w.sum(), 0), name
        assert eff[:, -1].std() > 0.5, name
    # Some municipalities' non-Western employment rises much less than the country's, some much more.
    change = st.effects["employment_nw"][:, -1] - st.effects["employment_nw"][:, 0]
    assert change.min() < -6 and change.max() > 6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0}, "--scale must be > 0"),
        ({"years": range(2005, 2010)}, "--years must lie within 2012-2024"),
        ({"workers": 0}, "workers must be >= 1"),
    ],
)
def test_bad_parameters_are_refused_before_anything_is_written(tmp_path: Path, kwargs: dict, message: str) -> None:
    args = {"scale": 0.001, "years": range(2012, 2014), "seed": 1, "workers": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        generate(tmp_path / "out", **args)
    assert not (tmp_path / "out").exists()


def test_existing_registers_are_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(out, 0.001, range(2023, 2025), seed=1, workers=1)
    before = checksums(out)
    with pytest.raises(FileExistsError, match="--force"):
        generate(out, 0.001, range(2023, 2025), seed=2, workers=1)
    assert checksums(out) == before
    generate(out, 0.001, range(2023, 2025), seed=2, workers=1, force=True)
    assert checksums(out) != before
    assert validate_registers(out).ok


def test_progress_reports_every_batch_up_to_the_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import barometer.synth.generate as gen

    monkeypatch.setattr(gen, "CHUNK_PERSONS", 10_000)  # several batches at a small scale
    calls: list[tuple[int, int]] = []
    generate(tmp_path / "out", 0.005, range(2024, 2025), seed=1, workers=1, progress=lambda d, t: calls.append((d, t)))
    assert len(calls) > 1
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1][0] == calls[-1][1] == calls[0][1]
    assert validate_registers(tmp_path / "out").ok


def test_some_benefit_spells_overlap_so_the_weekly_cap_matters(small_registers: Path) -> None:
    overlapping = (
        duckdb.connect()
        .execute(f"""
        WITH b AS (SELECT * FROM read_parquet('{small_registers}/benefits/*.parquet')
                   WHERE benefit <> 'student_grant')
        SELECT count(*) FROM b x JOIN b y ON x.pnr = y.pnr AND x.start_date < y.start_date
          AND y.start_date <= x.end_date""")
        .fetchone()[0]
    )
    assert overlapping > 0
