"""The user's path through the site in a real browser (Debian's chromium via Playwright); screenshots saved.

Screenshots go to test-artifacts/web/ (git-ignored) so that people can look at the pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import MARKS, browser_page
from .server import running_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

pytestmark = MARKS


@pytest.fixture(scope="module")
def base(sample_store):
    with running_server(sample_store) as (url, _pid):
        yield url


@pytest.fixture(scope="module")
def page():
    with browser_page(accept_downloads=True) as page:
        yield page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_user_path(base, page, tmp_path):
    page.goto(base + "/")
    # the sample release is synthetic, and its title says so before the site's name
    assert page.title() == "Syntetiske data: Integrationsbarometeret"
    shot(page, "01-front")
    # pick Aalborg with the form (no JavaScript needed)
    page.select_option("#area-picker", label="Aalborg")
    page.click("form.picker button[type=submit]")
    page.wait_for_url("**/kommune/851")
    assert page.inner_text("h1") == "Aalborg"
    shot(page, "02-municipality-aalborg")
    # compare with Aarhus and Odense
    page.click("text=Sammenlign med andre kommuner")
    page.click("main form details summary")
    for code in ("751", "461"):
        page.check(f"fieldset.checklist input[value='{code}']")
    page.click("main form button[type=submit]")
    headers = page.locator("table.compare thead th").all_inner_texts()
    assert {"Aalborg", "Aarhus", "Odense"} <= set(headers)
    assert "area=851" in page.url and "area=751" in page.url and "area=461" in page.url
    shot(page, "03-compare")
    # switch to English
    page.click("a.lang")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Compare municipalities" in page.inner_text("h1")
    shot(page, "04-compare-en")
    # open an indicator's map
    page.click("table.compare tbody a[href^='/indikator/1.2']")
    page.wait_for_selector("#kort figure svg")
    assert page.locator("#kort figure svg path").count() > 90
    assert page.locator("#rangering tbody tr").count() == 98
    shot(page, "05-indicator-en")
    # keyboard: the skip link is the first tab stop and lands on main
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    # download the PDF from the municipality page
    page.goto(base + "/kommune/851")
    with page.expect_download() as info:
        page.click("text=Hent udviklingsrapport")
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("path,name", [
    ("/indikator/1.1?area=851&compare=751&compare=461", "06-indicator-da"),
    ("/noegletal", "07-key-figures"), ("/noegletal/N5", "08-key-figure-n5"),
    ("/definitioner/1.2", "09-definition"), ("/metode", "10-method"),
    ("/kommune/851/lignende", "11-similar"), ("/kommune/999", "12-not-found")])
def test_screenshots(base, page, path, name):
    response = page.goto(base + path)
    assert response.status == (404 if "999" in path else 200)
    shot(page, name)


TOPOJSON = Path(__file__).resolve().parents[3] / "shared" / "geo" / "kommuner.topojson"


@pytest.mark.skipif(not TOPOJSON.is_file(), reason=f"{TOPOJSON} is not present")
def test_boundary_map_screenshot(sample_store, page):
    with running_server(sample_store, {"BAROMETER_TOPOJSON": str(TOPOJSON)}) as (url, _pid):
        page.goto(url + "/indikator/7.2?area=851")
        assert "Kommunegrænser" in page.inner_text("#kort figcaption")
        assert page.locator("#kort figure svg path").count() > 98
        page.locator("#kort").screenshot(path=str(ARTIFACTS / "13-indicator-boundary-map.png"))


AUDIT = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, button')) {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.textContent.trim();
    if (!named) problems.push('unlabelled ' + el.outerHTML.slice(0, 80));
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length) problems.push('duplicate ids ' + dup.join(','));
  for (const t of document.querySelectorAll('table')) {
    if (!t.querySelector('caption') && !t.closest('[aria-label]')) problems.push('table without caption');
  }
  if (!document.documentElement.lang) problems.push('no lang');
  if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count');
  for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('img alt');
  return problems;
}"""


@pytest.mark.parametrize("path", ["/", "/kommune/851", "/kommune/851?lang=en", "/indikator/1.2?area=851",
                                  "/sammenlign?area=851&area=751", "/noegletal/N5", "/definitioner/1.2",
                                  "/metode", "/kommune/851/lignende"])
def test_accessibility_audit(base, page, path):
    page.goto(base + path)
    assert page.evaluate(AUDIT) == []


def test_accessibility_audit_finds_problems(page):
    page.set_content("<html><body><h1>a</h1><h1>b</h1><input><table><tr><td>1</td></tr></table>"
                     "<img src='x.png'><p id='d'></p><p id='d'></p></body></html>")
    problems = " ".join(page.evaluate(AUDIT))
    for expected in ("unlabelled", "duplicate ids", "table without caption", "no lang", "h1 count", "img alt"):
        assert expected in problems
