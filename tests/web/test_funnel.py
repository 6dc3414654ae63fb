"""The funnel plot on the indicator page: published points only, limits widened by the release's φ, both
languages, with a text alternative."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from barometer.formatting import format_number
from barometer.store import open_release
from barometer.web import WebSettings, create_app

LIMIT_PATH = re.compile(r'<path d="M[^"]*" stroke="#6b6b6b" stroke-width="1.5"')


def _section(html: str) -> str:
    start = html.index('id="tragt"')
    return html[start:html.index("</section>", start)]


def _published_points(store: Path, item: str) -> tuple[dict, set[str]]:
    release = open_release(store)
    funnel = release.manifest["uncertainty"]["items"][item]["funnel"]
    ok = {r["area_code"] for r in release.observations().to_pylist()
          if r["item_id"] == item and r["period"] == funnel["period"] and r["status"] == "ok"}
    return funnel, ok


@pytest.mark.parametrize(("lang", "word", "caption"), [("da", "Tragtdiagram", "modelbaserede"),
                                                        ("en", "Funnel plot", "model-based")])
def test_funnel_points_and_limits(client, sample_store, lang, word, caption):
    funnel, ok = _published_points(sample_store, "1.2")
    drawn = ok & set(funnel["sizes"])
    section = _section(client.get(f"/indikator/1.2?lang={lang}").text)
    assert word in section and caption in section
    svg = re.search(r"<svg.*</svg>", section, flags=re.S).group(0)
    assert svg.startswith('<svg aria-hidden="true"')  # the figure carries the name, with the summary in words
    assert re.search(r'<div role="img" aria-label="[^"]*' + word, section)
    assert len(re.findall(r"<title>", svg)) == len(drawn) > 80  # one named dot per published municipality
    assert len(LIMIT_PATH.findall(svg)) == 4  # lower and upper limit at 95 % and at 99.8 %
    phi = funnel["phi"]
    assert f"φ = {format_number(phi, lang, 2)}" in section
    data = client.get(f"/indikator/1.2.json?lang={lang}").json()["data"]["funnel"]
    assert {p["area_code"] for p in data["points"]} == drawn and data["basis"] == "model-based"


def test_counts_outside_the_limits_are_stated_and_right(client, sample_store):
    funnel, ok = _published_points(sample_store, "1.2")
    rows = {r["area_code"]: r for r in open_release(sample_store).observations().to_pylist()
            if r["item_id"] == "1.2" and r["period"] == funnel["period"]}
    outside = {0.95: 0, 0.998: 0}
    for code in ok & set(funnel["sizes"]):
        for level, z in ((0.95, 1.959964), (0.998, 3.090232)):  # independent: the formula with fixed z values
            half = 100 * z * math.sqrt(funnel["factor"] * funnel["unit_variance"] / funnel["sizes"][code])
            outside[level] += abs(rows[code]["value"] - funnel["target"]) > half
    section = _section(client.get("/indikator/1.2").text)
    n = len(ok & set(funnel["sizes"]))
    assert f"{outside[0.95]} af {n} kommuner ligger uden for 95 %-grænserne, {outside[0.998]} uden for " \
           "99,8 %-grænserne" in section


def test_a_suppressed_cell_is_never_drawn_even_if_the_record_names_it(sample_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(sample_store, store)
    release = open_release(store)
    funnel = release.manifest["uncertainty"]["items"]["1.2"]["funnel"]
    hidden = [r for r in release.observations().to_pylist() if r["item_id"] == "1.2"
              and r["period"] == funnel["period"] and r["status"] == "suppressed"]
    assert hidden, "the sample has suppressed cells"
    for r in hidden:  # a record that (wrongly) names the suppressed municipalities
        funnel["sizes"][r["area_code"]] = 1000.0
    manifest = dict(release.manifest)
    (release.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    section = _section(TestClient(create_app(WebSettings(store=store))).get("/indikator/1.2").text)
    names = re.findall(r"<title>([^:<]*):", section)
    from barometer.catalogue import load_catalogue

    cat = load_catalogue()
    assert not {cat.area(r["area_code"]).name for r in hidden} & set(names)


def test_no_funnel_where_the_model_does_not_apply(client, published_client):
    # a release of imported published figures has no uncertainty model: the page says so, draws nothing
    section = _section(published_client.get("/indikator/1.2").text)
    assert "Intet tragtdiagram" in section and "<svg" not in section
    assert 'id="tragt"' not in client.get("/indikator/3.2").text  # survey item: national only, no ranking
    assert "Intet tragtdiagram" in _section(client.get("/indikator/8.1").text)  # counts: no model
