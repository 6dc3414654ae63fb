"""The content security policy in a real browser: the pages, the report and the API docs render with nothing
blocked (charts drawn, stylesheet applied, Swagger UI started from the site's own files)."""

from __future__ import annotations

from .browser import MARKS
from .test_browser import base, page  # noqa: F401 (fixtures)

pytestmark = MARKS


def _violations(page, url: str) -> list[str]:  # noqa: F811
    messages: list[str] = []

    def listen(msg) -> None:
        if "Content Security Policy" in msg.text or "Refused to" in msg.text:
            messages.append(msg.text)

    page.on("console", listen)
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("console", listen)
    return messages


def test_pages_render_under_the_policy(base, page):  # noqa: F811
    for path in ("/", "/kommune/851", "/indikator/1.2?area=851", "/noegletal/N5"):
        assert _violations(page, base + path) == [], path
        # the stylesheet applied: the skip link is moved off screen by style.css
        assert page.eval_on_selector("a.skip", "e => e.getBoundingClientRect().left") < 0, path
    page.goto(base + "/indikator/1.2?area=851")
    box = page.locator("figure svg").first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100


def test_report_html_renders_under_the_policy(base, page):  # noqa: F811
    assert _violations(page, base + "/reports/851.html") == []


def test_api_docs_work_offline_under_the_policy(base, page):  # noqa: F811
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    assert _violations(page, base + "/docs") == []
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() >= 8  # every API operation listed
    assert all(url.startswith(base) or url.startswith("data:") for url in requested), requested
