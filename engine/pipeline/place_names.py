"""Place names (city, state, country, ISO codes) for positions, as a job stores and writes them."""

from __future__ import annotations

from collections.abc import Callable

from geor.engine.geo.geocoder import Geocoder

#: job-store column -> geocoder batch column
COLUMNS = {"city": "city", "state": "state", "country": "country", "country_code": "country_a2", "country_code3": "country_a3"}


def place_namer_for(geocoder: Geocoder) -> Callable[[list[tuple[float, float]]], list[dict[str, str | None]]]:
    """A function naming positions in batches: the city is the most populous town within 10 km in
    the same state, else the nearest one."""

    def name(positions: list[tuple[float, float]]) -> list[dict[str, str | None]]:
        batch = geocoder.lookup_many([p[0] for p in positions], [p[1] for p in positions], town_scope="state", largest_town_km=10.0)
        columns = batch.columns()
        return [{field: (columns[column][i] or None) for field, column in COLUMNS.items()} for i in range(len(positions))]

    return name
