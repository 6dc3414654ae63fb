"""SDMX: the structure is read back with sdmx1, and the SDMX-CSV data with sdmx1's SDMX-CSV 2.0 reader against it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from barometer.exports import Export, ExportMeta, Table, renderer
from barometer.exports.formats.sdmx import sdmx_period, write_release_sdmx
from barometer.store import Release

sdmx = pytest.importorskip("sdmx")


@pytest.fixture(scope="module")
def files(small_release: Release, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    structure, data = write_release_sdmx(small_release, tmp_path_factory.mktemp("sdmx"))
    return structure, data


@pytest.fixture(scope="module")
def structure(files):
    return sdmx.read_sdmx(files[0])


def test_structure_has_code_lists_dsd_and_dataflow(structure, small_release: Release):
    dsd = structure.structure["DSD_INTEGRATIONSBAROMETER"]
    assert [d.id for d in dsd.dimensions] == ["AREA", "ITEM", "TIME_PERIOD"]
    assert [m.id for m in dsd.measures] == ["OBS_VALUE"]
    attributes = {a.id: a for a in dsd.attributes}
    assert {"UNIT_MEASURE", "OBS_STATUS", "CONF_STATUS", "RELEASE", "LICENCE", "SOURCE"} <= set(attributes)
    assert attributes["OBS_STATUS"].local_representation.enumerated.id == "CL_OBS_STATUS"
    area = structure.codelist["CL_AREA"]
    assert len(area) == 104 and str(area["851"].name["da"]) == "Aalborg"
    assert str(area["000"].name["en"]) == "Denmark"
    assert "1_2" in structure.codelist["CL_ITEM"] and "N5" in structure.codelist["CL_ITEM"]
    assert set(structure.codelist["CL_UNIT"].items) == {"PCT", "PCT_POINT", "COUNT"}
    status = structure.codelist["CL_OBS_STATUS"]
    assert status.maintainer.id == "SDMX" and str(status["Q"].name["en"]) == "Missing value; suppressed"
    assert str(structure.codelist["CL_CONF_STATUS"]["C"].name["en"]) == "Confidential statistical information"
    flow = structure.dataflow["DF_INTEGRATIONSBAROMETER"]
    notes = {a.id: str(a.text) for a in flow.annotations}
    assert notes["RELEASE"] == small_release.id and notes["LICENCE"] and "Danmarks Statistik" in notes["SOURCE"]


def test_csv_columns_follow_sdmx_csv_2(files):
    header = files[1].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
    assert header[3:7] == ["AREA", "ITEM", "TIME_PERIOD", "OBS_VALUE"]
    assert not files[1].read_bytes().startswith(b"\xef\xbb\xbf")  # no byte-order mark before STRUCTURE


def test_sdmx1_reads_the_data_back_against_the_structure(files, structure, small_release: Release):
    from sdmx.reader.csv import Reader

    flow = structure.dataflow["DF_INTEGRATIONSBAROMETER"]
    message = Reader().convert(io.BytesIO(files[1].read_bytes()), structure=flow)
    observations = [o for ds in message.data for o in ds.obs]
    assert len(observations) == small_release.observations().num_rows
    got = {}
    for o in observations:
        key = {k: v.value for k, v in o.key.values.items()}
        got[(key["AREA"], key["ITEM"], key["TIME_PERIOD"])] = (o.value, o.attrib["OBS_STATUS"].value,
                                                               o.attrib["CONF_STATUS"].value)
    assert got[("000", "1_2", "2021")] == ("41.25", "A", "F")
    assert got[("851", "1_2", "2022")][1:] == ("Q", "C")
    assert got[("851", "1_2", "2022")][0] in (None, "")
    assert got[("101", "1_1", "2022")][1] == "O"
    assert next(v for k, v in got.items() if k[0] == "101" and k[1] == "N5")[1] == "M"


def test_suppressed_rows_carry_no_number_in_any_column(files):
    rows = list(csv.DictReader(io.StringIO(files[1].read_text(encoding="utf-8"))))
    hidden = [r for r in rows if r["OBS_STATUS"] != "A"]
    assert len(hidden) == 3
    numeric = ("OBS_VALUE", "CI_LOW", "CI_HIGH", "NUMERATOR", "DENOMINATOR", "REF_NUMERATOR", "REF_DENOMINATOR")
    assert all(r[c] == "" for r in hidden for c in numeric)
    assert all(r["RELEASE"] and r["LICENCE"] and r["SOURCE"] for r in rows)


def test_only_the_number_columns_of_the_given_table():
    rows = [{"area_code": "851", "item_id": "1.2", "period": "2024Q2", "status": "ok", "value": 5.0}]
    text = renderer("sdmx-csv")(Export(ExportMeta(release="r", name="x"), [Table("x", rows)])).decode()
    header, line = text.splitlines()
    assert "NUMERATOR" not in header and "CI_LOW" not in header
    assert line.split(",")[3:7] == ["851", "1_2", "2024-Q2", "5"]


def test_periods_in_sdmx_reporting_formats():
    assert sdmx_period("2021") == "2021"
    assert sdmx_period("2024Q2") == "2024-Q2"
    assert sdmx_period("2024-08") == "2024-08"
    assert sdmx_period("2024-08-31") == "2024-08-31"
    assert sdmx_period("2024-01/2024-09") == "2024-01-01/P9M"
    assert sdmx_period("2016-07/2024-09") == "2016-07-01/P99M"
