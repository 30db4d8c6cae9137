"""Does a model's named region agree with where its own coordinates fall?

The model writes free-form names ("USA", "Bavaria", "Tokyo"); the geocoder knows the regions at
the coordinates ("United States of America", "Bayern", "Shinjuku"). Names are compared after
folding case, accents and punctuation, also against ISO codes and a short list of common English
variants; a name that matches none is a disagreement, a level the model left Unknown is unknown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from geor.engine.geo.geocoder import Place

#: Common English names of countries whose gazetteer name differs (folded form -> ISO alpha-2).
COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "us": "US", "united states": "US", "america": "US", "united states of america": "US",
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "russia": "RU", "south korea": "KR", "korea": "KR", "north korea": "KP",
    "czech republic": "CZ", "czechia": "CZ", "vietnam": "VN", "viet nam": "VN", "iran": "IR", "syria": "SY",
    "laos": "LA", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "taiwan": "TW",
    "holland": "NL", "the netherlands": "NL", "ivory coast": "CI", "cote d ivoire": "CI", "burma": "MM", "myanmar": "MM",
    "uae": "AE", "emirates": "AE", "turkey": "TR", "turkiye": "TR", "macedonia": "MK", "north macedonia": "MK",
    "eswatini": "SZ", "swaziland": "SZ", "cape verde": "CV", "cabo verde": "CV", "east timor": "TL", "timor leste": "TL",
    "vatican": "VA", "vatican city": "VA", "palestine": "PS", "dr congo": "CD", "drc": "CD", "congo kinshasa": "CD",
    "democratic republic of the congo": "CD", "congo brazzaville": "CG", "republic of the congo": "CG",
}


def fold(name: str) -> str:
    """Lower case, no accents, punctuation as spaces, one space between words."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^\w]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def same_name(claimed: str, known: str | None) -> bool:
    """Whether a claimed region name and a known one name the same place (folded; whole-word containment)."""
    if not known:
        return False
    a, b = fold(claimed), fold(known)
    if not a or not b:
        return False
    if a == b:
        return True
    # "Hokkaido" vs "Hokkaido Prefecture", "New York" vs "New York City": whole-word containment
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 4 and re.search(rf"\b{re.escape(shorter)}\b", longer) is not None


@dataclass(frozen=True)
class LevelCheck:
    level: str  # country, state, city
    claimed: str | None  # what the model wrote (None: Unknown)
    found: str | None  # what the geocoder has at the coordinates
    agrees: bool | None  # None when either side is unknown


def check_levels(country: str | None, state: str | None, city: str | None, place: Place) -> list[LevelCheck]:
    checks = []
    if country is None or place.country is None:
        agrees = None
    else:
        alias = COUNTRY_ALIASES.get(fold(country))
        agrees = (
            same_name(country, place.country)
            or (alias is not None and alias == place.country_a2)
            or country.strip().upper() in {place.country_a2, place.country_a3}
        )
    checks.append(LevelCheck("country", country, place.country, agrees))
    if state is None or place.state is None:
        state_agrees = None
    else:
        code = (place.state_code or "").upper()
        state_agrees = same_name(state, place.state) or same_name(state, place.district) or (bool(code) and state.strip().upper() in {code, code.split("-")[-1]})
    checks.append(LevelCheck("state", state, place.state, state_agrees))
    if city is None or (place.city is None and place.district is None):
        city_agrees = None
    else:
        city_agrees = same_name(city, place.city) or same_name(city, place.district) or same_name(city, place.state)
    checks.append(LevelCheck("city", city, place.city, city_agrees))
    return checks
