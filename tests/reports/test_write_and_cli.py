"""write_reports (file names, formats, processes) and the `barometer report` command, good and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.catalogue import load_catalogue
from barometer.cli import app
from barometer.reports import report_filename, write_reports
from barometer.store import StoreError
from tests.conftest import PUBLISHED_CSV

from .helpers import SEED_DAY

runner = CliRunner()


def test_file_names_are_area_code_slug_and_edition() -> None:
    assert report_filename("851", "2024-11", "pdf") == "udviklingsrapport-851-aalborg-2024-11.pdf"
    assert report_filename("173", "2024-11", "html") == "udviklingsrapport-173-lyngby-taarbaek-2024-11.html"
    assert report_filename("000", "2024-11", "pdf", "en") == "udviklingsrapport-000-hele-landet-2024-11-en.pdf"


def test_write_reports_in_one_and_two_processes_give_the_same_html(report_store: Path, tmp_path: Path) -> None:
    codes = ["851", "000", "101"]
    one = write_reports(report_store, codes, ["html"], tmp_path / "one", today=SEED_DAY)
    two = write_reports(report_store, codes, ["html"], tmp_path / "two", jobs=2, today=SEED_DAY)
    assert [p.name for p in one] == [p.name for p in two] == [
        "udviklingsrapport-851-aalborg-2024-11.html", "udviklingsrapport-000-hele-landet-2024-11.html",
        "udviklingsrapport-101-koebenhavn-2024-11.html"]
    for a, b in zip(one, two, strict=True):
        assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    assert "Rapport dannet d. 16/11-2024." in one[0].read_text(encoding="utf-8")
    assert not list((tmp_path / "one").glob("*.part"))


def test_write_reports_refuses_bad_arguments(report_store: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown area code.*999"):
        write_reports(report_store, ["851", "999"], ["pdf"], tmp_path)
    with pytest.raises(ValueError, match="format must be one of pdf, html"):
        write_reports(report_store, ["851"], ["docx"], tmp_path)
    with pytest.raises(StoreError, match="no release in store"):
        write_reports(tmp_path / "empty", ["851"], ["pdf"], tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing written on refusal


def _output(result) -> str:
    return result.output + (getattr(result, "stderr", "") if not result.output else "")


@pytest.fixture
def cli_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    result = runner.invoke(app, ["--store", str(store), "import-published", str(PUBLISHED_CSV),
                                 "--edition", "2024-11"])
    assert result.exit_code == 0, result.output
    return store


def test_cli_writes_aalborg_pdf(cli_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["--store", str(cli_store), "report", "--area", "851", "--format", "pdf",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    pdf = out / "udviklingsrapport-851-aalborg-2024-11.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.name in result.output
    assert [p.name for p in out.iterdir()] == [pdf.name]


def test_cli_both_formats_in_english(cli_store: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--store", str(cli_store), "report", "--area", "000", "--format", "html",
                                 "--format", "html", "--lang", "en", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "udviklingsrapport-000-hele-landet-2024-11-en.html").read_text(encoding="utf-8")
    assert "The national integration barometer" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "999"], "'999' is not a known area code"),
        (["--area", "851", "--format", "xls"], "--format 'xls' is not one of pdf, html, both"),
        (["--area", "851", "--lang", "de"], "--lang must be da or en"),
        ([], "give either --area CODE or --all"),
        (["--area", "851", "--all"], "give either --area CODE or --all"),
        (["--area", "851", "--release", "nope"], "release 'nope' not found"),
    ],
)
def test_cli_refuses_bad_input(cli_store: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["--store", str(cli_store), "report", *args, "--out", str(out)])
    assert result.exit_code != 0
    assert message in " ".join(_output(result).split())
    assert not out.exists()


def test_cli_without_a_release_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--store", str(tmp_path / "empty"), "report", "--area", "851",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no release in store" in " ".join(_output(result).split())


def test_cli_all_areas(cli_store: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--store", str(cli_store), "report", "--all", "--format", "html",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    catalogue = load_catalogue()
    names = sorted(p.name for p in tmp_path.glob("*.html"))
    assert names == sorted(report_filename(a.code, "2024-11", "html") for a in catalogue.areas)
    assert len(names) == 104  # Hele landet, 5 regions, 98 municipalities
    assert "104 report file(s)" in " ".join(result.output.split())
    assert "Odsherred" in (tmp_path / report_filename("306", "2024-11", "html")).read_text(encoding="utf-8")
