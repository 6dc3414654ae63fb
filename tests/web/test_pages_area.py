"""Front page, area pages and similar municipalities, checked against the release and barometer.view."""

from __future__ import annotations

import csv
import io
import re

from barometer.catalogue import load_catalogue
from barometer.store import open_release
from barometer.view import ReleaseIndex, build_view

CAT = load_catalogue()


def test_front_page_shows_national_barometer_and_picker(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="da">' in html and 'href="#main"' in html and '<main id="main"' in html
    for goal in CAT.goals:
        assert goal.theme_da in html
    assert '<form class="picker" method="get" action="/kommune"' in html
    assert html.count("<option value=\"") == 99  # 98 municipalities and the placeholder
    assert 'href="/index.json"' in html and 'href="/index.csv"' in html
    assert r.headers["x-barometer-release"].startswith("2024-11-")


def test_front_page_movements_match_the_view(client, sample_store):
    view = build_view(ReleaseIndex.load(open_release(sample_store)), "000", "da")
    data = client.get("/index.json").json()
    assert data["data"]["goals"] == view.show_json()["goals"]
    assert data["release"] == view.release and "licence" in data


def test_picker_redirects_without_javascript(client):
    r = client.get("/kommune?area=851", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/kommune/851"
    r = client.get("/kommune?area=851&lang=en", follow_redirects=False)
    assert r.headers["location"] == "/kommune/851?lang=en"
    assert client.get("/kommune?area=999").status_code == 404
    assert client.get("/kommune").status_code == 422
    assert client.get("/kommune?area=851&lang=xx", follow_redirects=False).status_code == 422


def test_municipality_page_beside_whole_country(client, sample_store):
    r = client.get("/kommune/851")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Aalborg</h1>" in html and "Hele landet" in html
    assert 'href="/reports/851.pdf"' in html and "Hent udviklingsrapport" in html
    view = build_view(ReleaseIndex.load(open_release(sample_store)), "851", "da")
    ind = view.goals[0].indicators[1]
    assert ind.status_text in html
    # survey indicators are not computed locally
    assert "Opgøres ikke" in html
    # key figures beside the national figure
    kf = next(k for k in view.key_figures if k.value_status == "ok")
    assert kf.value_text in html and kf.national_text in html


def test_suppressed_values_show_a_dash_never_zero(client, sample_store):
    index = ReleaseIndex.load(open_release(sample_store))
    area, _goal, ind = next(
        (a.code, g, i) for a in CAT.municipalities for g in CAT.goals for i in CAT.indicators_of(g.id)
        if (row := index.get(a.code, i.id, str(g.latest_year["2024-11"]))) and row["status"] == "suppressed")
    html = client.get(f"/kommune/{area}").text
    row_html = re.search(rf'/indikator/{re.escape(ind.id)}\?area={area}">.*?</tr>', html, re.S).group(0)
    assert "–<sup>*</sup>" in row_html and ">0 " not in row_html
    assert "aldrig 0" in html
    rows = list(csv.DictReader(io.StringIO(client.get(f"/kommune/{area}.csv").content.decode("utf-8-sig"))))
    mine = next(r for r in rows if r["indicator"] == ind.id)
    assert mine["value_status"] == "suppressed" and mine["status"] == ""


def test_area_twins_have_the_same_data(client):
    js = client.get("/kommune/851.json").json()
    assert js["data"]["area"]["code"] == "851" and js["data"]["national"]["area"]["code"] == "000"
    rows = list(csv.DictReader(io.StringIO(client.get("/kommune/851.csv").content.decode("utf-8-sig"))))
    ids = {r["indicator"] for r in rows}
    assert {i.id for i in CAT.indicators} <= ids
    first = next(r for r in rows if r["indicator"] == js["data"]["goals"][0]["indicators"][1]["id"])
    assert float(first["status"]) == js["data"]["goals"][0]["indicators"][1]["status"]


def test_english_switch(client):
    html = client.get("/kommune/851").text
    assert 'href="/kommune/851?lang=en"' in html
    en = client.get("/kommune/851?lang=en").text
    assert '<html lang="en">' in en and "Download development report" in en and "Denmark" in en
    assert 'href="/kommune/851"' in en  # the switch back to Danish


def test_english_prefix_redirects(client):
    r = client.get("/en/kommune/851", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/kommune/851?lang=en"
    assert client.get("/en", follow_redirects=False).headers["location"] == "/?lang=en"
    assert client.get("/en/sammenlign?area=851&lang=da", follow_redirects=False).headers["location"] == \
        "/sammenlign?area=851&lang=en"
    assert '<html lang="en">' in client.get("/en/kommune/851").text


def test_bad_area_and_parameters(client):
    r = client.get("/kommune/999")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    r = client.get("/kommune/999.json")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
    assert client.get("/kommune/851?lang=xx").status_code == 422
    assert client.get("/kommune/851.json?lang=xx").json()["error"]["parameter"] == "lang"
    assert client.get("/kommune/851?lang=da&lang=en").status_code == 422
    assert client.get("/does-not-exist").status_code == 404


def test_similar_municipalities_are_nearest_by_declared_distance(client, sample_store):
    data = client.get("/kommune/851/lignende.json").json()["data"]
    assert [v["id"] for v in data["variables"]] == ["target_population", "non_western_share", "group"]
    # independent recomputation of the distances from the release's 7.1 denominators
    import math
    index = ReleaseIndex.load(open_release(sample_store))
    vals = {}
    for a in CAT.municipalities:
        row = index.get(a.code, "7.1", "2023")
        if row and row["status"] == "ok":
            den, ref = row["denominator"], row["ref_denominator"]
            vals[a.code] = (math.log(den), den / (den + ref))
    def z(k):
        xs = [v[k] for v in vals.values()]
        m = sum(xs) / len(xs)
        s = math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))
        return {c: (v[k] - m) / s for c, v in vals.items()}
    z0, z1 = z(0), z(1)
    me = CAT.area("851")
    dist = {c: math.sqrt((z0[c] - z0["851"]) ** 2 + (z1[c] - z1["851"]) ** 2 + (CAT.area(c).group != me.group))
            for c in vals if c != "851"}
    expected = sorted(dist, key=lambda c: (round(dist[c], 3), CAT.area(c).name))[:5]
    assert [n["area_code"] for n in data["neighbours"]] == expected
    html = client.get("/kommune/851/lignende").text
    assert "Vægt" in html and "Kommunegruppe" in html
    assert client.get("/kommune/000/lignende").status_code == 404


def test_similar_falls_back_to_group_without_denominators(published_client):
    data = published_client.get("/kommune/851/lignende.json").json()["data"]
    assert [v["id"] for v in data["variables"]] == ["group"]
    assert {v["id"] for v in data["unavailable"]} == {"target_population", "non_western_share"}
    same = [a.code for a in CAT.municipalities if a.group == CAT.area("851").group and a.code != "851"]
    got = [n["area_code"] for n in data["neighbours"]]
    assert set(got[:len(same)]) == set(same[:5]) and all(n["distance"] == 0 for n in data["neighbours"][:len(same)])


def test_published_release_pages(published_client):
    r = published_client.get("/kommune/851")
    assert r.status_code == 200 and "Aalborg" in r.text
    r = published_client.get("/kommune/101")  # no figures for København in that release
    assert r.status_code == 200 and "–<sup>*</sup>" in r.text


def test_significance_verdicts_come_from_the_view(client, sample_store):
    view = build_view(ReleaseIndex.load(open_release(sample_store)), "851", "da")
    verdicts = [i.significant for g in view.goals for i in g.indicators]
    cells = re.findall(r'<td class="sig">(.*?)</td>', client.get("/kommune/851").text)
    assert cells == [("Ja" if v else "Nej") if v is not None else "–" for v in verdicts]
    assert any(v is not None for v in verdicts)
    rows = list(csv.DictReader(io.StringIO(client.get("/kommune/851.csv").content.decode("utf-8-sig"))))
    by_id = {r["indicator"]: r["significant"] for r in rows if r.get("goal")}
    sig = view.goals[0].indicators[1].significant
    assert by_id["1.2"] == ("" if sig is None else "true" if sig else "false")  # machine-readable booleans


def test_similar_uses_dsts_groups_and_cites_them(published_client):
    """With the group as the only variable, Aalborg's nearest are the two other Storbykommuner of DST's list
    (Aarhus, Odense) and København's are Hovedstadskommuner: København is no Storbykommune."""
    data = published_client.get("/kommune/851/lignende.json").json()["data"]
    assert [n["area_code"] for n in data["neighbours"][:2]] == ["751", "461"]
    assert [n["distance"] for n in data["neighbours"][:3]] == [0, 0, 1]
    assert "KOMMUNEGRUPPER" in data["group_source"]["source"]
    kbh = published_client.get("/kommune/101/lignende.json").json()["data"]["neighbours"]
    assert {n["group"] for n in kbh} == {"hovedstad"} and all(n["distance"] == 0 for n in kbh)
    html = published_client.get("/kommune/851/lignende").text
    assert "Storbykommuner" in html and "dst.dk/da/Statistik/dokumentation/nomenklaturer/kommunegrupper" in html
    assert "Metropolitan municipalities" in published_client.get("/kommune/851/lignende?lang=en").text


def test_area_page_says_goal_3_rests_on_two_of_three(published_client):
    html = published_client.get("/kommune/851").text
    block = re.search(r'<div class="goal-block">\s*<h3>Danskkundskaber</h3>.*?</p>\s*<p>.*?</p>', html, re.S).group(0)
    assert '<span class="note basis">(baseret på 2 af 3 indikatorer)</span>' in block
    assert html.count('class="note basis"') == 1  # the other goals use all their indicators, or have none
    english = published_client.get("/kommune/851?lang=en").text
    assert english.count("(based on 2 of 3 indicators)") == 1
    data = published_client.get("/kommune/851.json").json()["data"]
    g3 = next(g for g in data["goals"] if g["id"] == "3")
    assert (g3["indicators_used"], g3["indicators_total"], g3["basis_text"]) == (
        2, 3, "baseret på 2 af 3 indikatorer")
    rows = list(csv.DictReader(io.StringIO(published_client.get("/kommune/851.csv").content.decode("utf-8-sig"))))
    assert {(r["goal_indicators_used"], r["goal_indicators_total"]) for r in rows if r["goal"] == "3"} == {("2", "3")}


def test_compare_and_method_pages_show_the_rule(published_client):
    html = published_client.get("/sammenlign?area=851&area=000").text
    assert html.count("(baseret på 2 af 3 indikatorer)") == 1
    method = published_client.get("/metode.json").json()["data"]
    assert method["min_indicators"] == 2
    assert "mindst <strong>2</strong> af dens indikatorer" in published_client.get("/metode").text
    assert "based on 2 of 3 indicators" in published_client.get("/metode?lang=en").text
