"""Never a 500: every page and endpoint with odd inputs; the texts exist in both languages."""

from __future__ import annotations

import pytest

from barometer.web.i18n import STRINGS

ODD = ["", "%00", "..%2F..%2Fetc", "x" * 300, "ø", "1e9", "-1", "%20", "null"]
PATHS = ["/kommune/{}", "/kommune/{}.json", "/kommune/{}.csv", "/kommune/{}/lignende", "/indikator/{}",
         "/indikator/{}.csv", "/noegletal/{}", "/definitioner/{}", "/reports/{}.pdf", "/api/v1/areas/{}",
         "/api/v1/items/{}", "/api/v1/barometer/{}"]
QUERIES = ["/?lang={}", "/kommune?area={}", "/indikator/1.2?area={}", "/indikator/1.2?compare={}",
           "/sammenlign?area={}", "/api/v1/observations?area={}", "/api/v1/observations?item={}",
           "/api/v1/observations?period={}", "/api/v1/observations?status={}", "/api/v1/observations?format={}",
           "/metode?lang={}", "/kommune/851/lignende.json?lang={}"]


@pytest.mark.parametrize("template", PATHS + QUERIES)
def test_no_server_errors(client, template):
    for value in ODD:
        r = client.get(template.format(value), follow_redirects=False)
        assert r.status_code < 500, (template, value, r.status_code)


def test_every_html_page_links_its_twins(client):
    for path in ("/", "/kommune/851", "/kommune/851/lignende", "/indikator/1.2", "/noegletal", "/noegletal/N1",
                 "/definitioner", "/definitioner/1.1", "/sammenlign?area=851", "/metode"):
        html = client.get(path).text
        base = "/index" if path == "/" else path.split("?")[0]
        query = "?" + path.split("?")[1] if "?" in path else ""
        for fmt in ("json", "csv"):
            twin = f"{base}.{fmt}{query}"
            assert f'href="{twin}"' in html, (path, fmt)
            assert client.get(twin).status_code == 200


def test_pages_have_accessibility_basics(client):
    for path in ("/", "/kommune/851", "/indikator/1.2", "/sammenlign?area=851", "/metode", "/noegletal/N5"):
        html = client.get(path).text
        assert '<a class="skip" href="#main">' in html and '<main id="main"' in html
        assert "<header" in html and "<nav" in html and "<footer" in html
        assert html.count("<h1") == 1
        assert "<svg" not in html or 'role="img" aria-label=' in html
        assert 'hreflang="en"' in html


def test_strings_exist_in_both_languages():
    assert STRINGS["da"].keys() == STRINGS["en"].keys()


def test_every_area_and_definition_page_renders(client):
    from barometer.catalogue import load_catalogue
    cat = load_catalogue()
    for area in cat.areas:
        assert client.get(f"/kommune/{area.code}").status_code == 200, area.code
    for item in [*cat.indicators, *cat.key_figures]:
        assert client.get(f"/definitioner/{item.id}").status_code == 200, item.id


def test_published_figures_release_pages(published_client):
    """A release imported from published figures (Aalborg and Hele landet, one year) renders everywhere."""
    for path in ("/", "/kommune/851", "/kommune/101", "/indikator/1.2?area=851", "/indikator/8.1",
                 "/noegletal/N1", "/sammenlign?area=851&area=101", "/definitioner/1.2", "/metode",
                 "/api/v1/barometer/851", "/api/v1/observations?area=851"):
        assert published_client.get(path).status_code == 200, path
    data = published_client.get("/indikator/1.2.json?area=851").json()["data"]
    aalborg = [r for r in data["series"] if r["area_code"] == "851" and r["value"] is not None]
    assert [(r["period"], r["value"]) for r in aalborg] == [("2022", 61.0)]  # tests/fixtures/published-2024-11.csv
