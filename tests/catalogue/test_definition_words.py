"""Every item's definition is worded once, in the catalogue, in Danish and in English."""

from __future__ import annotations

import re

import pytest

from barometer.catalogue import CatalogueError, load_catalogue
from barometer.catalogue.load import build_catalogue, catalogue_documents

FIELDS = ("population", "numerator", "denominator", "reference", "source")
# Words that only English has: none may appear in a Danish definition (the Danish pages are Danish throughout).
ENGLISH = re.compile(r"\b(the|of|and|who|with|those|persons|year|residents|weighted|survey|employed|number|"
                     r"whole|country|only|month|quarter|date|permit|refugees?|education|benefits?|course)\b", re.I)


def _items():
    cat = load_catalogue()
    return [*cat.indicators, *cat.key_figures]


def test_every_item_is_defined_in_both_languages():
    for item in _items():
        da, en = item.words("da"), item.words("en")
        assert set(da) == set(en) == set(FIELDS)
        for field in FIELDS:
            assert da[field].strip() and en[field].strip(), (item.id, field)
        # the two languages are two texts, not one copied (a count's denominator "—" excepted)
        assert da["population"] != en["population"] and da["numerator"] != en["numerator"], item.id


@pytest.mark.parametrize("item", _items(), ids=lambda i: i.id)
def test_danish_words_are_danish(item):
    for field, text in item.words("da").items():
        assert not ENGLISH.search(text), f"{item.id} {field}: English in the Danish text: {text!r}"


def test_an_item_without_words_is_refused():
    docs, version = catalogue_documents()
    del docs["goals.toml"]["indicator"][0]["definition"]["numerator_da"]
    with pytest.raises(CatalogueError, match=r"(?s)goals.toml: entry 1: .*numerator_da"):
        build_catalogue(docs, version)
