"""Write ``engine/geo/geocoder/data/enclaves.geojson``: the small enclaves and exclaves that Natural
Earth's 1:10m countries leave out or draw too small (Büsingen, Campione, Baarle, Vatican City...),
taken from OpenStreetMap's national borders as the timezone-boundary-builder polygons carry them
(``timezonefinder-data``, ODbL 1.0).

Rule, applied to every zone in ``zone.tab`` (one country per zone) without a list of names: a part of
a zone's polygon smaller than ``MAX_KM2`` that lies at least ``INSIDE`` within one Natural Earth
country other than the zone's own is an enclave of the zone's country. Whole parts inside a foreign
country are land surrounded by land, so the timezone polygons' territorial waters never enter.

Run by hand when the sources change (``python installer/make_enclaves.py``, with ``timezonefinder``
installed); the pack's ``DATA_VERSION`` changes with the file.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import numpy as np
import shapely

MAX_KM2 = 150.0
INSIDE = 0.9
OUT = Path(__file__).resolve().parent.parent / "engine" / "geo" / "geocoder" / "data" / "enclaves.geojson"


def _zone_countries() -> dict[str, str]:
    import tzdata

    table = Path(tzdata.__file__).parent / "zoneinfo" / "zone.tab"
    rows = (line.split("\t") for line in table.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))
    return {row[2]: row[0] for row in rows}


def _km2(geometry: shapely.Geometry) -> float:
    lat = shapely.centroid(geometry).y
    return float(geometry.area) * 111.32**2 * np.cos(np.radians(lat))


def main() -> None:
    from timezonefinder import TimezoneFinder

    from geor.engine.geo.geocoder.natural_earth import read_countries

    countries = read_countries()
    tree = shapely.STRtree([c.geometry for c in countries])
    finder = TimezoneFinder(in_memory=True)
    features = []
    for zone, code in sorted(_zone_countries().items()):
        if zone not in finder.timezone_names:
            continue
        for polygon in finder.get_geometry(tz_name=zone, coords_as_pairs=True):
            part = shapely.make_valid(shapely.Polygon(polygon[0], polygon[1:]))
            if part.is_empty or _km2(part) > MAX_KM2:
                continue
            for index in tree.query(part, predicate="intersects"):
                host = countries[int(index)]
                if host.iso_a2 == code:
                    continue
                if shapely.intersection(part, host.geometry).area >= INSIDE * part.area:
                    features.append({
                        "type": "Feature",
                        "properties": {"country": code, "zone": zone, "inside": host.iso_a2, "km2": round(_km2(part), 3)},
                        "geometry": shapely.geometry.mapping(shapely.set_precision(part, 1e-6)),
                    })
                    break
    data = {
        "type": "FeatureCollection",
        "source": f"OpenStreetMap contributors, via timezone-boundary-builder as packaged in timezonefinder-data "
                  f"{metadata.version('timezonefinder-data')}; rule: installer/make_enclaves.py",
        "license": "ODbL-1.0",
        "features": features,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    for f in features:
        print(f["properties"])
    print(f"{len(features)} enclaves -> {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
