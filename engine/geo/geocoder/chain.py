"""Chain-of-Region supervision: coordinates -> region chain -> the ``engine.cor`` answer text.

Rules only, no model: the country, state/province and district come from the polygons containing
the point. The city is the smallest administrative unit containing the point where the pack has one
that is a municipality (the default pack's municipal units, which say their source and level;
GADM's Japanese "Town" Biei, a French "Commune"); a point in a large unit (``LARGE_KM2``) also says
which town it is near. Inside a unit that is a
district or county, or whose name is only a code, it is the most populous town of that unit within
``CITY_CORE_KM``, else its nearest town; without such units (the default pack), the most populous
town of the same state within ``CITY_CORE_KM``, else the nearest one within ``city_km``. Each chain
says where its city came from (``city_source``: ``municipality``, ``town_in_district`` or
``nearest_town``), and :func:`fallback_counts` counts them.
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

from .geocoder import Geocoder, Place

#: A town farther than this is not "the city" of a photo: the district (or Unknown) stands in.
DEFAULT_CITY_KM = 50.0
#: Within this distance the most populous town is the city (Paris, not "Paris 16 Passy").
CITY_CORE_KM = 10.0
#: A municipality this large (km²) is "large": a chain also names the nearest town in it.
LARGE_KM2 = 100.0
#: How the default pack marks a unit type that is a district rather than a municipality ("Districts (district)").
DISTRICT_MARK = "(district)"
#: Unit types (GADM's ENGTYPE, any word of it) whose own name is the city.
MUNICIPAL_WORDS = frozenset({"municipality", "municipal", "commune", "city", "town", "village", "township", "borough", "comune", "gemeinde"})


@dataclass(frozen=True, kw_only=True)
class RegionChain:
    lat: float
    lon: float
    continent: str | None
    country: str | None
    state: str | None
    city: str | None
    fallbacks: tuple[str, ...] = ()
    error: str | None = None
    city_source: str | None = None  # "municipality", "town_in_district", "nearest_town"; None without a town
    city_level: str | None = None  # a municipality's data set and level ("MLIT N03 2022 municipality"), its type and ward/district
    near_town: str | None = None  # in a large municipality: the nearest town, "Kami-furano (11.9 km)"

    def answer(self) -> CorAnswer:
        """The chain as a Chain-of-Region answer (coordinates rounded as the format renders them)."""
        return CorAnswer(country=self.country, state=self.state, city=self.city,
                         lat=round(self.lat, COORDINATE_DECIMALS), lon=round(((self.lon + 180.0) % 360.0) - 180.0, COORDINATE_DECIMALS))

    def cor_text(self) -> str:
        return render_answer(self.answer())


def region_chains(geocoder: Geocoder, lat: ArrayLike, lon: ArrayLike, city_km: float = DEFAULT_CITY_KM) -> list[RegionChain]:
    """The region chain of every position, in order; invalid positions carry ``error``."""
    batch = geocoder.lookup_many(lat, lon, town_scope="district", largest_town_km=CITY_CORE_KM)
    chains = []
    for i in range(len(batch)):
        place = batch.place(i)
        if place.error:
            chains.append(
                RegionChain(lat=place.lat, lon=place.lon, continent=None, country=None, state=None, city=None, fallbacks=("invalid",),
                            error=place.error)
            )
            continue
        fallbacks: list[str] = []
        if place.country is None:
            fallbacks.append("no_country")
        elif place.offshore_km is not None:
            fallbacks.append("offshore")
        city, city_source, city_level, near_town = None, None, None, None
        if place.district and is_city_unit(place):
            city, city_source = place.district, "municipality"
            city_level = municipal_detail(place)
            if (place.district_km2 or 0.0) >= LARGE_KM2 and place.city and (place.city_km or 0.0) <= city_km:
                near_town = f"{place.city} ({place.city_km:.1f} km)"
        elif place.city_km is not None and place.city_km <= city_km:
            city, city_source = place.city, "town_in_district" if place.district else "nearest_town"
        if city is None and place.country is not None:
            if place.district:
                city = place.district
                fallbacks.append("city_from_district")
            else:
                fallbacks.append("no_city")
        state = _renderable(place.state)
        if state is None and place.country is not None:
            fallbacks.append("no_state")
        city = _renderable(city)
        chains.append(
            RegionChain(lat=place.lat, lon=place.lon, continent=place.continent, country=_renderable(place.country), state=state, city=city,
                        fallbacks=tuple(fallbacks), city_source=city_source if city else None, city_level=city_level if city else None,
                        near_town=near_town if city else None)
        )
    return chains


def municipal_detail(place: Place) -> str:
    """What a municipality is and where it comes from: "Town, Kamikawa District; MLIT N03 2022 municipality"."""
    what = ", ".join(x for x in (place.district_kind, place.district_detail) if x)
    return "; ".join(x for x in (what, place.district_source) if x)


def is_city_unit(place: Place) -> bool:
    """Whether a place's district is its city: a unit the pack chose as the municipal level (it says its
    source) unless its type marks it a district, county or province, or a unit of a municipal type."""
    if not place.district:
        return False
    if (place.district_kind or "").endswith(DISTRICT_MARK):
        return False
    if place.district_source:
        return not _is_code(place.district)
    return is_municipality(place.district, place.district_kind)


def is_municipality(name: str, kind: str | None) -> bool:
    """Whether a unit's own name is a city's: its type is a municipality's, and its name is not a code."""
    words = set((kind or "").lower().replace("-", " ").split())
    return bool(words & MUNICIPAL_WORDS) and not _is_code(name)


def _is_code(name: str) -> bool:
    stripped = name.replace("-", "").replace(".", "").replace(" ", "")
    return not stripped or stripped in ("NA", "?") or any(ch.isdigit() for ch in stripped) and stripped.upper() == stripped


def fallback_counts(chains: list[RegionChain]) -> Counter[str]:
    """How many chains fell back, by reason (a chain may count under several), and where the cities
    came from (``city:municipality``, ``city:town_in_district``, ``city:nearest_town``)."""
    counts: Counter[str] = Counter()
    for chain in chains:
        counts.update(chain.fallbacks)
        if not chain.fallbacks:
            counts["complete"] += 1
        if chain.city_source:
            counts[f"city:{chain.city_source}"] += 1
    return counts


def _renderable(name: str | None) -> str | None:
    """A place name as the CoR format can carry it (edge punctuation trimmed), or None."""
    cleaned = clean_name(name)
    return cleaned if cleaned is not None and is_renderable_name(cleaned) else None
