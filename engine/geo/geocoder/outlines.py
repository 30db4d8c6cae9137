"""A world map drawn from the region pack alone, for offline maps (the desktop app, error maps).

The pack keeps every region's boundary as densified vertices (the ``edge_*`` arrays behind "nearest
region"). Here they become polylines a map can draw: each boundary segment shared by two regions is
kept once, and classed by what it separates: land from sea (``coast``), two countries
(``country``), or two divisions of one country (``division``). Each class comes at a few levels of
detail (Douglas-Peucker tolerances in degrees), so a world view draws thousands of vertices, not
millions. ``land_mask`` rasterises land for a background. Both are computed once per pack and cached
in the user's cache directory.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray

from geor.engine.atomic import atomic_binary_writer
from geor.engine.paths import user_cache_dir

from .pack_format import Pack

#: Line classes, drawn in this order (the last on top).
CLASSES = ("division", "coast", "country")
#: Levels of detail: Douglas-Peucker tolerance in degrees (0: every vertex of the pack).
TOLERANCES_DEG = (0.0, 0.01, 0.05, 0.25)
#: Boundary vertices are matched across regions at this precision (about 10 m); the pack's float32
#: coordinates differ in the last bits where two neighbours densified the same border.
_QUANTUM_DEG = 1e-4
_CACHE_VERSION = "1"


@dataclass(frozen=True)
class Polylines:
    """Many polylines in two arrays: ``lonlat`` (n, 2) float32 and ``starts`` (m + 1) offsets."""

    lonlat: np.ndarray
    starts: np.ndarray

    def __len__(self) -> int:
        return len(self.starts) - 1

    def line(self, i: int) -> np.ndarray:
        return self.lonlat[self.starts[i]:self.starts[i + 1]]


@dataclass(frozen=True)
class MapOutlines:
    lines: dict[tuple[str, float], Polylines]  # (class, tolerance) -> polylines

    def at(self, line_class: str, tolerance_deg: float) -> Polylines:
        return self.lines[(line_class, tolerance_deg)]

    @staticmethod
    def tolerance_for(degrees_per_pixel: float) -> float:
        """The coarsest level of detail whose error stays under about a pixel."""
        fitting = [t for t in TOLERANCES_DEG if t <= degrees_per_pixel]
        return max(fitting) if fitting else 0.0


def map_outlines(pack: Pack, cache: bool = True) -> MapOutlines:
    """The pack's boundaries as classed polylines (cached after the first call; a few seconds)."""
    path = _cache_path(pack, "outlines") if cache else None
    if path is not None and path.is_file():
        try:
            with np.load(path) as data:
                return MapOutlines({(c, t): Polylines(data[f"{c}_{t}_xy"], data[f"{c}_{t}_starts"]) for c in CLASSES for t in TOLERANCES_DEG})
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt
    outlines = _build_outlines(pack)
    if path is not None:
        arrays = {}
        for (c, t), lines in outlines.lines.items():
            arrays[f"{c}_{t}_xy"], arrays[f"{c}_{t}_starts"] = lines.lonlat, lines.starts
        _save_npz(path, arrays)
    return outlines


def land_mask(pack: Pack, width: int, height: int, cache: bool = True) -> np.ndarray:
    """(height, width) booleans: is the centre of each equirectangular pixel on land?"""
    path = _cache_path(pack, f"land-{width}x{height}") if cache else None
    if path is not None and path.is_file():
        try:
            with np.load(path) as data:
                return np.unpackbits(data["bits"])[: width * height].reshape(height, width).astype(bool)
        except (OSError, ValueError, KeyError):
            pass
    from .geocoder import Geocoder

    on_land = Geocoder(pack, sea_km=0.0)
    lat = 90.0 - (np.arange(height) + 0.5) * 180.0 / height
    lon = -180.0 + (np.arange(width) + 0.5) * 360.0 / width
    grid_lat, grid_lon = np.meshgrid(lat, lon, indexing="ij")
    batch = on_land.lookup_many(grid_lat.ravel(), grid_lon.ravel())
    mask: NDArray[np.bool_] = ((batch.region[0] >= 0) & np.isnan(batch.offshore_km)).reshape(height, width)
    if path is not None:
        _save_npz(path, {"bits": np.packbits(mask.ravel())})
    return mask


