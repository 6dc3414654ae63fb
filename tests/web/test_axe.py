"""axe-core (Deque's accessibility engine, the copy shipped in the `axe-playwright-python` package) finds no
violations on the site's main pages, in Danish and in English, in a real browser (Debian's chromium).

Every rule axe runs by default is applied (WCAG 2.0-2.2 A/AA and best practices). A violation fails the test with
the rule, its help text and the first offending elements.
"""

from __future__ import annotations

import pytest

from .browser import MARKS, browser_page
from .server import running_server

# The main pages: front, municipality, similar municipalities, comparison, indicator, key figures (list and one),
# definitions (list and one), method, downloads, and the page a visitor gets for an unknown municipality.
PAGES = ["/", "/kommune/851", "/kommune/851/lignende", "/sammenlign?area=851&area=751&area=461",
         "/indikator/1.2?area=851", "/indikator/4.1?area=851&compare=751", "/noegletal", "/noegletal/N5",
         "/definitioner", "/definitioner/1.2", "/metode", "/downloads", "/kommune/999"]

pytestmark = MARKS


@pytest.fixture(scope="module")
def base(sample_store):
    with running_server(sample_store) as (url, _pid):
        yield url


@pytest.fixture(scope="module")
def page():
    with browser_page() as page:
        yield page


@pytest.fixture(scope="module")
def axe():
    return pytest.importorskip("axe_playwright_python.sync_playwright").Axe()


def _report(results) -> str:
    lines = []
    for v in results.response["violations"]:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(base, page, axe, path: str, lang: str) -> None:
    url = base + path + ("" if lang == "da" else ("&" if "?" in path else "?") + "lang=en")
    response = page.goto(url)
    assert response is not None and response.status == (404 if "999" in path else 200), url
    assert page.evaluate("document.documentElement.lang") == lang
    results = axe.run(page)
    assert results.violations_count == 0, f"{url}\n{_report(results)}"


def test_axe_finds_violations(page, axe) -> None:
    """The check can fail: a page with an unlabelled field, an image without alt text and low contrast."""
    page.goto("about:blank")  # away from the site: its content security policy would block the inline style
    page.set_content("<html><head><title>t</title></head><body><main><h1>x</h1><input type='text'>"
                     "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='>"
                     "<p style='color:#bbb;background:#fff'>faint</p></main></body></html>")
    found = {v["id"] for v in axe.run(page).response["violations"]}
    assert {"label", "image-alt", "html-has-lang", "color-contrast"} <= found
