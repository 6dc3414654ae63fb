"""JSON-stat 2.0 datasets: valid by an independent validator, read back with pyjstat, statuses without values."""

from __future__ import annotations

import json

import pytest

from barometer.exports import Export, ExportMeta, Table, renderer
from barometer.exports.release import release_export
from barometer.store import Release

pyjstat = pytest.importorskip("pyjstat.pyjstat")
validator = pytest.importorskip("jsonstat_validator")


@pytest.fixture(scope="module")
def cube(small_release: Release) -> dict:
    export = release_export(small_release)
    export.tables = export.tables[:1]
    return json.loads(renderer("jsonstat")(export))


def test_the_independent_validator_accepts_it(cube: dict):
    assert validator.validate_jsonstat(cube) is True


def test_pyjstat_reads_every_published_value_back(cube: dict, small_release: Release):
    frame = pyjstat.Dataset.read(json.dumps(cube)).write("dataframe", naming="id")
    published = {(r["area_code"], r["item_id"], r["period"]): r for r in small_release.observations().to_pylist()}
    values = frame[frame["measure"] == "value"]
    got = {(r.area, r.item, r.period): r.value for r in values.itertuples() if r.value == r.value
           and r.value is not None}
    expected = {k: r["value"] for k, r in published.items() if r["status"] == "ok"}
    assert got == expected
    dims = set(cube["dimension"]["measure"]["category"]["index"])
    assert dims == {"value", "ci_low", "ci_high", "numerator", "denominator", "ref_numerator", "ref_denominator"}


def test_suppressed_cells_have_a_status_and_no_value(cube: dict):
    ids, sizes = cube["id"], cube["size"]
    index = {d: cube["dimension"][d]["category"]["index"] for d in ids}

    def position(area: str, item: str, period: str, measure: str) -> int:
        coords = [index["area"].index(area), index["item"].index(item), index["period"].index(period),
                  index["measure"].index(measure)]
        pos = 0
        for c, s in zip(coords, sizes, strict=True):
            pos = pos * s + c
        return pos

    values = cube["value"]
    get = (lambda i: values.get(str(i))) if isinstance(values, dict) else (lambda i: values[i])
    for measure in index["measure"]:
        p = position("851", "1.2", "2022", measure)
        assert get(p) is None and cube["status"][str(p)] == "suppressed"
    assert get(position("000", "1.2", "2021", "value")) == 41.25
    assert get(position("000", "1.2", "2021", "denominator")) == 10000.0
    assert cube["status"][str(position("101", "1.1", "2022", "value"))] == "missing"
    assert not any(get(int(k)) is not None for k in cube["status"])


def test_labels_in_danish_and_english_units_and_release_facts(cube: dict, small_release: Release):
    area = cube["dimension"]["area"]
    assert area["label"] == "Område" and area["category"]["label"]["000"] == "Hele landet"
    assert area["extension"]["translation"]["en"]["category"]["label"]["000"] == "Denmark"
    item = cube["dimension"]["item"]["category"]
    assert item["unit"]["1.2"] == {"label": "pct.", "decimals": 0}
    assert cube["extension"]["release"] == small_release.id and cube["extension"]["licence"]
    assert "Danmarks Statistik" in cube["source"]
    assert cube["role"]["time"] == ["period"] and cube["role"]["geo"] == ["area"]


def test_a_table_with_only_values_has_no_measure_dimension():
    rows = [{"area_code": "851", "item_id": "1.2", "period": "2022", "status": "ok", "value": 5.0},
            {"area_code": "851", "item_id": "1.2", "period": "2021", "status": "suppressed", "value": None}]
    cube = json.loads(renderer("jsonstat")(Export(ExportMeta(release="r", name="x", lang="en"), [Table("x", rows)])))
    assert cube["id"] == ["area", "item", "period"] and cube["value"] == [None, 5.0]
    assert cube["status"] == {"0": "suppressed"} and cube["dimension"]["area"]["label"] == "Area"
    assert validator.validate_jsonstat(cube) is True
