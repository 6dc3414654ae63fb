"""Problems a new user found on the site, each checked through the ASGI client (all failed before the fix)."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from barometer.catalogue import load_catalogue
from barometer.disclosure import load_config
from barometer.web import WebSettings, create_app
from barometer.web.geo import TopoJSONError

CAT = load_catalogue()
FLAGS = {"ok", "suppressed", "not_computed", "missing"}
# A minimal valid TopoJSON: one square "municipality" 0851.
GOOD_TOPO = {"type": "Topology", "arcs": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
             "objects": {"kommuner": {"type": "GeometryCollection", "geometries": [
                 {"type": "Polygon", "arcs": [[0]], "properties": {"KOMKODE": "0851"}}]}}}
NO_KOMKODE = {"type": "Topology", "arcs": GOOD_TOPO["arcs"], "objects": {"kommuner": {
    "type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0]], "properties": {"navn": "x"}}]}}}


def _text(html: str) -> str:
    """Visible text with whitespace collapsed (what a reader sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.sub(r"<svg.*?</svg>", "", html, flags=re.S)))


def _da(value: float, decimals: int) -> str:
    """Danish number, rounded half away from zero: an independent reference for the site's Babel output."""
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{abs(q):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return ("-" if q < 0 else "") + grouped + ("," + frac if frac else "")


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# 1. A bad boundary file: clear error at start, tile-grid fallback at render, never a 500.

@pytest.mark.parametrize(("doc", "missing"), [({"type": "Topology"}, '"objects"'), (NO_KOMKODE, '"KOMKODE"'),
                                              ({"type": "Topology", "objects": {"k": {}}}, '"geometries"')])
def test_bad_topojson_stops_the_app_naming_file_and_what_is_missing(sample_store, tmp_path, doc, missing):
    path = tmp_path / "kommuner.topojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(TopoJSONError) as err:
        create_app(WebSettings(store=sample_store, topojson=path))
    assert str(path) in str(err.value) and missing in str(err.value)


def test_serve_refuses_a_bad_topojson_with_exit_code_2(sample_store, tmp_path, monkeypatch):
    from barometer.cli import app

    path = tmp_path / "bad.topojson"
    path.write_text('{"type": "Topology"}', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--store", str(sample_store), "serve", "--topojson", str(path)])
    assert result.exit_code == 2 and "bad.topojson" in result.output and "objects" in result.output
    monkeypatch.setenv("BAROMETER_TOPOJSON", str(path))  # the environment variable is checked too
    result = runner.invoke(app, ["--store", str(sample_store), "serve"])
    assert result.exit_code == 2 and "objects" in result.output


def test_map_falls_back_to_tiles_when_the_file_breaks_after_the_start(sample_store, tmp_path):
    path = tmp_path / "kommuner.topojson"
    path.write_text(json.dumps(GOOD_TOPO), encoding="utf-8")
    client = TestClient(create_app(WebSettings(store=sample_store, topojson=path)))
    good = client.get("/indikator/1.2")
    assert good.status_code == 200 and "Kommunegrænser fra den konfigurerede TopoJSON-fil" in good.text
    path.write_text(json.dumps({"type": "Topology", "objects": {}}), encoding="utf-8")
    for url in ("/indikator/1.1", "/noegletal/N5"):  # not yet cached
        r = client.get(url)
        assert r.status_code == 200, url
        assert "Kommunegrænserne kunne ikke indlæses, så kortet vises som felter." in r.text, url
        assert "<svg" in r.text


# 2. English pages link the English report.

def test_english_pages_link_the_english_report(client):
    en = client.get("/kommune/851?lang=en").text
    assert 'href="/reports/851.pdf?lang=en"' in en and 'href="/reports/851.html?lang=en"' in en
    assert 'href="/reports/000.pdf?lang=en"' in client.get("/?lang=en").text
    da = client.get("/kommune/851").text
    assert 'href="/reports/851.pdf"' in da and 'href="/reports/851.html"' in da
    report = client.get("/reports/851.html?lang=en")
    if report.status_code == 503:
        pytest.skip("barometer.reports has no render_html")
    assert report.status_code == 200 and 'lang="en"' in report.text
    assert "development-report-851-" in report.headers["content-disposition"]
    assert 'lang="da"' in client.get("/reports/851.html").text


# 3. The method page in words, not raw configuration values.

def test_method_page_formats_numbers_and_names_the_rule(client):
    cfg = load_config()
    da = _text(client.get("/metode").text)
    assert f"nævneren er under {int(cfg.rates.min_denominator)}, eller" in da
    assert f"under {int(cfg.rates.min_numerator)} / {int(cfg.rates.min_complement)};" in da
    assert ".0" not in da and "reglen streng: begge skal pege samme vej" in da and "strict" not in da
    assert " :" not in da
    en = _text(client.get("/metode?lang=en").text)
    assert "the rule strict: both must agree" in en and f"below {int(cfg.rates.min_denominator)}," in en


# 4. Number formats.

def test_similar_page_prints_person_counts_without_decimals(client):
    own = client.get("/kommune/851/lignende.json").json()["data"]["own"]["target_population"]
    html = client.get("/kommune/851/lignende").text
    assert f">{_da(own, 0)}<" in html and f">{_da(own, 1)}<" not in html
    neighbours = client.get("/kommune/851/lignende.json").json()["data"]["neighbours"]
    for n in neighbours:
        assert f">{_da(n['target_population'], 0)}<" in html


def test_pct_key_figures_print_the_catalogues_decimals_in_tables(client):
    """Key-figure shares as the ministry prints them: whole per cent, N14 with one decimal (catalogue)."""
    view = client.get("/kommune/851.json").json()["data"]
    national = view["national"]
    html = client.get("/kommune/851").text
    for k, n in zip(view["key_figures"], national["key_figures"], strict=True):
        if k["unit"] != "pct":
            continue
        decimals = CAT.key_figure(k["id"]).decimals
        for value, status in ((k["value"], k["value_status"]), (n["value"], n["value_status"])):
            if status == "ok":
                assert f">{_da(value, decimals)} pct.<" in html, (k["id"], value)
    rows = re.findall(r'<tr[^>]*>(.*?)</tr>', client.get("/noegletal").text, re.S)
    n14 = [_text(r) for r in rows if 'href="/noegletal/N14"' in r]
    shares = [_text(r) for r in rows if " pct." in _text(r) and 'href="/noegletal/N14"' not in r]
    assert n14 and all(re.search(r"\d,\d pct\.", r) for r in n14)  # "2,2 pct."
    assert shares and not any(re.search(r"\d,\d pct\.", r) for r in shares)  # "57 pct."


def test_unit_has_one_full_stop(client):
    pct = next(i for i in CAT.indicators if i.unit == "pct" and i.local)
    html = client.get(f"/indikator/{pct.id}").text
    assert "pct.." not in html and "Enhed: pct." in html


# 5. CSV for Danish Excel: BOM, names that say what they are, true/false, consistent status columns.

@pytest.mark.parametrize(("url", "name"), [
    ("/kommune/851.csv", "integrationsbarometer-kommune-851.csv"),
    ("/kommune/851.csv?lang=en", "integrationsbarometer-kommune-851-en.csv"),
    ("/index.csv", "integrationsbarometer-index.csv"),
    ("/indikator/1.1.csv", "integrationsbarometer-indikator-1.1.csv"),
    ("/api/v1/observations?area=851&format=csv", "integrationsbarometer-observations.csv"),
    ("/api/v1/areas?format=csv", "integrationsbarometer-areas.csv"),
    ("/api/v1/items?format=csv", "integrationsbarometer-items.csv"),
])
def test_csv_has_bom_and_a_telling_file_name(client, url, name):
    r = client.get(url)
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    assert r.content.count(b"\xef\xbb\xbf") == 1
    assert r.headers["content-disposition"] == f'attachment; filename="{name}"'


def test_csv_booleans_are_true_false(client):
    rows = _csv(client.get("/api/v1/items?format=csv"))
    assert {r["local"] for r in rows} == {"true", "false"}
    assert {r["local"] == "true" for r in rows} == {True, False}
    expected = {i.id: i.local for i in CAT.indicators} | {k.id: k.local for k in CAT.key_figures}
    assert all((r["local"] == "true") == expected[r["id"]] for r in rows)
    sig = {r["significant"] for r in _csv(client.get("/kommune/851.csv")) if r.get("goal")}
    assert sig <= {"true", "false", ""} and sig & {"true", "false"}


def test_area_csv_national_status_holds_flags_and_national_value_numbers(client):
    rows = _csv(client.get("/kommune/851.csv"))
    national = client.get("/kommune/851.json").json()["data"]["national"]
    nat_ind = {i["id"]: i for g in national["goals"] for i in g["indicators"]}
    ind_rows = [r for r in rows if r.get("goal")]
    assert len(ind_rows) == len(CAT.indicators)
    for r in ind_rows:
        assert r["national_status"] in FLAGS
        n = nat_ind[r["indicator"]]
        assert r["national_status"] == n["value_status"]
        assert (r["national_value"] == "") == (n["status"] is None)
        if n["status"] is not None:
            assert float(r["national_value"]) == pytest.approx(n["status"])
    assert {r["national_status"] for r in rows} <= FLAGS


# 6. HTML error pages speak the page's language and do not send citizens to the API.

def test_html_errors_in_the_page_language(client):
    da = client.get("/kommune/999")
    assert da.status_code == 404
    text = _text(da.text)
    assert "Vi kan ikke finde" in text and "/api/" not in text and "unknown" not in text
    en = client.get("/kommune/999?lang=en")
    assert en.status_code == 404 and "We cannot find" in en.text and "/api/" not in _text(en.text)
    bad = client.get("/kommune/851?lang=xx")
    assert bad.status_code == 422 and "Sproget kan være dansk" in bad.text and "must be" not in bad.text
    bad = client.get("/indikator/1.1?compare=851&compare=751&compare=" + ",".join(
        a.code for a in CAT.municipalities[:20]) + "&lang=en")
    assert bad.status_code == 422 and "invalid value for" in bad.text and "compare" in bad.text
    empty = client.get("/kommune?area=")
    assert empty.status_code == 422 and "Vælg en kommune på listen" in empty.text


def test_json_errors_stay_english(client):
    r = client.get("/kommune/999.json")
    assert r.status_code == 404 and "unknown area" in r.json()["error"]["message"]
    r = client.get("/api/v1/areas/999")
    assert r.status_code == 404 and "unknown area" in r.json()["error"]["message"]


# 7. Lenient where harmless.

def test_lang_in_capitals(client):
    r = client.get("/kommune/851?lang=EN")
    assert r.status_code == 200 and '<html lang="en">' in r.text
    assert client.get("/?lang=Da").status_code == 200


@pytest.mark.parametrize(("url", "location"), [
    ("/kommune/0851", "/kommune/851"),
    ("/kommune/0851?lang=en", "/kommune/851?lang=en"),
    ("/kommune/0851/lignende", "/kommune/851/lignende"),
    ("/kommune/0851.csv", "/kommune/851.csv"),
    ("/reports/0851.pdf", "/reports/851.pdf"),
])
def test_four_digit_codes_redirect(client, url, location):
    r = client.get(url, follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == location


def test_four_digit_unknown_codes_stay_404(client):
    assert client.get("/kommune/0999", follow_redirects=False).status_code == 404
    assert client.get("/kommune/8510", follow_redirects=False).status_code == 404
    r = client.get("/kommune?area=0851", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/kommune/851"


# 8. Polish.

def test_goal_wording_once_and_plain_front_title(client):
    front = client.get("/").text
    # the sample release is synthetic, so the title says so first
    assert re.findall(r"<title>(.*?)</title>", front) == ["Syntetiske data: Integrationsbarometeret"]
    view = client.get("/index.json").json()["data"]
    for goal in view["goals"]:
        assert _text(front).count(goal["title"]) == 0  # never "Arbejde - Flere …" after the heading "Arbejde"
        wording = goal["title"].split(" - ", 1)[1]
        assert _text(front).count(wording) == 1
    area = _text(client.get("/kommune/851").text)
    assert all(area.count(g["title"].split(" - ", 1)[1]) == 1 for g in view["goals"])


def test_key_figure_definition_heading_and_periods(client):
    html = client.get("/definitioner/N5").text
    assert "Definitioner af indikatorer" not in html
    labels = re.findall(r"<dt>([^<]*)</dt>", html)
    assert labels.count("Periode") == 0 and "Opgørelsestidspunkt" in labels and "Seneste periode" in labels
    assert len(labels) == len(set(labels))


def test_tile_map_names_every_tile_and_marks_the_chosen(client):
    html = client.get("/indikator/1.2?area=147").text
    svg = re.search(r'<div role="img" aria-label="Kort.*?</svg>', html, re.S).group(0)
    names = set(re.findall(r"<title>([^<]*)</title>", svg))
    assert {a.name for a in CAT.municipalities} <= names
    assert svg.count('stroke="#111111"') == 1  # only Frederiksberg (147) is outlined
    assert "aria-label=" not in svg.split(">", 1)[1] and "X-axis" not in html  # no English Vega ARIA texts
    en = client.get("/indikator/1.2?lang=en").text
    assert "Development over time" in en and "aria-roledescription" not in en


def test_head_on_api_routes(client):
    for url in ("/api/v1/areas", "/api/v1/items/1.1", "/api/v1/observations?area=851&item=1.1", "/kommune/851"):
        client.get(url)  # cached from here on (cached answers are gzipped for clients that accept it)
        get, r = client.get(url), client.head(url)  # same Accept-Encoding, so the same length as GET sends
        assert r.status_code == 200 and r.content == b"", url
        assert r.headers["content-length"] == get.headers["content-length"], url
        assert r.headers["content-type"] == get.headers["content-type"], url
    assert client.head("/api/v1/areas/999").status_code == 404


def test_withheld_figures_are_grey_on_the_map_never_coloured(client):
    rows = client.get("/indikator/1.1.json").json()["data"]["ranking"]["rows"]
    withheld = {r["area_name"] for r in rows if r["value"] is None}
    assert withheld and len(withheld) < len(rows)
    html = client.get("/indikator/1.1").text
    svg = re.search(r'<div role="img" aria-label="Kort.*?</svg>', html, re.S).group(0)
    fills = dict((name, fill) for fill, name in re.findall(r'<path[^>]*fill="([^"]*)"[^>]*><title>([^<]*)</title>',
                                                           svg))
    assert set(fills) == {r["area_name"] for r in rows}
    assert {fills[n] for n in withheld} == {"#d9d9d9"}
    assert all(fill != "#d9d9d9" for n, fill in fills.items() if n not in withheld)
