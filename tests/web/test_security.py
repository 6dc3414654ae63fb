"""Hardening: redirects stay on this site, and every response carries the security headers."""

from __future__ import annotations

import re

import pytest

from barometer.web.security import PAGE_CSP, local_path, style_csp

EVIL = {"host": "evil.example"}


def _stays_here(location: str) -> bool:
    """A Location a browser resolves on this site: a path with one leading slash, no scheme, no host, and none
    of the characters browsers drop or read as a slash."""
    return (location.startswith("/") and not location.startswith("//") and "\\" not in location
            and not re.search(r"[\x00-\x20]", location) and "evil.example" not in location.split("?")[0][:2])


@pytest.mark.parametrize("path", ["/en//evil.example", "/en///evil.example", "/en/%5Cevil.example",
                                  "/en/%5C%5Cevil.example", "/en/%09/evil.example", "/en/%2F%2Fevil.example",
                                  "/en/ /evil.example"])
def test_english_prefix_never_redirects_off_site(client, path):
    r = client.get(path, follow_redirects=False, headers=EVIL)
    assert r.status_code == 307
    location = r.headers["location"]
    assert _stays_here(location), location
    assert location.endswith("?lang=en")


def test_english_prefix_still_works(client):
    r = client.get("/en/indikator/1.2?area=851&compare=751", follow_redirects=False)
    assert r.headers["location"] == "/indikator/1.2?area=851&compare=751&lang=en"


@pytest.mark.parametrize(("path", "location"), [("/kommune/851/", "/kommune/851"),
                                                ("/kommune/851/?lang=en", "/kommune/851?lang=en"),
                                                ("/api/v1/areas/", "/api/v1/areas")])
def test_trailing_slash_redirect_is_relative(client, path, location):
    r = client.get(path, follow_redirects=False, headers=EVIL)
    assert r.status_code == 307 and r.headers["location"] == location


def test_static_root_is_not_redirected_to_the_host_header(client):
    r = client.get("/static", follow_redirects=False, headers=EVIL)
    assert r.status_code == 404 and "location" not in r.headers


def test_four_digit_redirect_is_relative(client):
    r = client.get("/kommune/0851?lang=en", follow_redirects=False, headers=EVIL)
    assert r.status_code == 308 and r.headers["location"] == "/kommune/851?lang=en"


def test_local_path():
    assert local_path("//evil.example") == "/evil.example"
    assert local_path("\\\\evil.example") == "/%5C%5Cevil.example"
    assert local_path("\t/evil.example") == "/%09/evil.example"
    assert local_path("/kommune/851") == "/kommune/851"
    assert local_path("") == "/"


HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")
URLS = ["/", "/kommune/851", "/indikator/1.2", "/kommune/851.json", "/kommune/851.csv", "/api/v1/areas",
        "/api/v1/observations?area=851&item=1.2&format=csv", "/api/v1/areas/999", "/nope", "/kommune/999",
        "/?lang=xx", "/static/style.css", "/docs", "/openapi.json", "/reports/851.html", "/en/kommune/851",
        "/kommune/0851"]


@pytest.mark.parametrize("url", URLS)
def test_security_headers_on_every_response(client, url):
    for _ in range(2):  # the second answer may come from the response cache
        r = client.get(url, follow_redirects=False)
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert "unsafe-eval" not in csp and "http" not in csp and "*" not in csp


def test_security_headers_on_head_and_405(client):
    for r in (client.head("/kommune/851"), client.post("/kommune/851"), client.post("/api/v1/areas")):
        assert all(h in r.headers for h in HEADERS), r.status_code


def test_security_headers_on_a_crash(sample_store, monkeypatch):
    from fastapi.testclient import TestClient

    from barometer.web import WebSettings, create_app
    from barometer.web import api as api_module

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_module, "area_record", broken)
    crash = TestClient(create_app(WebSettings(store=sample_store)), raise_server_exceptions=False)
    r = crash.get("/api/v1/areas/851")
    assert r.status_code == 500
    assert all(h in r.headers for h in HEADERS)


def test_pages_need_nothing_the_policy_forbids(client):
    """The strict page policy holds because the pages have no scripts, inline styles or foreign resources."""
    for url in ("/", "/kommune/851", "/indikator/1.2", "/noegletal/N5", "/sammenlign?area=851&area=751"):
        html = client.get(url).text
        assert client.get(url).headers["content-security-policy"] == PAGE_CSP
        assert "<svg" in html or not url.startswith(("/indikator", "/noegletal"))  # charts are inline SVG
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", html), url
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html.split("</head>")[0]), url


def test_report_html_allows_exactly_its_own_stylesheet(client):
    r = client.get("/reports/851.html")
    csp = r.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp
    assert csp == style_csp(r.text)
    assert csp.count("'sha256-") == r.text.count("<style")
    assert style_csp(r.text.replace("</style>", "x</style>", 1)) != csp  # the hash follows the content


def test_api_docs_load_nothing_from_elsewhere(client):
    html = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    for asset in assets:
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 100, asset
    bundle = client.get("/swagger-ui/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text and bundle.headers["content-type"].startswith("text/javascript")
    assert "/openapi.json" in html and "script-src 'self'" in client.get("/docs").headers["content-security-policy"]
    assert "<script>" not in html  # no inline script: the policy needs no 'unsafe-inline' for scripts


def test_favicon_exists_and_is_linked(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file header
    html = client.get("/kommune/851").text
    assert 'rel="icon" href="/favicon.ico"' in html
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert 'href="/static/favicon.svg"' in html
