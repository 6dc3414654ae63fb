"""The report marks developments larger than the noise (issue 4 §4: the verdict is shown where the movement is)."""

from __future__ import annotations

from barometer.catalogue import load_catalogue
from barometer.reports.render import render_html, report_strings
from barometer.sources.published import read_published
from barometer.store import Status, observation_table, publish
from barometer.uncertainty import add_intervals
from barometer.view import ReleaseIndex, build_view
from tests.conftest import PUBLISHED_CSV


def _release(tmp_path):
    # 1.2 in Aalborg: 50 % → 61 % on 1000 persons (significant); 9.1: 5 % → 3 % on 100 persons (not).
    rows = []
    for item, n, shares in (("1.2", 1000.0, {"2022": 0.61, "2012": 0.50}), ("9.1", 100.0, {"2022": 0.03,
                                                                                          "2012": 0.05})):
        for period, share in shares.items():
            rows.append({"area_code": "851", "item_id": item, "period": period, "value": 100 * share,
                         "numerator": share * n, "denominator": n, "status": Status.OK, "source": "engine"})
    return ReleaseIndex.load(publish(tmp_path, add_intervals(observation_table(rows)), "2024-11", {}))


def test_significant_development_is_marked_and_explained(tmp_path):
    t = report_strings("da")
    html = render_html(build_view(_release(tmp_path), "851"))
    row_12 = html[html.index('<span class="ind-id">1.2</span>'):]
    row_12 = row_12[: row_12.index("</tr>")]
    row_91 = html[html.index('<span class="ind-id">9.1</span>'):]
    row_91 = row_91[: row_91.index("</tr>")]
    assert "11 pct. point" in row_12 and '<sup class="sig"' in row_12
    assert "-2 pct. point" in row_91 and "sig" not in row_91
    assert t["significant_note"] in html


def test_published_figures_carry_no_mark(tmp_path):
    table = read_published(PUBLISHED_CSV, load_catalogue())
    html = render_html(build_view(ReleaseIndex.load(publish(tmp_path, table, "2024-11", {})), "851"))
    assert 'class="sig"' not in html and report_strings("da")["significant_note"] not in html
