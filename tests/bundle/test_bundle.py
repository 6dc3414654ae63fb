"""Bulk downloads: the zip's contents against the release, built once (also under concurrent requests),
atomically, served with a stable URL, size and sha256; the `bundle` command and its errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from barometer.bundle import build as bundle_build
from barometer.bundle import ensure_bundle, read_bundle
from barometer.catalogue import load_catalogue
from barometer.cli import app
from barometer.provenance import provenance
from barometer.sources.published import read_published
from barometer.store import StoreError, open_release, publish
from barometer.web import WebSettings, create_app
from tests.conftest import PUBLISHED_CSV, publish_seed_figures
from tests.web.sample_release import sample_rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """The seed figures (Hele landet and Aalborg) and their bundle, built for real (two PDF reports)."""
    store = tmp_path_factory.mktemp("bundle") / "store"
    publish(store, read_published(PUBLISHED_CSV, load_catalogue()), "2024-11",
            provenance({"published_csv": PUBLISHED_CSV}, kind="published", synthetic=False))
    return store, ensure_bundle(store)


def _zip(info) -> zipfile.ZipFile:
    return zipfile.ZipFile(info.path)


def test_bundle_holds_everything_the_release_publishes(built):
    store, info = built
    release = open_release(store)
    names = _zip(info).namelist()
    expected = {"README.md", "datapackage.json", "observations.csv", "observations.parquet", "areas.csv",
                "items.csv", "definitions/indicators.md", "provenance/manifest.json",
                *(f"catalogue/{n}" for n in ("goals.toml", "key_figures.toml", "areas.toml", "editions.toml"))}
    assert expected <= set(names)
    # every observation, as the release holds it; a withheld or missing figure is empty, never 0
    rows = list(csv.DictReader(io.StringIO(_zip(info).read("observations.csv").decode("utf-8-sig"))))
    stored = release.observations().to_pylist()
    assert len(rows) == len(stored) == release.manifest["observations"]["rows"]
    by_key = {(r["area_code"], r["item_id"], r["period"]): r for r in rows}
    for row in stored:
        got = by_key[(row["area_code"], row["item_id"], row["period"])]
        assert got["status"] == row["status"]
        if row["status"] == "ok":
            assert float(got["value"]) == row["value"]
        else:
            assert got["value"] == "" and got["numerator"] == "" and got["denominator"] == ""
    assert _zip(info).read("observations.parquet") == (release.path / "observations.parquet").read_bytes()
    # the Data Package's resources are all in the zip
    package = json.loads(_zip(info).read("datapackage.json"))
    assert {r["path"] for r in package["resources"]} <= set(names)
    # a PDF report for every area that has figures in the release (here Hele landet and Aalborg)
    reports = sorted(n for n in names if n.startswith("reports/"))
    assert reports == ["reports/udviklingsrapport-000-hele-landet-2024-11.pdf",
                       "reports/udviklingsrapport-851-aalborg-2024-11.pdf"]
    assert all(_zip(info).read(n).startswith(b"%PDF-") for n in reports)
    readme = _zip(info).read("README.md").decode("utf-8")
    assert release.id in readme and "## Dansk" in readme and "## English" in readme
    assert all(f"`{n}`" in readme for n in names if n != "README.md")


def test_bundle_of_a_synthetic_release_says_so_in_every_file(built, tmp_path):
    """README, reports, data files and descriptor of a synthetic release's zip each say "Syntetiske data";
    the published figures' zip (``built``) says it nowhere. The README names the release's publisher."""
    from pypdf import PdfReader

    store = tmp_path / "store"
    publish(store, read_published(PUBLISHED_CSV, load_catalogue()), "2024-11",
            {"kind": "engine", "synthetic": True, "publisher": "Testenheden"})
    synthetic = _zip(ensure_bundle(store))
    readme = synthetic.read("README.md").decode("utf-8")
    assert readme.startswith("# Syntetiske data — Integrationsbarometeret") and "Synthetic data:" in readme
    assert "Udgivet af / published by: Testenheden" in readme and "integrationsbarometer.dk" not in readme
    for name in synthetic.namelist():
        data = synthetic.read(name)
        if name.endswith(".pdf"):
            pages = PdfReader(io.BytesIO(data)).pages
            assert all("Syntetiske data" in page.extract_text() for page in pages), name
        elif name.endswith((".csv", ".json", ".md")) and not name.startswith(("definitions/", "provenance/")):
            assert "Syntetiske data" in data.decode("utf-8-sig"), name
    plain = _zip(built[1])
    for name in plain.namelist():
        if name.endswith(".pdf"):
            assert not any("Syntetisk" in p.extract_text() for p in PdfReader(io.BytesIO(plain.read(name))).pages)
        elif not name.endswith(".parquet"):
            assert "Syntetisk" not in plain.read(name).decode("utf-8-sig"), name


def test_provenance_is_the_manifest_without_local_folders(built):
    store, info = built
    release = open_release(store)
    published = json.loads(_zip(info).read("provenance/manifest.json"))
    original = release.manifest
    assert published["inputs"]["published_csv"] == {
        "path": "published-2024-11.csv", "sha256": original["inputs"]["published_csv"]["sha256"]}
    assert {k: v for k, v in published.items() if k != "inputs"} == {
        k: v for k, v in original.items() if k != "inputs"}
    assert "/" not in json.dumps(published["inputs"])


def test_definitions_are_the_release_s(built):
    """A release of imported figures ships the published definitions it recorded, not the engine's SQL."""
    store, info = built
    text = _zip(info).read("definitions/indicators.md").decode("utf-8")
    words = load_catalogue().item("1.1").words
    assert open_release(store).id in text and "ministeriets offentliggjorte tal" in text
    assert words("da")["population"] in text and words("en")["numerator"] in text
    assert "SQL sha256" not in text and "`employment`" not in text


