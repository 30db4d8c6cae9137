"""The typed values of the Chain-of-Region format: a parsed or renderable answer, and the reasons
an answer can fail to parse."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from geor.engine.errors import BadInput


@dataclass(frozen=True)
class Level:
    """One line of the chain: its canonical label and the spellings a model may use instead."""

    key: str
    label: str
    aliases: tuple[str, ...]


#: The chain's levels, coarse to fine, as they appear in the answer.
LEVELS: tuple[Level, ...] = (
    Level("country", "Country", ("country", "nation")),
    Level("state", "State", ("state", "province", "state/province", "province/state", "region", "prefecture")),
    Level("city", "City", ("city", "town", "city/town", "locality", "municipality")),
    Level("coordinates", "Coordinates", (
        "coordinates", "coordinate", "coords", "gps", "gps coordinates",
        "lat/lon", "lat/long", "lat/lng", "latitude/longitude", "latitude, longitude",
    )),
)

#: Written in place of a level the renderer does not know; parsed back as None.
UNKNOWN = "Unknown"
#: Values a model writes for "I don't know"; all parse as None.
UNKNOWN_VALUES = frozenset({"unknown", "n/a", "na", "none", "-", "--", "?", "unsure", "not sure", "null"})

#: Decimal places of rendered coordinates (1e-6 degree is about 0.1 m).
COORDINATE_DECIMALS = 6


@dataclass(frozen=True)
class CorAnswer:
    """A Chain of Region with its coordinates; region names are None where unknown."""

    country: str | None
    state: str | None
    city: str | None
    lat: float
    lon: float
    reasoning: str | None = None
    #: How many (lat, lon) pairs the parsed text held (1 for a clean answer); not part of equality.
    coordinate_pairs: int = field(default=1, compare=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise BadInput(f"latitude {self.lat!r} outside [-90, 90]")
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise BadInput(f"longitude {self.lon!r} outside [-180, 180]")

    @property
    def ok(self) -> bool:
        return True


class FailureReason(enum.Enum):
    """Why a model's text is not a usable answer."""

    NOT_TEXT = "not_text"
    EMPTY = "empty"
    UNFINISHED_REASONING = "unfinished_reasoning"  # <think> never closed: generation cut off
    NO_COORDINATES = "no_coordinates"
    MALFORMED_COORDINATES = "malformed_coordinates"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, kw_only=True)
class CorParseFailure:
    """A text that holds no usable coordinates, with whatever region names it did hold."""

    reason: FailureReason
    detail: str
    country: str | None = None
    state: str | None = None
    city: str | None = None
    reasoning: str | None = None
    coordinate_pairs: int = 0

    @property
    def ok(self) -> bool:
        return False


ParseResult = CorAnswer | CorParseFailure