def _build_outlines(pack: Pack) -> MapOutlines:
    a = pack.arrays
    lon = np.asarray(a["edge_lon"], dtype=np.float64)
    lat = np.asarray(a["edge_lat"], dtype=np.float64)
    country = _country_of_vertices(pack)
    seg = np.flatnonzero(np.asarray(a["edge_joined"]) == 1)  # vertex seg joins vertex seg + 1
    point = _point_ids(lon, lat)
    first, second = point[seg], point[seg + 1]
    keys = np.stack([np.minimum(first, second), np.maximum(first, second)], axis=1)
    proper = first != second  # a segment shorter than the quantum is no segment
    seg, keys = seg[proper], keys[proper]
    # group equal segments by sorting (np.unique(axis=0) would hold the GIL for seconds, freezing a GUI)
    order = np.lexsort((keys[:, 1], keys[:, 0]))  # stable: the first of each group is its first occurrence
    sorted_keys = keys[order]
    starts_group = np.ones(len(order), dtype=bool)
    starts_group[1:] = (sorted_keys[1:] != sorted_keys[:-1]).any(axis=1)
    group_starts = np.flatnonzero(starts_group)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(starts_group) - 1
    first_index = order[group_starts]
    counts = np.diff(np.append(group_starts, len(order)))
    sorted_country = country[seg][order]
    low = np.minimum.reduceat(sorted_country, group_starts) if len(order) else sorted_country
    high = np.maximum.reduceat(sorted_country, group_starts) if len(order) else sorted_country
    unique_class = np.where(counts == 1, 1, np.where(low != high, 2, 0))  # index into CLASSES
    keep = np.zeros(len(seg), dtype=bool)
    keep[first_index] = True
    seg_class = unique_class[inverse]
    lines: dict[tuple[str, float], Polylines] = {}
    for class_index, line_class in enumerate(CLASSES):
        chosen = seg[keep & (seg_class == class_index)]
        full = _chain(chosen, lon, lat)
        for tolerance in TOLERANCES_DEG:
            lines[(line_class, tolerance)] = full if tolerance == 0 else _simplified(full, tolerance)
    return MapOutlines(lines)


def _country_of_vertices(pack: Pack) -> np.ndarray:
    """Each boundary vertex's country (level-0 region index), through the levels' parent arrays."""
    a = pack.arrays
    level = np.asarray(a["edge_level"], dtype=np.int64)
    region = np.asarray(a["edge_region"], dtype=np.int64)
    country = region.copy()
    for lv in range(1, len(pack.meta["levels"])):
        at = level == lv
        up = region[at]
        for parent_level in range(lv, 0, -1):
            up = np.asarray(a[f"L{parent_level}_parent"], dtype=np.int64)[up]
        country[at] = up
    return country


def _point_ids(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    qlon = np.rint((lon + 180.0) / _QUANTUM_DEG).astype(np.int64)
    qlat = np.rint((lat + 90.0) / _QUANTUM_DEG).astype(np.int64)
    return qlon * 2_000_000 + qlat


def _chain(segments: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> Polylines:
    """Consecutive segments (vertex i to i + 1, then i + 1 to i + 2) joined into polylines."""
    segments = np.sort(segments)
    if len(segments) == 0:
        return Polylines(np.zeros((0, 2), np.float32), np.zeros(1, np.int64))
    breaks = np.flatnonzero(np.diff(segments) != 1) + 1
    run_starts = np.concatenate([[0], breaks])
    run_ends = np.concatenate([breaks, [len(segments)]])
    vertices = []
    starts = [0]
    for s, e in zip(run_starts, run_ends, strict=True):
        v = np.arange(segments[s], segments[e - 1] + 2)
        vertices.append(v)
        starts.append(starts[-1] + len(v))
    index = np.concatenate(vertices)
    lonlat = np.stack([lon[index], lat[index]], axis=1).astype(np.float32)
    return Polylines(lonlat, np.asarray(starts, dtype=np.int64))


def _simplified(lines: Polylines, tolerance: float) -> Polylines:
    if len(lines) == 0:
        return lines
    line_id = np.repeat(np.arange(len(lines)), np.diff(lines.starts))
    geometries = shapely.linestrings(lines.lonlat.astype(np.float64), indices=line_id)
    simple = shapely.simplify(geometries, tolerance, preserve_topology=False)
    coords, index = shapely.get_coordinates(simple, return_index=True)
    counts = np.bincount(index, minlength=len(lines))
    starts = np.zeros(len(lines) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return Polylines(coords.astype(np.float32), starts)


def _cache_path(pack: Pack, what: str) -> Path:
    meta = pack.meta
    identity = "|".join(str(meta.get(k)) for k in ("data_version", "built_at", "source")) + f"|{len(pack.arrays.get('edge_lon', ()))}"
    digest = hashlib.sha256(f"{_CACHE_VERSION}|{identity}".encode()).hexdigest()[:16]
    return user_cache_dir() / "map" / f"{what}-{digest}.npz"


def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]  # mypy matches **arrays to allow_pickle: bool
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_binary_writer(path) as handle:
            handle.write(buffer.getvalue())
    except OSError:
        pass  # no cache (read-only home): computed again next time
