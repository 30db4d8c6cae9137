"""Place names (city, state, country, ISO codes) for positions, as a job stores and writes them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from geor.engine.geo.geocoder import Geocoder
from geor.engine.geo.geocoder.chain import is_city_unit

#: job-store column -> geocoder batch column
COLUMNS = {"city": "city", "state": "state", "country": "country", "country_code": "country_a2", "country_code3": "country_a3"}


def place_namer_for(geocoder: Geocoder) -> Callable[[list[tuple[float, float]]], list[dict[str, str | None]]]:
    """A function naming positions in batches: the city is the municipality containing the position
    where the pack has one (the default pack's municipal units, a GADM municipality), else the most
    populous town within 10 km in the same state, else the nearest one. The geocoder's kernels are loaded (numba, about half a
    second) in the background at once, while a job scans and reads its photos."""

    def lookup(lats: list[float], lons: list[float]) -> Any:
        return geocoder.lookup_many(lats, lons, town_scope="state", largest_town_km=10.0)

    # a position on land (Paris): the kernels every lookup runs; the sea's (the nearest coast, and the grid of
    # every coast's edges, 0.1 s to build) load when a job's own positions need them
    warm_up = threading.Thread(target=lookup, args=([48.8566], [2.3522]), name="geor-geocoder-warm-up", daemon=True)
    warm_up.start()

    def name(positions: list[tuple[float, float]]) -> list[dict[str, str | None]]:
        warm_up.join()
        batch = lookup([p[0] for p in positions], [p[1] for p in positions])
        columns = batch.columns()
        columns["city"] = [batch.place(i).district if is_city_unit(batch.place(i)) else town for i, town in enumerate(columns["city"])]
        return [{field: (columns[column][i] or None) for field, column in COLUMNS.items()} for i in range(len(positions))]

    return name
