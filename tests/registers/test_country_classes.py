"""Country classes where DST's definition names no country: territories, Greenland/Faroe, former countries.

Each case is stated here by hand (not read back from countries.toml), and followed through the consumers: the
contract's domain check, the engine's target-group flag (``ref_country`` and the ``person`` view) and the
synthetic generator's country table.
"""

from __future__ import annotations

from datetime import date

import pytest

from barometer.engine.backend import DuckDBBackend
from barometer.engine.build import _country_table
from barometer.engine.views import PERSON
from barometer.registers.contract import CountryListError, countries, parse_countries, western_country_codes
from barometer.registers.fixtures import valid_rows, write_register_set
from barometer.registers.validate import validate_registers
from barometer.synth.params import country_table

# territory: the country whose class it takes, and that class.
TERRITORIES = {
    "GL": ("DK", True), "FO": ("DK", True),  # DST counts Greenland and the Faroe Islands as Western
    "AX": ("FI", True),
    "RE": ("FR", True), "GP": ("FR", True), "MQ": ("FR", True), "GF": ("FR", True),
    "AW": ("NL", True), "CW": ("NL", True),
    "BM": ("GB", True), "SH": ("GB", True),
    "PR": ("US", True),
    "CK": ("NZ", True),
    "HK": ("CN", False), "MO": ("CN", False),
}
# former country (ISO 3166-3): class as DST gives it.
FORMER = {"CSHH": True, "YUCS": False, "CSXX": False, "SUHH": False}


@pytest.mark.parametrize(("code", "expected"), list(TERRITORIES.items()))
def test_territory_takes_its_countrys_class(code, expected):
    parent, western = expected
    c = countries()[code]
    assert (c.part_of, c.western) == (parent, western)
    assert (code in western_country_codes()) is western


@pytest.mark.parametrize(("code", "western"), list(FORMER.items()))
def test_former_countries_have_a_code_a_class_and_a_reason(code, western):
    c = countries()[code]
    assert c.former and c.western is western and c.note and c.part_of is None


def test_every_territory_agrees_with_its_country_and_no_chain():
    cs = countries()
    for c in cs.values():
        if c.part_of:
            assert cs[c.part_of].part_of is None and c.western == cs[c.part_of].western


def test_non_western_stays_the_default():
    cs = countries()
    for code in ("SY", "TR", "ZZ", "XS", "AQ", "RS", "RU", "UA", "BA"):
        assert cs[code].western is False


def _rows(**extra):
    return [{"code": "DK", "name": "Danmark", "name_en": "Denmark", "western": True}, extra]


@pytest.mark.parametrize(("entry", "message"), [
    ({"code": "GL", "name": "x", "name_en": "x", "part_of": "DK", "western": False}, "either western"),
    ({"code": "GL", "name": "x", "name_en": "x"}, "either western"),
    ({"code": "GL", "name": "x", "name_en": "x", "part_of": "QQ"}, "part_of 'QQ' is not a country"),
    ({"code": "SUHH", "name": "x", "name_en": "x", "western": False, "former": True}, "needs a note"),
    ({"code": "GL", "name": "x", "name_en": "x", "part_of": "DK", "colour": "red"}, "unknown key"),
])
def test_bad_entries_are_refused_with_the_entry_named(entry, message):
    with pytest.raises(CountryListError, match=message) as info:
        parse_countries(_rows(**entry))
    assert "entry 2" in str(info.value)


def test_territory_of_a_territory_is_refused():
    rows = _rows(code="GL", name="x", name_en="x", part_of="DK")
    rows.append({"code": "QQ", "name": "y", "name_en": "y", "part_of": "GL"})
    with pytest.raises(CountryListError, match="entry 3"):
        parse_countries(rows)


# (pnr, origin_type, origin_country, in the target group?) — worked out from the rule, not from the list.
PEOPLE = [
    (101, "indvandrer", "GL", False), (102, "indvandrer", "FO", False), (103, "efterkommer", "RE", False),
    (104, "indvandrer", "PR", False), (105, "indvandrer", "HK", True), (106, "indvandrer", "SUHH", True),
    (107, "indvandrer", "CSHH", False), (108, "indvandrer", "YUCS", True), (109, "efterkommer", "CSXX", True),
    (110, "indvandrer", "CK", False), (111, "indvandrer", "SY", True),
]


def test_engine_target_group_follows_the_classes(tmp_path):
    rows = valid_rows()
    for pnr, kind, country, _ in PEOPLE:
        arrived = date(2001, 1, 1) if kind == "indvandrer" else None
        rows["persons"].append({"pnr": pnr, "birth_date": date(1990, 1, 1), "sex": "K", "origin_type": kind,
                                "origin_country": country, "immigration_date": arrived, "death_date": None})
    root = write_register_set(tmp_path / "reg", rows)
    report = validate_registers(root)
    assert report.ok, report  # the contract accepts territory and former-country codes
    backend = DuckDBBackend(threads=1)
    try:
        backend.register_registers(root)
        backend.register_reference("ref_country", _country_table())
        backend.create_view(PERSON, {})
        got = {r["pnr"]: r["target"] for r in backend.query("SELECT pnr, target FROM person").to_pylist()}
    finally:
        backend.close()
    assert {pnr: got[pnr] for pnr, *_ in PEOPLE} == {pnr: target for pnr, _, _, target in PEOPLE}


def test_synthetic_generator_uses_the_same_classes():
    table = country_table()
    for code, (_, western) in TERRITORIES.items():
        assert bool(table.western[table.index(code)]) is western
    for code, western in FORMER.items():
        assert bool(table.western[table.index(code)]) is western