def test_size_and_checksum_are_those_of_the_file(built):
    store, info = built
    data = info.path.read_bytes()
    assert info.size == len(data) and info.sha256 == hashlib.sha256(data).hexdigest()
    assert read_bundle(store, info.release_id) == info
    assert info.path == store / "downloads" / f"{info.release_id}.zip"
    assert not list((store / "downloads").glob(".tmp-*"))
    assert not list((store / "releases").glob("*/downloads"))  # the release folders are never touched


def _fake_store(tmp_path: Path, monkeypatch, delay: float = 0.0, fail: bool = False) -> tuple[Path, list[str]]:
    """A store whose bundles are written by a stand-in (slow, or failing half-way) that records each build."""
    store = publish_seed_figures(tmp_path / "store")
    calls: list[str] = []

    def fake(store_, release, zip_path, workdir, *, jobs=1, progress=None):
        calls.append(release.id)
        with open(zip_path, "wb") as fh:
            fh.write(b"PK-part-one")
            fh.flush()
            time.sleep(delay)
            if fail:
                raise KeyboardInterrupt  # Ctrl-C half-way
            fh.write(b"-part-two")
        return []

    monkeypatch.setattr(bundle_build, "write_contents", fake)
    return store, calls


def test_built_once_and_kept(tmp_path, monkeypatch):
    store, calls = _fake_store(tmp_path, monkeypatch)
    first = ensure_bundle(store)
    again = ensure_bundle(store)
    assert calls == [first.release_id] and again == first
    rebuilt = ensure_bundle(store, rebuild=True)
    assert len(calls) == 2 and rebuilt.sha256 == first.sha256


def test_concurrent_requests_build_once_and_never_see_half_a_file(tmp_path, monkeypatch):
    store, calls = _fake_store(tmp_path, monkeypatch, delay=0.5)
    release_id = open_release(store).id
    results, seen_while_building = [], []

    def get() -> None:
        results.append(ensure_bundle(store))

    threads = [threading.Thread(target=get) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.2)  # the first build is half-way: nothing is served yet
    seen_while_building.append(read_bundle(store, release_id))
    assert not (store / "downloads" / f"{release_id}.zip").exists()
    for t in threads:
        t.join()
    assert calls == [release_id]
    assert seen_while_building == [None]
    assert {r.sha256 for r in results} == {hashlib.sha256(b"PK-part-one-part-two").hexdigest()}


