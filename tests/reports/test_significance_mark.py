"""The report reads like the seed by default; a flag (or the [report] setting) adds model-based "S" marks."""

from __future__ import annotations

from typer.testing import CliRunner

from barometer.catalogue import load_catalogue
from barometer.cli import app
from barometer.reports.render import render_html, report_strings
from barometer.sources.published import read_published
from barometer.store import Status, observation_table, publish
from barometer.uncertainty import add_intervals
from barometer.view import ReleaseIndex, build_view
from tests.conftest import PUBLISHED_CSV

MODEL = {"uncertainty": {"items": {"1.2": {"model": True, "factor": 1.0}, "9.1": {"model": True, "factor": 1.0}}}}


def _publish(store, record=MODEL):
    # 1.2 in Aalborg: 50 % → 61 % on 1000 persons (significant); 9.1: 5 % → 3 % on 100 persons (not).
    rows = []
    for item, n, shares in (("1.2", 1000.0, {"2022": 0.61, "2012": 0.50}), ("9.1", 100.0, {"2022": 0.03,
                                                                                          "2012": 0.05})):
        for period, share in shares.items():
            rows.append({"area_code": "851", "item_id": item, "period": period, "value": 100 * share,
                         "numerator": share * n, "denominator": n, "status": Status.OK, "source": "engine"})
    return publish(store, add_intervals(observation_table(rows)), "2024-11", record)


def _row(html: str, item: str) -> str:
    row = html[html.index(f'<span class="ind-id">{item}</span>'):]
    return row[: row.index("</tr>")]


def test_default_report_has_no_mark_even_when_a_verdict_exists(tmp_path):
    view = build_view(ReleaseIndex.load(_publish(tmp_path)), "851")
    assert view.goals[0].indicators[1].significant is True  # the verdict is there, in the view ...
    html = render_html(view)  # ... but the facsimile shows it only on request
    assert 'class="sig"' not in html and "Modelbaseret" not in html and "S " not in _row(html, "1.2")


def test_flag_adds_the_mark_and_the_model_based_note(tmp_path):
    for lang, word in (("da", "Modelbaseret"), ("en", "Model-based")):
        t = report_strings(lang)
        html = render_html(build_view(ReleaseIndex.load(_publish(tmp_path / lang)), "851", lang), significance=True)
        assert '<sup class="sig"' in _row(html, "1.2")
        assert "sig" not in _row(html, "9.1")  # -2 points on 100 persons is noise
        assert t["significant_note"].startswith(word) and f"{t['significant_mark']} {t['significant_note']}" in html


def test_no_mark_where_the_model_does_not_apply(tmp_path):
    record = {"uncertainty": {"items": {"1.2": {"model": False, "reason": "too_few_municipalities"}}}}
    html = render_html(build_view(ReleaseIndex.load(_publish(tmp_path, record)), "851"), significance=True)
    assert 'class="sig"' not in html and report_strings("da")["significant_note"] not in html


def test_published_figures_carry_no_mark(tmp_path):
    table = read_published(PUBLISHED_CSV, load_catalogue())
    view = build_view(ReleaseIndex.load(publish(tmp_path, table, "2024-11", {})), "851")
    html = render_html(view, significance=True)
    assert 'class="sig"' not in html and report_strings("da")["significant_note"] not in html


def test_cli_flag_and_setting(tmp_path):
    store = tmp_path / "store"
    _publish(store)
    runner = CliRunner()

    def report(*args: str) -> str:
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        result = runner.invoke(app, ["--store", str(store), *args, "report", "--area", "851", "--format", "html",
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        return next(out.glob("*.html")).read_text(encoding="utf-8")

    assert 'class="sig"' not in report()
    flagged = runner.invoke(app, ["--store", str(store), "report", "--area", "851", "--format", "html",
                                  "--out", str(tmp_path / "flag"), "--significance"])
    assert flagged.exit_code == 0, flagged.output
    assert '<sup class="sig"' in _row(next((tmp_path / "flag").glob("*.html")).read_text(encoding="utf-8"), "1.2")
    shown = runner.invoke(app, ["--store", str(store), "show", "--area", "851"])
    assert "Modelbaseret" not in shown.output
    shown = runner.invoke(app, ["--store", str(store), "show", "--area", "851", "--significance"])
    assert "Modelbaseret" in shown.output
    config = tmp_path / "settings.toml"
    config.write_text("[report]\nsignificance = true\n")
    assert '<sup class="sig"' in _row(report("--config", str(config)), "1.2")
