"""Finding a place by name in the default pack's gazetteer."""

import pytest

from geor.engine.geo.geocoder import Geocoder
from geor.engine.geo.geocoder.place_search import PlaceSearch, folded


@pytest.fixture(scope="module")
def search():
    from geor.engine.geo.geocoder.default_location import default_pack_path

    return PlaceSearch(Geocoder(default_pack_path()))


def test_whole_names_come_first_with_their_region_and_country(search):
    first = search.find("Biei")[0]
    assert first.label == "Biei, Hokkaido, Japan"
    assert first.lat == pytest.approx(43.59, abs=0.05) and first.lon == pytest.approx(142.47, abs=0.05)


def test_accents_case_and_a_country_to_narrow(search):
    assert search.find("zurich")[0].label.startswith("Zürich, Zürich, Switzerland")
    paulo = search.find("sao paulo, portugal")
    assert paulo and all(m.country == "Portugal" for m in paulo)
    assert search.find("KYOTO, japan")[0].country == "Japan"


def test_prefixes_rank_by_population_and_nothing_for_nothing(search):
    matches = search.find("Sappor", limit=5)
    assert matches[0].name == "Sapporo"
    assert search.find("") == [] and search.find("   ") == []
    assert search.find("qqqqzzzz") == []


def test_folded():
    assert folded("  São Paulo ") == "sao paulo"
    assert folded("ZÜRICH") == "zurich"