def test_interrupted_build_leaves_nothing_and_the_next_one_builds(tmp_path, monkeypatch):
    store, calls = _fake_store(tmp_path, monkeypatch, fail=True)
    with pytest.raises(KeyboardInterrupt):
        ensure_bundle(store)
    assert len(calls) == 1
    folder = store / "downloads"
    assert read_bundle(store, open_release(store).id) is None
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) == []
    monkeypatch.setattr(bundle_build, "write_contents", lambda *a, **k: Path(a[2]).write_bytes(b"PK") and [])
    assert ensure_bundle(store).size == 2


def test_unknown_release(tmp_path):
    store = publish_seed_figures(tmp_path / "store")
    with pytest.raises(StoreError, match="release 'nope' not found"):
        ensure_bundle(store, "nope")
    assert read_bundle(store, "nope") is None


def test_cli_builds_and_reports_size_and_checksum(tmp_path, monkeypatch):
    store, calls = _fake_store(tmp_path, monkeypatch)
    second = publish(store, open_release(store).observations(), "2024-11", {"kind": "published"})
    runner = CliRunner()
    one = runner.invoke(app, ["--store", str(store), "bundle"])
    assert one.exit_code == 0, one.output
    info = read_bundle(store, second.id)
    assert info is not None and info.sha256 in one.stdout and calls == [second.id]
    both = runner.invoke(app, ["--store", str(store), "bundle", "--all"])
    assert both.exit_code == 0 and len(calls) == 2  # the current one was already built
    assert both.stdout.count("sha256") == 2


def test_cli_errors(tmp_path):
    store = publish_seed_figures(tmp_path / "store")
    runner = CliRunner()
    unknown = runner.invoke(app, ["--store", str(store), "bundle", "--release", "nope"])
    assert unknown.exit_code == 1 and "release 'nope' not found" in unknown.output
    missing = runner.invoke(app, ["--store", str(tmp_path / "typo"), "bundle"])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    both = runner.invoke(app, ["--store", str(store), "bundle", "--all", "--release", "x"])
    assert both.exit_code == 2 and "either --release ID or --all" in both.output
    jobs = runner.invoke(app, ["--store", str(store), "bundle", "--jobs", "0"])
    assert jobs.exit_code == 2
    assert not (store / "downloads").exists()


def test_downloads_page_lists_every_release(tmp_path, monkeypatch):
    store, calls = _fake_store(tmp_path, monkeypatch)
    older = open_release(store)
    newer = publish(store, open_release(store).observations(), "2024-11", {"kind": "published"})
    client = TestClient(create_app(WebSettings(store=store)))
    page = client.get("/downloads")
    assert page.status_code == 200 and "Hent alle data" in page.text
    for release in (older, newer):
        assert f'href="/downloads/{release.id}.zip"' in page.text
    assert page.text.count("Filen dannes ved første hentning") == 2  # nothing built yet
    assert page.text.index(newer.id) < page.text.index(older.id)  # newest first
    client.get(f"/downloads/{older.id}.zip")
    assert calls == [older.id]
    info = read_bundle(store, older.id)
    again = client.get("/downloads")  # not cached: the built bundle shows at once
    assert info.sha256 in again.text and again.text.count("Filen dannes ved første hentning") == 1
    english = client.get("/en/downloads")
    assert english.status_code == 200 and "Download all data" in english.text and info.sha256 in english.text
    data = client.get("/downloads.json").json()["data"]
    assert [(r["id"], r["built"], r["size"], r["sha256"]) for r in data] == [
        (newer.id, False, None, None), (older.id, True, info.size, info.sha256)]
    assert "Hent data" in client.get("/").text  # the site's menu links it


