"""A small synthetic world, written as a GADM-layout GeoPackage (the geocoder tests build a pack from it).

Alphaland (AAA) holds two states split at lon 5 and, inside state A1, a hole that is Enclavia
(ENC, a Baarle-style enclave). Betaland (BBB) borders Alphaland at lon 10. Fijiland (FJJ)
straddles the antimeridian. Southland (SSS) covers the south pole. Dotland (DOT) is a 2 km island.
"""

from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, box

from geor.engine.geo.geocoder import CityInput
from geor.engine.geo.geocoder.geopackage import write_geopackage

ENCLAVE = box(2.0, 44.0, 2.02, 44.02)  # about 1.6 x 2.2 km
A1 = box(0, 40, 5, 50).difference(ENCLAVE)
A2 = box(5, 40, 10, 50)
B1 = box(10, 40, 20, 50)
FIJI_EAST = box(177, -20, 180, -16)
FIJI_WEST = box(-180, -20, -178, -16)
SOUTH = box(-180, -90, 180, -80)
DOT = box(-30.0, 10.0, -29.98, 10.02)

LEVEL0 = [
    ("AAA", "Alphaland", shapely.union_all([A1, A2])),
    ("BBB", "Betaland", B1),
    ("ENC", "Enclavia", ENCLAVE),
    ("FJJ", "Fijiland", MultiPolygon([FIJI_EAST, FIJI_WEST])),
    ("SSS", "Southland", SOUTH),
    ("DOT", "Dotland", DOT),
]
LEVEL1 = [
    ("AAA", "Alphaland", "AAA.1_1", "North A", "AA-N", A1),
    ("AAA", "Alphaland", "AAA.2_1", "South A", "AA-S", A2),
    ("BBB", "Betaland", "BBB.1_1", "Beta One", "BB-1", B1),
    ("ENC", "Enclavia", "ENC.1_1", "Enclave", None, ENCLAVE),
    ("FJJ", "Fijiland", "FJJ.1_1", "East Fiji", "FJ-E", FIJI_EAST),
    ("FJJ", "Fijiland", "FJJ.2_1", "West Fiji", "FJ-W", FIJI_WEST),
    ("SSS", "Southland", "SSS.1_1", "Pole", None, SOUTH),
    ("DOT", "Dotland", "DOT.1_1", "Dot", None, DOT),
]
LEVEL2 = [
    ("AAA", "AAA.1_1", "North A", "AAA.1.1_1", "West District", A1.intersection(box(0, 40, 2.5, 50))),
    ("AAA", "AAA.1_1", "North A", "AAA.1.2_1", "East District", A1.intersection(box(2.5, 40, 5, 50))),
]
CITIES = [
    CityInput("Alpha City", 45.0, 3.0, 500_000, "AA"),
    CityInput("Alpha Quarter", 45.0, 3.03, 1_000, "AA"),  # a quarter 2.4 km from the centre
    CityInput("Border Town", 45.0, 9.9, 20_000, "AA"),
    CityInput("Beta Town", 45.0, 10.2, 5_000, "BB"),
    CityInput("Enclave Village", 44.01, 2.01, 800, "EN"),
    CityInput("Suva-like", -18.0, 178.5, 90_000, "FJ"),
]


def write_gadm_levels(path: Path) -> Path:
    text = "TEXT"
    write_geopackage(path, "ADM_0", {"GID_0": text, "COUNTRY": text}, [{"GID_0": g, "COUNTRY": n} for g, n, _ in LEVEL0], [MultiPolygon([p]) if p.geom_type == "Polygon" else p for *_, p in LEVEL0])
    write_geopackage(
        path, "ADM_1", {"GID_0": text, "COUNTRY": text, "GID_1": text, "NAME_1": text, "ISO_1": text},
        [{"GID_0": g0, "COUNTRY": c, "GID_1": g1, "NAME_1": n1, "ISO_1": iso} for g0, c, g1, n1, iso, _ in LEVEL1],
        [MultiPolygon([p]) if p.geom_type == "Polygon" else p for *_, p in LEVEL1],
    )
    write_geopackage(
        path, "ADM_2", {"GID_0": text, "GID_1": text, "NAME_1": text, "GID_2": text, "NAME_2": text, "ENGTYPE_2": text},
        [{"GID_0": g0, "GID_1": g1, "NAME_1": n1, "GID_2": g2, "NAME_2": n2, "ENGTYPE_2": "District"} for g0, g1, n1, g2, n2, _ in LEVEL2],
        [MultiPolygon([p]) if p.geom_type == "Polygon" else p for *_, p in LEVEL2],
    )
    return path
