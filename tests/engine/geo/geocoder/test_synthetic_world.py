import math

import numpy as np
import pytest

from geor.engine.geo.geocoder import Geocoder
from geor.engine.geo.validation import CoordinateRangeError


@pytest.mark.parametrize(
    ("lat", "lon", "country", "state", "district"),
    [
        (45.0, 1.0, "Alphaland", "North A", "West District"),
        (45.0, 4.0, "Alphaland", "North A", "East District"),
        (45.0, 7.0, "Alphaland", "South A", None),
        (45.0, 9.999999, "Alphaland", "South A", None),  # 10 cm from the border
        (45.0, 10.000001, "Betaland", "Beta One", None),
        (44.01, 2.01, "Enclavia", "Enclave", None),  # inside the enclave
        (44.01, 1.99, "Alphaland", "North A", "West District"),  # 1.6 km west, outside it
        (-18.0, 179.999, "Fijiland", "East Fiji", None),
        (-18.0, -179.999, "Fijiland", "West Fiji", None),
        (-18.0, 180.0, "Fijiland", "West Fiji", None),  # 180 wraps to -180
        (-18.0, 539.5, "Fijiland", "East Fiji", None),  # longitudes wrap: 539.5 = 179.5
        (-18.0, -181.0, "Fijiland", "East Fiji", None),  # -181 = 179
        (-90.0, 0.0, "Southland", "Pole", None),
        (-89.9999, 123.0, "Southland", "Pole", None),
        (10.01, -29.99, "Dotland", "Dot", None),  # 2 km island
    ],
)
def test_points_inside_polygons(synthetic, lat, lon, country, state, district):
    place = synthetic.lookup(lat, lon)
    assert (place.country, place.state, place.district) == (country, state, district)
    assert place.offshore_km is None and place.on_land


def test_codes_and_continent_fields(synthetic):
    place = synthetic.lookup(45.0, 7.0)
    assert place.country_a3 == "AAA" and place.state_code == "AA-S"
    assert synthetic.lookup(44.01, 2.01).state_code is None


def test_open_ocean_has_no_region(synthetic):
    place = synthetic.lookup(0.0, -140.0)
    assert place.country is None and place.city is None and place.offshore_km is None and not place.on_land


def test_just_off_the_coast_snaps_to_the_nearest_region(synthetic):
    place = synthetic.lookup(45.0, -0.1)  # about 7.9 km west of Alphaland's coast
    assert place.country == "Alphaland" and place.state == "North A"
    assert place.offshore_km == pytest.approx(7.87, abs=0.2)
    assert not place.on_land
    far = Geocoder(synthetic.pack.path, sea_km=5.0).lookup(45.0, -0.1)
    assert far.country is None


def test_nearest_town_is_in_the_same_country(synthetic):
    place = synthetic.lookup(45.0, 10.05)  # Betaland, 11 km from Border Town, 12 km from Beta Town
    assert place.city == "Beta Town"
    assert place.city_km == pytest.approx(11.8, abs=0.2)
    assert synthetic.lookup(45.0, 9.95).city == "Border Town"


def test_batch_reports_bad_rows_and_goes_on(synthetic):
    batch = synthetic.lookup_many([45.0, math.nan, 95.0, 45.0, 45.0], [7.0, 7.0, 7.0, math.inf, 10.5])
    assert set(batch.errors) == {1, 2, 3}
    assert batch.place(0).country == "Alphaland" and batch.place(4).country == "Betaland"
    assert "latitude" in batch.place(2).error and batch.place(2).country is None


def test_single_lookup_raises_on_impossible_input(synthetic):
    with pytest.raises(CoordinateRangeError):
        synthetic.lookup(91.0, 0.0)


def test_batch_matches_single_lookups(synthetic):
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-90, 90, 2000), rng.uniform(-180, 180, 2000)
    lat[:500], lon[:500] = rng.uniform(39, 51, 500), rng.uniform(-1, 21, 500)
    batch = synthetic.lookup_many(lat, lon)
    for i in range(0, 2000, 97):
        assert batch.place(i) == synthetic.lookup(lat[i], lon[i])


def test_matches_shapely_point_in_polygon(synthetic):
    """Exactness: every answer agrees with shapely's covers() on the source polygons."""
    import shapely

    from ....helpers.synthetic_world import LEVEL1

    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(39.5, 50.5, 20_000), rng.uniform(-0.5, 20.5, 20_000)
    lat[:2000], lon[:2000] = rng.uniform(43.99, 44.03, 2000), rng.uniform(1.99, 2.03, 2000)  # the enclave
    batch = Geocoder(synthetic.pack.path, sea_km=0).lookup_many(lat, lon)
    names = [row[3] for row in LEVEL1]
    polygons = [row[5] for row in LEVEL1]
    points = shapely.points(lon, lat)
    expected = np.full(len(lat), None, dtype=object)
    for name, polygon in zip(names, polygons, strict=True):
        inside = shapely.contains_xy(polygon, lon, lat)
        expected[inside] = name
    got = np.array([batch.place(i).state for i in range(len(lat))], dtype=object)
    on_edge = np.zeros(len(lat), dtype=bool)
    for polygon in polygons:
        on_edge |= shapely.distance(polygon.boundary, points) < 1e-9
    assert (got[~on_edge] == expected[~on_edge]).all()


