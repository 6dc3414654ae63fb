"""The site describes the served release from its own manifest: the disclosure rules it was built with, the
definitions it was made with (or the published ones, for imported figures), its catalogue — never the code or
settings in force when it is served."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from barometer.catalogue import load_catalogue
from barometer.engine import build
from barometer.web import WebSettings, create_app
from tests.engine import hand_fixture

CAT = load_catalogue()


@pytest.fixture(scope="module")
def strict_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release built from the hand fixture with a non-default disclosure config (thresholds no default has)."""
    root = tmp_path_factory.mktemp("strict")
    registers = hand_fixture.write(root / "registers")
    config = root / "strict-disclosure.toml"
    config.write_text("[rates]\nmin_denominator = 37\nmin_numerator = 4\n\n[counts]\nmin_count = 6\n")
    build(registers, "2024-11", store=root / "store", disclosure_config=config, threads=1)
    return root / "store"


def test_method_page_shows_the_release_s_disclosure_rules(strict_store, client):
    strict = TestClient(create_app(WebSettings(store=strict_store)))
    data = strict.get("/metode.json").json()["data"]
    assert data["disclosure"]["rates"]["min_denominator"] == 37 and data["disclosure"]["counts"]["min_count"] == 6
    assert data["disclosure"]["rates"]["min_complement"] == 3  # a key the file left out keeps the default
    assert data["disclosure_source"].endswith("strict-disclosure.toml") and data["code_version"]
    html = strict.get("/metode").text
    assert "nævneren er under\n37" in html and "udelades under\n6" in html
    assert "37" in strict.get("/metode?lang=en").text.split("Disclosure control")[1].split("Uncertainty")[0]
    # the same code serving a release built with the packaged rules shows those
    default = client.get("/metode.json").json()["data"]
    assert default["disclosure"]["rates"]["min_denominator"] == 20 and "nævneren er under\n20" in client.get(
        "/metode").text


def test_engine_release_records_its_definitions_and_sql(strict_store):
    from barometer.engine.definitions import definition
    from barometer.provenance import sql_digest

    strict = TestClient(create_app(WebSettings(store=strict_store)))
    data = strict.get("/definitioner/2.2.json").json()["data"]
    assert data["origin"] == "engine" and data["sql_sha256"] == sql_digest(definition("2.2").sql)
    assert data["tables"] == list(definition("2.2").tables)
    assert data["population"] == CAT.item("2.2").words("da")["population"]
    html = strict.get("/definitioner/2.2").text
    assert "SQL-kontrolsum" in html and data["sql_sha256"][:12] in html


def test_published_release_shows_the_published_definitions(published_client):
    data = published_client.get("/definitioner/1.1.json").json()["data"]
    assert data["origin"] == "published" and data["sql_sha256"] is None and data["tables"] == []
    assert data["numerator"] == CAT.item("1.1").words("da")["numerator"]
    html = published_client.get("/definitioner/1.1").text
    assert "ministeriets offentliggjorte tal" in html and "SQL" not in html and "registertabeller" not in html
    item = published_client.get("/api/v1/items/1.1").json()["data"]
    assert item["definition"]["origin"] == "published" and item["definition"]["sql_sha256"] is None
    method = published_client.get("/metode.json").json()["data"]
    assert method["disclosure"] is None and method["kind"] == "published"
    assert "ministeriet har diskretioneret" in published_client.get("/metode").text


def _danish_main(html: str) -> str:
    """The page's main text, without markup and without code (register table names are identifiers)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<code>.*?</code>", " ", main)))


@pytest.mark.parametrize("item", ["1.1", "2.2", "3.2", "7.1", "8.1", "N5", "N13"])
def test_danish_definition_page_is_danish_throughout(client, item):
    """No English words on the Danish page (the English page has the English words)."""
    text = _danish_main(client.get(f"/definitioner/{item}").text)
    words = CAT.item(item).words("da")
    for field in ("population", "numerator", "reference", "source"):
        assert words[field] in text, field
    english = re.compile(r"\b(the|of|and|who|with|those|persons|residents|weighted|survey|employed|number|whole|"
                         r"country|only|month|quarter|permit|refugees?|benefits?|computed|release|source)\b")
    assert not english.search(text), english.search(text)
    en = _danish_main(client.get(f"/definitioner/{item}?lang=en").text)
    assert CAT.item(item).words("en")["population"] in en


def test_pages_read_the_release_not_the_code(sample_store, tmp_path):
    """A release made with other words and titles (an older catalogue) is shown with them."""
    store = tmp_path / "store"
    shutil.copytree(sample_store, store)
    release = next((store / "releases").iterdir())
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    manifest["definitions"]["1.2"]["words"]["da"]["population"] = "Befolkningen som udgivelsen definerede den."
    goals = manifest["catalogue"]["files"]["goals.toml"]
    next(i for i in goals["indicator"] if i["id"] == "1.2")["title_da"] = "Beskæftigelsen, som den hed dengang."
    (release / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    c = TestClient(create_app(WebSettings(store=store)))
    html = c.get("/definitioner/1.2").text
    assert "Befolkningen som udgivelsen definerede den." in html and "Beskæftigelsen, som den hed dengang." in html
    assert c.get("/api/v1/items/1.2").json()["data"]["title_da"] == "Beskæftigelsen, som den hed dengang."
    assert c.get("/api/v1/release").json()["data"]["definitions"]["1.2"]["words"]["da"]["population"] == \
        "Befolkningen som udgivelsen definerede den."
    # the report of the release too
    from barometer.reports.render import render_html
    from barometer.store import open_release
    from barometer.view import ReleaseIndex, build_view

    report = render_html(build_view(ReleaseIndex.load(open_release(store)), "851"))
    assert "Beskæftigelsen, som den hed dengang." in report


def test_release_endpoint_leaves_out_local_folders(strict_store):
    strict = TestClient(create_app(WebSettings(store=strict_store)))
    data = strict.get("/api/v1/release").json()["data"]
    assert data["inputs"]["registers_manifest"]["path"] == "manifest.json"
    assert data["disclosure"]["source"] == "strict-disclosure.toml" and "/" not in json.dumps(data["inputs"])
    assert data["schema_version"] == 2 and data["libraries"]["duckdb"] and data["catalogue"]["files"]
