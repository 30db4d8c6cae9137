"""A GPS position as Geo-R writes it (ExifTool arguments) and reads it back (exiv2's spellings).

EXIF stores latitude and longitude as three unsigned rationals (degrees, minutes, seconds) plus a
reference letter; XMP (sidecars) as ``DD,MM.mmmmN``. Parsing is strict: a malformed GPS block is
reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from geor.engine.errors import BadInput


class GpsTagError(BadInput):
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
            raise BadInput(f"({self.lat}, {self.lon}) is not a valid position")


#: The location fields Geo-R writes, by where they go; everything else in a file is left as it is.
EXIF_GPS_TAGS = ("GPSLatitude", "GPSLatitudeRef", "GPSLongitude", "GPSLongitudeRef", "GPSAltitude", "GPSAltitudeRef", "GPSMapDatum",
                 "GPSProcessingMethod")
XMP_GPS_TAGS = ("GPSLatitude", "GPSLongitude", "GPSAltitude", "GPSAltitudeRef", "GPSMapDatum", "GPSVersionID")
#: What an old fix says of itself: how precise (a phone's 5 m), how it was found ("NETWORK"), the area
#: it names. Removed when its position is replaced (``--overwrite``): none of it holds for the new one.
FIX_TAGS = ("GPSHPositioningError", "GPSDOP", "GPSMeasureMode", "GPSStatus", "GPSSatellites", "GPSDifferential", "GPSAreaInformation",
            "GPSProcessingMethod")
#: A file's XMP copy of its position (Lightroom, Photo Mechanic and exiv2-based tools keep one beside
#: EXIF's): replaced with it, so a file never holds two positions. (exiv2 also writes the references
#: as properties of their own, exif:GPSLatitudeRef, which ExifTool cannot change; its coordinates
#: carry their own N/S and E/W, which XMP readers go by.)
XMP_COPY_TAGS = ("GPSLatitude", "GPSLongitude", "GPSLatitudeRef", "GPSLongitudeRef", "GPSAltitude", "GPSAltitudeRef", *FIX_TAGS)


def gps_assignments(location: Location, group: str, *, replacing: bool = False, add_version: bool = False, tiff: bool = False,
                    resolution: tuple[float, float, int] | None = None) -> list[str]:
    """ExifTool arguments that write ``location``'s position into ``group`` ("EXIF" in the file,
    "XMP-exif" in a sidecar), numbers given raw (``#=``) so nothing is rounded on the way.

    An unknown altitude leaves any altitude alone, or deletes it when a position is replaced
    (``replacing``), so an old altitude never sits beside a new position, nor the old fix's
    precision, method or area (FIX_TAGS). ``add_version``: the
    file has a GPS block without the GPSVersionID every reader expects (a new block gets one from
    ExifTool). ``tiff``: TIFF files also say how the position was found (GPSProcessingMethod,
    which the EXIF rules require there): MANUAL, a position assigned after the photo was taken.
    ``resolution`` (x, y, EXIF unit): the file has no EXIF yet, so the IFD0 that must be created to
    point at the GPS block gets the resolution tags EXIF 2.3 readers require (ExifTool 13 adds
    only YCbCrPositioning, as EXIF 3.0 allows).
    """
    args: list[str] = []
    if group == "EXIF":
        args += [f"-EXIF:GPSLatitude#={_whole_seconds_safe(abs(location.lat))!r}", f"-EXIF:GPSLatitudeRef={'N' if location.lat >= 0 else 'S'}",
                 f"-EXIF:GPSLongitude#={_whole_seconds_safe(abs(location.lon))!r}", f"-EXIF:GPSLongitudeRef={'E' if location.lon >= 0 else 'W'}"]
        if add_version:
            args.append("-EXIF:GPSVersionID=2.3.0.0")
        if tiff:
            args.append("-EXIF:GPSProcessingMethod=MANUAL")
        if resolution is not None:
            x, y, unit = resolution
            args += [f"-IFD0:XResolution#={x!r}", f"-IFD0:YResolution#={y!r}", f"-IFD0:ResolutionUnit#={unit}"]
    else:
        args += [f"-{group}:GPSLatitude#={location.lat!r}", f"-{group}:GPSLongitude#={location.lon!r}", f"-{group}:GPSVersionID=2.3.0.0"]
    args += _altitude(location, group, replacing)
    if replacing:
        args += [f"-{group}:{tag}=" for tag in FIX_TAGS if not (tiff and tag == "GPSProcessingMethod")]
    return args + [f"-{group}:GPSMapDatum=WGS-84"]


def xmp_copy_assignments(location: Location) -> list[str]:
    """ExifTool arguments that replace the position a file's XMP holds beside EXIF's (XMP_COPY_TAGS)."""
    return [f"-XMP-exif:GPSLatitude#={location.lat!r}", f"-XMP-exif:GPSLongitude#={location.lon!r}",
            *_altitude(location, "XMP-exif", replacing=True), *(f"-XMP-exif:{tag}=" for tag in FIX_TAGS)]


def _altitude(location: Location, group: str, replacing: bool) -> list[str]:
    altitude = location.altitude_m
    if altitude is not None and math.isfinite(altitude):
        return [f"-{group}:GPSAltitude#={abs(altitude)!r}", f"-{group}:GPSAltitudeRef#={0 if altitude >= 0 else 1}"]
    return [f"-{group}:GPSAltitude=", f"-{group}:GPSAltitudeRef="] if replacing else []


def _whole_seconds_safe(degrees: float) -> float:
    """``degrees``, nudged by at most 1e-10 degree (0.01 mm) where ExifTool's split into degrees,
    minutes and seconds (the same IEEE arithmetic, GPS.pm ToDMS) would land a hair below a whole
    minute: its rational for 59.99999999999 seconds is 60/1, which strict readers reject."""
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = (degrees - whole - minutes / 60) * 3600
    return degrees + 1e-10 if seconds > 60 - 1e-7 else degrees


def parse_exif_gps(exif: dict[str, str]) -> tuple[float, float, float | None] | None:
    """(lat, lon, altitude) from EXIF tags; None when there is no position (no coordinates, or a
    block whose coordinates are all undefined: void_coordinates); GpsTagError when the block is
    malformed."""
    if "Exif.GPSInfo.GPSLatitude" not in exif and "Exif.GPSInfo.GPSLongitude" not in exif or void_coordinates(exif):
        return None
    lat = _exif_axis(exif, "Latitude", "NS", 90)
    lon = _exif_axis(exif, "Longitude", "EW", 180)
    altitude = None
    if "Exif.GPSInfo.GPSAltitude" in exif:
        values = _rationals(exif["Exif.GPSInfo.GPSAltitude"], "GPSAltitude", 1)
        altitude = -values[0] if exif.get("Exif.GPSInfo.GPSAltitudeRef", "0").strip() == "1" else values[0]
    return lat, lon, altitude


def void_coordinates(exif: dict[str, str]) -> bool:
    """Whether the GPS block's coordinates are there but every part of them undefined: a rational of
    0/0 (EXIF's "unknown"), or no value at all. Phones and cameras whose receiver had no fix write
    such a block (Samsung Galaxy phones' 0/0 0/0 0/0 with empty references; Leica's, its status V):
    no position to keep, and nothing in it to trust (its time is the receiver's own clock)."""
    texts = [str(exif[key]).split() for key in ("Exif.GPSInfo.GPSLatitude", "Exif.GPSInfo.GPSLongitude") if key in exif]
    return bool(texts) and all(re.fullmatch(r"\d+/0", part) for parts in texts for part in parts)


def _exif_axis(exif: dict[str, str], axis: str, refs: str, limit: float) -> float:
    key = f"Exif.GPSInfo.GPS{axis}"
    if key not in exif:
        raise GpsTagError(f"GPS{axis} is missing while the other coordinate is present")
    d, m, s = _rationals(exif[key], f"GPS{axis}", 3)
    if m > 60 or s > 60:  # exactly 60 is a writer's rounding (33 53 60 = 33 54 0), not a malformed block
        raise GpsTagError(f"GPS{axis} {exif[key]!r}: minutes and seconds must not exceed 60")
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


def parse_exif_gps_time(exif: dict[str, str]) -> dt.datetime | None:
    """The UTC moment of the GPS fix (GPSDateStamp + GPSTimeStamp), or None when either is absent
    or not a time; a time of day alone says nothing without its date."""
    date_text, time_text = exif.get("Exif.GPSInfo.GPSDateStamp"), exif.get("Exif.GPSInfo.GPSTimeStamp")
    if not isinstance(date_text, str) or not isinstance(time_text, str):
        return None
    match = re.match(r"^\s*(\d{4})[:-](\d{2})[:-](\d{2})", date_text)
    try:
        hours, minutes, seconds = _rationals(time_text, "GPSTimeStamp", 3)
        if not match or hours >= 24 or minutes >= 60 or seconds >= 61:
            return None
        day = dt.datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), tzinfo=dt.UTC)
    except (GpsTagError, ValueError):
        return None
    return day + dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def parse_xmp_gps_time(xmp: dict[str, object]) -> dt.datetime | None:
    """XMP ``exif:GPSTimeStamp``: a full date and time, UTC when it names no zone."""
    text = xmp.get("Xmp.exif.GPSTimeStamp")
    if not isinstance(text, str):
        return None
    text = re.sub(r"^(\d{4}):(\d{2}):(\d{2})", r"\1-\2-\3", text.strip())  # ExifTool's spelling of XMP dates
    try:
        when = dt.datetime.fromisoformat(text.replace(" ", "T", 1).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)


def parse_gps_accuracy(exif: dict[str, str]) -> float | None:
    """GPSHPositioningError (EXIF 2.31): the horizontal error in metres, when the device wrote one."""
    text = exif.get("Exif.GPSInfo.GPSHPositioningError")
    if not isinstance(text, str):
        return None
    try:
        (value,) = _rationals(text, "GPSHPositioningError", 1)
    except GpsTagError:
        return None
    return value if math.isfinite(value) else None


def null_island(position: tuple[float | None, float | None] | None) -> bool:
    """Whether a position is (0, 0), what phones and cameras write when their receiver had no fix (a
    Samsung Galaxy S, a FLIR Vue Pro, an Apple Vision Pro without location; Android videos' +0+0):
    no position, as an undefined block is (void_coordinates), and its time no fix's."""
    return (position is not None and position[0] is not None and position[1] is not None
            and abs(position[0]) < 1e-7 and abs(position[1]) < 1e-7)


def null_position_problem(exif: dict[str, str], position: tuple[float, float] | None) -> str | None:
    """Why a position that parses is still not one to replace without --overwrite: a GPSStatus of V
    (measurement void), a receiver's own verdict on a position it did compute."""
    if position is not None and str(exif.get("Exif.GPSInfo.GPSStatus", "")).strip().upper().startswith("V"):
        return "GPSStatus says the measurement is void (V)"
    return None


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