def test_zip_is_served_with_length_etag_and_revalidation(built):
    store, info = built
    client = TestClient(create_app(WebSettings(store=store)))
    response = client.get(f"/downloads/{info.release_id}.zip")
    assert response.status_code == 200 and response.content == info.path.read_bytes()
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-length"] == str(info.size)
    assert response.headers["etag"] == f'"{info.sha256}"'
    assert response.headers["x-barometer-release"] == info.release_id
    assert f'filename="{info.filename}"' in response.headers["content-disposition"]
    unchanged = client.get(f"/downloads/{info.release_id}.zip", headers={"If-None-Match": f'"{info.sha256}"'})
    assert unchanged.status_code == 304 and unchanged.content == b""
    head = client.head(f"/downloads/{info.release_id}.zip")
    assert head.status_code == 200 and head.headers["content-length"] == str(info.size) and head.content == b""
    page = client.get("/downloads").text
    assert info.sha256 in page and f"{round(info.size / 1000)} kB" in page


def test_unknown_or_malformed_release_answers_404(built):
    store, _ = built
    client = TestClient(create_app(WebSettings(store=store)))
    for path in ("/downloads/nope.zip", "/downloads/.tmp-x.zip", "/downloads/%2E%2E.zip"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "text/html" in response.headers["content-type"]
    assert not list((store / "downloads").glob("nope*"))


def test_concurrent_downloads_build_once(tmp_path, monkeypatch):
    store, calls = _fake_store(tmp_path, monkeypatch, delay=0.3)
    release_id = open_release(store).id
    client = TestClient(create_app(WebSettings(store=store)))
    bodies: list[bytes] = []
    threads = [threading.Thread(target=lambda: bodies.append(client.get(f"/downloads/{release_id}.zip").content))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [release_id] and bodies == [b"PK-part-one-part-two"] * 3


def test_a_built_release_bundles_all_its_areas(tmp_path, monkeypatch):
    """A release with every area gets every area's report (rendering stubbed: only the list is checked here)."""
    from barometer.bundle import contents
    from barometer.store import observation_table

    store = tmp_path / "store"
    release = publish(store, observation_table(sample_rows()), "2024-11", {"kind": "sample"})
    assert contents.report_areas(release) == [a.code for a in load_catalogue().areas]


def test_a_release_of_an_undeclared_edition_is_still_listed(tmp_path):
    store = publish_seed_figures(tmp_path / "store")
    odd = publish(store, open_release(store).observations(), "2099-01", {"kind": "published"})
    client = TestClient(create_app(WebSettings(store=store)))
    page = client.get("/downloads")
    assert page.status_code == 200 and odd.id in page.text and ">2099-01" in page.text


def test_public_manifest_names_input_files_without_their_folders(tmp_path):
    from barometer.bundle.contents import public_manifest
    from barometer.store import Release

    manifest = {"id": "r", "edition": "2024-11", "created": "2024-11-16T10:00:00+00:00",
                "observations": {"file": "observations.parquet", "rows": 0, "sha256": "0" * 64},
                "inputs": {"registers_manifest": {"path": "/srv/secret/registers/manifest.json", "sha256": "ab"}},
                "disclosure": {"config": {}, "source": "/etc/barometer/disclosure.toml", "digest": "cd"}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    published = json.loads(public_manifest(Release("r", tmp_path, manifest)))
    assert published["inputs"]["registers_manifest"] == {"path": "manifest.json", "sha256": "ab"}
    assert published["disclosure"]["source"] == "disclosure.toml" and published["disclosure"]["digest"] == "cd"
    assert "/srv" not in json.dumps(published) and "/etc" not in json.dumps(published)


def test_a_synthetic_release_is_marked_on_the_page_and_its_zip(tmp_path, monkeypatch):
    store, _calls = _fake_store(tmp_path, monkeypatch)
    real = open_release(store)
    fake = publish(store, real.observations(), "2024-11", {"kind": "engine", "synthetic": True})
    assert fake.synthetic and not real.synthetic
    client = TestClient(create_app(WebSettings(store=store)))
    rows = {r["id"]: r for r in client.get("/downloads.json").json()["data"]}
    assert rows[fake.id]["synthetic"] is True and rows[real.id]["synthetic"] is False
    page = client.get("/downloads?lang=en").text
    assert "<strong>Synthetic data</strong>" in page
    assert client.get(f"/downloads/{fake.id}.zip").headers["x-synthetic-data"] == "true"
    assert "x-synthetic-data" not in client.get(f"/downloads/{real.id}.zip").headers
