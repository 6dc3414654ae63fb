"""WCAG 2.2 details: the focus ring has at least 3:1 contrast on its surroundings (1.4.11), and the report HTML
has no empty header cells."""

from __future__ import annotations

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parents[2] / "src" / "barometer" / "web" / "static" / "style.css").read_text()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _var(name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def test_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#ffbf47", "#ffffff"), 2) == 1.64  # the old ring, as the review measured


def test_focus_ring_contrast():
    rule = re.search(r"a:focus, button:focus[^{]*\{([^}]*)\}", CSS).group(1)
    ring = _var(re.search(r"outline:\s*\d+px solid var\(--([\w-]+)\)", rule).group(1))
    for background in (_var("bg"), _var("soft"), "#fbeceb", "#fff4cc"):  # page, cards, synthetic banner, chosen row
        assert contrast(ring, background) >= 3, (ring, background)
    header_ring = _var(re.search(r"header\.site a:focus\s*\{\s*outline-color:\s*var\(--([\w-]+)\)", CSS).group(1))
    assert contrast(header_ring, _var("brand")) >= 3


def test_focus_ring_in_the_served_stylesheet(client):
    assert client.get("/static/style.css").text == CSS


def test_report_html_has_no_empty_header_cells(client):
    for url in ("/reports/851.html", "/reports/000.html", "/reports/851.html?lang=en"):
        html = client.get(url).text
        headers = re.findall(r"<th\b[^>]*>(.*?)</th>", html, flags=re.S)
        assert headers, url
        empty = [h for h in headers if not re.sub(r"<[^>]+>", "", h).strip()]
        assert empty == [], url
