"""Find a place by name in the region pack's gazetteer: how a user corrects a location by typing
"Biei" or "Kyoto, Japan" instead of coordinates. Accents and case are ignored; whole-name matches
come first, then names that start with the text, then names that contain it, each by population."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from .geocoder import Geocoder


@dataclass(frozen=True)
class PlaceMatch:
    name: str
    state: str | None
    country: str | None
    lat: float
    lon: float
    population: int

    @property
    def label(self) -> str:
        return ", ".join(x for x in (self.name, self.state, self.country) if x)


def folded(text: str) -> str:
    """Lower case without accents, for matching what users type against gazetteer names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class PlaceSearch:
    """Built once per geocoder (folding 236,000 names takes about a second)."""

    def __init__(self, geocoder: Geocoder) -> None:
        self.geocoder = geocoder
        self._names = geocoder.string_list(-1, "name")
        self._folded = [folded(n) for n in self._names]
        a = geocoder.pack.arrays
        self._country = np.asarray(a["city_country"])
        self._state = np.asarray(a["city_state"]) if "city_state" in a else None
        self._country_names = geocoder.string_list(0, "name")
        self._state_names = geocoder.string_list(1, "name") if len(geocoder.levels) > 1 else []

    def find(self, text: str, limit: int = 20) -> list[PlaceMatch]:
        """Towns whose name matches ``text``; "name, country" narrows by country (or state)."""
        name, _, within = text.partition(",")
        wanted, scope = folded(name), folded(within)
        if not wanted:
            return []
        ranked: list[tuple[int, int]] = []  # (match rank, town index); towns are stored most populous first
        for i, candidate in enumerate(self._folded):
            if candidate == wanted:
                ranked.append((0, i))
            elif candidate.startswith(wanted):
                ranked.append((1, i))
            elif len(wanted) >= 3 and wanted in candidate:
                ranked.append((2, i))
        matches = []
        for _, i in sorted(ranked):
            match = self._match(i)
            if scope and not any(scope in folded(x or "") for x in (match.country, match.state)):
                continue
            matches.append(match)
            if len(matches) >= limit:
                break
        return matches

    def _match(self, i: int) -> PlaceMatch:
        a = self.geocoder.pack.arrays
        country = int(self._country[i])
        state = int(self._state[i]) if self._state is not None else -1
        return PlaceMatch(
            self._names[i],
            self._state_names[state] if state >= 0 else None,
            self._country_names[country] if country >= 0 else None,
            float(a["city_lat"][i]), float(a["city_lon"][i]), int(a["city_population"][i]),
        )
