"""Write ``engine/geo/geocoder/data/japan_municipalities.npz.xz``: Japan's 1,902 municipalities
(MLIT National Land Numerical Information N03, 2022-01-01; wards of the designated cities as their
own units) in a compact form the default pack builds from.

Input: ``japan_municipalities_n03.gpkg`` (layer ``municipalities``), prepared from N03 as its
``SOURCES.md`` says (coverage-simplified to about 100 m, English names from Who's On First and
GeoNames). This script keeps its geometry and names and changes two things:

* coordinates are rounded to 1e-4 degrees (about 11 m, a tenth of the simplification), stored as
  int32 deltas, so shared borders stay shared (equal inputs round to equal outputs);
* the English names of the designated cities' wards (北区 -> Kita) and of the rural districts
  (上川郡 -> Kamikawa), which the input has only in Japanese, are romanised with ``pykakasi``
  (Hepburn, long vowels written short: 中央区 -> Chuo). Machine readings of place names can be
  wrong (保土ケ谷区 reads "Hotsuchiketani", not Hodogaya); they are details, never the city.

The file is a NumPy ``.npz`` (no pickle: plain arrays and fixed-width strings) compressed with xz.
Run by hand when the source changes, with pykakasi 2.3.0 importable
(``pip install --target DIR pykakasi==2.3.0`` and ``PYTHONPATH=DIR``):
``python installer/make_japan_municipalities.py PATH/japan_municipalities_n03.gpkg``; the pack's
``DATA_VERSION`` changes with the file.
"""

from __future__ import annotations

import io
import lzma
import sys
from pathlib import Path

import numpy as np
import shapely

from geor.engine.geo.geocoder.geopackage import open_geopackage, read_features

OUT = Path(__file__).resolve().parent.parent / "engine" / "geo" / "geocoder" / "data" / "japan_municipalities.npz.xz"
QUANTUM_DEG = 1e-4
COLUMNS = ("unit_id", "jis_code", "name_en", "name_local", "type_en", "ward_local", "county_or_city_local",
           "parent_iso3166_2", "geometry_source")
_LONG_VOWELS = (("ou", "o"), ("uu", "u"), ("oo", "o"))


def romanised(text: str, suffix: str) -> str:
    """``text`` without its ``suffix`` (区, 郡) in Hepburn, long vowels short, capitalised."""
    import pykakasi  # type: ignore[import-not-found]  # only to remake the file

    stem = text[: -len(suffix)] if suffix and text.endswith(suffix) else text
    reading = "".join(part["hepburn"] for part in pykakasi.kakasi().convert(stem))
    for long, short in _LONG_VOWELS:
        reading = reading.replace(long, short)
    return reading[:1].upper() + reading[1:]


def main(source: Path) -> None:
    connection = open_geopackage(source)
    rows: list[dict[str, str]] = []
    geometries: list[object] = []
    for attributes, shapes in read_features(connection, "municipalities", "geom", COLUMNS):
        rows.extend(attributes)
        geometries.extend(shapes)
    connection.close()
    order = sorted(range(len(rows)), key=lambda i: rows[i]["unit_id"])
    rows = [rows[i] for i in order]
    multi = np.array([shapely.multipolygons(shapely.get_parts(geometries[i])) for i in order], dtype=object)
    kind, coords, offsets = shapely.to_ragged_array(multi)
    assert kind == shapely.GeometryType.MULTIPOLYGON
    quantised = np.round(coords / QUANTUM_DEG).astype(np.int64)
    deltas = np.diff(quantised, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).astype(np.int32)
    ward_en = [romanised(r["ward_local"], "区") if r["ward_local"] else "" for r in rows]
    county_en = [romanised(r["county_or_city_local"], "郡") if str(r["county_or_city_local"]).endswith("郡") else "" for r in rows]
    arrays = {f"attr_{c}": np.array([str(r[c] or "") for r in rows]) for c in COLUMNS}
    arrays |= {"attr_ward_en": np.array(ward_en), "attr_county_en": np.array(county_en),
               "lon_delta": deltas[:, 0].copy(), "lat_delta": deltas[:, 1].copy(), "quantum_deg": np.array([QUANTUM_DEG]),
               "ring_offsets": offsets[0].astype(np.int32), "polygon_offsets": offsets[1].astype(np.int32),
               "unit_offsets": offsets[2].astype(np.int32)}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types the first keyword as allow_pickle
    OUT.write_bytes(lzma.compress(buffer.getvalue(), preset=9 | lzma.PRESET_EXTREME))
    print(f"{OUT}: {len(rows)} units, {len(coords):,} vertices, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
