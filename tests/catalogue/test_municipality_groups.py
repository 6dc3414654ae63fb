"""The municipality groups and regions are DST's, pinned municipality by municipality.

Source: Danmarks Statistik, Kommunegrupper v1:2018 (KOMMUNEGRUPPER_V1_2018),
https://www.dst.dk/da/Statistik/dokumentation/nomenklaturer/kommunegrupper — typed in from DST's published list
(code, name, DST region code, group). The pinned table lives here, independent of the catalogue file, so a wrong
edit to areas.toml fails a test instead of silently changing "Municipalities like mine" and the API.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from barometer.catalogue import CatalogueError, load_catalogue
from barometer.catalogue.load import DATA_FILES, _read, build_catalogue

# code: (name, DST region code, group) per KOMMUNEGRUPPER v1:2018.
DST_GROUPS: dict[str, tuple[str, str, str]] = {
    "101": ("København", "084", "hovedstad"),
    "147": ("Frederiksberg", "084", "hovedstad"),
    "151": ("Ballerup", "084", "hovedstad"),
    "153": ("Brøndby", "084", "hovedstad"),
    "155": ("Dragør", "084", "hovedstad"),
    "157": ("Gentofte", "084", "hovedstad"),
    "159": ("Gladsaxe", "084", "hovedstad"),
    "161": ("Glostrup", "084", "hovedstad"),
    "163": ("Herlev", "084", "hovedstad"),
    "165": ("Albertslund", "084", "hovedstad"),
    "167": ("Hvidovre", "084", "hovedstad"),
    "169": ("Høje-Taastrup", "084", "hovedstad"),
    "173": ("Lyngby-Taarbæk", "084", "hovedstad"),
    "175": ("Rødovre", "084", "hovedstad"),
    "183": ("Ishøj", "084", "hovedstad"),
    "185": ("Tårnby", "084", "hovedstad"),
    "187": ("Vallensbæk", "084", "hovedstad"),
    "190": ("Furesø", "084", "hovedstad"),
    "201": ("Allerød", "084", "hovedstad"),
    "210": ("Fredensborg", "084", "opland"),
    "217": ("Helsingør", "084", "provinsby"),
    "219": ("Hillerød", "084", "provinsby"),
    "223": ("Hørsholm", "084", "hovedstad"),
    "230": ("Rudersdal", "084", "hovedstad"),
    "240": ("Egedal", "084", "hovedstad"),
    "250": ("Frederikssund", "084", "opland"),
    "253": ("Greve", "085", "hovedstad"),
    "259": ("Køge", "085", "provinsby"),
    "260": ("Halsnæs", "084", "opland"),
    "265": ("Roskilde", "085", "provinsby"),
    "269": ("Solrød", "085", "hovedstad"),
    "270": ("Gribskov", "084", "opland"),
    "306": ("Odsherred", "085", "land"),
    "316": ("Holbæk", "085", "opland"),
    "320": ("Faxe", "085", "opland"),
    "326": ("Kalundborg", "085", "land"),
    "329": ("Ringsted", "085", "opland"),
    "330": ("Slagelse", "085", "provinsby"),
    "336": ("Stevns", "085", "opland"),
    "340": ("Sorø", "085", "opland"),
    "350": ("Lejre", "085", "opland"),
    "360": ("Lolland", "085", "land"),
    "370": ("Næstved", "085", "provinsby"),
    "376": ("Guldborgsund", "085", "land"),
    "390": ("Vordingborg", "085", "land"),
    "400": ("Bornholm", "084", "land"),
    "410": ("Middelfart", "083", "opland"),
    "420": ("Assens", "083", "opland"),
    "430": ("Faaborg-Midtfyn", "083", "opland"),
    "440": ("Kerteminde", "083", "opland"),
    "450": ("Nyborg", "083", "opland"),
    "461": ("Odense", "083", "storby"),
    "479": ("Svendborg", "083", "land"),
    "480": ("Nordfyns", "083", "opland"),
    "482": ("Langeland", "083", "land"),
    "492": ("Ærø", "083", "land"),
    "510": ("Haderslev", "083", "land"),
    "530": ("Billund", "083", "land"),
    "540": ("Sønderborg", "083", "land"),
    "550": ("Tønder", "083", "land"),
    "561": ("Esbjerg", "083", "provinsby"),
    "563": ("Fanø", "083", "land"),
    "573": ("Varde", "083", "land"),
    "575": ("Vejen", "083", "opland"),
    "580": ("Aabenraa", "083", "land"),
    "607": ("Fredericia", "083", "provinsby"),
    "615": ("Horsens", "082", "provinsby"),
    "621": ("Kolding", "083", "provinsby"),
    "630": ("Vejle", "083", "provinsby"),
    "657": ("Herning", "082", "provinsby"),
    "661": ("Holstebro", "082", "provinsby"),
    "665": ("Lemvig", "082", "land"),
    "671": ("Struer", "082", "land"),
    "706": ("Syddjurs", "082", "opland"),
    "707": ("Norddjurs", "082", "land"),
    "710": ("Favrskov", "082", "opland"),
    "727": ("Odder", "082", "opland"),
    "730": ("Randers", "082", "provinsby"),
    "740": ("Silkeborg", "082", "provinsby"),
    "741": ("Samsø", "082", "land"),
    "746": ("Skanderborg", "082", "opland"),
    "751": ("Aarhus", "082", "storby"),
    "756": ("Ikast-Brande", "082", "opland"),
    "760": ("Ringkøbing-Skjern", "082", "land"),
    "766": ("Hedensted", "082", "opland"),
    "773": ("Morsø", "081", "land"),
    "779": ("Skive", "082", "land"),
    "787": ("Thisted", "081", "land"),
    "791": ("Viborg", "082", "provinsby"),
    "810": ("Brønderslev", "081", "land"),
    "813": ("Frederikshavn", "081", "land"),
    "820": ("Vesthimmerlands", "081", "land"),
    "825": ("Læsø", "081", "land"),
    "840": ("Rebild", "081", "opland"),
    "846": ("Mariagerfjord", "081", "land"),
    "849": ("Jammerbugt", "081", "land"),
    "851": ("Aalborg", "081", "storby"),
    "860": ("Hjørring", "081", "land"),
}

GROUP_NAMES = {"hovedstad": "Hovedstadskommuner", "storby": "Storbykommuner", "provinsby": "Provinsbykommuner",
               "opland": "Oplandskommuner", "land": "Landkommuner"}
GROUP_NAMES_INV = {v: k for k, v in GROUP_NAMES.items()}

# The reference copy of DST's list kept beside the project; the cross-check is skipped where it is absent.
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "kommunegrupper.csv"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_group_totals_are_dsts():
    assert Counter(g for _, _, g in DST_GROUPS.values()) == {
        "hovedstad": 24, "storby": 3, "provinsby": 16, "opland": 24, "land": 31}
    assert len(DST_GROUPS) == 98


def test_every_municipality_has_dsts_group_region_and_name(cat):
    got = {m.code: (m.name, m.region, m.group) for m in cat.municipalities}
    assert got == DST_GROUPS


@pytest.mark.parametrize(("code", "group"), [
    ("101", "hovedstad"),  # København is a capital municipality, not a metropolitan one
    ("217", "provinsby"), ("219", "provinsby"),  # Helsingør, Hillerød
    ("210", "opland"),  # Fredensborg
    ("860", "land"),  # Hjørring
    ("751", "storby"), ("461", "storby"), ("851", "storby"),  # Aarhus, Odense, Aalborg: the only three
])
def test_cases_named_in_dsts_list(cat, code, group):
    assert cat.area(code).group == group


def test_group_names_and_source_are_carried_by_the_catalogue(cat):
    assert {g.id: g.name for g in cat.municipality_groups} == GROUP_NAMES
    assert cat.municipality_group("storby").name_en == "Metropolitan municipalities"
    assert cat.group_source is not None
    assert "KOMMUNEGRUPPER" in cat.group_source.source and "Danmarks Statistik" in cat.group_source.source
    assert cat.group_source.url.startswith("https://www.dst.dk/")


@pytest.mark.skipif(not REFERENCE.exists(), reason="DST reference list not available here")
def test_pinned_table_matches_the_reference_copy_of_dsts_list():
    with REFERENCE.open(encoding="utf-8") as f:
        rows = {r["code"]: (r["name"], r["region_code"], GROUP_NAMES_INV[r["group"]]) for r in csv.DictReader(f)}
    assert rows == DST_GROUPS


def _docs():
    return {name: _read(name)[0] for name in DATA_FILES}


def test_a_group_not_declared_is_refused():
    docs = _docs()
    docs["areas.toml"]["area"][-1]["group"] = "land"
    docs["areas.toml"]["municipality_group"] = [g for g in docs["areas.toml"]["municipality_group"]
                                                 if g["id"] != "land"]
    with pytest.raises(CatalogueError, match="group 'land' is not declared"):
        build_catalogue(docs)


def test_groups_without_a_cited_source_are_refused():
    docs = _docs()
    del docs["areas.toml"]["municipality_groups"]
    with pytest.raises(CatalogueError, match="citing its source"):
        build_catalogue(docs)