def test_largest_town_nearby_is_the_city(synthetic):
    assert synthetic.lookup(45.0, 3.031).city == "Alpha Quarter"  # nearest
    batch = synthetic.lookup_many([45.0, 45.0], [3.031, 9.95], largest_town_km=10.0)
    assert batch.place(0).city == "Alpha City" and batch.place(0).city_km == pytest.approx(2.44, abs=0.05)
    assert batch.place(1).city == "Border Town"  # nothing larger within 10 km


def test_chains_name_the_city_and_say_how_they_fell_back(synthetic):
    from geor.engine.geo.geocoder.chain import fallback_counts, region_chains

    chains = region_chains(synthetic, [45.0, 45.0, 45.0, 0.0, 45.0, 95.0], [3.031, 1.0, 7.0, -140.0, -0.1, 0.0])
    assert (chains[0].country, chains[0].state, chains[0].city) == ("Alphaland", "North A", "Alpha City")
    assert chains[1].city == "West District" and chains[1].fallbacks == ("city_from_district",)
    assert chains[2].city is None and chains[2].fallbacks == ("no_city",)
    assert chains[3].fallbacks == ("no_country",)
    assert "offshore" in chains[4].fallbacks and chains[4].country == "Alphaland"
    assert chains[5].error and chains[5].fallbacks == ("invalid",)
    # the offshore point takes the district of the coast it is snapped to
    assert fallback_counts(chains) == {"complete": 1, "city_from_district": 2, "no_city": 1, "no_country": 1, "offshore": 1, "invalid": 1,
                                       "city:town_in_district": 1}
    assert (chains[0].city_source, chains[1].city_source, chains[2].city_source) == ("town_in_district", None, None)
    assert synthetic.lookup(45.0, 3.031).district_kind == "District"
    assert chains[0].cor_text() == "Country: Alphaland\nState: North A\nCity: Alpha City\nCoordinates: (45.000000, 3.031000)"


def test_a_municipality_names_the_city_itself(gadm_levels_file, tmp_path):
    """Where the smallest unit is a municipality (GADM's Japanese "Town" Biei), its own name is the
    city, even with a bigger town nearer in the next unit; a district's city is a town inside it."""
    from geor.engine.geo.geocoder import CityInput, build_pack
    from geor.engine.geo.geocoder.chain import fallback_counts, region_chains
    from geor.engine.geo.geocoder.gadm import read_gadm

    from ....helpers.synthetic_world import CITIES

    regions = read_gadm(gadm_levels_file)
    for region in regions:
        if region.name == "West District":
            region.name, region.kind = "Biei", "Town"
    towns = [*CITIES, CityInput("Kamifurano-like", 45.0, 2.55, 9_000, "AA")]  # in East District, nearer than any West town
    build_pack(tmp_path / "m.georpack", regions, towns, {"source": "test"}, grid_rows=256)
    world = Geocoder(tmp_path / "m.georpack")
    west, east = region_chains(world, [45.0, 45.0], [2.45, 2.6])
    assert (west.city, west.city_source, west.fallbacks) == ("Biei", "municipality", ())
    assert (east.city, east.city_source) == ("Kamifurano-like", "town_in_district")
    assert fallback_counts([west, east])["city:municipality"] == 1


@pytest.mark.parametrize(("name", "kind", "municipal"), [
    ("Biei", "Town", True), ("Lyon", "Commune", True), ("Guangzhou", "Prefecture City", True), ("Nantes", "Urban Municipality", True),
    ("Los Angeles", "County", False), ("Kamikawa", "Subprefecture", False), ("NA", "Municipality", False), ("A12", "Town", False),
    ("Biei", None, False),
])
def test_which_units_name_the_city(name, kind, municipal):
    from geor.engine.geo.geocoder.chain import is_municipality

    assert is_municipality(name, kind) is municipal


