"""Town gazetteers as CSV: ``name, lat, lon, population, country_code`` (ISO 3166-1 alpha-2),
optionally ``admin1``. Lets a user bring their own gazetteer to ``geor geocoder build --towns``."""

from __future__ import annotations

import math
from pathlib import Path

from geor.engine.csv_files import open_csv
from geor.engine.errors import BadInput

from .build import CityInput

REQUIRED = ("name", "lat", "lon", "population", "country_code")


def read_towns_csv(path: Path) -> list[CityInput]:
    """Towns from a CSV; a row with a bad position or population is an error naming its line."""
    handle, reader, header = open_csv(path)
    with handle:
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise BadInput(f"{path}: missing column(s) {', '.join(missing)}; a towns CSV has {', '.join(REQUIRED)}")
        towns = []
        for row in reader:
            try:
                lat, lon, population = float(row["lat"]), float(row["lon"]), int(float(row["population"] or 0))
            except ValueError:
                raise BadInput(f"{path}: line {reader.line_num}: lat/lon/population must be numbers") from None
            if not (abs(lat) <= 90 and math.isfinite(lon)):
                raise BadInput(f"{path}: line {reader.line_num}: ({lat}, {lon}) is not a valid position")
            towns.append(CityInput(row["name"], lat, lon, population, row["country_code"], row.get("admin1") or ""))
    return towns
