"""A small hand-made release for the format tests: few enough figures to check every cell by hand.

Areas 000 (Hele landet), 851 (Aalborg) and 101 (København); indicator 1.2 (a share) and 1.1 (a gap with a
reference group) for 2021-2022; key figure N5 at its 2024-11 period. Aalborg's 1.2 in 2022 is suppressed
(no number at all), København's 1.1 in 2022 is missing, and N5 is not computed for København.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.catalogue import load_catalogue
from barometer.store import Release, observation_table, publish


def small_rows() -> list[dict]:
    n5_period = load_catalogue().key_figure("N5").reference_period["2024-11"]
    ok = "ok"
    return [
        {"area_code": "000", "item_id": "1.2", "period": "2021", "status": ok, "value": 41.25, "numerator": 4125.0,
         "denominator": 10000.0, "ci_low": 40.3, "ci_high": 42.2, "source": "hand"},
        {"area_code": "000", "item_id": "1.2", "period": "2022", "status": ok, "value": 43.5, "numerator": 4350.0,
         "denominator": 10000.0, "ci_low": 42.5, "ci_high": 44.5, "source": "hand"},
        {"area_code": "851", "item_id": "1.2", "period": "2021", "status": ok, "value": 38.0, "numerator": 190.0,
         "denominator": 500.0, "ci_low": 33.7, "ci_high": 42.3, "source": "hand"},
        {"area_code": "851", "item_id": "1.2", "period": "2022", "status": "suppressed", "source": "hand"},
        {"area_code": "101", "item_id": "1.2", "period": "2021", "status": ok, "value": 1234.5, "numerator": 2469.0,
         "denominator": 200.0, "source": "hand"},
        {"area_code": "000", "item_id": "1.1", "period": "2022", "status": ok, "value": 22.0, "numerator": 300.0,
         "denominator": 1000.0, "ref_numerator": 520.0, "ref_denominator": 1000.0, "source": "hand"},
        {"area_code": "101", "item_id": "1.1", "period": "2022", "status": "missing", "source": "hand"},
        {"area_code": "000", "item_id": "N5", "period": n5_period, "status": ok, "value": 1729.0, "source": "hand"},
        {"area_code": "101", "item_id": "N5", "period": n5_period, "status": "not_computed", "source": "hand"},
    ]


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("exports-store")
    publish(store, observation_table(small_rows()), "2024-11", {"kind": "hand", "code_version": "test"})
    return store


@pytest.fixture(scope="session")
def small_release(small_store: Path) -> Release:
    from barometer.store import open_release

    return open_release(small_store)
