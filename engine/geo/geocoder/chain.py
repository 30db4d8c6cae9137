"""Chain-of-Region supervision: coordinates -> region chain -> the ``engine.cor`` answer text.

Rules only, no model: the country, state/province and district come from the polygons containing
the point; the city is the most populous town of the same state (else country) within
``CITY_CORE_KM``, else the nearest one within ``city_km``.
Where a level is missing the chain falls back, and says how:

* ``city_from_district``: no town near enough; the district's name stands in as the city;
* ``no_city`` / ``no_state``: that level is written as Unknown;
* ``offshore``: the point lies at sea within the geocoder's ``sea_km``; regions of the nearest coast;
* ``no_country``: open sea; every level Unknown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from numpy.typing import ArrayLike

from geor.engine.cor import COORDINATE_DECIMALS, CorAnswer, clean_name, is_renderable_name, render_answer

from .geocoder import Geocoder

#: A town farther than this is not "the city" of a photo: the district (or Unknown) stands in.
DEFAULT_CITY_KM = 50.0
#: Within this distance the most populous town is the city (Paris, not "Paris 16 Passy").
CITY_CORE_KM = 10.0


@dataclass(frozen=True)
class RegionChain:
    lat: float
    lon: float
    continent: str | None
    country: str | None
    state: str | None
    city: str | None
    fallbacks: tuple[str, ...] = ()
    error: str | None = None

    def answer(self) -> CorAnswer:
        """The chain as a Chain-of-Region answer (coordinates rounded as the format renders them)."""
        return CorAnswer(
            self.country, self.state, self.city,
            round(self.lat, COORDINATE_DECIMALS), round(((self.lon + 180.0) % 360.0) - 180.0, COORDINATE_DECIMALS),
        )

    def cor_text(self) -> str:
        return render_answer(self.answer())


def region_chains(geocoder: Geocoder, lat: ArrayLike, lon: ArrayLike, city_km: float = DEFAULT_CITY_KM) -> list[RegionChain]:
    """The region chain of every position, in order; invalid positions carry ``error``."""
    batch = geocoder.lookup_many(lat, lon, town_scope="state", largest_town_km=CITY_CORE_KM)
    chains = []
    for i in range(len(batch)):
        place = batch.place(i)
        if place.error:
            chains.append(RegionChain(place.lat, place.lon, None, None, None, None, ("invalid",), place.error))
            continue
        fallbacks: list[str] = []
        if place.country is None:
            fallbacks.append("no_country")
        elif place.offshore_km is not None:
            fallbacks.append("offshore")
        city = place.city if place.city_km is not None and place.city_km <= city_km else None
        if city is None and place.country is not None:
            if place.district:
                city = place.district
                fallbacks.append("city_from_district")
            else:
                fallbacks.append("no_city")
        state = _renderable(place.state)
        if state is None and place.country is not None:
            fallbacks.append("no_state")
        chains.append(RegionChain(
            place.lat, place.lon, place.continent, _renderable(place.country), state, _renderable(city), tuple(fallbacks),
        ))
    return chains


def fallback_counts(chains: list[RegionChain]) -> Counter[str]:
    """How many chains fell back, by reason (a chain may count under several)."""
    counts: Counter[str] = Counter()
    for chain in chains:
        counts.update(chain.fallbacks)
        if not chain.fallbacks:
            counts["complete"] += 1
    return counts


def _renderable(name: str | None) -> str | None:
    """A place name as the CoR format can carry it (edge punctuation trimmed), or None."""
    cleaned = clean_name(name)
    return cleaned if cleaned is not None and is_renderable_name(cleaned) else None
