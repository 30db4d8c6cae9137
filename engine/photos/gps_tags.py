"""EXIF/XMP spellings of a GPS position: the tables of what Geo-R writes, and strict conversions.

EXIF stores latitude and longitude as three unsigned rationals (degrees, minutes, seconds) plus a
reference letter; XMP (sidecars) as ``DD,MM.mmmmN``. Parsing is strict: a malformed GPS block is
reported, never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SECONDS_DENOMINATOR = 10_000  # 1e-4 arc-second, about 3 mm
ALTITUDE_DENOMINATOR = 100


class GpsTagError(ValueError):
    """A GPS tag that cannot be a position (wrong count, zero denominator, out of range)."""


@dataclass(frozen=True)
class Location:
    """What Geo-R writes into a photo: a position and, when known, the place's names."""

    lat: float
    lon: float
    altitude_m: float | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2 (XMP)
    country_code3: str | None = None  # ISO 3166-1 alpha-3 (IPTC IIM)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90 <= self.lat <= 90 and math.isfinite(self.lon) and -180 <= self.lon <= 180):
            raise ValueError(f"({self.lat}, {self.lon}) is not a valid position")


def _dms(value: float) -> tuple[int, int, int]:
    """Degrees, minutes and seconds * SECONDS_DENOMINATOR of |value|, carrying rounding upwards."""
    total = round(abs(value) * 3600 * SECONDS_DENOMINATOR)
    degrees, rest = divmod(total, 3600 * SECONDS_DENOMINATOR)
    minutes, seconds = divmod(rest, 60 * SECONDS_DENOMINATOR)
    return degrees, minutes, seconds


def _altitude(prefix: str, location: Location) -> dict[str, str | None]:
    """GPSAltitudeRef/GPSAltitude under ``prefix`` (EXIF and XMP spell them alike); deleted when unknown."""
    altitude = location.altitude_m
    if altitude is None or not math.isfinite(altitude):
        return {f"{prefix}GPSAltitudeRef": None, f"{prefix}GPSAltitude": None}
    return {
        f"{prefix}GPSAltitudeRef": "0" if altitude >= 0 else "1",
        f"{prefix}GPSAltitude": f"{round(abs(altitude) * ALTITUDE_DENOMINATOR)}/{ALTITUDE_DENOMINATOR}",
    }


def _axes(location: Location) -> tuple[tuple[str, float, str], ...]:
    """(axis name, value, reference letter) of latitude and longitude."""
    return (("Latitude", location.lat, "N" if location.lat >= 0 else "S"), ("Longitude", location.lon, "E" if location.lon >= 0 else "W"))


def exif_gps(location: Location) -> dict[str, str | None]:
    """The EXIF GPS tags for ``location`` as exiv2 strings (None deletes a tag)."""
    tags: dict[str, str | None] = {"Exif.GPSInfo.GPSVersionID": "2 3 0 0", "Exif.GPSInfo.GPSMapDatum": "WGS-84"}
    for axis, value, ref in _axes(location):
        d, m, s = _dms(value)
        tags[f"Exif.GPSInfo.GPS{axis}Ref"] = ref
        tags[f"Exif.GPSInfo.GPS{axis}"] = f"{d}/1 {m}/1 {s}/{SECONDS_DENOMINATOR}"
    return tags | _altitude("Exif.GPSInfo.", location)


def xmp_gps(location: Location) -> dict[str, str | None]:
    """The same position as XMP exif: properties (for sidecars): ``DD,MM.mmmmmmmmR``."""
    tags: dict[str, str | None] = {"Xmp.exif.GPSVersionID": "2.3.0.0", "Xmp.exif.GPSMapDatum": "WGS-84"}
    for axis, value, ref in _axes(location):
        d, m, s = _dms(value)
        tags[f"Xmp.exif.GPS{axis}"] = f"{d},{m + s / (60 * SECONDS_DENOMINATOR):.8f}{ref}"
    return tags | _altitude("Xmp.exif.", location)


#: Where each place name goes, per metadata block: Location field -> tag.
PLACE_TAGS: dict[str, dict[str, str]] = {
    "xmp": {
        "city": "Xmp.photoshop.City",
        "state": "Xmp.photoshop.State",
        "country": "Xmp.photoshop.Country",
        "country_code": "Xmp.iptc.CountryCode",  # Iptc4xmpCore:CountryCode, ISO 3166-1 alpha-2
    },
    "iptc": {  # IPTC IIM, where the format has the block
        "city": "Iptc.Application2.City",
        "state": "Iptc.Application2.ProvinceState",
        "country": "Iptc.Application2.CountryName",
        "country_code3": "Iptc.Application2.CountryCode",  # IIM wants ISO 3166-1 alpha-3
    },
}