def test_single_layer_gadm_layout_gives_the_same_answers(tmp_path, synthetic):
    """gadm_410.gpkg holds only the finest units with every level's GID/NAME columns."""
    import shapely
    from shapely.geometry import MultiPolygon

    from geor.engine.geo.geocoder import build_pack
    from geor.engine.geo.geocoder.gadm import read_gadm
    from geor.engine.geo.geocoder.geopackage import write_geopackage

    from ....helpers.synthetic_world import CITIES, LEVEL1, LEVEL2

    rows, geometries = [], []
    split = {row[1] for row in LEVEL2}
    for g0, country, g1, n1, iso, polygon in LEVEL1:
        if g1 in split:
            for _, _, _, g2, n2, part in (r for r in LEVEL2 if r[1] == g1):
                rows.append({"GID_0": g0, "NAME_0": country, "GID_1": g1, "NAME_1": n1, "ISO_1": iso, "GID_2": g2, "NAME_2": n2})
                geometries.append(MultiPolygon(list(shapely.get_parts(part))))
        else:
            rows.append({"GID_0": g0, "NAME_0": country, "GID_1": g1, "NAME_1": n1, "ISO_1": iso, "GID_2": "", "NAME_2": ""})
            geometries.append(MultiPolygon(list(shapely.get_parts(polygon))))
    gpkg = tmp_path / "gadm_410.gpkg"
    text = "TEXT"
    write_geopackage(gpkg, "gadm_410", {c: text for c in ("GID_0", "NAME_0", "GID_1", "NAME_1", "ISO_1", "GID_2", "NAME_2")}, rows, geometries)
    regions = read_gadm(gpkg)
    assert sorted(r.level for r in regions) == [0] * 6 + [1] * 8 + [2] * 2
    pack = tmp_path / "single.georpack"
    build_pack(pack, regions, CITIES, {"source": "single-layer"}, grid_rows=256)
    other = Geocoder(pack)
    rng = np.random.default_rng(5)
    lat, lon = rng.uniform(39, 51, 3000), rng.uniform(-1, 21, 3000)
    a, b = synthetic.lookup_many(lat, lon).columns(), other.lookup_many(lat, lon).columns()
    for column in ("country", "state", "state_code", "district"):
        assert a[column] == b[column]


def test_gadm_files_that_are_not_gadm(tmp_path):
    from geor.engine.geo.geocoder.gadm import read_gadm
    from geor.engine.geo.geocoder.geopackage import GeoPackageError, write_geopackage

    other = tmp_path / "roads.gpkg"
    write_geopackage(other, "roads", {"name": "TEXT"}, [{"name": "A1"}], [None])
    with pytest.raises(GeoPackageError, match="no GADM layer"):
        read_gadm(other)
    sqlite_only = tmp_path / "plain.sqlite"
    import sqlite3

    sqlite3.connect(sqlite_only).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(GeoPackageError, match="not a GeoPackage"):
        read_gadm(sqlite_only)


def test_damaged_default_pack_is_rebuilt(tmp_path, monkeypatch):
    """The cached default pack is ours: a damaged copy is rebuilt, not a dead end."""
    from geor.engine.geo.geocoder import default_pack

    monkeypatch.setenv("GEOR_DATA_DIR", str(tmp_path))
    cached = tmp_path / "regionpacks" / f"default-{default_pack.DATA_VERSION}.georpack"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"GEORPAK1garbage")
    built = []
    monkeypatch.setattr(default_pack, "build_default_pack", lambda out, progress=None: built.append(out))
    messages = []
    assert default_pack.default_pack_path(progress=messages.append) == cached
    assert built == [cached] and "rebuilding" in messages[0]


def test_offshore_distance_is_to_the_coastline_not_to_a_vertex(synthetic):
    # Alphaland's west coast is the meridian 0 (vertices every 0.05 degrees); this point lies
    # between two of them. Distance to a meridian: R * asin(sin(dlon) * cos(lat)).
    from geor.engine.geo import EARTH_RADIUS_KM

    lat, lon = 45.0237, -0.1234
    expected = EARTH_RADIUS_KM * math.asin(math.sin(math.radians(0.1234)) * math.cos(math.radians(lat)))
    place = synthetic.lookup(lat, lon)
    assert place.country == "Alphaland"
    assert place.offshore_km == pytest.approx(expected, abs=0.002)


def test_gadm_countries_get_iso_alpha2_and_continent():
    from geor.engine.geo.geocoder.gadm import _country_fields

    assert _country_fields("CHE", "Switzerland") == {"code": "CHE", "iso_a2": "CH", "continent": "Europe"}
    assert _country_fields("BRA", "Brazil")["continent"] == "South America"
    assert _country_fields("XKO", "Kosovo", continent="Europe")["continent"] == "Europe"  # GADM's own column wins


def test_single_lookup_names_what_is_wrong(synthetic):
    with pytest.raises(CoordinateRangeError, match="latitude is 91.0"):
        synthetic.lookup(91.0, 0.0)
    with pytest.raises(ValueError, match="not a position"):
        synthetic.lookup(math.nan, 0.0)
