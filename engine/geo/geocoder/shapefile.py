"""Read the geometry of an ESRI shapefile (.shp) of polylines or polygons with NumPy alone.

Only what the embedded default data needs: shape types 3 (PolyLine) and 5 (Polygon), and their
M/Z variants, whose x/y come first. Attributes (.dbf) are not read.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

_POLYLINE_TYPES = {3, 13, 23}
_POLYGON_TYPES = {5, 15, 25}


class ShapefileError(ValueError):
    """Not a shapefile this reader understands."""


def read_shp_parts(path: Path) -> list[np.ndarray]:
    """Every part (a line, or a polygon ring) of every record, as an (n, 2) array of (x, y)."""
    data = Path(path).read_bytes()
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise ShapefileError(f"{path}: not an ESRI shapefile")
    shape_type = struct.unpack("<i", data[32:36])[0]
    if shape_type not in _POLYLINE_TYPES | _POLYGON_TYPES:
        raise ShapefileError(f"{path}: shape type {shape_type} is not polyline or polygon")
    parts: list[np.ndarray] = []
    offset = 100
    while offset + 8 <= len(data):
        length_bytes = struct.unpack(">i", data[offset + 4: offset + 8])[0] * 2
        record = offset + 8
        offset = record + length_bytes
        if offset > len(data):
            raise ShapefileError(f"{path}: truncated record at byte {record}")
        kind = struct.unpack("<i", data[record: record + 4])[0]
        if kind == 0:  # null shape
            continue
        n_parts, n_points = struct.unpack("<ii", data[record + 36: record + 44])
        starts = np.frombuffer(data, dtype="<i4", count=n_parts, offset=record + 44)
        points = np.frombuffer(data, dtype="<f8", count=2 * n_points, offset=record + 44 + 4 * n_parts).reshape(-1, 2)
        bounds = [*starts.tolist(), n_points]
        parts.extend(points[bounds[i]: bounds[i + 1]].copy() for i in range(n_parts))
    return parts