def place_tags(location: Location, block: str) -> dict[str, str | None]:
    """The place-name tags of ``location`` for one metadata block ("xmp" or "iptc")."""
    return {tag: getattr(location, field) for field, tag in PLACE_TAGS[block].items()}


def parse_exif_gps(exif: dict[str, str]) -> tuple[float, float, float | None] | None:
    """(lat, lon, altitude) from EXIF tags; None when there is no position; GpsTagError when the
    block is malformed."""
    if "Exif.GPSInfo.GPSLatitude" not in exif and "Exif.GPSInfo.GPSLongitude" not in exif:
        return None
    lat = _exif_axis(exif, "Latitude", "NS", 90)
    lon = _exif_axis(exif, "Longitude", "EW", 180)
    altitude = None
    if "Exif.GPSInfo.GPSAltitude" in exif:
        values = _rationals(exif["Exif.GPSInfo.GPSAltitude"], "GPSAltitude", 1)
        altitude = -values[0] if exif.get("Exif.GPSInfo.GPSAltitudeRef", "0").strip() == "1" else values[0]
    return lat, lon, altitude


def _exif_axis(exif: dict[str, str], axis: str, refs: str, limit: float) -> float:
    key = f"Exif.GPSInfo.GPS{axis}"
    if key not in exif:
        raise GpsTagError(f"GPS{axis} is missing while the other coordinate is present")
    d, m, s = _rationals(exif[key], f"GPS{axis}", 3)
    if m >= 60 or s >= 60:
        raise GpsTagError(f"GPS{axis} {exif[key]!r}: minutes and seconds must be below 60")
    value = d + m / 60 + s / 3600
    ref = exif.get(f"{key}Ref", "").strip().upper()[:1]
    if ref not in refs:
        raise GpsTagError(f"GPS{axis}Ref is {exif.get(key + 'Ref')!r}, expected {refs[0]} or {refs[1]}")
    if value > limit:
        raise GpsTagError(f"GPS{axis} {value:g} is beyond {limit:g} degrees")
    return -value if ref == refs[1] else value


def _rationals(text: str, name: str, count: int) -> list[float]:
    parts = str(text).split()
    if len(parts) != count:
        raise GpsTagError(f"{name} has {len(parts)} values, expected {count}")
    values = []
    for part in parts:
        numerator, _, denominator = part.partition("/")
        try:
            n, d = int(numerator), int(denominator or 1)
        except ValueError:
            raise GpsTagError(f"{name} value {part!r} is not a rational") from None
        if d == 0:
            raise GpsTagError(f"{name} value {part!r} has a zero denominator")
        if n < 0:
            raise GpsTagError(f"{name} value {part!r} is negative")
        values.append(n / d)
    return values


def parse_xmp_gps(xmp: dict[str, object]) -> tuple[float, float] | None:
    """(lat, lon) from XMP ``exif:GPSLatitude`` / ``exif:GPSLongitude`` (``DD,MM.mmmmN``)."""
    lat_text, lon_text = xmp.get("Xmp.exif.GPSLatitude"), xmp.get("Xmp.exif.GPSLongitude")
    if lat_text is None and lon_text is None:
        return None
    return _xmp_axis(lat_text, "NS", 90), _xmp_axis(lon_text, "EW", 180)


def _xmp_axis(text: object, refs: str, limit: float) -> float:
    if not isinstance(text, str) or not text or text[-1].upper() not in refs:
        raise GpsTagError(f"XMP GPS coordinate {text!r} is not DD,MM.mmmm{refs[0]}")
    body, ref = text[:-1], text[-1].upper()
    try:
        parts = [float(p) for p in body.split(",")]
    except ValueError:
        raise GpsTagError(f"XMP GPS coordinate {text!r} is not DD,MM.mmmm{refs[0]}") from None
    if len(parts) == 2:
        value = parts[0] + parts[1] / 60
    elif len(parts) == 3:
        value = parts[0] + parts[1] / 60 + parts[2] / 3600
    else:
        raise GpsTagError(f"XMP GPS coordinate {text!r} is not DD,MM.mmmm{refs[0]}")
    if value > limit or value < 0:
        raise GpsTagError(f"XMP GPS coordinate {text!r} is out of range")
    return -value if ref == refs[1] else value
