"""The report says what a goal's movement rests on when that is fewer than all its indicators (docs/rules.md)."""

from __future__ import annotations

import re

from barometer.reports import render_html
from barometer.store import Status, observation_table, publish
from barometer.view import ReleaseIndex

from .helpers import flat, pdf_text, view_of


def _goal_block(html: str, goal: str) -> str:
    return re.search(rf'<tbody class="goal" id="goal-{goal}">.*?</tbody>', html, re.S).group(0)


def test_aalborg_goal_3_is_marked_based_on_two_of_three(aalborg_html: str, aalborg_pdf: bytes) -> None:
    g3 = _goal_block(aalborg_html, "3")
    assert '<span class="basis">baseret på 2 af 3 indikatorer</span>' in g3
    # only Mål 3 moves on fewer than all of its indicators (Mål 4-6 have none, the others all)
    assert aalborg_html.count('class="basis"') == 1
    text = flat(pdf_text(aalborg_pdf))
    assert text.count("baseret på 2 af 3 indikatorer") == 1
    assert text.index("Danskkundskaber") < text.index("baseret på 2 af 3 indikatorer") < text.index("3.1")


def test_english_report_wording(report_index: ReleaseIndex) -> None:
    html = render_html(view_of(report_index, "851", "en"))
    assert '<span class="basis">based on 2 of 3 indicators</span>' in _goal_block(html, "3")


def test_too_few_indicators_no_badge_and_the_reason(tmp_path) -> None:
    """Mål 2 with a development on 2.1 only: no movement badge, and the report says why."""
    rows = [{"area_code": "851", "item_id": "2.1", "period": p, "value": v, "status": Status.OK, "source": "engine"}
            for p, v in (("2023", 60.0), ("2012", 50.0))]
    index = ReleaseIndex.load(publish(tmp_path, observation_table(rows), "2024-11", {}))
    g2 = _goal_block(render_html(view_of(index, "851")), "2")
    assert 'class="movement' not in g2
    assert '<span class="basis">kun 1 af 3 indikatorer har en udvikling (kræver mindst 2)</span>' in g2
    en = _goal_block(render_html(view_of(index, "851", "en")), "2")
    assert '<span class="basis">only 1 of 3 indicators has a development (at least 2 needed)</span>' in en
