"""The settings tree: every section read, unknown keys refused by name, env overrides, and its generated doc."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.configdoc import render
from barometer.disclosure_config import load_config, packaged_rules
from barometer.settings import SECTIONS, Settings, SettingsError, load_settings, with_env

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_configuration_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is stale: run `python -m barometer.configdoc > docs/configuration.md`")


def test_every_key_is_documented_with_its_default():
    text = DOC.read_text(encoding="utf-8")
    defaults = Settings()
    for section in SECTIONS:
        assert f"## [{section}]" in text
        model = getattr(defaults, section)
        for name in type(model).model_fields:
            assert f"| `{name}` |" in text or f"## [{section}.{name}]" in text, (section, name)
    assert "| `page_cache_mb` | number | `128` | `BAROMETER_PAGE_CACHE_MB` |" in text


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_every_section_is_read(tmp_path):
    path = _write(tmp_path, """
[rules]
two_indicator_rule = "lenient"
[engine]
crime_sex = "M"
[disclosure.rates]
min_denominator = 30
[report]
significance = true
[release]
publisher = "Aarhus Kommune"
[web]
topojson = "kommuner.topojson"
check_interval = 0.5
page_cache_mb = 16
""")
    s = load_settings(path)
    assert s.rules.two_indicator_rule == "lenient" and s.engine.crime_sex == "M"
    assert s.report.significance and s.release.publisher == "Aarhus Kommune"
    assert s.web.topojson == Path("kommuner.topojson") and s.web.check_interval == 0.5 and s.web.page_cache_mb == 16
    # a partial [disclosure] table changes only its keys; the rest stay the packaged rules
    assert s.disclosure.rates.min_denominator == 30
    assert s.disclosure.rates.min_numerator == packaged_rules().rates.min_numerator
    assert s.disclosure.linked == packaged_rules().linked


@pytest.mark.parametrize(("text", "message", "code"), [
    ("[webb]\n", "[webb]: unknown section; known sections: [rules], [engine], [disclosure], [report], [release], "
                 "[web]", "settings_unknown_key"),
    ("[web]\npage_cache_mbb = 1\n", "[web] page_cache_mbb: unknown key; known keys of [web]: topojson, "
                                    "check_interval, page_cache_mb", "settings_unknown_key"),
    ("[engine]\ninclude_student_grants = true\n", "[engine] include_student_grants: unknown key; known keys of "
                                                  "[engine]: include_student_grant,", "settings_unknown_key"),
    ("[disclosure.rates]\nmin_denominatr = 5\n", "[disclosure.rates] min_denominatr: unknown key; known keys of "
                                                 "[disclosure.rates]: min_denominator, min_numerator, min_complement",
     "settings_unknown_key"),
    ("[disclosure]\nratez = 1\n", "[disclosure] ratez: unknown key; known keys of [disclosure]: rates, counts,",
     "settings_unknown_key"),
    ("[web]\ncheck_interval = -1\n", "[web] check_interval: Input should be greater than or equal to 0",
     "settings_invalid"),
    ("rules = 3\n", "[rules]: Input should be a valid dictionary", "settings_invalid"),
    ("[rules\n", "cannot read settings", "settings_unreadable"),
])
def test_bad_settings_are_refused_naming_file_section_and_key(tmp_path, text, message, code):
    path = _write(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)
    assert info.value.code == code and info.value.exit_code == 2


def test_a_missing_settings_file_is_refused(tmp_path):
    with pytest.raises(SettingsError) as info:
        load_settings(tmp_path / "nope.toml")
    assert info.value.code == "settings_unreadable" and "nope.toml: cannot read settings" in str(info.value)


def test_environment_variables_override_the_web_section(tmp_path):
    web = load_settings(_write(tmp_path, "[web]\npage_cache_mb = 16\ncheck_interval = 5\n")).web
    assert with_env(web, {}).page_cache_mb == 16
    over = with_env(web, {"BAROMETER_PAGE_CACHE_MB": "64", "BAROMETER_TOPOJSON": "b.json"})
    assert over.page_cache_mb == 64 and over.topojson == Path("b.json") and over.check_interval == 5
    with pytest.raises(SettingsError, match="BAROMETER_RELEASE_CHECK='soon'") as info:
        with_env(web, {"BAROMETER_RELEASE_CHECK": "soon"})
    assert info.value.code == "settings_invalid"


def test_web_settings_resolve_file_then_environment_then_option(tmp_path, monkeypatch):
    from barometer.settings import current_settings
    from barometer.web.settings import WebSettings

    monkeypatch.setenv("BAROMETER_CONFIG", str(_write(tmp_path, '[web]\npage_cache_mb = 2\ntopojson = "f.json"\n')))
    current_settings.cache_clear()
    resolved = WebSettings.resolve(tmp_path)
    assert resolved.page_cache_bytes == 2 * 2**20 and resolved.topojson == Path("f.json")
    monkeypatch.setenv("BAROMETER_TOPOJSON", "e.json")
    assert WebSettings.resolve(tmp_path).topojson == Path("e.json")
    assert WebSettings.resolve(tmp_path, topojson=Path("o.json")).topojson == Path("o.json")


def test_disclosure_section_then_disclosure_config_file(tmp_path, monkeypatch):
    from barometer.settings import current_settings

    monkeypatch.setenv("BAROMETER_CONFIG", str(_write(tmp_path, "[disclosure.rates]\nmin_denominator = 30\n"
                                                                "min_numerator = 4\n")))
    current_settings.cache_clear()
    assert load_config().rates.min_denominator == 30
    extra = tmp_path / "rules.toml"
    extra.write_text("[rates]\nmin_denominator = 50\n", encoding="utf-8")
    merged = load_config(extra)
    assert merged.rates.min_denominator == 50 and merged.rates.min_numerator == 4  # the file over the settings
    assert merged.counts == packaged_rules().counts
