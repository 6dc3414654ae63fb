"""No output carries more than the declared publication: release file, API (JSON, CSV), web pages, report.

A release is protected from engine-like rows (shares with numerators and denominators, values with many
decimals), then every way out of the system is read back: shares must come without numerators and denominators,
values and interval bounds at the catalogue's decimals, and no page may print a share's unrounded value.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from barometer.catalogue import load_catalogue
from barometer.disclosure import load_config, protect
from barometer.formatting import format_number
from barometer.publication import publication_declaration
from barometer.reports.render import render_html
from barometer.store import observation_table, open_release, publish
from barometer.uncertainty import add_intervals
from barometer.view import ReleaseIndex, build_view
from barometer.web import WebSettings, create_app

CAT = load_catalogue()
AALBORG = "851"
# Shares with a status year or reference period in 2024-11, and two counts.
ITEMS = {"1.2": "2022", "1.1": "2022", "7.1": "2023", "3.3": "2024", "N15": "2023", "N14": "2022", "N5": "2024-08",
         "N1": "2024-08-31", "N18": "2024-01/2024-09"}


def engine_rows(seed: int = 11) -> list[dict]:
    """Every area, a few items, numbers adding up over the hierarchy; unrounded values with decimals."""
    rng = random.Random(seed)
    munis = {m.code: m.region for m in CAT.municipalities}
    rows = []
    for item, period in ITEMS.items():
        unit = CAT.item(item).unit
        leaf = {}
        for m in munis:
            den = rng.randint(300, 3000)
            leaf[m] = (rng.randint(30, den - 30), den, rng.randint(4000, 8000), 10000)
        sums: dict[str, list[float]] = {}
        for m, region in munis.items():
            for area in (region, CAT.country.code):
                sums[area] = [a + b for a, b in zip(sums.get(area, [0, 0, 0, 0]), leaf[m], strict=True)]
        for area, (num, den, rnum, rden) in {**leaf, **{k: tuple(v) for k, v in sums.items()}}.items():
            row = {"area_code": area, "item_id": item, "period": period, "status": "ok", "source": "engine"}
            if unit == "count":
                row.update(value=float(num), numerator=float(num))
            elif unit == "pct":
                row.update(value=100 * num / den, numerator=float(num), denominator=float(den))
            else:
                row.update(value=100 * rnum / rden - 100 * num / den, numerator=float(num), denominator=float(den),
                           ref_numerator=float(rnum), ref_denominator=float(rden))
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    table = add_intervals(observation_table(engine_rows()))
    raw = {(r["area_code"], r["item_id"], r["period"]): r for r in table.to_pylist()}
    out, _ = protect(table)
    store = tmp_path_factory.mktemp("publication") / "store"
    publish(store, out, "2024-11", {"kind": "engine", "publication": publication_declaration(CAT, load_config())})
    return store, raw


def at_decimals(x: float | None, decimals: int) -> bool:
    return x is None or abs(x * 10**decimals - round(x * 10**decimals)) < 1e-9


def check_row(row: dict, raw: dict) -> None:
    item = CAT.item(row["item_id"])
    if item.unit == "count":
        assert float(row["value"]) == raw["value"]
        return
    published = set(load_config().publication.denominator_items)
    assert row["numerator"] in (None, "") and row["ref_numerator"] in (None, ""), row
    for c in ("denominator", "ref_denominator"):
        assert (row[c] in (None, "")) == (row["item_id"] not in published or raw[c] is None), row
    for c in ("value", "ci_low", "ci_high"):
        value = None if row[c] in (None, "") else float(row[c])
        assert at_decimals(value, item.decimals), (c, row)


def test_the_release_file_holds_only_the_declared_publication(released):
    store, raw = released
    release = open_release(store)
    rows = release.observations().to_pylist()
    assert {r["status"] for r in rows} == {"ok"}  # large numbers: everything published
    for row in rows:
        check_row(row, raw[(row["area_code"], row["item_id"], row["period"])])
    declared = release.manifest["publication"]
    assert declared["N14"]["value_decimals"] == 1
    assert not (declared["1.2"]["numerator"] or declared["1.2"]["denominator"])
    assert declared["N1"]["numerator"] is True and declared["7.1"] == {
        "value_decimals": 0, "interval": declared["7.1"]["interval"], "numerator": False, "denominator": True}


def test_the_api_serves_no_more(released):
    store, raw = released
    client = TestClient(create_app(WebSettings(store=store)))
    rows = client.get("/api/v1/observations").json()["data"]
    assert len(rows) == len(raw)
    for row in rows:
        check_row(row, raw[(row["area_code"], row["item_id"], row["period"])])
    text = client.get("/api/v1/observations?format=csv").content.decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(text)):
        check_row(row, raw[(row["area_code"], row["item_id"], row["period"])])


def unrounded(raw: dict, area: str) -> list[str]:
    """A share's value printed with one decimal more than published: must appear nowhere."""
    out = []
    for (a, item, _), row in raw.items():
        unit = CAT.item(item).unit
        if a == area and unit != "count":
            text = format_number(row["value"], "da", CAT.item(item).decimals + 1, CAT.item(item).decimals + 1)
            if not text.endswith("0"):
                out.append(text)
    return out


def test_pages_and_reports_print_no_more(released):
    store, raw = released
    client = TestClient(create_app(WebSettings(store=store)))
    texts = [client.get(f"/kommune/{AALBORG}").text, client.get(f"/indikator/1.2?area={AALBORG}").text,
             client.get(f"/noegletal/N14?area={AALBORG}").text,
             render_html(build_view(ReleaseIndex.load(open_release(store)), AALBORG))]
    published = {format_number(float(r[c]), "da", 1, 1) for r in open_release(store).observations().to_pylist()
                 for c in ("value", "ci_low", "ci_high") if r[c] is not None}
    hidden = [h for h in unrounded(raw, AALBORG) if h not in published]  # not another cell's published figure
    assert len(hidden) >= 4
    for text in texts:
        found = [h for h in hidden if f">{h}" in text or f" {h} " in text]
        assert not found, found
