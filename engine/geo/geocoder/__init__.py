"""Offline hierarchical reverse geocoder: region packs (GADM or the embedded default), batch
queries, and the Chain-of-Region supervision built on it."""

from .build import BuildReport, CityInput, RegionInput, build_pack
from .geocoder import DEFAULT_SEA_KM, DEFAULT_TOWN_KM, GeocodeBatch, Geocoder, Place
from .pack_format import PackFormatError

__all__ = [
    "DEFAULT_SEA_KM",
    "DEFAULT_TOWN_KM",
    "BuildReport",
    "CityInput",
    "GeocodeBatch",
    "Geocoder",
    "PackFormatError",
    "Place",
    "RegionInput",
    "build_pack",
]
