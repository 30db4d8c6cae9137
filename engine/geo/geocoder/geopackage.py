"""Read polygons from an OGC GeoPackage with nothing but sqlite3 and shapely (no GDAL).

A GeoPackage geometry is a small "GP" header (magic, version, flags, SRS id, optional envelope)
followed by standard WKB, which shapely decodes in bulk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from geor.engine.errors import BadInput

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


class GeoPackageError(BadInput):
    """The file is not a readable GeoPackage, or lacks what the caller needs."""


def open_geopackage(path: Path) -> sqlite3.Connection:
    path = Path(path)
    if not path.is_file():
        raise GeoPackageError(f"{path}: no such file")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        connection.execute("SELECT table_name FROM gpkg_contents LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        raise GeoPackageError(f"{path}: not a GeoPackage ({exc})") from None
    return connection


def feature_tables(connection: sqlite3.Connection) -> dict[str, str]:
    """Feature table name -> its geometry column."""
    rows = connection.execute(
        "SELECT c.table_name, g.column_name FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
        "WHERE c.data_type = 'features'"
    ).fetchall()
    return {table: column for table, column in rows}


def columns_of(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]


def read_features(connection: sqlite3.Connection, table: str, geometry_column: str, columns: Sequence[str],
                  batch: int = 2000) -> Iterator[tuple[list[dict[str, Any]], np.ndarray]]:
    """Rows of ``table`` in batches: (attribute dicts, shapely geometries)."""
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = connection.execute(f'SELECT {names}, "{geometry_column}" FROM "{table}"')
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            return
        attributes = [dict(zip(columns, row[:-1], strict=True)) for row in rows]
        yield attributes, decode_geometries([row[-1] for row in rows], table)


def decode_geometries(blobs: Sequence[bytes | None], where: str = "") -> np.ndarray:
    """GeoPackage geometry blobs -> shapely geometries (None for NULL or empty)."""
    wkb: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkb.append(None)
            continue
        blob = bytes(blob)
        if blob[:2] != b"GP" or len(blob) < 8:
            raise GeoPackageError(f"{where}: geometry blob without the GeoPackage 'GP' header")
        flags = blob[3]
        envelope = (flags >> 1) & 0b111
        if envelope not in _ENVELOPE_BYTES:
            raise GeoPackageError(f"{where}: geometry blob with unknown envelope type {envelope}")
        wkb.append(None if flags & 0b10000 else blob[8 + _ENVELOPE_BYTES[envelope]:])
    try:
        geometries: NDArray[np.object_] = shapely.from_wkb(np.array(wkb, dtype=object))
        return geometries
    except shapely.errors.GEOSException as exc:
        raise GeoPackageError(f"{where}: malformed WKB geometry ({exc})") from None


def write_geopackage(path: Path, table: str, columns: dict[str, str], rows: Sequence[dict[str, Any]], geometries: Sequence[Any]) -> None:
    """Write one feature table (WGS 84) in the GeoPackage layout, the way GADM files are laid out
    (the tests build their GADM-style data with it). ``columns`` maps names to SQLite types."""
    connection = sqlite3.connect(path)
    try:
        _ensure_geopackage_tables(connection)
        definition = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        connection.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, {definition}, geom BLOB)')
        connection.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, 4326)", (table, table))
        connection.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', 4326, 0, 0)", (table,))
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        for row, geometry in zip(rows, geometries, strict=True):
            blob = None if geometry is None else _gp_header(geometry) + shapely.to_wkb(geometry)
            connection.execute(f'INSERT INTO "{table}" ({names}, geom) VALUES ({marks}, ?)', [*(row.get(n) for n in columns), blob])
        connection.commit()
    finally:
        connection.close()


def _gp_header(geometry: Any) -> bytes:
    import struct

    xmin, ymin, xmax, ymax = geometry.bounds
    # magic, version 0, flags: little-endian (1) + envelope type 1 (xy) << 1, SRS 4326
    return b"GP" + bytes([0, 0b011]) + struct.pack("<i", 4326) + struct.pack("<4d", xmin, xmax, ymin, ymax)


def _ensure_geopackage_tables(connection: sqlite3.Connection) -> None:
    connection.executescript(
        """
        CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT,
            organization_coordsys_id INTEGER, definition TEXT, description TEXT);
        INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84"]', NULL);
        CREATE TABLE IF NOT EXISTS gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
            description TEXT DEFAULT '', last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);
        CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT,
            srs_id INTEGER, z INTEGER, m INTEGER);
        PRAGMA application_id = 1196444487;
        """
    )
