"""The generator's own row order (``frames.sort_frame``, numpy) is exactly ``layout.sort_part``'s (Arrow).

The generator sorts the integer columns of a frame before they become Arrow arrays because it is cheaper; the
registers must not change by it, so every table of a simulated batch, and frames built to hit the edge cases
(nulls, ties, labels out of string order, repeated labels, key ranges too wide to pack), are compared with the
Arrow sort that defines the layout of the data contract.
"""

from __future__ import annotations

import numpy as np
import pytest

from barometer.registers.layout import sort_part
from barometer.synth.frames import Codes, Dates, Frame, Nullable, sort_frame, to_table
from barometer.synth.generate import plan_batches, simulate_batch
from barometer.synth.params import make_setting
from barometer.synth.survey import survey


def assert_same_order(table: str, frame: Frame) -> None:
    expected = sort_part(table, to_table(table, frame))
    got = to_table(table, sort_frame(table, frame))
    assert got.equals(expected), table


def test_every_table_of_a_batch_sorted_as_the_layout_sorts_it() -> None:
    st = make_setting(0.004, (2020, 2021, 2022, 2023), 5)
    frames = simulate_batch(st, plan_batches(st)[0])
    respondents, answers = survey(5, st.years, 0.004)
    frames |= {"survey_respondents": respondents, "survey_answers": answers}
    for table, frame in frames.items():
        assert_same_order(table, frame)
    # The batch's tables come in year-ordered runs of persons, so the sort really reorders them.
    residence = frames["residence"]["pnr"]
    assert not np.all(residence[1:] >= residence[:-1])


@pytest.mark.parametrize("wide", [False, True], ids=["packed", "lexsort"])
def test_ties_nulls_and_labels_out_of_order(wide: bool) -> None:
    rng = np.random.default_rng(11)
    n = 5_000
    # A few persons with many rows each, so that the later keys decide; ``wide`` spreads the person numbers so
    # that the keys cannot be packed into one 64-bit integer and np.lexsort runs instead.
    pnr = rng.integers(0, 40, n).astype(np.int64) * (10**17 if wide else 7) + 3
    start = rng.integers(15_000, 15_020, n).astype(np.int32)
    frames: dict[str, Frame] = {
        # (pnr, permit_type, start_date): a string key whose labels are not in string order, one repeated.
        "permits": {
            "pnr": pnr,
            "permit_type": Codes(rng.integers(0, 4, n), ("refugee", "family_refugee", "other", "family_refugee")),
            "start_date": Dates(start),
            "end_date": Dates(start + 30, rng.random(n) < 0.5),
        },
        # (pnr, decision_date, offence_date) with null offence dates, which sort last.
        "convictions": {
            "pnr": pnr,
            "decision_date": Dates(start),
            "offence_date": Dates(start - rng.integers(0, 3, n).astype(np.int32), rng.random(n) < 0.7),
            "law": Codes(rng.integers(0, 3, n), ("straffeloven", "faerdselsloven", "saerlov")),
        },
        # (pnr, month) with nullable booleans riding along.
        "programme_status": {
            "pnr": pnr,
            "month": Dates(start - start % 30),
            "municipality": Codes(rng.integers(0, 2, n), ("851", "101")),
            "benefit_recipient": rng.random(n) < 0.5,
            "job_ready": Nullable(rng.random(n) < 0.5, rng.random(n) < 0.9),
            "company_directed_activation": rng.random(n) < 0.2,
        },
    }
    for table, frame in frames.items():
        assert_same_order(table, frame)
